// CredentialsProvider and ProviderContext: the shape every provider has.
//
// A ProviderContext holds non-owning pointers to the seams; whoever builds it (the CLI, a test, an
// embedding application) owns the seams and keeps them alive while any provider built from the
// context is in use. Providers never touch process state except through the context.
#ifndef CHANTLESS_RESOLVER_CORE_PROVIDER_H_
#define CHANTLESS_RESOLVER_CORE_PROVIDER_H_

#include <optional>
#include <string>
#include <string_view>

#include "resolver/core/clock.h"
#include "resolver/core/credentials.h"
#include "resolver/core/environment.h"
#include "resolver/core/filesystem.h"
#include "resolver/core/secret.h"
#include "resolver/core/status.h"
#include "resolver/core/trace.h"

namespace chantless {

// The HTTP and process seams live a layer above core (resolver/http/http_client.h,
// resolver/process/process_runner.h); the context only points at them, so core needs neither.
class HttpClient;
class ProcessRunner;
// The AWS CLI's credential cache (~/.aws/cli/cache) lives in resolver/cli_cache/cli_cache_store.h.
class CliCacheStore;

// Where a one-time MFA code comes from when a role profile names `mfa_serial`: `--mfa-code`, the
// controlling terminal, a test. Implementations never read a code from a non-terminal stdin and
// never wait without bound.
class MfaCodeSource {
 public:
  virtual ~MfaCodeSource() = default;
  // The code for `mfa_serial`, needed by `profile`. kInvalidConfiguration when no code can be had
  // (no terminal and no `--mfa-code`): the message names the profile, the serial and the way out.
  virtual StatusOr<Secret> GetCode(std::string_view profile, std::string_view mfa_serial) = 0;
};

// The selected profile's settings — the config file's section with the credentials file's over it —
// as providers other than the profile provider need them (`region`,
// `ec2_metadata_service_endpoint`, `metadata_service_timeout`, …). Built once by LoadProfileConfig
// (resolver/profile/profile_config.h) from the same files the profile provider reads. Thread-safe
// (immutable once built).
class ProfileSettings {
 public:
  virtual ~ProfileSettings() = default;
  // The selected profile's name ("default", or from --profile / AWS_PROFILE / AWS_DEFAULT_PROFILE).
  virtual std::string ProfileName() const = 0;
  // The value of `key` (compared case-insensitively) in the selected profile; nullopt when absent.
  virtual std::optional<std::string> Get(std::string_view key) const = 0;
  // Where `key` was set, for messages: "/home/u/.aws/config:12 (profile dev)"; "" when absent.
  virtual std::string Where(std::string_view key) const = 0;
};

struct ProviderContext {
  const Environment* env = nullptr;
  const Filesystem* fs = nullptr;
  const Clock* clock = nullptr;
  HttpClient* http = nullptr;
  ProcessRunner* process = nullptr;
  TraceSink* trace = nullptr;  // may be null: nothing is traced
  // May be null: no profile settings (every key absent).
  const ProfileSettings* settings = nullptr;
  // `--profile` on the command line; wins over AWS_PROFILE / AWS_DEFAULT_PROFILE.
  std::optional<std::string> profile_override;
  // May be null: the AWS CLI's cache is neither read nor written (`--no-cache`).
  CliCacheStore* cli_cache = nullptr;
  // May be null: a role that needs an MFA code fails with the way out named.
  MfaCodeSource* mfa = nullptr;
};

// Resolve() returns credentials or a Status whose code tells the chain what to do (status.h):
// kNotConfigured continues the chain, anything else stops it. Providers may keep state between
// calls (IMDS token, last good credentials); unless a provider says otherwise, Resolve() is not
// thread-safe: put a CredentialsCache (resolver/chain/credentials_cache.h) in front for concurrent
// use.
class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // botocore's method name: "env", "shared-credentials-file", "custom-process", "container-role",
  // "iam-role", …
  virtual std::string Name() const = 0;
  virtual StatusOr<Credentials> Resolve() = 0;
};

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_CORE_PROVIDER_H_
