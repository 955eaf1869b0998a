// Timestamps in the AWS CLI's caches: `~/.aws/cli/cache/*.json` and `~/.aws/sso/cache/*.json`.
//
// Writers disagree on the form (sts-sso-behaviour.md §1.7 and §3.2): botocore's JSONFileCache
// writes STS expirations with strftime("%Y-%m-%dT%H:%M:%S%Z") ("2030-07-15T23:28:33UTC"), its SSO
// entries and current SSO tokens end in "Z", older CLI v2 tokens in "UTC", some tools write
// "+00:00" and the JS SDK writes milliseconds ("….000Z"). ParseCacheTimestamp accepts all of them:
// a trailing "UTC" is read as "Z", everything else goes through the strict ParseRfc3339
// (resolver/time_util.h). Pure functions, thread-safe.
#ifndef CHANTLESS_RESOLVER_CLI_CACHE_CACHE_TIME_H_
#define CHANTLESS_RESOLVER_CLI_CACHE_CACHE_TIME_H_

#include <string>
#include <string_view>

#include "resolver/core/status.h"
#include "resolver/core/time_util.h"

namespace chantless {

// kInvalidResponse (from ParseRfc3339; the message does not quote the text) on any other form.
StatusOr<WallTime> ParseCacheTimestamp(std::string_view text);

// "2030-07-15T23:28:33UTC": botocore's strftime form for STS entries of the CLI cache.
std::string FormatCliCacheUtc(WallTime t);

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_CLI_CACHE_CACHE_TIME_H_
