// TerminalMfaCodeSource: the one-time MFA code a role profile with `mfa_serial` needs, from
// `chantless resolve --mfa-code CODE`, else typed on the controlling terminal.
//
// Rules implemented (sts-sso-behaviour.md §1.3 "MFA when non-interactive"):
// - A code given on the command line is returned as it is, once (the request check,
//   sts_request.h, requires exactly 6 digits and never quotes it). A one-time code cannot serve a
//   later refresh: the next call prompts on the terminal, or without one fails as botocore's
//   RefreshWithMFAUnsupportedError ("Cannot refresh credentials: MFA token required.").
// - Otherwise the prompt "Enter MFA code for <serial>: " is written to the terminal device
//   (/dev/tty: it opens only when the process has a controlling terminal) and one line is read
//   from it with echo off, as botocore's getpass. stdin is never read, so a pipe or a pager never
//   swallows the prompt (aws/aws-cli#5997).
// - Never hangs: no line within the timeout (default 60 s), or end of file, is an error.
// - No terminal: kInvalidConfiguration naming the profile, `mfa_serial` and `--mfa-code`.
// Not thread-safe (one prompt at a time); CredentialsCache serialises refreshes.
#ifndef CHANTLESS_RESOLVER_SYSTEM_MFA_CODE_SOURCE_H_
#define CHANTLESS_RESOLVER_SYSTEM_MFA_CODE_SOURCE_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "resolver/core/provider.h"
#include "resolver/core/secret.h"
#include "resolver/core/status.h"

namespace chantless {

class TerminalMfaCodeSource : public MfaCodeSource {
 public:
  static constexpr std::chrono::seconds kDefaultTimeout{60};

  // `given_code`: from --mfa-code; `terminal`: the device to prompt on ("/dev/tty"; tests pass a
  // pty's slave path).
  explicit TerminalMfaCodeSource(std::optional<std::string> given_code,
                                 std::string terminal = "/dev/tty",
                                 std::chrono::milliseconds timeout = kDefaultTimeout)
      : given_code_(std::move(given_code)), terminal_(std::move(terminal)), timeout_(timeout) {}

  StatusOr<Secret> GetCode(std::string_view profile, std::string_view mfa_serial) override;

 private:
  std::optional<std::string> given_code_;
  bool given_code_used_ = false;
  std::string terminal_;
  std::chrono::milliseconds timeout_;
};

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_SYSTEM_MFA_CODE_SOURCE_H_
