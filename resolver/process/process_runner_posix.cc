// PosixProcessRunner: posix_spawnp + poll() with a monotonic deadline (see the header for rules).
#include "resolver/process/process_runner_posix.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

extern char** environ;

namespace chantless {
namespace {

// Closes a descriptor when it goes out of scope.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Close(); }
  int get() const { return fd_; }
  void Reset(int fd) {
    Close();
    fd_ = fd;
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

std::string ErrnoText(int err) { return std::strerror(err); }

// A pipe whose both ends are close-on-exec (the child gets its end through a dup2 file action,
// which clears the flag on the duplicate only).
Status MakePipe(Fd* read_end, Fd* write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return InternalError("pipe2: " + ErrnoText(errno));
  read_end->Reset(fds[0]);
  write_end->Reset(fds[1]);
  return OkStatus();
}

int ExitCodeOf(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 128;
}

// Blocking reap, retried on EINTR.
int Reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return 0;
  }
  return status;
}

// posix_spawn attributes and file actions, destroyed on scope exit.
class SpawnSetup {
 public:
  SpawnSetup() {
    attr_ok_ = ::posix_spawnattr_init(&attr_) == 0;
    actions_ok_ = ::posix_spawn_file_actions_init(&actions_) == 0;
  }
  ~SpawnSetup() {
    if (attr_ok_) ::posix_spawnattr_destroy(&attr_);
    if (actions_ok_) ::posix_spawn_file_actions_destroy(&actions_);
  }
  bool ok() const { return attr_ok_ && actions_ok_; }
  posix_spawnattr_t* attr() { return &attr_; }
  posix_spawn_file_actions_t* actions() { return &actions_; }

 private:
  posix_spawnattr_t attr_;
  posix_spawn_file_actions_t actions_;
  bool attr_ok_ = false;
  bool actions_ok_ = false;
};

// The posix_spawn setup of the rules in the header: a new process group, an empty signal mask,
// default dispositions, stdin from /dev/null, stdout and stderr to the pipes' write ends.
Status ConfigureSpawn(SpawnSetup* setup, int stdout_fd, int stderr_fd) {
  if (!setup->ok()) return InternalError("posix_spawn: cannot initialise attributes");
  sigset_t empty_mask, default_signals;
  sigemptyset(&empty_mask);
  sigemptyset(&default_signals);
  for (int sig : {SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGCHLD, SIGUSR1, SIGUSR2}) {
    sigaddset(&default_signals, sig);
  }
  int rc = ::posix_spawnattr_setflags(
      setup->attr(), POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  if (rc == 0) rc = ::posix_spawnattr_setpgroup(setup->attr(), 0);
  if (rc == 0) rc = ::posix_spawnattr_setsigmask(setup->attr(), &empty_mask);
  if (rc == 0) rc = ::posix_spawnattr_setsigdefault(setup->attr(), &default_signals);
  if (rc == 0) {
    rc = ::posix_spawn_file_actions_addopen(setup->actions(), STDIN_FILENO, "/dev/null", O_RDONLY,
                                            0);
  }
  if (rc == 0) rc = ::posix_spawn_file_actions_adddup2(setup->actions(), stdout_fd, 1);
  if (rc == 0) rc = ::posix_spawn_file_actions_adddup2(setup->actions(), stderr_fd, 2);
  if (rc != 0) return InternalError("posix_spawn setup: " + ErrnoText(rc));
  return OkStatus();
}

// A spawned child: its process group, its exit status once reaped.
struct Child {
  pid_t pid = -1;
  int pidfd = -1;  // -1 without pidfd_open
  bool exited = false;
  bool killed = false;
  int wait_status = 0;

  void KillGroup() {
    ::kill(-pid, SIGKILL);
    killed = true;
  }
  void CheckExit() {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      wait_status = status;
    }
  }
};

// One read from a pipe into `data` (kept to `cap` bytes). Returns false when bytes did not fit.
// `open` becomes false at end of file or on a read error.
bool ReadSome(int fd, size_t cap, std::string* data, bool* open) {
  char buffer[64 * 1024];
  ssize_t got = ::read(fd, buffer, sizeof(buffer));
  if (got > 0) {
    const size_t keep = BytesThatFit(static_cast<size_t>(got), data->size(), cap);
    data->append(buffer, keep);
    return keep == static_cast<size_t>(got);
  }
  if (got == 0 || (errno != EINTR && errno != EAGAIN)) *open = false;
  return true;
}

// Reads the child's stdout and stderr until it has exited and both pipes are drained, the
// deadline passes (the group is killed; result->timed_out unless it had exited) or stdout passes
// its cap (killed; result->stdout_overflow). kInternal when poll() fails (killed).
Status PumpOutput(Child* child, int out_fd, int err_fd,
                  std::chrono::steady_clock::time_point deadline, const ProcessLimits& limits,
                  ProcessResult* result) {
  bool out_open = true, err_open = true;
  while (!child->killed) {
    const auto now = std::chrono::steady_clock::now();
    const RunStep step = NextRunStep(now >= deadline, child->exited, out_open, err_open);
    if (step == RunStep::kFinish) break;
    if (step == RunStep::kKill) {
      // After the child's exit only descendants can still be writing: stop reading them.
      result->timed_out = !child->exited;
      child->KillGroup();
      break;
    }
    pollfd fds[3];
    int nfds = 0, out_index = -1, err_index = -1, pid_index = -1;
    auto watch = [&](int fd) {
      fds[nfds] = {fd, POLLIN, 0};
      return nfds++;
    };
    if (out_open) out_index = watch(out_fd);
    if (err_open) err_index = watch(err_fd);
    if (!child->exited && child->pidfd >= 0) pid_index = watch(child->pidfd);
    const int n =
        ::poll(fds, nfds, PollTimeoutMs(deadline - now, child->exited, child->pidfd >= 0));
    if (n < 0) {
      if (errno == EINTR) continue;
      const Status failure = InternalError("poll: " + ErrnoText(errno));
      child->KillGroup();
      return failure;
    }
    if (n == 0) {
      if (child->exited) break;  // the child is gone and nothing more is readable right now
      if (child->pidfd < 0) child->CheckExit();
      continue;
    }
    if (out_index >= 0 && fds[out_index].revents != 0 &&
        !ReadSome(out_fd, limits.max_stdout_bytes, &result->stdout_data, &out_open)) {
      result->stdout_overflow = true;
      child->KillGroup();
      break;
    }
    if (err_index >= 0 && fds[err_index].revents != 0) {
      ReadSome(err_fd, limits.max_stderr_bytes, &result->stderr_data, &err_open);
    }
    if (pid_index >= 0 && fds[pid_index].revents != 0) child->CheckExit();
    if (child->pidfd < 0 && !child->exited) child->CheckExit();
  }
  return OkStatus();
}

}  // namespace

