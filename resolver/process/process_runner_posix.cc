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

}  // namespace

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
  if (!setup.ok()) return InternalError("posix_spawn: cannot initialise attributes");
  sigset_t empty_mask, default_signals;
  sigemptyset(&empty_mask);
  sigemptyset(&default_signals);
  for (int sig : {SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGCHLD, SIGUSR1, SIGUSR2}) {
    sigaddset(&default_signals, sig);
  }
  int rc = ::posix_spawnattr_setflags(
      setup.attr(), POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  if (rc == 0) rc = ::posix_spawnattr_setpgroup(setup.attr(), 0);
  if (rc == 0) rc = ::posix_spawnattr_setsigmask(setup.attr(), &empty_mask);
  if (rc == 0) rc = ::posix_spawnattr_setsigdefault(setup.attr(), &default_signals);
  if (rc == 0) {
    rc = ::posix_spawn_file_actions_addopen(setup.actions(), STDIN_FILENO, "/dev/null", O_RDONLY,
                                            0);
  }
  if (rc == 0) rc = ::posix_spawn_file_actions_adddup2(setup.actions(), out_write.get(), 1);
  if (rc == 0) rc = ::posix_spawn_file_actions_adddup2(setup.actions(), err_write.get(), 2);
  if (rc != 0) return InternalError("posix_spawn setup: " + ErrnoText(rc));

  std::vector<char*> c_argv;
  c_argv.reserve(argv.size() + 1);
  for (const std::string& arg : argv) c_argv.push_back(const_cast<char*>(arg.c_str()));
  c_argv.push_back(nullptr);

  pid_t pid = -1;
  rc = ::posix_spawnp(&pid, c_argv[0], setup.actions(), setup.attr(), c_argv.data(), environ);
  if (rc != 0) {
    return InvalidConfigurationError("cannot execute \"" + argv[0] + "\": " + ErrnoText(rc));
  }
  out_write.Close();
  err_write.Close();

  // A pidfd makes the child's exit a poll() event; without one (old kernels) poll wakes every
  // 10 ms to check with waitpid(WNOHANG).
  Fd pidfd(use_pidfd_ ? static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)) : -1);

  ProcessResult result;
  bool out_open = true, err_open = true, exited = false, killed = false;
  int wait_status = 0;
  char buffer[64 * 1024];

  auto kill_group = [&]() {
    ::kill(-pid, SIGKILL);
    killed = true;
  };
  auto check_exit = [&]() {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      exited = true;
      wait_status = status;
    }
  };

  Status failure;
  while (!killed) {
    if (exited && !out_open && !err_open) break;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      // After the child's exit only descendants can still be writing: stop reading them.
      result.timed_out = !exited;
      kill_group();
      break;
    }
    int timeout_ms = 0;
    if (!exited) {
      auto remaining = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
      timeout_ms = static_cast<int>(remaining > 1000000 ? 1000000 : remaining);
      if (pidfd.get() < 0 && timeout_ms > 10) timeout_ms = 10;
    }
    pollfd fds[3];
    int nfds = 0, out_index = -1, err_index = -1, pid_index = -1;
    if (out_open) {
      out_index = nfds;
      fds[nfds++] = {out_read.get(), POLLIN, 0};
    }
    if (err_open) {
      err_index = nfds;
      fds[nfds++] = {err_read.get(), POLLIN, 0};
    }
    if (!exited && pidfd.get() >= 0) {
      pid_index = nfds;
      fds[nfds++] = {pidfd.get(), POLLIN, 0};
    }
    int n = ::poll(fds, nfds, timeout_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      failure = InternalError("poll: " + ErrnoText(errno));
      kill_group();
      break;
    }
    if (n == 0) {
      if (exited) break;  // the child is gone and nothing more is readable right now
      if (pidfd.get() < 0) check_exit();
      continue;
    }
    if (out_index >= 0 && fds[out_index].revents != 0) {
      ssize_t got = ::read(out_read.get(), buffer, sizeof(buffer));
      if (got > 0) {
        size_t room = limits.max_stdout_bytes - result.stdout_data.size();
        if (static_cast<size_t>(got) > room) {
          result.stdout_data.append(buffer, room);
          result.stdout_overflow = true;
          kill_group();
          break;
        }
        result.stdout_data.append(buffer, static_cast<size_t>(got));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        out_open = false;
      }
    }
    if (err_index >= 0 && fds[err_index].revents != 0) {
      ssize_t got = ::read(err_read.get(), buffer, sizeof(buffer));
      if (got > 0) {
        size_t room = limits.max_stderr_bytes - result.stderr_data.size();
        result.stderr_data.append(buffer, static_cast<size_t>(got) < room ? got : room);
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        err_open = false;
      }
    }
    if (pid_index >= 0 && fds[pid_index].revents != 0) check_exit();
    if (pidfd.get() < 0 && !exited) check_exit();
  }

  if (!exited) wait_status = Reap(pid);
  if (!failure.ok()) return failure;
  result.exit_code = ExitCodeOf(wait_status);
  return result;
}

}  // namespace chantless
