// Placeholder for the `resolve` command family until issue 2 lands it (TODO(issue 2)).
#include <cstdio>

#include "cli/commands.h"

namespace chantless {
namespace cli {

int RunResolve(const Args&) {
  std::fprintf(stderr, "chantless: this command is not available yet (issue 2)\n");
  return 2;
}

}  // namespace cli
}  // namespace chantless
