// WebIdentityProvider: credentials from STS AssumeRoleWithWebIdentity with a token file (EKS IRSA,
// GitHub Actions OIDC, …). Chain name "assume-role-with-web-identity".
//
// Rules implemented (sts-sso-behaviour.md §2; botocore AssumeRoleWithWebIdentityProvider):
// - Settings, each resolved on its own, environment first (botocore's per-key precedence):
//     token file    AWS_WEB_IDENTITY_TOKEN_FILE  > the profile's `web_identity_token_file`
//     role          AWS_ROLE_ARN                 > `role_arn`
//     session name  AWS_ROLE_SESSION_NAME        > `role_session_name`
//   Blank values count as unset. When values come from both places a warning names which came from
//   where. With `--profile` (ctx.profile_override) the variables are not read, as botocore's
//   disable_env_vars; AWS_PROFILE does not disable them.
// - Applies only when a token file is named; otherwise kNotConfigured and the chain goes on.
// - A token file without a role: kInvalidConfiguration, botocore's text ("… has no role ARN
//   configured …"), naming where the token file was set.
// - Session name when unset: "chantless-session-<unix seconds>" (botocore: "botocore-session-…").
// - The token file is read as is (no trimming, no "~" expansion, as botocore) on every call and
//   every retry, never cached, never logged. An unreadable file is kInvalidConfiguration naming the
//   path and where it was set.
// - The call is unsigned (StsClient::AssumeRoleWithWebIdentity: retries IDPCommunicationError and
//   InvalidIdentityToken). DurationSeconds is never sent (no SDK sends it from configuration).
// - The AWS CLI cache (sts_cli_cache.h) with key {RoleArn, RoleSessionName when configured}.
// - Endpoint and region: the selected profile's, never a source profile's.
#ifndef CHANTLESS_RESOLVER_STS_WEB_IDENTITY_PROVIDER_H_
#define CHANTLESS_RESOLVER_STS_WEB_IDENTITY_PROVIDER_H_

#include <string>

#include "resolver/core/credentials.h"
#include "resolver/core/provider.h"
#include "resolver/core/status.h"
#include "resolver/profile/profile_config.h"

namespace chantless {

inline constexpr char kWebIdentityProviderName[] = "assume-role-with-web-identity";

// Web identity for `profile` (a view of any profile of the loaded files; may be null: no profile
// keys). `selected` is the selected profile (endpoint settings; may be null). `use_env`: read the
// three variables. kNotConfigured when no token file is named.
StatusOr<Credentials> ResolveWebIdentity(const ProviderContext& ctx, const ProfileConfig* profile,
                                         const ProfileConfig* selected, bool use_env);

// The chain link. Holds a copy of the context; no state between calls.
class WebIdentityProvider : public CredentialsProvider {
 public:
  explicit WebIdentityProvider(const ProviderContext& ctx) : ctx_(ctx) {}
  std::string Name() const override { return kWebIdentityProviderName; }
  // Loads the files (LoadSelectedProfile) and calls ResolveWebIdentity for the selected profile.
  StatusOr<Credentials> Resolve() override;

 private:
  ProviderContext ctx_;
};

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_STS_WEB_IDENTITY_PROVIDER_H_
