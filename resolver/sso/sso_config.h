// The SSO settings of the selected profile, resolved with botocore's rules (sts-sso-behaviour.md
// §3.1; botocore credentials.py SSOProvider._load_sso_config).
//
// Rules implemented:
// - The SSO provider applies when the profile has `sso_account_id` or `sso_role_name`; otherwise
//   the result is kNotConfigured (JS applies on any `sso_*` key; chantless follows botocore).
// - Legacy profile: `sso_start_url`, `sso_region`, `sso_account_id`, `sso_role_name` all in the
//   profile.
// - `sso_session = NAME`: the config file's `[sso-session NAME]` section supplies `sso_start_url`
//   and `sso_region` (and `sso_registration_scopes`, used only at login). A section that does not
//   exist is `The specified sso-session does not exist: "NAME"`. Every key the session sets must
//   equal the profile's value for that key when the profile sets it too, else `The value for KEY is
//   inconsistent between profile (A) and sso-session (B).` (keys in the session's file order).
// - Anything still missing: `The profile "p" is configured to use SSO but is missing required
//   configuration: K1, K2` with the keys in botocore's order (sso_role_name, sso_account_id,
//   sso_start_url, sso_region).
// - chantless differences: a key set to a blank value counts as missing (botocore counts it as
//   present and fails later); each message ends with where the keys were set ("PATH:LINE").
// Errors are kInvalidConfiguration. Pure over the parsed files; thread-safe.
#ifndef CHANTLESS_RESOLVER_SSO_SSO_CONFIG_H_
#define CHANTLESS_RESOLVER_SSO_SSO_CONFIG_H_

#include <optional>
#include <string>
#include <string_view>

#include "resolver/core/provider.h"
#include "resolver/core/status.h"
#include "resolver/profile/profile_config.h"
#include "resolver/profile/profile_file_parser.h"

namespace chantless {

struct SsoSettings {
  std::string profile_name;
  std::optional<std::string> session_name;  // set for sso_session profiles
  std::string start_url;
  std::string region;  // sso_region
  std::string account_id;
  std::string role_name;
  std::optional<std::string> registration_scopes;  // as written in the session, if any
  // For the trace: "sso_session my-sso (/home/u/.aws/config:3 (profile dev)), [sso-session my-sso]
  // at /home/u/.aws/config:9" or "legacy SSO profile (/home/u/.aws/config:3 (profile dev))".
  std::string where;

  // What names the token file: the session name, else the start URL (sso_token.h).
  const std::string& token_cache_key_source() const {
    return session_name ? *session_name : start_url;
  }
};

// `profile`: the selected profile's merged settings; `config_file`: the parsed config file (its
// sso_sessions are looked up); `config_path` is used in messages. Errors: kNotConfigured (not an
// SSO profile), kInvalidConfiguration (the three cases above).
StatusOr<SsoSettings> ResolveSsoSettings(const ProfileSettings& profile,
                                         const ProfileFile& config_file,
                                         std::string_view config_path);

// The same over a loaded ProfileConfig.
StatusOr<SsoSettings> ResolveSsoSettings(const ProfileConfig& config);

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_SSO_SSO_CONFIG_H_
