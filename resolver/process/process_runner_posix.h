// PosixProcessRunner: the one real ProcessRunner, on posix_spawnp, pipes and poll().
//
// Rules (the ProcessRunner contract in resolver/process/process_runner.h):
// - argv is run directly, searched in PATH like execvp when argv[0] has no slash; no shell.
// - stdin is /dev/null; stdout and stderr are pipes; the child starts in a new process group with
//   the default signal dispositions and an empty signal mask.
// - The timeout is measured on the monotonic clock. On timeout, or when stdout passes its cap, the
//   whole process group gets SIGKILL. The child is always reaped (no zombies), also on error paths.
// - stderr past its cap is read and dropped (the child never blocks on a full pipe).
// - Exit code: the exit status, or 128 + signal number when a signal ended the child.
// - Once the child has exited, what it left in the pipes is read; descendants that keep the pipes
//   open are not waited for (and if they keep writing past the timeout, the group is killed).
// - A program that cannot be executed (not found, not executable) is reported by posix_spawnp's
//   return value (glibc's spawn reports the exec errno through its CLONE_VFORK child, the same
//   role a CLOEXEC error pipe plays after fork) as kInvalidConfiguration naming argv[0].
#ifndef CHANTLESS_RESOLVER_PROCESS_PROCESS_RUNNER_POSIX_H_
#define CHANTLESS_RESOLVER_PROCESS_PROCESS_RUNNER_POSIX_H_

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "resolver/core/status.h"
#include "resolver/process/process_runner.h"

namespace chantless {

// The decisions of Run()'s read loop, one function each; each comment is its table.

// What the loop does next:
//   the deadline has passed                  kKill    SIGKILL the group (a timeout unless the
//                                                      child had already exited);
//   the child exited and both pipes closed   kFinish  reap and report;
//   otherwise                                kPoll    wait for output or the child's exit.
enum class RunStep { kPoll, kFinish, kKill };
RunStep NextRunStep(bool past_deadline, bool exited, bool stdout_open, bool stderr_open);

// How long one poll() may wait, in milliseconds:
//   the child has exited     0          read what is left, finish when nothing is readable;
//   no pidfd                 ≤ 10       waitpid(WNOHANG) notices the exit;
//   otherwise                the time left to the deadline (rounded up), ≤ 1,000,000.
int PollTimeoutMs(std::chrono::steady_clock::duration remaining, bool exited, bool have_pidfd);

// How many of `got` new bytes fit in a stream that holds `kept` bytes of at most `cap`:
//   fits              all of them;
//   does not fit      what is left (stdout then kills the group; stderr drops the rest).
size_t BytesThatFit(size_t got, size_t kept, size_t cap);

// Stateless; thread-safe (every descriptor it opens is close-on-exec, so concurrent runs do not
// leak pipes into each other's children).
class PosixProcessRunner : public ProcessRunner {
 public:
  // `use_pidfd` false forces the fallback for kernels without pidfd_open (poll wakes every 10 ms
  // to check waitpid(WNOHANG)); tests exercise both paths.
  explicit PosixProcessRunner(bool use_pidfd = true) : use_pidfd_(use_pidfd) {}

  // Errors: kInvalidConfiguration when argv is empty or argv[0] cannot be executed; kInternal when
  // a pipe or poll() fails.
  StatusOr<ProcessResult> Run(const std::vector<std::string>& argv,
                              const ProcessLimits& limits) override;

 private:
  const bool use_pidfd_;
};

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_PROCESS_PROCESS_RUNNER_POSIX_H_
