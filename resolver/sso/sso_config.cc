// SSO settings of the selected profile with botocore's rules (see sso_config.h).
#include "resolver/sso/sso_config.h"

#include <vector>

#include "resolver/core/ascii.h"

namespace chantless {
namespace {

bool IsBlankValue(std::string_view s) { return IsBlank(s, kBlanksAndLineBreaks); }

std::optional<std::string> NonBlank(const ProfileSettings& profile, const char* key) {
  std::optional<std::string> value = profile.Get(key);
  if (!value || IsBlankValue(*value)) return std::nullopt;
  return value;
}

std::string At(std::string_view path, int line) {
  return std::string(path) + ":" + std::to_string(line);
}

}  // namespace

StatusOr<SsoSettings> ResolveSsoSettings(const ProfileSettings& profile,
                                         const ProfileFile& config_file,
                                         std::string_view config_path) {
  const std::string name = profile.ProfileName();
  if (!profile.Get("sso_account_id") && !profile.Get("sso_role_name")) {
    return NotConfiguredError("profile \"" + name +
                              "\" has neither sso_account_id nor sso_role_name");
  }

  // The keys after merging the session in, as botocore's resolved_config.
  std::vector<std::pair<std::string, std::string>> resolved;  // key → value
  auto value_of = [&](const char* key) -> std::optional<std::string> {
    for (const auto& [k, v] : resolved) {
      if (EqualsIgnoreCase(k, key))
        return IsBlankValue(v) ? std::nullopt : std::optional<std::string>(v);
    }
    return NonBlank(profile, key);
  };

  SsoSettings settings;
  settings.profile_name = name;
  std::optional<std::string> session_name = NonBlank(profile, "sso_session");
  std::string location;  // where the keys came from, for messages
  if (session_name) {
    std::string session_where = profile.Where("sso_session");
    auto it = config_file.sso_sessions.find(*session_name);
    if (it == config_file.sso_sessions.end()) {
      return InvalidConfigurationError("The specified sso-session does not exist: \"" +
                                       *session_name + "\" (sso_session set at " + session_where +
                                       "; no [sso-session " + *session_name + "] section in " +
                                       std::string(config_path) + ")");
    }
    const ProfileSection& section = it->second;
    for (const ProfileProperty& property : section.properties) {
      std::optional<std::string> mine = profile.Get(property.key);
      if (mine && *mine != property.value) {
        return InvalidConfigurationError(
            "The value for " + property.key + " is inconsistent between profile (" + *mine +
            ") and sso-session (" + property.value + "). (profile: " + profile.Where(property.key) +
            "; sso-session: " + At(config_path, property.line) + ")");
      }
      resolved.emplace_back(property.key, property.value);
    }
    settings.session_name = *session_name;
    location = "profile at " + profile.Where("sso_session") + ", [sso-session " + *session_name +
               "] at " + At(config_path, section.line);
    settings.where = "sso_session " + *session_name + " (" + session_where + "), [sso-session " +
                     *session_name + "] at " + At(config_path, section.line);
  } else {
    std::string where = profile.Where("sso_account_id");
    if (where.empty()) where = profile.Where("sso_role_name");
    location = "profile at " + where;
    settings.where = "legacy SSO profile (" + where + ")";
  }

  std::vector<std::string> missing;
  auto take = [&](const char* key, std::string* out) {
    std::optional<std::string> v = value_of(key);
    if (v) {
      *out = *v;
    } else {
      missing.push_back(key);
    }
  };
  take("sso_role_name", &settings.role_name);
  take("sso_account_id", &settings.account_id);
  take("sso_start_url", &settings.start_url);
  take("sso_region", &settings.region);
  if (!missing.empty()) {
    std::string list;
    for (const std::string& key : missing) list += (list.empty() ? "" : ", ") + key;
    return InvalidConfigurationError("The profile \"" + name +
                                     "\" is configured to use SSO but is missing required "
                                     "configuration: " +
                                     list + " (" + location + ")");
  }
  settings.registration_scopes = value_of("sso_registration_scopes");
  return settings;
}

StatusOr<SsoSettings> ResolveSsoSettings(const ProfileConfig& config) {
  return ResolveSsoSettings(config, config.config_file(), config.config_path());
}

}  // namespace chantless
