// ProfileProvider: credentials from the selected profile of ~/.aws/credentials and ~/.aws/config.
//
// Rules implemented (docs/behaviour.md is the map; botocore 1.29's ProfileProviderBuilder order,
// credentials.py):
// - The files and the profile are those of LoadSelectedProfile (profile_config.h): loaded afresh
//   for every Resolve() from ctx.env, ctx.fs and ctx.profile_override (the files may change
//   between refreshes), once per chain pass when the chain's earlier links loaded them already.
//   ctx.settings is not read for credentials (it may be a fake or stale); when it is a
//   ProfileConfig, the load warnings it already traced are not traced again. Load errors
//   (unreadable file, syntax error, explicitly selected profile missing) stop the chain.
// - The implicit "default" profile missing from both files: kNotConfigured.
// - Profiles botocore would resolve with assume-role, assume-role-with-web-identity or sso (a
//   `role_arn`, or `sso_account_id` / `sso_role_name`; botocore tries those providers before any
//   static key) are kNotConfigured here, traced as left to that provider: the chain's earlier
//   links (assume_role_provider.h, resolver/sts/web_identity_provider.h) own them.
// - Then, in botocore's order (the first that applies wins):
//   1. "shared-credentials-file": `aws_access_key_id` + `aws_secret_access_key` in the credentials
//      file's section;
//   2. "custom-process": `credential_process` (the credentials file's value over the config
//      file's, as botocore reads it from the merged profile), run by RunCredentialProcess
//      (credential_process.h) with source "PATH:LINE (profile NAME)"; its errors stop the chain;
//      output without an AccountId takes the profile's `aws_account_id` (botocore 1.43 and the
//      Rust SDK do), with that line as its account_id_source;
//   3. "config-file": `aws_access_key_id` + `aws_secret_access_key` in the config file's section.
//   So static keys in the credentials file win over credential_process, and credential_process wins
//   over static keys in the config file.
// - Static keys: blank values count as unset; one of the pair without the other (in the same file)
//   is kInvalidConfiguration "PATH:LINE (profile NAME): aws_access_key_id is set but
//   aws_secret_access_key is not" (botocore: PartialCredentialsError). `aws_session_token` (or the
//   legacy `aws_security_token`; when both differ aws_session_token wins with a traced warning, as
//   botocore prefers the legacy key) and `aws_account_id` from the same section are optional.
//   Static keys never expire. A key or token value spanning lines (an indented line after it, even
//   an indented "# comment", is a continuation in the cross-SDK grammar; botocore reads it as a
//   comment) is kInvalidConfiguration naming the file and line, never a broken key sent to AWS.
// - Nothing applies: kNotConfigured naming the profile and the files.
// - Credentials are stamped with the botocore method name above; Name() is "profile" (the chain
//   link). Trace (provider "profile"): "Looking for credentials via: shared-credentials-file" /
//   "custom-process" / "config-file" as each step is tried, botocore's "Found credentials in shared
//   credentials file: PATH" / "Credentials found in config file: PATH", and parser warnings. No
//   key, secret, token or command output is ever traced; only file paths, lines and key names.
#ifndef CHANTLESS_RESOLVER_PROFILE_PROFILE_PROVIDER_H_
#define CHANTLESS_RESOLVER_PROFILE_PROFILE_PROVIDER_H_

#include <optional>
#include <string>

#include "resolver/core/credentials.h"
#include "resolver/core/provider.h"
#include "resolver/core/status.h"
#include "resolver/profile/profile_config.h"

namespace chantless {

// The steps of ProfileProvider::Resolve() after the role/SSO check — shared-credentials-file,
// custom-process, config-file — for `config`, which may be a view of any profile of the loaded
// files (a role's source profile). Errors as Resolve(); kNotConfigured when none applies.
StatusOr<Credentials> ResolveProfileKeys(const ProviderContext& ctx, const ProfileConfig& config);

// Static keys alone (the credentials file's section, else the config file's); nullopt when neither
// file's section has a key. Used for a role profile that names itself as its source.
std::optional<StatusOr<Credentials>> ResolveProfileStaticKeys(const ProfileConfig& config,
                                                              TraceSink* trace);

// Holds a copy of the context (whose seams the caller keeps alive). Keeps no state between calls;
// Resolve() is thread-safe when the seams are.
class ProfileProvider : public CredentialsProvider {
 public:
  explicit ProfileProvider(const ProviderContext& ctx) : ctx_(ctx) {}

  std::string Name() const override;  // "profile", also the trace's provider name

  // Errors: kNotConfigured (no such implicit profile, no credentials in it, or an unsupported
  // assume-role/sso profile); kInvalidConfiguration (file errors, missing explicit profile, half a
  // key pair, bad credential_process command line); whatever RunCredentialProcess returns
  // (kUnavailable, kInvalidResponse, …); kInternal when ctx.env or ctx.fs is null.
  StatusOr<Credentials> Resolve() override;

 private:
  ProviderContext ctx_;
};

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_PROFILE_PROFILE_PROVIDER_H_
