// The SSO token cache, `~/.aws/sso/cache/<sha1hex>.json` (sts-sso-behaviour.md §3.2, §3.4, §3.5):
// where a profile's token lives, what the file holds, how a refreshed token is written back, when
// to refresh, and what to tell the user when the token is missing or expired.
//
// Rules implemented:
// - File name: sha1 of the sso-session NAME for `sso_session` profiles, of `sso_start_url` for
//   legacy profiles; UTF-8 bytes, lower-case hex, ".json" (botocore utils.py, smithy
//   getSSOTokenFilepath, Rust sso/cache.rs agree).
// - Contents: one JSON object. `accessToken` and `expiresAt` are required non-empty strings;
//   `refreshToken`, `clientId`, `clientSecret`, `registrationExpiresAt`, `region`, `startUrl` are
//   optional (null or "" counts as absent). Keys match case-insensitively, as Rust's parser does;
//   the exact spelling wins over another casing, otherwise the first match in file order. Unknown
//   keys are ignored. Timestamps in any of the four forms writers use: "2021-12-07T01:19:12UTC",
//   "2022-02-23T21:56:47+00:00", "2023-03-04T03:39:48Z", "2023-03-04T03:39:48.000Z".
//   accessToken, refreshToken and clientSecret are Secrets. Errors name the path and the field,
//   never a value.
// - Write-back after a refresh: the original object with accessToken, expiresAt (written "…Z",
//   whole seconds) and, when the server returned one, refreshToken replaced; every other key kept
//   in place (unknown keys too), and the old refreshToken kept when none was returned (Rust's
//   rule; botocore drops it, JS drops it). Other casings of the replaced keys are removed.
// - Refresh decision: see SsoRefreshDecision below.
// Pure functions, thread-safe. Reading and writing the file belongs to the caller.
#ifndef CHANTLESS_RESOLVER_SSO_SSO_TOKEN_H_
#define CHANTLESS_RESOLVER_SSO_SSO_TOKEN_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "resolver/core/secret.h"
#include "resolver/core/status.h"
#include "resolver/core/time_util.h"

namespace chantless {

// sha1(`session_name_or_start_url`) in lower-case hex.
std::string SsoTokenCacheKey(std::string_view session_name_or_start_url);

// "<cache_dir>/<SsoTokenCacheKey(...)>.json"; `cache_dir` is "~/.aws/sso/cache" expanded, with
// or without a trailing "/".
std::string SsoTokenCachePath(std::string_view cache_dir,
                              std::string_view session_name_or_start_url);

// One token file. Plain value type; printing it shows no secret (Secret redacts).
struct SsoToken {
  Secret access_token;
  WallTime expires_at;
  std::optional<Secret> refresh_token;
  std::optional<std::string> client_id;
  std::optional<Secret> client_secret;
  std::optional<WallTime> registration_expires_at;
  std::optional<std::string> region;
  std::optional<std::string> start_url;
};

// Decodes the text of a token file. `path` is used only in messages. kInvalidConfiguration
// "PATH: SSO token file is invalid: field \"accessToken\" is missing" (and the like: not JSON, not
// an object, a field of the wrong type, an empty required field, a timestamp in no known form).
StatusOr<SsoToken> ParseSsoToken(std::string_view text, std::string_view path);

// The new value of a refreshed token.
struct SsoTokenRefresh {
  Secret access_token;
  WallTime expires_at;
  std::optional<Secret> refresh_token;  // absent: the server returned none; keep the old one
};

// The token file's new text: `original_text` with the refreshed fields replaced (rules above),
// written as JSON with two-space indentation. kInvalidConfiguration naming `path` when
// `original_text` is not a JSON object; kInvalidResponse when a new value is not valid UTF-8.
StatusOr<std::string> RenderRefreshedSsoToken(std::string_view original_text,
                                              const SsoTokenRefresh& refresh,
                                              std::string_view path);

// Whether to call SSO-OIDC CreateToken before using a token. Rules, in order:
//   | condition                                                  | decision               |
//   |------------------------------------------------------------|------------------------|
//   | the profile is legacy (no sso_session)                     | kLegacyProfile         |
//   | time left >= window (below)                                | kFresh                 |
//   | refreshToken, clientId or clientSecret absent               | kMissingRegistration   |
//   | registrationExpiresAt absent or not after `now`            | kRegistrationExpired   |
//   | the last attempt for this session was < 30 s before `now`  | kTooSoon               |
//   | otherwise                                                  | kRefresh               |
// window = max(5 min, 10 % of the token's lifetime); the lifetime is `expires_at - issued_at` when
// the caller knows when the token was issued (the file's modification time, or the time of the
// CreateToken that produced it), else the window is 5 min. Only kRefresh calls CreateToken; every
// other decision uses the token as it is while it has not expired (SsoRefreshVerdict::usable).
// chantless choices: botocore refreshes below 15 min, JS and Rust below 5 min; all three need the
// same fields; botocore waits 60 s between tries, JS and Rust 30 s.
enum class SsoRefreshDecision {
  kLegacyProfile,
  kFresh,
  kMissingRegistration,
  kRegistrationExpired,
  kTooSoon,
  kRefresh,
};

struct SsoRefreshVerdict {
  SsoRefreshDecision decision = SsoRefreshDecision::kFresh;
  bool usable = false;  // the token has not expired at `now`
  std::string why;      // for the trace: "token expires in 3 min, below the 5 min window; …"
};

inline constexpr std::chrono::minutes kSsoRefreshMinimumWindow{5};
inline constexpr std::chrono::seconds kSsoMinimumTimeBetweenRefreshes{30};

struct SsoRefreshInputs {
  bool sso_session_profile = false;
  std::optional<WallTime> issued_at;     // when the token was issued, if known
  std::optional<WallTime> last_attempt;  // the last CreateToken attempt for this session
};

SsoRefreshVerdict DecideSsoRefresh(const SsoToken& token, const SsoRefreshInputs& inputs,
                                   WallTime now);

// What went wrong with a profile's token, for SsoTokenErrorMessage.
enum class SsoTokenProblem {
  kMissing,        // no token file
  kInvalid,        // the file does not parse (details in SsoLoginHint::detail)
  kExpired,        // expired and not refreshable (legacy profile, or refresh impossible)
  kRefreshFailed,  // expired, CreateToken was tried and failed (details in detail)
  kUnauthorized,   // GetRoleCredentials answered 401
};

struct SsoLoginHint {
  std::string profile_name;
  std::optional<std::string> session_name;  // set for sso_session profiles
  std::string start_url;
  std::string cache_path;
  std::optional<std::string> expires_at_seen;  // the file's expiresAt as written
  std::string detail;  // a reason without secrets ("field \"accessToken\" is missing", …)
};

// botocore's wording for each problem (sts-sso-behaviour.md §3.5), followed by the cache path, the
// expiresAt seen, any detail, and the exact command to run: "aws sso login --sso-session s1" for
// sso_session profiles, "aws sso login --profile p" for legacy ones, which also learn that only
// sso-session profiles refresh their token without a new login.
std::string SsoTokenErrorMessage(SsoTokenProblem problem, const SsoLoginHint& hint);

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_SSO_SSO_TOKEN_H_
