// A long-running agent embedding chantless: resolve through the default chain once, then answer
// every "credentials, please" from the cache's immutable snapshot (no lock, no allocation).
//
// This is the README's "depend on chantless" example; tools/consumer_check.sh builds it from a
// separate Bazel workspace, and //examples/consumer:agent_test runs it here.
#include <cstdio>
#include <optional>

#include "resolver/chain/credentials_cache.h"
#include "resolver/chain/default_chain.h"
#include "resolver/system/system_world.h"

int main() {
  // The real seams: process environment, ~/.aws files, wall clock, cpp-httplib, posix_spawn.
  chantless::SystemWorld world(/*profile_override=*/std::nullopt);
  chantless::CredentialsCache cache(chantless::NewDefaultChain(world.context()), &world.clock());

  long hits = 0;
  const chantless::Credentials* first = nullptr;
  for (int i = 0; i < 1000000; ++i) {  // an agent's hot path: one Get() per AWS request
    auto credentials = cache.Get();
    if (!credentials.ok()) {
      std::fprintf(stderr, "agent: %s\n", credentials.status().ToString().c_str());
      return 1;
    }
    if (first == nullptr) first = *credentials;
    if (*credentials == first) ++hits;
  }
  // DebugString never prints key material.
  std::printf("%s\n%ld gets, %d resolution(s)\n", chantless::DebugString(*first).c_str(), hits,
              cache.resolutions());
  return 0;
}
