// Credentials: what every provider produces.
//
// The access key id is not secret by AWS's definition, but chantless never writes it to a trace
// either (it identifies the principal); the secret key and the session token are Secrets.
// Credentials are plain values: copyable, comparable, thread-compatible.
#ifndef CHANTLESS_RESOLVER_CORE_CREDENTIALS_H_
#define CHANTLESS_RESOLVER_CORE_CREDENTIALS_H_

#include <chrono>
#include <optional>
#include <ostream>
#include <string>

#include "resolver/core/secret.h"

namespace chantless {

using WallTime = std::chrono::system_clock::time_point;

struct Credentials {
  std::string access_key_id;
  Secret secret_access_key;
  Secret session_token;                // empty for long-term keys
  std::optional<WallTime> expiration;  // absent: never expires
  std::optional<std::string> account_id;
  // Where account_id came from, for `chantless resolve --format json` ("AccountIdSource"):
  // "AWS_ACCOUNT_ID", "credential_process output", "container-role response", "iam-role response",
  // or the profile line "PATH:LINE (profile NAME)" of `aws_account_id`. Empty without account_id.
  std::string account_id_source;
  std::string provider;  // botocore's method name: "env", "shared-credentials-file", "iam-role", …
  // Static stability: the provider served these past their real expiry (IMDS outage or expired
  // credentials from IMDS); `expiration` is the extended instant.
  bool extended = false;

  bool operator==(const Credentials& o) const {
    return access_key_id == o.access_key_id && secret_access_key == o.secret_access_key &&
           session_token == o.session_token && expiration == o.expiration &&
           account_id == o.account_id && account_id_source == o.account_id_source &&
           provider == o.provider && extended == o.extended;
  }
  bool operator!=(const Credentials& o) const { return !(*this == o); }
};

// Safe to log: the provider, whether a token is present and the expiration; no key material.
std::string DebugString(const Credentials& credentials);
inline std::ostream& operator<<(std::ostream& os, const Credentials& c) {
  return os << DebugString(c);
}
inline void PrintTo(const Credentials& c, std::ostream* os) { *os << DebugString(c); }

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_CORE_CREDENTIALS_H_
