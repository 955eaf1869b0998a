// `chantless-replay`: the replay verbs of `chantless` (serve, record, verify, import, export),
// which `chantless` execs with its own arguments (cli/main.cc). It links cpp-httplib and replay/;
// the resolver-facing verbs stay in `chantless`, which never maps them (asked for one, this binary
// execs `chantless` from its own directory, as `record` does to resolve through its proxy).
#include <cstdio>
#include <cstring>

#include "cli/commands.h"
#include "cli/usage.h"
#include "cli/version.h"

int main(int argc, char** argv) {
  using chantless::cli::VerbInfo;
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
      std::strcmp(argv[1], "help") == 0) {
    chantless::cli::PrintUsage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (std::strcmp(argv[1], "--version") == 0 || std::strcmp(argv[1], "version") == 0) {
    std::printf("chantless %s\n", chantless::cli::Version());
    return 0;
  }
  const VerbInfo* verb = chantless::cli::FindVerb(argv[1]);
  if (verb == nullptr) {
    std::fprintf(stderr, "chantless: unknown command \"%s\"\n\n", argv[1]);
    chantless::cli::PrintUsage(stderr);
    return 2;
  }
  if (!verb->replay) return chantless::cli::ExecSibling(chantless::cli::kMainBinary, argv);
  chantless::cli::Args args(argv + 2, argv + argc);
  const char* name = verb->name;
  if (std::strcmp(name, "serve") == 0) return chantless::cli::RunServe(args);
  if (std::strcmp(name, "record") == 0) return chantless::cli::RunRecord(args);
  if (std::strcmp(name, "verify") == 0) return chantless::cli::RunVerify(args);
  if (std::strcmp(name, "import") == 0) return chantless::cli::RunImport(args);
  return chantless::cli::RunExport(args);
}
