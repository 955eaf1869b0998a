// AssumeRoleProvider: credentials from STS AssumeRole for a profile with `role_arn`. Chain name
// "assume-role".
//
// Rules implemented (sts-sso-behaviour.md §1; botocore AssumeRoleProvider):
// - Applies when the selected profile has `role_arn` and no `web_identity_token_file` (that one is
//   the web identity provider's); otherwise kNotConfigured. Keys come from both files merged.
// - Exactly one of `source_profile` and `credential_source`. Both → kInvalidConfiguration `The
//   profile "p" contains both source_profile and credential_source.`; neither → `Partial
//   credentials found in assume-role, missing: source_profile or credential_source` (profile and
//   file:line named).
// - `credential_source` (case-sensitive, as botocore): Environment (the env provider),
//   Ec2InstanceMetadata (the IMDS provider), EcsContainer (the container provider), built from the
//   context. Another value → `The credential source "X" referenced in profile "p" is not valid.`.
//   A source that finds nothing → kInvalidConfiguration `No credentials found in credential_source
//   referenced in profile p`; its other errors are returned as they are.
// - `source_profile`, in botocore's order for that profile (its env variables never read): when it
//   has static keys or no `role_arn` — web identity, then SSO, then the profile provider's steps
//   (static keys in the credentials file, credential_process, static keys in the config file),
//   then, unlike botocore, `credential_source` without `role_arn` (JS, Go and Rust accept it); none
//   → `The source profile "s" must have credentials.`. Otherwise its role is assumed in turn.
//   A source profile in neither file → `The source_profile "s" referenced in the profile "p" does
//   not exist.`.
// - A profile naming itself as source_profile uses its own static keys; without keys that is a
//   loop. A profile met twice → botocore's `Infinite loop in credential configuration detected …`
//   plus the path with each hop's file:line. Depth is capped at kMaxSourceDepth hops.
// - Parameters (validated before any request, kInvalidConfiguration): `role_session_name` (else
//   "chantless-session-<unix seconds>"), `external_id`, `duration_seconds` (a decimal integer;
//   botocore drops a non-integer silently, chantless refuses it), `mfa_serial`.
// - MFA: the AWS CLI cache is looked up first (its key holds SerialNumber); on a miss the code
//   comes from ctx.mfa; ctx.mfa null → kInvalidConfiguration naming the profile, `mfa_serial` and
//   `chantless resolve --mfa-code`.
// - The AWS CLI cache (resolver/sts/sts_cli_cache.h) is looked up before the source credentials are
//   resolved (botocore resolves them first; a hit then needs no request at all), for every hop.
// - STS endpoint, region and CA bundle: the selected profile's, never a source profile's.
// - Source credentials from another role, web identity, SSO, IMDS or a container are role
//   credentials: STS's 1-hour chaining limit is explained when it refuses a longer duration.
#ifndef CHANTLESS_RESOLVER_PROFILE_ASSUME_ROLE_PROVIDER_H_
#define CHANTLESS_RESOLVER_PROFILE_ASSUME_ROLE_PROVIDER_H_

#include <string>

#include "resolver/core/credentials.h"
#include "resolver/core/provider.h"
#include "resolver/core/status.h"

namespace chantless {

inline constexpr char kAssumeRoleProviderName[] = "assume-role";

// Holds a copy of the context (whose seams the caller keeps alive). No state between calls.
class AssumeRoleProvider : public CredentialsProvider {
 public:
  static constexpr int kMaxSourceDepth = 32;

  explicit AssumeRoleProvider(const ProviderContext& ctx) : ctx_(ctx) {}
  std::string Name() const override { return kAssumeRoleProviderName; }
  // Errors: kNotConfigured (not a role profile); kInvalidConfiguration (rules above, file
  // errors); whatever the source providers and StsClient return.
  StatusOr<Credentials> Resolve() override;

 private:
  ProviderContext ctx_;
};

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_PROFILE_ASSUME_ROLE_PROVIDER_H_
