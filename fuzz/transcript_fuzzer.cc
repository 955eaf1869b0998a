// Fuzz target: the transcript loader/validator (replay/transcript.h, LoadTranscript).
//
// Properties (a broken one traps): the round trip — a loaded transcript serialized and loaded again
// is accepted and equal, and serializing is then a fixed point (the canonical form); every loaded
// transcript satisfies the invariants the replay engine relies on (at least one exchange, unique
// non-empty ids, 1 <= repeat.max, min <= max, statuses 100-599); errors are kInvalidConfiguration
// naming the source.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "replay/transcript.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace replay = chantless::replay;
  constexpr std::string_view kSource = "fuzz/transcript";
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto loaded = replay::LoadTranscript(text, kSource);
  if (!loaded.ok()) {
    if (loaded.status().code() != chantless::StatusCode::kInvalidConfiguration) __builtin_trap();
    if (loaded.status().message().compare(0, kSource.size(), kSource) != 0) __builtin_trap();
    return 0;
  }
  if (loaded->exchanges.empty()) __builtin_trap();
  std::set<std::string> ids;
  for (const replay::Exchange& exchange : loaded->exchanges) {
    if (exchange.id.empty() || !ids.insert(exchange.id).second) __builtin_trap();
    if (exchange.repeat.max < 1 || exchange.repeat.min > exchange.repeat.max) __builtin_trap();
    if (exchange.response && (exchange.response->status < 100 || exchange.response->status > 599)) {
      __builtin_trap();
    }
  }
  std::string serialized = replay::SerializeTranscript(*loaded);
  auto reloaded = replay::LoadTranscript(serialized, kSource);
  if (!reloaded.ok()) __builtin_trap();
  if (!(*reloaded == *loaded)) __builtin_trap();
  if (replay::SerializeTranscript(*reloaded) != serialized) __builtin_trap();
  return 0;
}
