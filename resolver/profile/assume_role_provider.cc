// The assume-role provider (rules in assume_role_provider.h).
#include "resolver/profile/assume_role_provider.h"

#include <chrono>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "resolver/cli_cache/python_json.h"
#include "resolver/container/container_provider.h"
#include "resolver/core/ascii.h"
#include "resolver/core/trace.h"
#include "resolver/env/environment_provider.h"
#include "resolver/imds/imds_provider.h"
#include "resolver/profile/profile_config.h"
#include "resolver/profile/profile_provider.h"
#include "resolver/sso/sso_provider.h"
#include "resolver/sts/sts_cli_cache.h"
#include "resolver/sts/sts_client.h"
#include "resolver/sts/sts_request.h"
#include "resolver/sts/web_identity_provider.h"

namespace chantless {
namespace {

constexpr char kTrace[] = "assume-role";

std::optional<ProfileSetting> NonBlank(const ProfileConfig& config, std::string_view key) {
  std::optional<ProfileSetting> setting = config.Lookup(key);
  if (!setting || IsBlank(setting->value, kBlanksAndLineBreaks)) return std::nullopt;
  setting->value = std::string(StripAsciiWhitespace(setting->value));
  return setting;
}

bool IsRoleCredentials(const Credentials& c) {
  return c.provider == "assume-role" || c.provider == "assume-role-with-web-identity" ||
         c.provider == "sso" || c.provider == "iam-role" || c.provider == "container-role";
}

struct Hop {
  std::string profile;
  std::string where;  // of its source_profile key
};

class RoleResolver {
 public:
  RoleResolver(const ProviderContext& ctx, const ProfileConfig& selected)
      : ctx_(ctx), selected_(selected) {}

  // A view of profile `name` of the selected profile's files.
  ProfileConfig View(const std::string& name) const {
    return ProfileConfig(name, "source_profile", selected_.config_path(), selected_.config_file(),
                         selected_.credentials_path(), selected_.credentials_file());
  }

  // Assumes the role of `profile` (which has role_arn).
  StatusOr<Credentials> AssumeRoleOf(const ProfileConfig& profile, std::vector<Hop>* visited) {
    const std::string& name = profile.ProfileName();
    const ProfileSetting role = *NonBlank(profile, "role_arn");
    std::optional<ProfileSetting> source_profile = NonBlank(profile, "source_profile");
    std::optional<ProfileSetting> credential_source = NonBlank(profile, "credential_source");
    if (source_profile && credential_source) {
      return InvalidConfigurationError(
          "The profile \"" + name +
          "\" contains both source_profile and credential_source. (source_profile at " +
          source_profile->where + ", credential_source at " + credential_source->where + ")");
    }
    if (!source_profile && !credential_source) {
      return InvalidConfigurationError(
          "Partial credentials found in assume-role, missing: source_profile or "
          "credential_source (profile \"" +
          name + "\", role_arn at " + role.where + ")");
    }
    if (credential_source)
      CHANTLESS_RETURN_IF_ERROR(CheckCredentialSource(name, *credential_source));

    // Parameters, checked before the cache, the source or the network is touched.
    AssumeRoleParams params;
    CliCacheArgs args;
    params.role_arn = role.value;
    args["RoleArn"] = role.value;
    if (std::optional<ProfileSetting> s = NonBlank(profile, "role_session_name")) {
      params.role_session_name = s->value;
      args["RoleSessionName"] = s->value;
    } else {
      params.role_session_name =
          "chantless-session-" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                    ctx_.clock->Now().time_since_epoch())
                                                    .count());
    }
    if (std::optional<ProfileSetting> s = NonBlank(profile, "external_id")) {
      params.external_id = s->value;
      args["ExternalId"] = s->value;
    }
    if (std::optional<ProfileSetting> s = NonBlank(profile, "duration_seconds")) {
      int value = 0;
      bool digits = !s->value.empty() && s->value.size() <= 6;
      for (char ch : s->value) digits = digits && ch >= '0' && ch <= '9';
      if (digits) value = std::stoi(s->value);
      if (!digits || value < 900 || value > 43200) {
        return InvalidConfigurationError(s->where +
                                         ": duration_seconds must be a whole number of "
                                         "seconds from 900 to 43200 (STS's limits)");
      }
      params.duration_seconds = value;
      args["DurationSeconds"] = int64_t{value};
    }
    std::optional<ProfileSetting> mfa_serial = NonBlank(profile, "mfa_serial");
    if (mfa_serial) {
      params.serial_number = mfa_serial->value;
      args["SerialNumber"] = mfa_serial->value;
    }
    {
      AssumeRoleParams check = params;
      if (check.serial_number) check.token_code = Secret("000000");
      Status valid = ValidateAssumeRoleParams(check);
      if (!valid.ok()) return valid.WithContext("profile \"" + name + "\" (" + role.where + ")");
    }
    if (mfa_serial && ctx_.mfa == nullptr && ctx_.cli_cache == nullptr) {
      return MfaUnavailable(name, *mfa_serial);
    }

