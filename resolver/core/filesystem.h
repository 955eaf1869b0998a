// Filesystem: the seam through which chantless reads files (profile files, token files).
#ifndef CHANTLESS_RESOLVER_CORE_FILESYSTEM_H_
#define CHANTLESS_RESOLVER_CORE_FILESYSTEM_H_

#include <optional>
#include <string>

#include "resolver/core/environment.h"
#include "resolver/core/status.h"

namespace chantless {

// Implementations must be safe to call from several threads at once.
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
};

class SystemFilesystem : public Filesystem {
 public:
  StatusOr<std::string> ReadFile(const std::string& path, size_t max_bytes) const override;
  std::optional<std::string> HomeDirectoryFallback() const override;
};

// Expands a leading "~" or "~/" to the home directory: $HOME, else (Windows style) $USERPROFILE,
// else $HOMEDRIVE$HOMEPATH, else fs.HomeDirectoryFallback(). "~user/…" is left as written (the
// SDKs do not expand it either). kInvalidConfiguration when "~" is used and no home is known.
StatusOr<std::string> ExpandHome(const std::string& path, const Environment& env,
                                 const Filesystem& fs);

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_CORE_FILESYSTEM_H_
