// Deprecated forwarding header, kept for one release: include "resolver/system/system_world.h"
// and depend on //resolver/system:system_world instead (chantless::SystemWorld; the --debug printer
// is the CLI's own, cli/debug_log.h).
//
// chantless::cli::SystemWorld keeps the old constructor (a FILE* for botocore-style debug lines)
// so that code written against it still compiles.
#ifndef CHANTLESS_CLI_SYSTEM_WORLD_H_
#define CHANTLESS_CLI_SYSTEM_WORLD_H_

#include <cstdio>
#include <optional>
#include <string>
#include <utility>

#include "cli/debug_log.h"
#include "resolver/system/system_world.h"

namespace chantless {
namespace cli {

namespace internal {
// Holds the debug sink so that it is built before the SystemWorld base that points at it.
struct DebugLogHolder {
  explicit DebugLogHolder(FILE* out)
      : sink(out == nullptr ? stderr : out), enabled(out != nullptr) {}
  DebugLogSink sink;
  bool enabled;
};
}  // namespace internal

// Deprecated: use chantless::SystemWorld. `debug_out` (may be null) receives debug lines.
class SystemWorld : private internal::DebugLogHolder, public ::chantless::SystemWorld {
 public:
  SystemWorld(std::optional<std::string> profile_override, FILE* debug_out)
      : internal::DebugLogHolder(debug_out),
        ::chantless::SystemWorld(std::move(profile_override), enabled ? &sink : nullptr) {}
};

}  // namespace cli
}  // namespace chantless

#endif  // CHANTLESS_CLI_SYSTEM_WORLD_H_
