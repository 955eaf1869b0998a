// The AWS CLI's cache around an STS call (rules in sts_cli_cache.h).
#include "resolver/sts/sts_cli_cache.h"

#include <utility>

#include "resolver/cli_cache/cli_cache.h"
#include "resolver/cli_cache/cli_cache_store.h"
#include "resolver/core/time_util.h"
#include "resolver/core/trace.h"

namespace chantless {
namespace {

constexpr char kStsAccountIdSource[] = "STS AssumedRoleUser ARN";

}  // namespace

StatusOr<Credentials> ResolveThroughCliCache(
    const ProviderContext& ctx, const CliCacheArgs& args, const std::string& provider,
    const std::function<StatusOr<StsAssumedRole>()>& call) {
  if (ctx.cli_cache == nullptr) {
    CHANTLESS_ASSIGN_OR_RETURN(StsAssumedRole role, call());
    role.credentials.provider = provider;
    if (role.credentials.account_id) role.credentials.account_id_source = kStsAccountIdSource;
    return role.credentials;
  }
  const std::string file_name = CliCacheFileName(args);
  const std::string path = ctx.cli_cache->PathOf(file_name);
  CliCacheLookup lookup = ctx.cli_cache->Lookup(file_name);
  if (lookup.hit()) {
    if (ctx.clock != nullptr &&
        ShouldReuseCliCacheEntry(lookup.entry->expiration, ctx.clock->Now())) {
      TraceCache(ctx.trace, provider, "aws-cli", "read", path, "hit",
                 "Credentials found in the AWS CLI cache: " + path + " (hit, expires " +
                     FormatRfc3339(lookup.entry->expiration) + ")");
      Credentials cached = lookup.entry->ToCredentials(provider);
      if (cached.account_id) cached.account_id_source = "AWS CLI cache " + path;
      return cached;
    }
    TraceCache(ctx.trace, provider, "aws-cli", "read", path, "expired",
               "AWS CLI cache " + path + ": miss (expires " +
                   FormatRfc3339(lookup.entry->expiration) + ", under 15 minutes from now)");
  } else if (lookup.miss_reason.rfind("no such file", 0) == 0) {
    TraceCache(ctx.trace, provider, "aws-cli", "read", path, "miss",
               "AWS CLI cache " + path + ": miss (no such file)");
  } else {
    TraceCache(
        ctx.trace, provider, "aws-cli", "read", path, "bad",
        "AWS CLI cache: ignoring a bad entry, it will be overwritten: " + lookup.miss_reason);
  }

  CHANTLESS_ASSIGN_OR_RETURN(StsAssumedRole role, call());
  role.credentials.provider = provider;
  if (role.credentials.account_id) role.credentials.account_id_source = kStsAccountIdSource;

  CliCacheEntry entry;
  entry.kind = CliCacheEntryKind::kSts;
  entry.access_key_id = role.credentials.access_key_id;
  entry.secret_access_key = role.credentials.secret_access_key;
  entry.session_token = role.credentials.session_token;
  if (role.credentials.expiration) {
    entry.expiration = *role.credentials.expiration;
    entry.account_id = role.credentials.account_id;
    entry.assumed_role_id = role.assumed_role_id;
    entry.assumed_role_arn = role.assumed_role_arn;
    Status stored = ctx.cli_cache->Store(file_name, entry);
    if (stored.ok()) {
      TraceCache(ctx.trace, provider, "aws-cli", "write", path, "written",
                 "AWS CLI cache " + path + ": written");
    } else {
      TraceCache(ctx.trace, provider, "aws-cli", "write", path, "not written",
                 "AWS CLI cache: not written: " + stored.message());
    }
  }
  return role.credentials;
}

}  // namespace chantless
