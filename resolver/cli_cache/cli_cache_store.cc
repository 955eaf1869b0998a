#include "resolver/cli_cache/cli_cache_store.h"

#include <utility>

namespace chantless {

CliCacheStore::CliCacheStore(const Filesystem* fs, std::string dir)
    : fs_(fs), dir_(std::move(dir)) {
  while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
}

StatusOr<std::string> CliCacheStore::DefaultDirectory(const Environment& env,
                                                      const Filesystem& fs) {
  return ExpandHome("~/.aws/cli/cache", env, fs);
}

std::string CliCacheStore::PathOf(const std::string& file_name) const {
  return dir_ + "/" + file_name;
}

CliCacheLookup CliCacheStore::Lookup(const std::string& file_name) const {
  return ReadCliCacheEntry(*fs_, PathOf(file_name));
}

Status CliCacheStore::Store(const std::string& file_name, const CliCacheEntry& entry) const {
  return fs_->WriteFileAtomic(PathOf(file_name), RenderCliCacheEntry(entry), 0600);
}

}  // namespace chantless
