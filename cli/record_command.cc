// Placeholder for the `record` command family until issue 5 lands it (TODO(issue 5)).
#include <cstdio>

#include "cli/commands.h"

namespace chantless {
namespace cli {

int RunRecord(const Args&) {
  std::fprintf(stderr, "chantless: this command is not available yet (issue 5)\n");
  return 2;
}

int RunVerify(const Args&) {
  std::fprintf(stderr, "chantless: this command is not available yet (issue 5)\n");
  return 2;
}

int RunImport(const Args&) {
  std::fprintf(stderr, "chantless: this command is not available yet (issue 5)\n");
  return 2;
}

int RunExport(const Args&) {
  std::fprintf(stderr, "chantless: this command is not available yet (issue 5)\n");
  return 2;
}

}  // namespace cli
}  // namespace chantless
