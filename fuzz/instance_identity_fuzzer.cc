// Fuzz target: the EC2 instance identity document decoder (resolver/imds/instance_identity.h).
//
// Properties (a broken one traps): a decoded document has a non-empty accountId, instanceId and
// region; a rejection is kInvalidResponse; decoding is deterministic (same input, same result).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "resolver/imds/instance_identity.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto identity = chantless::DecodeInstanceIdentity(body);
  if (!identity.ok()) {
    if (identity.status().code() != chantless::StatusCode::kInvalidResponse) __builtin_trap();
    auto again = chantless::DecodeInstanceIdentity(body);
    if (again.ok() || again.status() != identity.status()) __builtin_trap();
    return 0;
  }
  if (identity->account_id.empty() || identity->instance_id.empty() || identity->region.empty()) {
    __builtin_trap();
  }
  auto again = chantless::DecodeInstanceIdentity(body);
  if (!again.ok() || again->instance_id != identity->instance_id ||
      again->pending_time != identity->pending_time ||
      again->marketplace_product_codes != identity->marketplace_product_codes) {
    __builtin_trap();
  }
  return 0;
}
