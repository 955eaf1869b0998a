// The default chain, in botocore's order: env → assume-role → assume-role-with-web-identity → sso →
// profile → ec2-credentials-file → boto-config → container → IMDS. A role, web identity or SSO
// profile that fails stops the chain with its error (anything but kNotConfigured does), so it never
// falls through to container or IMDS credentials.
#include "resolver/chain/default_chain.h"

#include <vector>

#include "resolver/container/container_provider.h"
#include "resolver/env/environment_provider.h"
#include "resolver/imds/imds_provider.h"
#include "resolver/legacy/boto_config_provider.h"
#include "resolver/legacy/ec2_credentials_file_provider.h"
#include "resolver/profile/assume_role_provider.h"
#include "resolver/profile/profile_provider.h"
#include "resolver/sso/sso_provider.h"
#include "resolver/sts/web_identity_provider.h"

namespace chantless {
namespace {

// The env link when --profile was given: botocore removes its EnvProvider then; chantless keeps
// the link so that the explanation and the "no credentials" message still list it.
class SkippedForExplicitProfile : public CredentialsProvider {
 public:
  explicit SkippedForExplicitProfile(const ProviderContext& ctx)
      : trace_(ctx.trace), name_(EnvironmentProvider(ctx).Name()) {}
  std::string Name() const override { return name_; }
  StatusOr<Credentials> Resolve() override {
    TraceInfo(trace_, name_,
              "Skipping environment variable credential check because profile name was "
              "explicitly set.");
    return NotConfiguredError("skipped because --profile was given (as botocore does)");
  }

 private:
  TraceSink* trace_;
  const std::string name_;
};

}  // namespace

std::unique_ptr<Chain> NewDefaultChain(const ProviderContext& ctx) {
  return Chain::Create(ctx, [](const ProviderContext& c) {
    std::vector<ChainLink> links;
    if (c.profile_override.has_value()) {
      links.emplace_back(std::make_unique<SkippedForExplicitProfile>(c));
    } else {
      links.emplace_back(std::make_unique<EnvironmentProvider>(c));
    }
    links.emplace_back(std::make_unique<AssumeRoleProvider>(c));
    links.emplace_back(std::make_unique<WebIdentityProvider>(c));
    // An SSO profile's answer (credentials or an error) ends the chain: it never falls through to
    // the container endpoint or IMDS.
    links.emplace_back(std::make_unique<SsoProvider>(c));
    links.emplace_back(std::make_unique<ProfileProvider>(c));
    links.emplace_back(std::make_unique<Ec2CredentialsFileProvider>(c));
    links.emplace_back(std::make_unique<BotoConfigProvider>(c));
    // The container provider answers kNotConfigured only when neither container URI variable is
    // set, so when one is set its answer ends the chain and IMDS is never tried.
    links.emplace_back(std::make_unique<ContainerProvider>(c));
    links.emplace_back(std::make_unique<ImdsProvider>(c));
    return links;
  });
}

}  // namespace chantless
