// The MFA code from --mfa-code or the controlling terminal (rules in mfa_code_source.h).
#include "resolver/system/mfa_code_source.h"

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "resolver/core/ascii.h"

namespace chantless {
namespace {

std::string WayOut(std::string_view profile, std::string_view serial) {
  return "profile \"" + std::string(profile) + "\" needs an MFA code for mfa_serial " +
         std::string(serial) + "; pass it with `chantless resolve --mfa-code CODE`";
}

// Restores the terminal's settings and closes it when done.
class TerminalGuard {
 public:
  explicit TerminalGuard(int fd) : fd_(fd) {
    if (tcgetattr(fd_, &saved_) == 0) {
      struct termios quiet = saved_;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      quiet.c_lflag |= ECHONL;
      restore_ = tcsetattr(fd_, TCSANOW, &quiet) == 0;
    }
  }
  ~TerminalGuard() {
    if (restore_) tcsetattr(fd_, TCSANOW, &saved_);
    close(fd_);
  }

 private:
  int fd_;
  struct termios saved_ {};
  bool restore_ = false;
};

}  // namespace

StatusOr<Secret> TerminalMfaCodeSource::GetCode(std::string_view profile,
                                                std::string_view mfa_serial) {
  if (given_code_ && !given_code_used_) {
    given_code_used_ = true;
    return Secret(*given_code_);
  }
  const int fd = open(terminal_.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    if (given_code_used_) {
      return InvalidConfigurationError(
          "Cannot refresh credentials: MFA token required. " + WayOut(profile, mfa_serial) +
          " (the --mfa-code given was used once already; a one-time code cannot be reused)");
    }
    return InvalidConfigurationError(WayOut(profile, mfa_serial) + " (no terminal to prompt on: " +
                                     terminal_ + ": " + std::strerror(errno) + ")");
  }
  TerminalGuard guard(fd);
  const std::string prompt = "Enter MFA code for " + std::string(mfa_serial) + ": ";
  if (write(fd, prompt.data(), prompt.size()) < 0) {
    return InvalidConfigurationError(WayOut(profile, mfa_serial) + " (cannot write to " +
                                     terminal_ + ")");
  }
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return InvalidConfigurationError(WayOut(profile, mfa_serial) + " (no code typed within " +
                                       std::to_string(timeout_.count() / 1000) + " s)");
    }
    struct pollfd pfd {
      fd, POLLIN, 0
    };
    const int ready = poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;  // the deadline check above ends the wait
    char ch = 0;
    const ssize_t n = read(fd, &ch, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return InvalidConfigurationError(WayOut(profile, mfa_serial) +
                                       " (the terminal closed before a code was typed)");
    }
    if (ch == '\n' || ch == '\r') break;
    if (line.size() < 64) line.push_back(ch);
  }
  return Secret(std::string(StripAsciiWhitespace(line)));
}

}  // namespace chantless
