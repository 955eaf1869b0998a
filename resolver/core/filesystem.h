// Filesystem: the seam through which chantless reads files (profile files, token files) and writes
// its caches (~/.aws/cli/cache, ~/.aws/sso/cache).
#ifndef CHANTLESS_RESOLVER_CORE_FILESYSTEM_H_
#define CHANTLESS_RESOLVER_CORE_FILESYSTEM_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "resolver/core/clock.h"
#include "resolver/core/environment.h"
#include "resolver/core/status.h"

namespace chantless {

// An exclusive advisory lock on one file, held until destroyed (Filesystem::LockFile).
class FileLock {
 public:
  virtual ~FileLock() = default;
};

// Implementations must be safe to call from several threads at once. The write, stat and lock
// calls default to a read-only filesystem (each returns kUnavailable saying so): a cache that
// cannot be written is a warning for its callers, never a failed resolution.
class Filesystem {
 public:
  virtual ~Filesystem() = default;

  // The whole file. kNotConfigured when it does not exist (a missing ~/.aws/config is normal);
  // kInvalidConfiguration when it exists but cannot be read (permissions, a directory) or is larger
  // than max_bytes. Messages name the path.
  virtual StatusOr<std::string> ReadFile(const std::string& path,
                                         size_t max_bytes = 16 * 1024 * 1024) const = 0;

  // The user's home directory when the environment does not say (getpwuid on POSIX).
  virtual std::optional<std::string> HomeDirectoryFallback() const = 0;

  // Replaces `path` with `contents` atomically: readers see the old file or the new one, never a
  // part. Missing parent directories are created with mode 0700; the file gets `mode` (0600 by
  // default: caches hold secrets) whatever the umask. Errors (kUnavailable) name the path and
  // the failing step, never the contents.
  virtual Status WriteFileAtomic(const std::string& path, std::string_view contents,
                                 int mode = 0600) const;

  // When `path` was last modified. kNotConfigured when it does not exist.
  virtual StatusOr<WallTime> ModificationTime(const std::string& path) const;

  // Takes an exclusive lock on `path` (created with mode 0600, parents 0700, when missing), shared
  // with every other process that locks the same path this way (flock). Waits at most `timeout`,
  // then kDeadlineExceeded naming the path; never blocks longer.
  virtual StatusOr<std::unique_ptr<FileLock>> LockFile(const std::string& path,
                                                       std::chrono::milliseconds timeout) const;
};

class SystemFilesystem : public Filesystem {
 public:
  StatusOr<std::string> ReadFile(const std::string& path, size_t max_bytes) const override;
  std::optional<std::string> HomeDirectoryFallback() const override;
  // Temp file "<path>.<pid>.<n>.tmp" in the same directory, written, fsync()ed, fchmod()ed,
  // rename()d over `path`; removed on any failure.
  Status WriteFileAtomic(const std::string& path, std::string_view contents,
                         int mode) const override;
  StatusOr<WallTime> ModificationTime(const std::string& path) const override;
  // flock(LOCK_EX | LOCK_NB), retried every 5 ms until `timeout`.
  StatusOr<std::unique_ptr<FileLock>> LockFile(const std::string& path,
                                               std::chrono::milliseconds timeout) const override;
};

// "/a/b/c.json" → "/a/b"; "c.json" → "."; "/c" → "/".
std::string ParentDirectory(std::string_view path);

// Expands a leading "~" or "~/" to the home directory: $HOME, else (Windows style) $USERPROFILE,
// else $HOMEDRIVE$HOMEPATH, else fs.HomeDirectoryFallback(). "~user/…" is left as written (the
// SDKs do not expand it either). kInvalidConfiguration when "~" is used and no home is known.
StatusOr<std::string> ExpandHome(const std::string& path, const Environment& env,
                                 const Filesystem& fs);

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_CORE_FILESYSTEM_H_
