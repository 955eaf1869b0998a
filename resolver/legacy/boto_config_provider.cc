// The boto 2 configuration file provider (rules in boto_config_provider.h).
#include "resolver/legacy/boto_config_provider.h"

#include <optional>
#include <vector>

#include "resolver/core/environment.h"
#include "resolver/core/filesystem.h"
#include "resolver/core/secret.h"
#include "resolver/core/trace.h"
#include "resolver/profile/profile_file_parser.h"

namespace chantless {

StatusOr<Credentials> BotoConfigProvider::Resolve() {
  TraceInfo(ctx_.trace, Name(), "Looking for credentials via: " + Name());
  if (ctx_.env == nullptr || ctx_.fs == nullptr) {
    return InternalError(Name() + ": no Environment or Filesystem in the provider context");
  }
  const std::optional<std::string> boto_config = ctx_.env->Get("BOTO_CONFIG");
  const std::vector<std::string> locations =
      boto_config ? std::vector<std::string>{*boto_config}
                  : std::vector<std::string>{"/etc/boto.cfg", "~/.boto"};
  std::string looked_at;
  for (const std::string& location : locations) {
    if (!looked_at.empty()) looked_at += ", ";
    looked_at += location;
    if (location.empty()) continue;  // BOTO_CONFIG="" names no file (botocore: not a file)
    StatusOr<std::string> path = ExpandHome(location, *ctx_.env, *ctx_.fs);
    if (!path.ok()) {
      if (boto_config) {
        return InvalidConfigurationError("BOTO_CONFIG: " + path.status().message());
      }
      TraceInfo(ctx_.trace, Name(), "Skipping " + location + ": no home directory is known");
      continue;
    }
    StatusOr<std::string> text = ctx_.fs->ReadFile(*path, 1024 * 1024);
    if (!text.ok()) {
      if (IsNotConfigured(text.status())) continue;
      return text.status();
    }
    CHANTLESS_ASSIGN_OR_RETURN(ProfileFile file,
                               ParseProfileFile(*text, ProfileFileKind::kCredentials, *path));
    const auto section = file.profiles.find("Credentials");
    if (section == file.profiles.end()) continue;
    const ProfileProperty* key = section->second.Find("aws_access_key_id");
    if (key == nullptr) continue;
    const ProfileProperty* secret = section->second.Find("aws_secret_access_key");
    if (secret == nullptr) {
      return InvalidConfigurationError(*path + ":" + std::to_string(key->line) +
                                       ": [Credentials] has aws_access_key_id but no "
                                       "aws_secret_access_key");
    }
    for (const ProfileProperty* property : {key, secret}) {
      if (property->value.empty()) {
        return InvalidConfigurationError(*path + ":" + std::to_string(property->line) +
                                         ": [Credentials] " + property->key + " is empty");
      }
    }
    Credentials credentials;
    credentials.access_key_id = key->value;
    credentials.secret_access_key = Secret(secret->value);
    credentials.provider = Name();
    TraceInfo(ctx_.trace, Name(), "Found credentials in boto config file: " + *path);
    return credentials;
  }
  return NotConfiguredError(std::string("no [Credentials] aws_access_key_id in ") +
                            (boto_config ? "BOTO_CONFIG (" + looked_at + ")" : looked_at));
}

}  // namespace chantless
