// POSIX files behind the Filesystem seam, and home-directory expansion.
#include "resolver/core/filesystem.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

namespace chantless {

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