RunStep NextRunStep(bool past_deadline, bool exited, bool stdout_open, bool stderr_open) {
  if (exited && !stdout_open && !stderr_open) return RunStep::kFinish;
  if (past_deadline) return RunStep::kKill;
  return RunStep::kPoll;
}

int PollTimeoutMs(std::chrono::steady_clock::duration remaining, bool exited, bool have_pidfd) {
  if (exited) return 0;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(remaining).count();
  int timeout_ms = static_cast<int>(ms > 1000000 ? 1000000 : ms);
  if (!have_pidfd && timeout_ms > 10) timeout_ms = 10;
  return timeout_ms;
}

size_t BytesThatFit(size_t got, size_t kept, size_t cap) {
  const size_t room = cap > kept ? cap - kept : 0;
  return got < room ? got : room;
}

StatusOr<ProcessResult> PosixProcessRunner::Run(const std::vector<std::string>& argv,
                                                const ProcessLimits& limits) {
  if (argv.empty() || argv[0].empty()) {
    return InvalidConfigurationError("credential process: empty command");
  }
  const auto deadline = std::chrono::steady_clock::now() + limits.timeout;

  Fd out_read, out_write, err_read, err_write;
  CHANTLESS_RETURN_IF_ERROR(MakePipe(&out_read, &out_write));
  CHANTLESS_RETURN_IF_ERROR(MakePipe(&err_read, &err_write));
  SpawnSetup setup;
  CHANTLESS_RETURN_IF_ERROR(ConfigureSpawn(&setup, out_write.get(), err_write.get()));

  std::vector<char*> c_argv;
  c_argv.reserve(argv.size() + 1);
  for (const std::string& arg : argv) c_argv.push_back(const_cast<char*>(arg.c_str()));
  c_argv.push_back(nullptr);

  Child child;
  int rc =
      ::posix_spawnp(&child.pid, c_argv[0], setup.actions(), setup.attr(), c_argv.data(), environ);
  if (rc != 0) {
    return InvalidConfigurationError("cannot execute \"" + argv[0] + "\": " + ErrnoText(rc));
  }
  out_write.Close();
  err_write.Close();

  // A pidfd makes the child's exit a poll() event; without one (old kernels) poll wakes every
  // 10 ms to check with waitpid(WNOHANG).
  Fd pidfd(use_pidfd_ ? static_cast<int>(::syscall(SYS_pidfd_open, child.pid, 0)) : -1);
  child.pidfd = pidfd.get();

  ProcessResult result;
  const Status failure =
      PumpOutput(&child, out_read.get(), err_read.get(), deadline, limits, &result);
  if (!child.exited) child.wait_status = Reap(child.pid);
  if (!failure.ok()) return failure;
  result.exit_code = ExitCodeOf(child.wait_status);
  return result;
}

}  // namespace chantless
