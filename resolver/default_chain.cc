// The default chain: env → profile → container → IMDS.
#include "resolver/default_chain.h"

#include <vector>

#include "resolver/container_provider.h"
#include "resolver/environment_provider.h"
#include "resolver/imds_provider.h"
#include "resolver/profile_provider.h"

namespace chantless {

std::unique_ptr<Chain> NewDefaultChain(const ProviderContext& ctx) {
  return Chain::Create(ctx, [](const ProviderContext& c) {
    std::vector<ChainLink> links;
    links.push_back({"env", std::make_unique<EnvironmentProvider>(c)});
    links.push_back({"profile", std::make_unique<ProfileProvider>(c)});
    // The container provider answers kNotConfigured only when neither container URI variable is
    // set, so when one is set its answer ends the chain and IMDS is never tried.
    links.push_back({"container-role", std::make_unique<ContainerProvider>(c)});
    links.push_back({"iam-role", std::make_unique<ImdsProvider>(c)});
    return links;
  });
}

}  // namespace chantless
