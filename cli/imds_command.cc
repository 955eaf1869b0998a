// Placeholder for the `imds` command family until issue 3 lands it (TODO(issue 3)).
#include <cstdio>

#include "cli/commands.h"

namespace chantless {
namespace cli {

int RunImds(const Args&) {
  std::fprintf(stderr, "chantless: this command is not available yet (issue 3)\n");
  return 2;
}

int RunRegion(const Args&) {
  std::fprintf(stderr, "chantless: this command is not available yet (issue 3)\n");
  return 2;
}

}  // namespace cli
}  // namespace chantless
