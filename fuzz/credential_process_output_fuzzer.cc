// Fuzz target: credential_process output parsing (ParseCredentialProcessOutput) and command-line
// splitting (SplitCommandLine), resolver/process/credential_process.h.
//
// Properties (a broken one traps): accepted output has a non-empty access key id and secret key,
// the provider "custom-process" and an expiration, when present, after `now`; rejected output is
// kInvalidResponse and its message holds neither the secret access key nor the session token
// (stdout is secret: the parser must never echo it); splitting fails only with
// kInvalidConfiguration and never yields more words than the input has bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nlohmann/json.hpp"
#include "resolver/core/time_util.h"
#include "resolver/process/credential_process.h"

namespace {

// The secret string members of `body` (when it is a JSON object) that carry the canary. No
// exemption: a malformed timestamp is never quoted (ParseRfc3339 gives only its length).
std::vector<std::string> Secrets(std::string_view body) {
  std::vector<std::string> out;
  auto parsed = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return out;
  for (const char* key : {"SecretAccessKey", "SessionToken"}) {
    auto it = parsed.find(key);
    if (it == parsed.end() || !it->is_string()) continue;
    const std::string& value = it->get_ref<const std::string&>();
    // Only values carrying the canary "EXAMPLE" (the seeds' and dictionary's fake secrets) count:
    // a fuzzed "secret" such as "al_process ou" may spell part of the fixed error wording.
    if (value.find("EXAMPLE") != std::string::npos) {
      out.push_back(value);
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const chantless::WallTime kNow = *chantless::ParseRfc3339("2024-05-01T12:00:00Z");
  std::string_view text(reinterpret_cast<const char*>(data), size);

  auto credentials = chantless::ParseCredentialProcessOutput(text, kNow);
  if (credentials.ok()) {
    if (credentials->access_key_id.empty() || credentials->secret_access_key.empty()) {
      __builtin_trap();
    }
    if (credentials->provider != chantless::kCredentialProcessProviderName) __builtin_trap();
    if (credentials->expiration && *credentials->expiration <= kNow) __builtin_trap();
  } else {
    if (credentials.status().code() != chantless::StatusCode::kInvalidResponse) __builtin_trap();
    for (const std::string& secret : Secrets(text)) {
      if (credentials.status().message().find(secret) != std::string::npos) __builtin_trap();
    }
  }

  auto words = chantless::SplitCommandLine(text);
  if (words.ok()) {
    if (words->size() > size) __builtin_trap();
  } else if (words.status().code() != chantless::StatusCode::kInvalidConfiguration) {
    __builtin_trap();
  }
  return 0;
}
