// `chantless-replay`: the replay verbs of `chantless` (serve, record, verify, import, export),
// which `chantless` execs with its own arguments (cli/main.cc). It links cpp-httplib and replay/;
// the resolver-facing verbs stay in `chantless`, which never maps them (asked for one, this binary
// execs `chantless` from its own directory, as `record` does to resolve through its proxy).
#include <cstdio>
#include <cstring>
#include <optional>

#include "cli/commands.h"
#include "cli/usage.h"
#include "cli/version.h"

int main(int argc, char** argv) {
  using chantless::cli::VerbInfo;
  const VerbInfo* verb = nullptr;
  if (std::optional<int> handled = chantless::cli::DispatchCommon(
          argc, argv, /*replay_binary=*/true, chantless::cli::Version(), &verb)) {
    return *handled;
  }
  chantless::cli::Args args(argv + 2, argv + argc);
  const char* name = verb->name;
  if (std::strcmp(name, "serve") == 0) return chantless::cli::RunServe(args);
  if (std::strcmp(name, "record") == 0) return chantless::cli::RunRecord(args);
  if (std::strcmp(name, "verify") == 0) return chantless::cli::RunVerify(args);
  if (std::strcmp(name, "import") == 0) return chantless::cli::RunImport(args);
  return chantless::cli::RunExport(args);
}
