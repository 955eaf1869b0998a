// The AWS CLI's credential cache (~/.aws/cli/cache) around one STS call, as the AWS CLI puts it
// around its assume-role and web identity providers (sts-sso-behaviour.md §1.7).
//
// Rules implemented:
// - ctx.cli_cache null (`--no-cache`): the call is made, nothing is read or written.
// - Look-up first, under CliCacheFileName(args): an entry with at least 15 minutes left
//   (ShouldReuseCliCacheEntry) is used and STS is not called; an entry with less is a miss
//   ("expires in under 15 minutes"). A missing file is a miss traced as info; an unreadable,
//   empty or corrupt entry is a miss traced as a warning, and the entry is overwritten after the
//   call (botocore fails on every call instead: aws/aws-cli#5528).
// - After a successful call the entry is written (atomic, 0600, the CLI's format). A failed write
//   is traced as a warning; the credentials are returned anyway.
// - Trace: the path, hit or miss and its reason; never a value of the entry.
// - `args` are botocore's key arguments, built by the caller: RoleArn, and when configured
//   ExternalId, SerialNumber, DurationSeconds, RoleSessionName.
#ifndef CHANTLESS_RESOLVER_STS_STS_CLI_CACHE_H_
#define CHANTLESS_RESOLVER_STS_STS_CLI_CACHE_H_

#include <functional>
#include <string>

#include "resolver/cli_cache/python_json.h"
#include "resolver/core/credentials.h"
#include "resolver/core/provider.h"
#include "resolver/core/status.h"
#include "resolver/sts/sts_response.h"

namespace chantless {

// Credentials stamped with `provider`, from the cache or from `call`. `call`'s error is returned
// as is.
StatusOr<Credentials> ResolveThroughCliCache(const ProviderContext& ctx, const CliCacheArgs& args,
                                             const std::string& provider,
                                             const std::function<StatusOr<StsAssumedRole>()>& call);

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_STS_STS_CLI_CACHE_H_
