// CredentialsProvider and ProviderContext: the shape every provider has.
//
// A ProviderContext holds non-owning pointers to the seams; whoever builds it (the CLI, a test, an
// embedding application) owns the seams and keeps them alive while any provider built from the
// context is in use. Providers never touch process state except through the context.
#ifndef CHANTLESS_RESOLVER_PROVIDER_H_
#define CHANTLESS_RESOLVER_PROVIDER_H_

#include <optional>
#include <string>

#include "resolver/clock.h"
#include "resolver/credentials.h"
#include "resolver/environment.h"
#include "resolver/filesystem.h"
#include "resolver/http_client.h"
#include "resolver/process_runner.h"
#include "resolver/status.h"
#include "resolver/trace.h"

namespace chantless {

struct ProviderContext {
  const Environment* env = nullptr;
  const Filesystem* fs = nullptr;
  const Clock* clock = nullptr;
  HttpClient* http = nullptr;
  ProcessRunner* process = nullptr;
  TraceSink* trace = nullptr;  // may be null: nothing is traced
  // `--profile` on the command line; wins over AWS_PROFILE / AWS_DEFAULT_PROFILE.
  std::optional<std::string> profile_override;
};

// Resolve() returns credentials or a Status whose code tells the chain what to do (status.h):
// kNotConfigured continues the chain, anything else stops it. Providers may keep state between
// calls (IMDS token, last good credentials); unless a provider says otherwise, Resolve() is not
// thread-safe: put a CredentialsCache (resolver/credentials_cache.h) in front for concurrent use.
class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // botocore's method name: "env", "shared-credentials-file", "custom-process", "container-role",
  // "iam-role", …
  virtual std::string Name() const = 0;
  virtual StatusOr<Credentials> Resolve() = 0;
};

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_PROVIDER_H_
