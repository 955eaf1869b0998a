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

#include <string>
#include <vector>

#include "resolver/process/process_runner.h"
#include "resolver/core/status.h"

namespace chantless {

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
