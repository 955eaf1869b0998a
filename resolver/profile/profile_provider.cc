// The profile provider (rules in profile_provider.h).
#include "resolver/profile/profile_provider.h"

#include <memory>
#include <optional>
#include <vector>

#include "resolver/core/ascii.h"
#include "resolver/core/trace.h"
#include "resolver/process/credential_process.h"
#include "resolver/profile/profile_config.h"

namespace chantless {
namespace {

constexpr char kTraceProvider[] = "profile";

// The setting `key` from one file, with blank values treated as unset.
std::optional<ProfileSetting> NonBlank(const ProfileConfig& config, ProfileFileKind file,
                                       std::string_view key) {
  std::optional<ProfileSetting> setting = config.LookupIn(file, key);
  if (!setting || IsBlank(setting->value, kBlanksAndLineBreaks)) return std::nullopt;
  return setting;
}

// Static keys from one file: nullopt when neither key is set there.
std::optional<StatusOr<Credentials>> StaticKeys(const ProfileConfig& config, ProfileFileKind file,
                                                const char* method, TraceSink* trace) {
  std::optional<ProfileSetting> id = NonBlank(config, file, "aws_access_key_id");
  std::optional<ProfileSetting> secret = NonBlank(config, file, "aws_secret_access_key");
  if (!id && !secret) return std::nullopt;
  if (!secret) {
    return StatusOr<Credentials>(InvalidConfigurationError(
        id->where + ": aws_access_key_id is set but aws_secret_access_key is not"));
  }
  if (!id) {
    return StatusOr<Credentials>(InvalidConfigurationError(
        secret->where + ": aws_secret_access_key is set but aws_access_key_id is not"));
  }
  std::optional<ProfileSetting> token = NonBlank(config, file, "aws_session_token");
  std::optional<ProfileSetting> legacy_token = NonBlank(config, file, "aws_security_token");
  if (token && legacy_token && token->value != legacy_token->value) {
    TraceWarning(trace, kTraceProvider,
                 token->where +
                     ": aws_session_token and aws_security_token differ; using "
                     "aws_session_token (botocore and the AWS CLI would use "
                     "aws_security_token)");
  }
  if (!token) token = legacy_token;
  for (const auto* setting : {&*id, &*secret, token ? &*token : nullptr}) {
    if (setting != nullptr && setting->value.find('\n') != std::string::npos) {
      return StatusOr<Credentials>(InvalidConfigurationError(
          setting->where +
          ": the value continues on an indented line below it (an indented "
          "comment counts); keys and tokens are one line"));
    }
  }
  Credentials credentials;
  credentials.access_key_id = id->value;
  credentials.secret_access_key = Secret(secret->value);
  if (token) credentials.session_token = Secret(token->value);
  if (std::optional<ProfileSetting> account = NonBlank(config, file, "aws_account_id")) {
    credentials.account_id = account->value;
    credentials.account_id_source = account->where;
  }
  credentials.provider = method;
  return StatusOr<Credentials>(std::move(credentials));
}

// "assume-role", "assume-role-with-web-identity" or "sso" when botocore would use one of those
// providers for this profile (before any static key); nullopt otherwise. `where` names the key.
std::optional<std::string> UnsupportedMethod(const ProfileConfig& config, std::string* where) {
  if (std::optional<ProfileSetting> role = config.Lookup("role_arn")) {
    *where = role->where;
    return config.Lookup("web_identity_token_file") ? "assume-role-with-web-identity"
                                                    : "assume-role";
  }
  for (const char* key : {"sso_account_id", "sso_role_name"}) {
    if (std::optional<ProfileSetting> sso = config.Lookup(key)) {
      *where = sso->where;
      return std::string("sso");
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<StatusOr<Credentials>> ResolveProfileStaticKeys(const ProfileConfig& config,
                                                              TraceSink* trace) {
  if (auto found =
          StaticKeys(config, ProfileFileKind::kCredentials, "shared-credentials-file", trace)) {
    return found;
  }
  return StaticKeys(config, ProfileFileKind::kConfig, "config-file", trace);
}

StatusOr<Credentials> ResolveProfileKeys(const ProviderContext& ctx, const ProfileConfig& config) {
  TraceInfo(ctx.trace, kTraceProvider, "Looking for credentials via: shared-credentials-file");
  if (auto found =
          StaticKeys(config, ProfileFileKind::kCredentials, "shared-credentials-file", ctx.trace)) {
    if (found->ok()) {
      TraceInfo(ctx.trace, kTraceProvider,
                "Found credentials in shared credentials file: " + config.credentials_path());
    }
    return std::move(*found);
  }

  TraceInfo(ctx.trace, kTraceProvider, "Looking for credentials via: custom-process");
  if (std::optional<ProfileSetting> process = config.Lookup("credential_process");
      process && !IsBlank(process->value, kBlanksAndLineBreaks)) {
    CHANTLESS_ASSIGN_OR_RETURN(Credentials credentials,
                               RunCredentialProcess(ctx, process->value, process->where));
    credentials.provider = kCredentialProcessProviderName;
    // No AccountId in the output: the profile's `aws_account_id` (botocore 1.43, the Rust SDK).
    if (!credentials.account_id) {
      if (std::optional<ProfileSetting> account = config.Lookup("aws_account_id");
          account && !IsBlank(account->value)) {
        credentials.account_id = account->value;
        credentials.account_id_source = account->where;
      }
    }
    TraceInfo(ctx.trace, kTraceProvider,
              "Found credentials from credential_process (" + process->where + ")");
    return credentials;
  }

  TraceInfo(ctx.trace, kTraceProvider, "Looking for credentials via: config-file");
  if (auto found = StaticKeys(config, ProfileFileKind::kConfig, "config-file", ctx.trace)) {
    if (found->ok()) {
      TraceInfo(ctx.trace, kTraceProvider,
                "Credentials found in config file: " + config.config_path());
    }
    return std::move(*found);
  }

  return NotConfiguredError("profile '" + config.ProfileName() +
                            "' has no aws_access_key_id/aws_secret_access_key or "
                            "credential_process in " +
                            config.credentials_path() + " or " + config.config_path());
}

namespace {

// botocore's three profile methods, announced as botocore's --debug log does even when the profile
// has nothing for them, so the trace names every method of the chain in botocore's order.
void TraceSkippedMethods(TraceSink* trace) {
  for (const char* method : {"shared-credentials-file", "custom-process", "config-file"}) {
    TraceInfo(trace, kTraceProvider, std::string("Looking for credentials via: ") + method);
  }
}

}  // namespace

std::string ProfileProvider::Name() const { return kTraceProvider; }

StatusOr<Credentials> ProfileProvider::Resolve() {
  if (ctx_.env == nullptr || ctx_.fs == nullptr) {
    return InternalError("profile: no Environment or Filesystem in the provider context");
  }
  CHANTLESS_ASSIGN_OR_RETURN(std::shared_ptr<const ProfileConfig> config,
                             LoadSelectedProfile(ctx_));
  const std::string& name = config->ProfileName();
  if (!config->ProfileExists()) {
    TraceSkippedMethods(ctx_.trace);
    return NotConfiguredError("no profile '" + name + "' in " + config->config_path() + " or " +
                              config->credentials_path());
  }

  std::string where;
  if (std::optional<std::string> method = UnsupportedMethod(*config, &where)) {
    TraceSkippedMethods(ctx_.trace);
    // An SSO profile is the "sso" link's (resolver/sso/sso_provider.h), which comes before this one
    // and stops the chain with its answer; botocore's shared-credentials-file never sees it either.
    if (*method == "sso") {
      std::string message = "profile '" + name + "' uses sso (" + where +
                            "): resolved by the sso provider, not by the profile provider";
      TraceInfo(ctx_.trace, kTraceProvider, message);
      return NotConfiguredError(message);
    }
    std::string message = "profile '" + name + "' uses " + *method + " (" + where +
                          "): left to the " + *method + " provider";
    TraceInfo(ctx_.trace, kTraceProvider, message);
    return NotConfiguredError(message);
  }

  return ResolveProfileKeys(ctx_, *config);
}

}  // namespace chantless
