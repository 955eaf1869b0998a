// The default chain: env → profile → container → IMDS.
#include "resolver/chain/default_chain.h"

#include <vector>

#include "resolver/container/container_provider.h"
#include "resolver/env/environment_provider.h"
#include "resolver/imds/imds_provider.h"
#include "resolver/profile/profile_provider.h"

namespace chantless {
namespace {

// The env link when --profile was given: botocore removes its EnvProvider then; chantless keeps
// the link so that the explanation and the "no credentials" message still list it.
class SkippedForExplicitProfile : public CredentialsProvider {
 public:
  explicit SkippedForExplicitProfile(TraceSink* trace) : trace_(trace) {}
  std::string Name() const override { return "env"; }
  StatusOr<Credentials> Resolve() override {
    TraceInfo(trace_, "env",
              "Skipping environment variable credential check because profile name was "
              "explicitly set.");
    return NotConfiguredError("skipped because --profile was given (as botocore does)");
  }

 private:
  TraceSink* trace_;
};

}  // namespace

std::unique_ptr<Chain> NewDefaultChain(const ProviderContext& ctx) {
  return Chain::Create(ctx, [](const ProviderContext& c) {
    std::vector<ChainLink> links;
    if (c.profile_override.has_value()) {
      links.push_back({"env", std::make_unique<SkippedForExplicitProfile>(c.trace)});
    } else {
      links.push_back({"env", std::make_unique<EnvironmentProvider>(c)});
    }
    links.push_back({"profile", std::make_unique<ProfileProvider>(c)});
    // The container provider answers kNotConfigured only when neither container URI variable is
    // set, so when one is set its answer ends the chain and IMDS is never tried.
    links.push_back({"container-role", std::make_unique<ContainerProvider>(c)});
    links.push_back({"iam-role", std::make_unique<ImdsProvider>(c)});
    return links;
  });
}

}  // namespace chantless
