// POSIX files behind the Filesystem seam, and home-directory expansion.
#include "resolver/core/filesystem.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <thread>

namespace chantless {
namespace {

Status ReadOnly(const std::string& path, const char* what) {
  return UnavailableError(path + ": cannot " + what + ": this filesystem is read-only");
}

std::string Errno(int err) { return strerror(err); }

// mkdir -p with mode 0700 for every directory it creates.
Status MakeDirectories(const std::string& dir) {
  if (dir.empty() || dir == "/" || dir == ".") return OkStatus();
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return OkStatus();
    return UnavailableError(dir + ": exists and is not a directory");
  }
  Status parent = MakeDirectories(ParentDirectory(dir));
  if (!parent.ok()) return parent;
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return UnavailableError(dir + ": cannot create directory: " + Errno(errno));
  }
  return OkStatus();
}

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return UnavailableError(Errno(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return OkStatus();
}

class FlockLock : public FileLock {
 public:
  explicit FlockLock(int fd) : fd_(fd) {}
  ~FlockLock() override {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }

 private:
  int fd_;
};

}  // namespace

std::string ParentDirectory(std::string_view path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

Status Filesystem::WriteFileAtomic(const std::string& path, std::string_view, int) const {
  return ReadOnly(path, "write");
}

StatusOr<WallTime> Filesystem::ModificationTime(const std::string& path) const {
  return ReadOnly(path, "examine");
}

StatusOr<std::unique_ptr<FileLock>> Filesystem::LockFile(const std::string& path,
                                                         std::chrono::milliseconds) const {
  return ReadOnly(path, "lock");
}

Status SystemFilesystem::WriteFileAtomic(const std::string& path, std::string_view contents,
                                         int mode) const {
  Status dirs = MakeDirectories(ParentDirectory(path));
  if (!dirs.ok()) return dirs;
  static std::atomic<unsigned> counter{0};
  std::string tmp =
      path + "." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1)) + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return UnavailableError(path + ": cannot create temporary file: " + Errno(errno));
  auto fail = [&](const std::string& step, int err) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return UnavailableError(path + ": " + step + " failed: " + Errno(err));
  };
  if (::fchmod(fd, static_cast<mode_t>(mode)) != 0) return fail("chmod", errno);
  Status written = WriteAll(fd, contents);
  if (!written.ok()) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return UnavailableError(path + ": write failed: " + written.message());
  }
  if (::fsync(fd) != 0) return fail("fsync", errno);
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return UnavailableError(path + ": close failed: " + Errno(err));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return UnavailableError(path + ": rename failed: " + Errno(err));
  }
  return OkStatus();
}

StatusOr<WallTime> SystemFilesystem::ModificationTime(const std::string& path) const {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return NotConfiguredError(path + ": no such file");
    return UnavailableError(path + ": cannot examine: " + Errno(errno));
  }
  return WallTime(std::chrono::duration_cast<WallTime::duration>(
      std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
}

StatusOr<std::unique_ptr<FileLock>> SystemFilesystem::LockFile(
    const std::string& path, std::chrono::milliseconds timeout) const {
  Status dirs = MakeDirectories(ParentDirectory(path));
  if (!dirs.ok()) return dirs;
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return UnavailableError(path + ": cannot open lock file: " + Errno(errno));
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return std::unique_ptr<FileLock>(new FlockLock(fd));
    int err = errno;
    if (err != EWOULDBLOCK && err != EINTR) {
      ::close(fd);
      return UnavailableError(path + ": cannot lock: " + Errno(err));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::close(fd);
      return DeadlineExceededError(path + ": still locked by another process after " +
                                   std::to_string(timeout.count()) + " ms");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

StatusOr<std::string> SystemFilesystem::ReadFile(const std::string& path, size_t max_bytes) const {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR) return NotConfiguredError(path + ": no such file");
    return InvalidConfigurationError(path + ": cannot open: " + strerror(err));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    ::close(fd);
    return InvalidConfigurationError(path + ": is a directory or cannot be examined");
  }
  std::string data;
  char buf[16384];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return InvalidConfigurationError(path + ": read failed: " + strerror(err));
    }
    if (n == 0) break;
    if (data.size() + static_cast<size_t>(n) > max_bytes) {
      ::close(fd);
      return InvalidConfigurationError(path + ": larger than " + std::to_string(max_bytes) +
                                       " bytes");
    }
    data.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return data;
}

std::optional<std::string> SystemFilesystem::HomeDirectoryFallback() const {
  struct passwd pw;
  struct passwd* result = nullptr;
  char buf[4096];
  if (getpwuid_r(getuid(), &pw, buf, sizeof buf, &result) == 0 && result != nullptr &&
      result->pw_dir != nullptr && result->pw_dir[0] != '\0') {
    return std::string(result->pw_dir);
  }
  return std::nullopt;
}

StatusOr<std::string> ExpandHome(const std::string& path, const Environment& env,
                                 const Filesystem& fs) {
  if (path.empty() || path[0] != '~') return path;
  if (path.size() > 1 && path[1] != '/' && path[1] != '\\') return path;  // ~user: as written
  std::optional<std::string> home = GetNonBlank(env, "HOME");
  if (!home) home = GetNonBlank(env, "USERPROFILE");
  if (!home) {
    std::optional<std::string> drive = GetNonBlank(env, "HOMEDRIVE");
    std::optional<std::string> hpath = GetNonBlank(env, "HOMEPATH");
    if (drive && hpath) home = *drive + *hpath;
  }
  if (!home) home = fs.HomeDirectoryFallback();
  if (!home) {
    return InvalidConfigurationError("cannot expand \"" + path +
                                     "\": no home directory (HOME is not set)");
  }
  return *home + path.substr(1);
}

}  // namespace chantless
