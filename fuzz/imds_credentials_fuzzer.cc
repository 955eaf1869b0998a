// Fuzz target: the IMDS credential JSON decoder (DecodeImdsCredentials) and, through its Expiration
// and LastUpdated fields, the RFC 3339 parser.
//
// Properties (a broken one traps): a decoded result has a non-empty access key id, secret access
// key and session token and an expiration (the IMDS rules in resolver/http/credentials_json.h); a
// failure is kInvalidResponse; the expiration survives FormatRfc3339 → ParseRfc3339 to the second.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "resolver/core/time_util.h"
#include "resolver/http/credentials_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using chantless::StatusCode;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto decoded = chantless::DecodeImdsCredentials(body);
  if (!decoded.ok()) {
    if (decoded.status().code() != StatusCode::kInvalidResponse) __builtin_trap();
    return 0;
  }
  if (decoded->access_key_id.empty() || decoded->secret_access_key.empty() ||
      decoded->token.empty() || !decoded->expiration.has_value()) {
    __builtin_trap();
  }
  if (decoded->account_id && decoded->account_id->empty()) __builtin_trap();
  std::string formatted = chantless::FormatRfc3339(*decoded->expiration);
  auto reparsed = chantless::ParseRfc3339(formatted);
  if (formatted.size() == 20 && formatted[0] != '-') {  // years 0000-9999 round-trip
    if (!reparsed.ok()) __builtin_trap();
    auto whole = std::chrono::floor<std::chrono::seconds>(*decoded->expiration);
    if (*reparsed != whole) __builtin_trap();
  }
  chantless::Credentials c = decoded->ToCredentials("iam-role");
  if (c.access_key_id != decoded->access_key_id || c.expiration != decoded->expiration) {
    __builtin_trap();
  }
  return 0;
}
