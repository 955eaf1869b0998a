// credential_process: run a user-configured command and read credentials from its output.
//
// Rules implemented (the map of every rule: docs/behaviour.md):
// - The command line is split like a POSIX shell splits words (single quotes, double quotes with
//   backslash escapes of `"`, `\`, `$`, `` ` `` and newline, backslash outside quotes, whitespace
//   separation) but is run WITHOUT a shell: no globbing, no variables, no pipes. An unterminated
//   quote or a trailing backslash is an invalid configuration.
// - The process runs with stdin from /dev/null, in its own process group, with a timeout (default
//   60 s; `CHANTLESS_CREDENTIAL_PROCESS_TIMEOUT_MS` overrides it with a positive integer of
//   milliseconds, a chantless extra) after which the whole group is killed, and a 1 MiB cap on
//   stdout (more kills the process and is an error).
// - stdout holds secrets and never appears in a message, trace or log. stderr is shown only in the
//   error message, truncated and folded onto one line.
// - Output: JSON object, `Version` must be the number 1; `AccessKeyId` and `SecretAccessKey`
//   non-empty strings; `SessionToken` optional string; `Expiration` optional strict RFC 3339
//   (absent: never expires); the expiry rule (expiry.h) refuses already expired output with
//   kInvalidResponse and the trace says how long accepted output is valid; `AccountId` optional
//   string (the profile provider fills a missing one from the profile's `aws_account_id`).
// - The credentials are stamped with provider "custom-process" (botocore's method name).
#ifndef CHANTLESS_RESOLVER_PROCESS_CREDENTIAL_PROCESS_H_
#define CHANTLESS_RESOLVER_PROCESS_CREDENTIAL_PROCESS_H_

#include <string>
#include <string_view>
#include <vector>

#include "resolver/core/credentials.h"
#include "resolver/core/provider.h"
#include "resolver/core/status.h"
#include "resolver/process/process_runner.h"

namespace chantless {

// The provider name stamped on credentials from a credential_process.
inline constexpr char kCredentialProcessProviderName[] = "custom-process";

// Shell-like word splitting (no expansion of any kind). An empty or all-blank command yields an
// empty vector. Errors: kInvalidConfiguration for an unterminated quote or a trailing backslash.
StatusOr<std::vector<std::string>> SplitCommandLine(std::string_view command);

// Parses credential_process stdout. Pure; never echoes `json` (it holds secrets) in an error.
// Errors: kInvalidResponse for malformed JSON, a wrong Version, a missing/empty/non-string
// required field, a bad Expiration, or credentials already expired at `now`.
StatusOr<Credentials> ParseCredentialProcessOutput(std::string_view json, WallTime now);

// Splits `command`, runs it through ctx.process with the limits above and parses its output.
// `source` names where the command was configured, e.g. "~/.aws/config:7 (profile dev)", and
// prefixes every error message. Errors: kInvalidConfiguration (bad command line, empty command,
// program cannot be executed, bad timeout variable); kUnavailable (timeout, non-zero exit — with
// exit code and one line of stderr); kInvalidResponse (stdout overflow, bad output);
// kInternal when ctx.process is null.
StatusOr<Credentials> RunCredentialProcess(const ProviderContext& ctx, const std::string& command,
                                           const std::string& source);

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_PROCESS_CREDENTIAL_PROCESS_H_
