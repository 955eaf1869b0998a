// The `chantless` subcommands. Each RunX takes the arguments after its verb and returns the
// process exit code: 0 success, 1 "no result" (no credentials, verdict failed), 2 bad usage or
// configuration.
#ifndef CHANTLESS_CLI_COMMANDS_H_
#define CHANTLESS_CLI_COMMANDS_H_

#include <string>
#include <vector>

namespace chantless {
namespace cli {

using Args = std::vector<std::string>;

int RunResolve(const Args& args);  // cli/resolve_command.cc
int RunImds(const Args& args);     // cli/imds_command.cc: imds get|ls
int RunRegion(const Args& args);   // cli/imds_command.cc
int RunServe(const Args& args);    // cli/serve_command.cc
int RunRecord(const Args& args);   // cli/record_command.cc
int RunVerify(const Args& args);   // cli/record_command.cc
int RunImport(const Args& args);   // cli/record_command.cc
int RunExport(const Args& args);   // cli/record_command.cc

}  // namespace cli
}  // namespace chantless

#endif  // CHANTLESS_CLI_COMMANDS_H_
