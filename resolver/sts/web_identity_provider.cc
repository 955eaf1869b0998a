// The web identity provider (rules in web_identity_provider.h).
#include "resolver/sts/web_identity_provider.h"

#include <memory>
#include <optional>
#include <utility>

#include "resolver/core/ascii.h"
#include "resolver/core/trace.h"
#include "resolver/sts/sts_cli_cache.h"
#include "resolver/sts/sts_client.h"

namespace chantless {
namespace {

// Token files are JWTs: STS takes up to 20000 characters; anything larger is refused by the
// request check, so reading more is pointless.
constexpr size_t kMaxTokenFileBytes = 64 * 1024;

struct Setting {
  std::string value;
  std::string where;  // "AWS_ROLE_ARN" or "PATH:LINE (profile NAME)"
  bool from_env = false;
};

std::optional<Setting> Find(const ProviderContext& ctx, const ProfileConfig* profile, bool use_env,
                            const char* variable, const char* key) {
  if (use_env) {
    if (std::optional<std::string> value = ctx.env->Get(variable);
        value && !IsBlank(*value, kBlanksAndLineBreaks)) {
      return Setting{*value, variable, true};
    }
  }
  if (profile != nullptr) {
    if (std::optional<ProfileSetting> setting = profile->Lookup(key);
        setting && !IsBlank(setting->value, kBlanksAndLineBreaks)) {
      return Setting{setting->value, setting->where, false};
    }
  }
  return std::nullopt;
}

}  // namespace

StatusOr<Credentials> ResolveWebIdentity(const ProviderContext& ctx, const ProfileConfig* profile,
                                         const ProfileConfig* selected, bool use_env) {
  if (ctx.env == nullptr || ctx.fs == nullptr || ctx.clock == nullptr) {
    return InternalError(std::string(kWebIdentityProviderName) +
                         ": no Environment, Filesystem or Clock in the provider context");
  }
  std::optional<Setting> token_file =
      Find(ctx, profile, use_env, "AWS_WEB_IDENTITY_TOKEN_FILE", "web_identity_token_file");
  if (!token_file) {
    return NotConfiguredError(std::string("no AWS_WEB_IDENTITY_TOKEN_FILE") +
                              (profile != nullptr ? " or web_identity_token_file in profile '" +
                                                        profile->ProfileName() + "'"
                                                  : ""));
  }
  std::optional<Setting> role = Find(ctx, profile, use_env, "AWS_ROLE_ARN", "role_arn");
  if (!role) {
    return InvalidConfigurationError(
        "The provided profile or the current environment is configured to assume role with web "
        "identity (token file from " +
        token_file->where +
        ") but has no role ARN configured. Ensure that the profile has the role_arn "
        "configuration set or the AWS_ROLE_ARN env var is set.");
  }
  std::optional<Setting> session =
      Find(ctx, profile, use_env, "AWS_ROLE_SESSION_NAME", "role_session_name");
  const bool any_env = token_file->from_env || role->from_env || (session && session->from_env);
  const bool any_profile =
      !token_file->from_env || !role->from_env || (session && !session->from_env);
  if (any_env && any_profile) {
    TraceWarning(ctx.trace, kWebIdentityProviderName,
                 "web identity settings mix the environment and the profile: token file from " +
                     token_file->where + ", role_arn from " + role->where +
                     (session ? ", role_session_name from " + session->where : ""));
  }
  TraceInfo(ctx.trace, kWebIdentityProviderName,
            "Assuming role " + role->value + " with the web identity token in " +
                token_file->value + " (from " + token_file->where + ")");

  CliCacheArgs args;
  args["RoleArn"] = role->value;
  AssumeRoleWithWebIdentityParams params;
  params.role_arn = role->value;
  if (session) {
    args["RoleSessionName"] = session->value;
    params.role_session_name = session->value;
  } else {
    params.role_session_name =
        "chantless-session-" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                  ctx.clock->Now().time_since_epoch())
                                                  .count());
  }
  // Check the parameters (with a placeholder token) before the cache or the network is touched.
  {
    AssumeRoleWithWebIdentityParams check = params;
    check.web_identity_token = Secret("placeholder");
    Status valid = ValidateAssumeRoleWithWebIdentityParams(check);
    if (!valid.ok()) {
      return valid.WithContext("web identity (role from " + role->where + ")");
    }
  }

  const std::string path = token_file->value;
  const std::string path_where = token_file->where;
  const Filesystem* fs = ctx.fs;
  WebIdentityTokenLoader load = [fs, path, path_where]() -> StatusOr<Secret> {
    StatusOr<std::string> text = fs->ReadFile(path, kMaxTokenFileBytes);
    if (!text.ok()) {
      return InvalidConfigurationError("web identity token file " + path + " (from " + path_where +
                                       ") cannot be read: " + text.status().message());
    }
    if (text->empty()) {
      return InvalidConfigurationError("web identity token file " + path + " (from " + path_where +
                                       ") is empty");
    }
    return Secret(std::move(*text));
  };
  return ResolveThroughCliCache(ctx, args, kWebIdentityProviderName, [&]() {
    StsClient client(ctx, selected, kWebIdentityProviderName);
    return client.AssumeRoleWithWebIdentity(params, load);
  });
}

StatusOr<Credentials> WebIdentityProvider::Resolve() {
  if (ctx_.env == nullptr || ctx_.fs == nullptr) {
    return InternalError(std::string(kWebIdentityProviderName) +
                         ": no Environment or Filesystem in the provider context");
  }
  CHANTLESS_ASSIGN_OR_RETURN(std::shared_ptr<const ProfileConfig> config,
                             LoadSelectedProfile(ctx_));
  const ProfileConfig* profile = config->ProfileExists() ? config.get() : nullptr;
  return ResolveWebIdentity(ctx_, profile, config.get(), !ctx_.profile_override.has_value());
}

}  // namespace chantless
