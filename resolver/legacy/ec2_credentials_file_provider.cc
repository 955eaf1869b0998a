// The EC2 tools' credential file provider (rules in ec2_credentials_file_provider.h).
#include "resolver/legacy/ec2_credentials_file_provider.h"

#include <optional>

#include "resolver/core/ascii.h"
#include "resolver/core/environment.h"
#include "resolver/core/filesystem.h"
#include "resolver/core/secret.h"
#include "resolver/core/trace.h"

namespace chantless {

std::map<std::string, Ec2CredentialFileEntry, std::less<>> ParseEc2CredentialFile(
    std::string_view text) {
  std::map<std::string, Ec2CredentialFileEntry, std::less<>> entries;
  int line_number = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    ++line_number;
    const size_t eq = line.find('=');
    if (eq != std::string_view::npos) {
      Ec2CredentialFileEntry& entry =
          entries[std::string(StripAsciiWhitespace(line.substr(0, eq)))];
      entry.value = std::string(StripAsciiWhitespace(line.substr(eq + 1)));
      entry.line = line_number;
    }
    if (end == text.size()) break;
    // "\r\n" is one line break.
    pos = end + ((text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n') ? 2 : 1);
  }
  return entries;
}

StatusOr<Credentials> Ec2CredentialsFileProvider::Resolve() {
  TraceInfo(ctx_.trace, Name(), "Looking for credentials via: " + Name());
  if (ctx_.env == nullptr || ctx_.fs == nullptr) {
    return InternalError(Name() + ": no Environment or Filesystem in the provider context");
  }
  std::optional<std::string> variable = GetNonBlank(*ctx_.env, "AWS_CREDENTIAL_FILE");
  if (!variable) return NotConfiguredError("AWS_CREDENTIAL_FILE is not set");
  StatusOr<std::string> path = ExpandHome(*variable, *ctx_.env, *ctx_.fs);
  if (!path.ok()) {
    return InvalidConfigurationError("AWS_CREDENTIAL_FILE: " + path.status().message());
  }
  StatusOr<std::string> text = ctx_.fs->ReadFile(*path, 1024 * 1024);
  if (!text.ok()) {
    if (IsNotConfigured(text.status())) {
      return InvalidConfigurationError("AWS_CREDENTIAL_FILE names " + *path +
                                       ", which does not exist");
    }
    return Status(text.status().code(), "AWS_CREDENTIAL_FILE: " + text.status().message());
  }
  const auto entries = ParseEc2CredentialFile(*text);
  const auto key = entries.find("AWSAccessKeyId");
  if (key == entries.end()) {
    return NotConfiguredError(*path + " (AWS_CREDENTIAL_FILE) has no AWSAccessKeyId line");
  }
  const auto secret = entries.find("AWSSecretKey");
  if (secret == entries.end()) {
    return InvalidConfigurationError(*path + ":" + std::to_string(key->second.line) +
                                     ": AWSAccessKeyId is set but the file has no AWSSecretKey "
                                     "line");
  }
  for (const auto* entry : {&*key, &*secret}) {
    if (entry->second.value.empty()) {
      return InvalidConfigurationError(*path + ":" + std::to_string(entry->second.line) + ": " +
                                       entry->first + " is empty");
    }
  }
  Credentials credentials;
  credentials.access_key_id = key->second.value;
  credentials.secret_access_key = Secret(secret->second.value);
  credentials.provider = Name();
  TraceInfo(ctx_.trace, Name(), "Found credentials in AWS_CREDENTIAL_FILE.");
  return credentials;
}

}  // namespace chantless
