// NewDefaultChain: chantless's default credential chain as one readable, ordered list.
//
// Order (the map of every rule: docs/behaviour.md):
//   env             EnvironmentProvider (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / …)
//   assume-role     AssumeRoleProvider (the selected profile's role_arn with source_profile or
//                   credential_source; resolver/profile/assume_role_provider.h)
//   assume-role-with-web-identity
//                   WebIdentityProvider (AWS_WEB_IDENTITY_TOKEN_FILE / web_identity_token_file;
//                   resolver/sts/web_identity_provider.h)
//   sso             SsoProvider (sso_account_id / sso_role_name profiles: IAM Identity Center);
//                   an SSO profile's answer, success or failure, is final
//   profile         ProfileProvider (credentials file keys, credential_process, config file keys)
//   ec2-credentials-file  Ec2CredentialsFileProvider (AWS_CREDENTIAL_FILE, the EC2 tools' file)
//   boto-config     BotoConfigProvider (BOTO_CONFIG, else /etc/boto.cfg then ~/.boto)
//   container-role  ContainerProvider (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI)
//   iam-role        ImdsProvider (EC2 instance metadata; AWS_EC2_METADATA_DISABLED=true skips it
//                   with zero requests)
// An explicit profile (ctx.profile_override, `--profile`) skips the env link, as botocore drops its
// EnvProvider when the profile is set explicitly (credentials.py, create_credential_resolver);
// AWS_PROFILE / AWS_DEFAULT_PROFILE do not.
// When a container URI variable is set (non-blank), the container provider decides: its answer,
// success or failure, is final and IMDS is not tried (as the JS SDK, aws-sdk-cpp and aws-c-auth
// do). A role or web identity profile that fails stops the chain with its error, so it never falls
// through to container or IMDS credentials. The continue/stop rule itself lives only in Chain
// (chain.h).
#ifndef CHANTLESS_RESOLVER_CHAIN_DEFAULT_CHAIN_H_
#define CHANTLESS_RESOLVER_CHAIN_DEFAULT_CHAIN_H_

#include <memory>

#include "resolver/chain/chain.h"
#include "resolver/core/provider.h"

namespace chantless {

// The chain over `ctx`, whose seams must outlive it. Requests are counted per attempt
// (Chain::Create). Not thread-safe; see Chain.
std::unique_ptr<Chain> NewDefaultChain(const ProviderContext& ctx);

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_CHAIN_DEFAULT_CHAIN_H_
