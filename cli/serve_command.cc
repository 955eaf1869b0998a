// Placeholder for the `serve` command family until issue 4 lands it (TODO(issue 4)).
#include <cstdio>

#include "cli/commands.h"

namespace chantless {
namespace cli {

int RunServe(const Args&) {
  std::fprintf(stderr, "chantless: this command is not available yet (issue 4)\n");
  return 2;
}

}  // namespace cli
}  // namespace chantless
