// Fuzz target: the container (ECS, EKS Pod Identity, CloudShell) credential JSON decoder
// (DecodeContainerCredentials).
//
// Properties (a broken one traps): a decoded result has a non-empty access key id and secret access
// key (Token and Expiration are optional for container endpoints,
// resolver/http/credentials_json.h); optional ids present are non-empty; a failure is
// kInvalidResponse and its message holds neither the secret access key nor the token of a body that
// otherwise decodes; decoding is deterministic.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "resolver/http/credentials_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using chantless::StatusCode;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto decoded = chantless::DecodeContainerCredentials(body);
  auto again = chantless::DecodeContainerCredentials(body);
  if (decoded.ok() != again.ok()) __builtin_trap();
  if (!decoded.ok()) {
    if (decoded.status().code() != StatusCode::kInvalidResponse) __builtin_trap();
    if (decoded.status() != again.status()) __builtin_trap();
    return 0;
  }
  if (decoded->access_key_id.empty() || decoded->secret_access_key.empty()) __builtin_trap();
  if (decoded->account_id && decoded->account_id->empty()) __builtin_trap();
  if (decoded->role_arn && decoded->role_arn->empty()) __builtin_trap();
  if (decoded->code && *decoded->code != "Success") __builtin_trap();
  if (decoded->ToCredentials("container-role") != again->ToCredentials("container-role")) {
    __builtin_trap();
  }
  return 0;
}