    TraceInfo(ctx_.trace, kTrace, "Assuming role " + role.value + " for profile \"" + name + "\"");
    return ResolveThroughCliCache(
        ctx_, args, kAssumeRoleProviderName, [&]() -> StatusOr<StsAssumedRole> {
          if (mfa_serial) {
            if (ctx_.mfa == nullptr) return MfaUnavailable(name, *mfa_serial);
            CHANTLESS_ASSIGN_OR_RETURN(Secret code, ctx_.mfa->GetCode(name, mfa_serial->value));
            params.token_code = std::move(code);
          }
          CHANTLESS_ASSIGN_OR_RETURN(Credentials source,
                                     source_profile
                                         ? SourceProfileCredentials(name, *source_profile, visited)
                                         : CredentialSourceCredentials(name, *credential_source));
          StsClient client(ctx_, &selected_, kTrace);
          return client.AssumeRole(params, source, IsRoleCredentials(source));
        });
  }

 private:
  Status MfaUnavailable(const std::string& name, const ProfileSetting& serial) const {
    return InvalidConfigurationError(
        "profile \"" + name + "\" needs an MFA code for mfa_serial " + serial.value + " (" +
        serial.where +
        "), and no code can be had here (no terminal to prompt on): pass it with `chantless "
        "resolve --mfa-code CODE`");
  }

  Status CheckCredentialSource(const std::string& name, const ProfileSetting& source) const {
    if (source.value == "Environment" || source.value == "Ec2InstanceMetadata" ||
        source.value == "EcsContainer") {
      return OkStatus();
    }
    return InvalidConfigurationError("The credential source \"" + source.value +
                                     "\" referenced in profile \"" + name + "\" is not valid. (" +
                                     source.where +
                                     "; valid: Environment, Ec2InstanceMetadata, EcsContainer)");
  }

  StatusOr<Credentials> CredentialSourceCredentials(const std::string& name,
                                                    const ProfileSetting& source) {
    CHANTLESS_RETURN_IF_ERROR(CheckCredentialSource(name, source));
    std::unique_ptr<CredentialsProvider> provider;
    if (source.value == "Environment") {
      provider = std::make_unique<EnvironmentProvider>(ctx_);
    } else if (source.value == "Ec2InstanceMetadata") {
      provider = std::make_unique<ImdsProvider>(ctx_);
    } else {
      provider = std::make_unique<ContainerProvider>(ctx_);
    }
    TraceInfo(
        ctx_.trace, kTrace,
        "Source credentials from credential_source " + source.value + " (" + source.where + ")");
    StatusOr<Credentials> credentials = provider->Resolve();
    if (IsNotConfigured(credentials.status())) {
      return InvalidConfigurationError(
          "Error when retrieving credentials from " + source.value +
          ": No credentials found in credential_source referenced in profile " + name + " (" +
          source.where + "): " + credentials.status().message());
    }
    return credentials;
  }

  std::string PathText(const std::vector<Hop>& visited, const std::string& last) const {
    std::string out;
    for (const Hop& hop : visited)
      out += hop.profile + " (source_profile at " + hop.where + ") -> ";
    return out + last;
  }

