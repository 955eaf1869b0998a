// `chantless resolve`: the output formats, exposed for tests (the command is RunResolve in
// cli/commands.h).
//
// Formats match `aws configure export-credentials` of AWS CLI 2.9.19
// (awscli/customizations/configure/exportcreds.py):
//   process        json.dumps(indent=2, separators=(',', ': ')) of Version, AccessKeyId,
//                  SecretAccessKey, then SessionToken and Expiration when present; non-ASCII
//                  escaped as \uXXXX; Expiration in Python's datetime.isoformat() shape
//                  ("2024-05-01T13:00:00+00:00", ".ffffff" when there are microseconds).
//   env            "export NAME=value" lines: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, then
//                  AWS_SESSION_TOKEN and AWS_CREDENTIAL_EXPIRATION when present (values unquoted,
//                  as the AWS CLI prints them).
//   env-no-export  the same without "export ".
//   json           chantless's own: one line, the process keys plus "AccountId" and
//                  "AccountIdSource" (where the account id came from,
//                  Credentials::account_id_source) when known, and "Provider" (botocore's method
//                  name); Expiration as RFC 3339 "…Z".
#ifndef CHANTLESS_CLI_RESOLVE_COMMAND_H_
#define CHANTLESS_CLI_RESOLVE_COMMAND_H_

#include <optional>
#include <string>

#include "resolver/core/credentials.h"

namespace chantless {
namespace cli {

// Python's datetime.isoformat() of an aware UTC datetime.
std::string PythonIsoFormat(WallTime t);

// The text printed on stdout for `format` ("process", "env", "env-no-export", "json"), ending in a
// newline; nullopt for an unknown format. Holds secrets: for stdout only.
std::optional<std::string> FormatCredentials(const Credentials& credentials,
                                             const std::string& format);

}  // namespace cli
}  // namespace chantless

#endif  // CHANTLESS_CLI_RESOLVE_COMMAND_H_
