// `chantless imds get|ls|identity` and `chantless region`, over any ProviderContext (the commands
// in cli/commands.h run them over SystemWorld; tests over FakeWorld).
//
//   chantless imds get <path>                print the body of a metadata path (a path without a
//                                            leading '/' is under /latest/meta-data/)
//   chantless imds ls [path]                 list a metadata directory (default
//   /latest/meta-data/),
//                                            one entry per line, directories ending in '/'
//   chantless imds identity                  the instance identity document, decoded, as JSON
//     (each takes [--profile P] — the IMDS settings of the config file's profile — and [--debug])
//   chantless region [--profile P] [--explain] [--debug]
//                                            the region as the AWS CLI finds it
//                                            (resolver/chain/region.h);
//                                            --explain adds one JSON line on stderr: region,
//                                            source, every IMDS request (method, endpoint, path,
//                                            status, elapsed) and every note — never a token.
// stdout carries only the answer. `imds get` prints what IMDS answered, which for a credentials
// path is a secret: it is the user's explicit request, as with curl.
// Exit codes: 0 success; 1 no answer (IMDS unreachable, non-200, disabled, no region);
// 2 bad usage or invalid configuration.
#ifndef CHANTLESS_CLI_IMDS_COMMAND_H_
#define CHANTLESS_CLI_IMDS_COMMAND_H_

#include <cstdio>
#include <functional>
#include <vector>

#include "cli/commands.h"
#include "resolver/core/provider.h"
#include "resolver/core/trace.h"

namespace chantless {
namespace cli {

// `args` are those after "imds" / "region", without --debug/--profile (handled by the caller).
int RunImdsWith(const Args& args, const ProviderContext& ctx, FILE* out, FILE* err);
// `events` returns the trace so far (for --explain).
int RunRegionWith(const Args& args, const ProviderContext& ctx,
                  const std::function<std::vector<TraceEvent>()>& events, FILE* out, FILE* err);

}  // namespace cli
}  // namespace chantless

#endif  // CHANTLESS_CLI_IMDS_COMMAND_H_