  StatusOr<Credentials> SourceProfileCredentials(const std::string& name,
                                                 const ProfileSetting& source,
                                                 std::vector<Hop>* visited) {
    const std::string& source_name = source.value;
    if (source_name == name) {
      // Self-reference: the profile's own static keys are the source.
      ProfileConfig self = View(name);
      if (std::optional<StatusOr<Credentials>> keys = ResolveProfileStaticKeys(self, ctx_.trace)) {
        TraceInfo(ctx_.trace, kTrace,
                  "profile \"" + name + "\" is its own source_profile: using its static keys");
        return std::move(*keys);
      }
    }
    visited->push_back(Hop{name, source.where});
    for (size_t i = 0; i < visited->size(); ++i) {
      if ((*visited)[i].profile == source_name) {
        std::string names;
        for (const Hop& hop : *visited) names += (names.empty() ? "'" : ", '") + hop.profile + "'";
        return InvalidConfigurationError(
            "Infinite loop in credential configuration detected. Attempting to load from "
            "profile " +
            source_name + " which has already been visited. Visited profiles: [" + names +
            "]. Path: " + PathText(*visited, source_name));
      }
    }
    if (static_cast<int>(visited->size()) > AssumeRoleProvider::kMaxSourceDepth) {
      return InvalidConfigurationError("source_profile chain longer than " +
                                       std::to_string(AssumeRoleProvider::kMaxSourceDepth) +
                                       " profiles: " + PathText(*visited, source_name));
    }
    ProfileConfig view = View(source_name);
    if (!view.ProfileExists()) {
      return InvalidConfigurationError("The source_profile \"" + source_name +
                                       "\" referenced in the profile \"" + name +
                                       "\" does not exist. (" + source.where + ")");
    }
    TraceInfo(ctx_.trace, kTrace,
              "Source credentials from profile \"" + source_name + "\" (" + source.where + ")");
    const bool has_static = NonBlank(view, "aws_access_key_id").has_value() ||
                            NonBlank(view, "aws_secret_access_key").has_value();
    const bool has_role = NonBlank(view, "role_arn").has_value();
    if (has_role && !has_static && !NonBlank(view, "web_identity_token_file")) {
      return AssumeRoleOf(view, visited);
    }
    // botocore's profile providers for the source profile, env variables off.
    StatusOr<Credentials> web = ResolveWebIdentity(ctx_, &view, &selected_, /*use_env=*/false);
    if (!IsNotConfigured(web.status())) return web;
    if (NonBlank(view, "sso_account_id") || NonBlank(view, "sso_role_name") ||
        NonBlank(view, "sso_session") || NonBlank(view, "sso_start_url")) {
      // An SSO source profile: its role credentials (token cache, refresh, GetRoleCredentials)
      // sign the AssumeRole call.
      return ResolveSsoCredentials(ctx_, view);
    }
    StatusOr<Credentials> keys = ResolveProfileKeys(ctx_, view);
    if (!IsNotConfigured(keys.status())) return keys;
    if (std::optional<ProfileSetting> cs = NonBlank(view, "credential_source"); cs && !has_role) {
      TraceInfo(ctx_.trace, kTrace,
                "profile \"" + source_name +
                    "\" has credential_source without role_arn: used as a source (botocore "
                    "would reject it; the JS, Go and Rust SDKs accept it)");
      return CredentialSourceCredentials(source_name, *cs);
    }
    return InvalidConfigurationError("The source profile \"" + source_name +
                                     "\" must have credentials. (named at " + source.where + ")");
  }

  const ProviderContext& ctx_;
  const ProfileConfig& selected_;
};

}  // namespace

StatusOr<Credentials> AssumeRoleProvider::Resolve() {
  if (ctx_.env == nullptr || ctx_.fs == nullptr || ctx_.clock == nullptr) {
    return InternalError(
        "assume-role: no Environment, Filesystem or Clock in the provider context");
  }
  CHANTLESS_ASSIGN_OR_RETURN(std::shared_ptr<const ProfileConfig> config,
                             LoadSelectedProfile(ctx_));
  if (!config->ProfileExists()) {
    return NotConfiguredError("no profile '" + config->ProfileName() + "'");
  }
  if (!NonBlank(*config, "role_arn")) {
    return NotConfiguredError("profile '" + config->ProfileName() + "' has no role_arn");
  }
  if (NonBlank(*config, "web_identity_token_file")) {
    return NotConfiguredError("profile '" + config->ProfileName() +
                              "' has web_identity_token_file: left to "
                              "assume-role-with-web-identity");
  }
  RoleResolver resolver(ctx_, *config);
  std::vector<Hop> visited;
  return resolver.AssumeRoleOf(*config, &visited);
}

}  // namespace chantless
