// The AWS CLI's JSON credential cache, `~/.aws/cli/cache/<key>.json` (sts-sso-behaviour.md §1.7):
// its file names, its two entry shapes, and the rule for reusing an entry.
//
// Rules implemented:
// - Key: sha1(json.dumps(args, sort_keys=True)) in lower-case hex, where `args` are the AssumeRole
//   (or AssumeRoleWithWebIdentity) parameters as configured before the call: RoleArn, and when
//   configured ExternalId, SerialNumber, DurationSeconds (an int), RoleSessionName, Policy.
//   Python's default separators and ASCII escaping (python_json.h). The file is "<key>.json".
// - Entry shapes:
//     STS (assume role, web identity), written by botocore's JSONFileCache:
//       {"Credentials": {"AccessKeyId": …, "SecretAccessKey": …, "SessionToken": …,
//        "Expiration": "2030-07-15T23:28:33UTC", "AccountId": …}, "AssumedRoleUser": {…}, …}
//     SSO (CLI v2 only):
//       {"ProviderType": "sso", "Credentials": {…, "Expiration": "2030-07-11T11:33:20Z",
//        "AccountId": …}}
//   Reading accepts Expiration as "…UTC", "…Z" (with or without a fraction) and "+00:00"
//   (cache_time.h); AccessKeyId, SecretAccessKey, SessionToken and Expiration must be non-empty
//   strings, AccountId and AssumedRoleUser are optional, unknown keys are ignored. Keys are matched
//   exactly, as botocore does.
// - A file that is missing, unreadable, empty, not JSON or lacks a field is a *miss* with a reason,
//   never an error: botocore raises a bare KeyError on every call for such a file
//   (aws/aws-cli#5528); chantless warns, calls STS and overwrites the entry. Reasons never quote a
//   value of the file.
// - Rendering writes what the CLI writes: json.dumps with default separators, no indentation, keys
//   in botocore's order (Credentials: AccessKeyId, SecretAccessKey, SessionToken, Expiration,
//   AccountId); STS entries with Expiration "%Y-%m-%dT%H:%M:%SUTC", SSO entries with "…Z".
//   chantless does not write ResponseMetadata or PackedPolicySize (no reader uses them).
// - Reuse: botocore reuses a cached entry only while at least 15 minutes are left.
// Writing the file (atomic, mode 0600) belongs to the caller. Pure functions except
// ReadCliCacheEntry, which reads through the Filesystem seam. Thread-safe.
#ifndef CHANTLESS_RESOLVER_CLI_CACHE_CLI_CACHE_H_
#define CHANTLESS_RESOLVER_CLI_CACHE_CLI_CACHE_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "resolver/cli_cache/python_json.h"
#include "resolver/core/credentials.h"
#include "resolver/core/filesystem.h"

namespace chantless {

// The 40 hex digits botocore names the entry for `args` by.
std::string CliCacheKey(const CliCacheArgs& args);

// "<CliCacheKey(args)>.json".
std::string CliCacheFileName(const CliCacheArgs& args);

enum class CliCacheEntryKind {
  kSts,  // assume role or web identity: Expiration written as "…UTC"
  kSso,  // {"ProviderType": "sso", …}: Expiration written as "…Z"
};

// One cache entry. Plain value type.
struct CliCacheEntry {
  CliCacheEntryKind kind = CliCacheEntryKind::kSts;
  std::string access_key_id;
  Secret secret_access_key;
  Secret session_token;
  WallTime expiration;
  std::optional<std::string> account_id;
  // AssumedRoleUser of STS entries, when present.
  std::optional<std::string> assumed_role_id;
  std::optional<std::string> assumed_role_arn;

  // The Credentials this entry holds, stamped with `provider` ("assume-role", "sso", …).
  Credentials ToCredentials(std::string provider) const;
};

// The outcome of reading one entry: a hit (entry set) or a miss with a reason.
struct CliCacheLookup {
  std::optional<CliCacheEntry> entry;
  // Why there is no entry: "no such file", "the file is empty", "not valid JSON",
  // "field \"Credentials.SessionToken\" is missing", … Empty on a hit. Never quotes the file.
  std::string miss_reason;

  bool hit() const { return entry.has_value(); }
};

// Decodes the text of one cache file. Never fails: a bad entry is a miss.
CliCacheLookup ParseCliCacheEntry(std::string_view text);

// Reads and decodes `path` through `fs`. A missing or unreadable file is a miss whose reason
// names the path.
CliCacheLookup ReadCliCacheEntry(const Filesystem& fs, const std::string& path);

// The file content the AWS CLI would write for `entry` (rules above). ParseCliCacheEntry of the
// result gives `entry` back, with the expiration truncated to whole seconds.
std::string RenderCliCacheEntry(const CliCacheEntry& entry);

// botocore's minimum time left for reusing a cached entry.
inline constexpr std::chrono::minutes kCliCacheMinimumRemaining{15};

// True when `expiration` is at least kCliCacheMinimumRemaining after `now`.
bool ShouldReuseCliCacheEntry(WallTime expiration, WallTime now);

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_CLI_CACHE_CLI_CACHE_H_
