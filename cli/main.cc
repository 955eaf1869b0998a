// `chantless`: resolve AWS credentials the way the AWS CLI does, explain every decision, and replay
// or record the credential endpoints of EC2, CloudShell, ECS and EKS.
//
// This binary runs the resolver-facing verbs (resolve, region, imds) and links neither cpp-httplib
// nor replay/, so `credential_process = chantless resolve --format process` starts as fast as a
// program using libc alone can. The replay verbs (serve, record, verify, import, export) live in
// `chantless-replay` beside it (cli/replay_main.cc): this binary execs that file, from the
// directory /proc/self/exe is in, with the same arguments.
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
  if (verb->replay) return chantless::cli::ExecSibling(chantless::cli::kReplayBinary, argv);
  chantless::cli::Args args(argv + 2, argv + argc);
  if (std::strcmp(verb->name, "resolve") == 0) return chantless::cli::RunResolve(args);
  if (std::strcmp(verb->name, "region") == 0) return chantless::cli::RunRegion(args);
  return chantless::cli::RunImds(args);
}
