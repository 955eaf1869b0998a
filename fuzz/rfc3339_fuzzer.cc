// Fuzz target: ParseRfc3339 (resolver/core/time_util.h), the parser behind every Expiration.
//
// Properties (a broken one traps): a failure is kInvalidResponse with a bounded, printable message
// (it quotes at most 40 characters of the input, control bytes replaced); a success came from at
// least "YYYY-MM-DDTHH:MM:SSZ" (20 characters) and, for years 0000-9999, FormatRfc3339 →
// ParseRfc3339 gives the same instant truncated to the second.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "resolver/core/time_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = chantless::ParseRfc3339(text);
  if (!parsed.ok()) {
    if (parsed.status().code() != chantless::StatusCode::kInvalidResponse) __builtin_trap();
    const std::string& message = parsed.status().message();
    if (message.size() > 160) __builtin_trap();
    for (char c : message) {
      if (static_cast<unsigned char>(c) < 0x20) __builtin_trap();
    }
    return 0;
  }
  if (size < 20) __builtin_trap();
  std::string formatted = chantless::FormatRfc3339(*parsed);
  if (formatted.size() == 20 && formatted[0] != '-') {
    auto reparsed = chantless::ParseRfc3339(formatted);
    if (!reparsed.ok()) __builtin_trap();
    if (*reparsed != std::chrono::floor<std::chrono::seconds>(*parsed)) __builtin_trap();
    if (chantless::FormatRfc3339(*reparsed) != formatted) __builtin_trap();
  }
  return 0;
}
