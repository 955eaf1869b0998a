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
#include <optional>

#include "cli/commands.h"
#include "cli/usage.h"
#include "cli/version.h"

int main(int argc, char** argv) {
  using chantless::cli::VerbInfo;
  const VerbInfo* verb = nullptr;
  if (std::optional<int> handled = chantless::cli::DispatchCommon(
          argc, argv, /*replay_binary=*/false, chantless::cli::Version(), &verb)) {
    return *handled;
  }
  chantless::cli::Args args(argv + 2, argv + argc);
  if (std::strcmp(verb->name, "resolve") == 0) return chantless::cli::RunResolve(args);
  if (std::strcmp(verb->name, "region") == 0) return chantless::cli::RunRegion(args);
  return chantless::cli::RunImds(args);
}
