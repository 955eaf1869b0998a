// `chantless`: resolve AWS credentials the way the AWS CLI does, explain every decision, and replay
// or record the credential endpoints of EC2, CloudShell, ECS and EKS.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/version.h"

namespace {

struct Command {
  const char* name;
  int (*run)(const chantless::cli::Args&);
  const char* summary;
};

constexpr Command kCommands[] = {
    {"resolve", chantless::cli::RunResolve,
     "resolve credentials through the default chain [--profile P] [--format process|env|"
     "env-no-export|json] [--debug] [--explain]"},
    {"region", chantless::cli::RunRegion, "resolve the region as the AWS CLI does [--explain]"},
    {"imds", chantless::cli::RunImds, "read instance metadata: imds get <path> | imds ls [path]"},
    {"serve", chantless::cli::RunServe,
     "replay a transcript on 127.0.0.1: serve <transcript> [--port 0] [--port-file F] [--strict]\n"
     "           [--log-json] [--now RFC3339] [--shift S] [--bind HOST]; verdict on "
     "SIGINT/SIGTERM"},
    {"record", chantless::cli::RunRecord,
     "record a transcript through a redacting proxy: record --upstream URL --out FILE"},
    {"verify", chantless::cli::RunVerify,
     "validate transcripts and scan them for secrets: verify <file|dir>..."},
    {"import", chantless::cli::RunImport, "import --from har|dvr <file> --out <transcript>"},
    {"export", chantless::cli::RunExport, "export --to har <transcript> --out <file>"},
};

void PrintUsage(FILE* out) {
  std::fprintf(out,
               "usage: chantless <command> [options]\n       chantless --version\n\ncommands:\n");
  for (const Command& c : kCommands) std::fprintf(out, "  %-8s %s\n", c.name, c.summary);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
      std::strcmp(argv[1], "help") == 0) {
    PrintUsage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (std::strcmp(argv[1], "--version") == 0 || std::strcmp(argv[1], "version") == 0) {
    std::printf("chantless %s\n", chantless::cli::Version());
    return 0;
  }
  chantless::cli::Args args(argv + 2, argv + argc);
  for (const Command& c : kCommands) {
    if (std::strcmp(argv[1], c.name) == 0) return c.run(args);
  }
  std::fprintf(stderr, "chantless: unknown command \"%s\"\n\n", argv[1]);
  PrintUsage(stderr);
  return 2;
}
