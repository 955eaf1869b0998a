// ProcessRunner: the seam for running credential_process commands.
#ifndef CHANTLESS_RESOLVER_PROCESS_PROCESS_RUNNER_H_
#define CHANTLESS_RESOLVER_PROCESS_PROCESS_RUNNER_H_

#include <chrono>
#include <string>
#include <vector>

#include "resolver/core/status.h"

namespace chantless {

struct ProcessLimits {
  std::chrono::milliseconds timeout{60000};  // then the whole process group is killed
  size_t max_stdout_bytes = 1024 * 1024;     // more is an error, and the process is killed
  size_t max_stderr_bytes = 64 * 1024;       // more is silently truncated
};

struct ProcessResult {
  int exit_code = 0;             // the exit status, or 128 + signal when killed by a signal
  bool timed_out = false;        // killed because the timeout passed
  bool stdout_overflow = false;  // killed because stdout passed max_stdout_bytes
  std::string stdout_data;       // holds secrets: never log it
  std::string stderr_data;       // may be shown in an error message
};

// Runs argv directly (no shell), with stdin from /dev/null, in a new process group.
// Returns a ProcessResult for any exit (non-zero exits, timeouts and overflows included); an error
// only when the program cannot be started (kInvalidConfiguration naming argv[0]).
// Implementations are thread-safe.
class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  virtual StatusOr<ProcessResult> Run(const std::vector<std::string>& argv,
                                      const ProcessLimits& limits) = 0;
};

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_PROCESS_PROCESS_RUNNER_H_
