// SsoProvider: credentials for a role through IAM Identity Center ("sso" in botocore's chain), from
// the token `aws sso login` leaves in ~/.aws/sso/cache (sts-sso-behaviour.md §3,
// docs/behaviour.md).
//
// Rules implemented:
// - Applies when the profile has `sso_account_id` or `sso_role_name` (ResolveSsoSettings,
//   sso_config.h); otherwise kNotConfigured. Once it applies, every failure stops the chain: an SSO
//   profile never falls through to the container endpoint or IMDS.
// - The AWS CLI v2's cache (ctx.cli_cache, ~/.aws/cli/cache): the entry named by
//   SsoCliCacheFileName (sso_api.h) is read first and reused while at least 15 min are left
//   (botocore's rule); a bad entry is a miss. After GetRoleCredentials the entry is written in the
//   CLI's SSO shape ({"ProviderType": "sso", …}), atomically at 0600. A failed write is a warning.
// - The token file `~/.aws/sso/cache/<sha1>.json` (sso_token.h) is read on every resolution, so a
//   new `aws sso login` takes effect at once. Missing, unparsable, or expired and not refreshable:
//   kInvalidConfiguration with botocore's wording, the file path, the expiresAt seen and the exact
//   command (`aws sso login --sso-session NAME` or `--profile NAME`); no request is sent.
// - Refresh (sso_session profiles only), when DecideSsoRefresh says kRefresh (the issue time is the
//   token file's modification time): take an exclusive lock on "<token file>.lock" (at most 5 s),
//   read the token file again (another process may have refreshed it), decide again, then
//   `POST https://oidc.<sso_region>.amazonaws.com/token` (CreateToken, unsigned, JSON) and write
//   the file back atomically at 0600 with RenderRefreshedSsoToken (unknown keys and, when none is
//   returned, the old refreshToken kept). A refresh that cannot be done (lock timeout, HTTP error,
//   bad reply) with a token that has not expired uses that token and traces a warning; with an
//   expired token it is kInvalidConfiguration with the login command. A failed write-back is a
//   warning (the new token is used). At most one CreateToken per token file every 30 s per
//   SsoProvider (kSsoMinimumTimeBetweenRefreshes).
// - GetRoleCredentials: `GET https://portal.sso.<sso_region>.amazonaws.com/federation/credentials
//   ?role_name=R&account_id=A`, header `x-amz-sso_bearer_token`, unsigned, 5 s timeout, one
//   attempt. Endpoints come from SelectSsoEndpoint (AWS_ENDPOINT_URL_SSO / _SSO_OIDC, services
//   sections, …) and the CA bundle from SelectAndCheckCaBundle. 401 and 403 are
//   kInvalidConfiguration telling to log in again (with the command); 429 and 5xx kUnavailable;
//   other answers kInvalidConfiguration; each names the endpoint, the status, the service's error
//   type and message and the request id. The credentials expire at the reply's `expiration`
//   (epoch ms); AccountId is the profile's sso_account_id.
// - Every call (method, host, path, status, elapsed) and every cache read and write is traced from
//   provider "sso". No token, secret or signature ever reaches a trace event or an error.
#ifndef CHANTLESS_RESOLVER_SSO_SSO_PROVIDER_H_
#define CHANTLESS_RESOLVER_SSO_SSO_PROVIDER_H_

#include <map>
#include <mutex>
#include <string>

#include "resolver/core/credentials.h"
#include "resolver/core/provider.h"
#include "resolver/core/status.h"
#include "resolver/profile/profile_config.h"

namespace chantless {

// The credentials of the SSO profile `profile` (the selected profile or the source profile of a
// role chain). Errors: kNotConfigured when `profile` is not an SSO profile; kInvalidConfiguration
// (settings, token file, login needed, a CA bundle that cannot be read, 4xx answers);
// kUnavailable / kDeadlineExceeded (the portal did not answer, 429, 5xx); kInvalidResponse (a
// malformed reply). Thread-safe when the context's seams are. Keeps no memory between calls, so
// after a failed refresh the next call may try again at once (SsoProvider spaces them out).
StatusOr<Credentials> ResolveSsoCredentials(const ProviderContext& ctx,
                                            const ProfileConfig& profile);

// The chain link: resolves the selected profile (LoadSelectedProfile, as the profile link does).
// `ctx`'s seams must outlive the provider. Resolve() is thread-safe when the seams are.
class SsoProvider : public CredentialsProvider {
 public:
  explicit SsoProvider(const ProviderContext& ctx) : ctx_(ctx) {}

  std::string Name() const override;
  StatusOr<Credentials> Resolve() override;

 private:
  const ProviderContext ctx_;
  std::mutex mu_;
  // The last CreateToken attempt per token file.
  std::map<std::string, WallTime> last_refresh_attempt_;
};

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_SSO_SSO_PROVIDER_H_
