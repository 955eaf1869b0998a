// CliCacheStore: the AWS CLI's credential cache directory (`~/.aws/cli/cache`) as providers use
// it — look an entry up by file name, store one atomically at mode 0600.
//
// The directory is the CLI's: `aws` and chantless read each other's entries, so an MFA code typed
// once serves both and `chantless resolve` used as a `credential_process` does not call STS every
// time. A bad entry is a miss (cli_cache.h), never a failure; a failed write is reported to the
// caller, which traces it and goes on with the credentials it has. Thread-safe (the Filesystem
// seam is; two processes writing one entry each write a whole file, the last rename wins).
#ifndef CHANTLESS_RESOLVER_CLI_CACHE_CLI_CACHE_STORE_H_
#define CHANTLESS_RESOLVER_CLI_CACHE_CLI_CACHE_STORE_H_

#include <string>

#include "resolver/cli_cache/cli_cache.h"
#include "resolver/core/environment.h"
#include "resolver/core/filesystem.h"
#include "resolver/core/status.h"

namespace chantless {

class CliCacheStore {
 public:
  // `dir` is the cache directory, already expanded ("/home/u/.aws/cli/cache"). `fs` must outlive
  // the store.
  CliCacheStore(const Filesystem* fs, std::string dir);

  // The CLI's default directory: "~/.aws/cli/cache" with "~" expanded as everywhere else.
  // kInvalidConfiguration when no home directory is known.
  static StatusOr<std::string> DefaultDirectory(const Environment& env, const Filesystem& fs);

  const std::string& directory() const { return dir_; }

  // "<dir>/<file_name>".
  std::string PathOf(const std::string& file_name) const;

  // The entry in `file_name` ("<key>.json"), or a miss with its reason (which names the path).
  CliCacheLookup Lookup(const std::string& file_name) const;

  // Writes `entry` to `file_name` as the AWS CLI would (RenderCliCacheEntry), atomically, mode
  // 0600, creating the directory (0700) when missing. Errors name the path, never a value.
  Status Store(const std::string& file_name, const CliCacheEntry& entry) const;

 private:
  const Filesystem* fs_;
  std::string dir_;
};

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_CLI_CACHE_CLI_CACHE_STORE_H_
