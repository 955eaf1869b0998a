// CredentialsProvider and ProviderContext: the shape every provider has.
//
// A ProviderContext holds non-owning pointers to the seams; whoever builds it (the CLI, a test, an
// embedding application) owns the seams and keeps them alive while any provider built from the
// context is in use. Providers never touch process state except through the context.
#ifndef CHANTLESS_RESOLVER_CORE_PROVIDER_H_
#define CHANTLESS_RESOLVER_CORE_PROVIDER_H_

#include <memory>
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

// The selected profile of the user's files, loaded (resolver/profile/profile_config.h).
class ProfileConfig;

// What the links of one chain share while the chain resolves once. Four links of the default
// chain read the profile files (assume-role, assume-role-with-web-identity, sso and the profile
// link): within one pass the first of them loads the files and the others take that load, a
// failed one included. The chain opens a pass around each Resolve and closes it after, so every
// resolution still reads the files afresh (a daemon sees an edit at its next refresh), and a
// provider resolving with no pass open loads the files itself. Not thread-safe (nor is a chain's
// Resolve).
class ResolutionPass {
 public:
  using LoadedProfile = StatusOr<std::shared_ptr<const ProfileConfig>>;

  bool is_open() const { return open_; }
  void Open() { open_ = true; }
  // Ends the pass and drops what it held.
  void Close() {
    open_ = false;
    profile_.reset();
  }
  // The profile files as this pass loaded them; nullptr before the pass's first load, and always
  // when no pass is open.
  const LoadedProfile* profile() const { return profile_.has_value() ? &*profile_ : nullptr; }
  // Keeps `loaded` for the rest of the pass; ignored when no pass is open.
  void set_profile(LoadedProfile loaded) {
    if (open_) profile_ = std::move(loaded);
  }

 private:
  bool open_ = false;
  std::optional<LoadedProfile> profile_;
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
  // May be null: every provider that reads the profile files loads them itself. Chain::Create
  // (and so NewDefaultChain) sets one for its links.
  ResolutionPass* pass = nullptr;
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
