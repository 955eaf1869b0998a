// The SSO token cache file: key, parser, write-back, refresh decision, error texts (rules in
// sso_token.h).
#include "resolver/sso/sso_token.h"

#include <algorithm>
#include <cctype>

#include "nlohmann/json.hpp"
#include "resolver/cli_cache/cache_time.h"
#include "resolver/cli_cache/sha1.h"
#include "resolver/core/ascii.h"

namespace chantless {
namespace {

using ojson = nlohmann::ordered_json;

// The member named `key`: the exact spelling, else the first case-insensitive match in file order.
const ojson* FindKey(const ojson& object, std::string_view key) {
  auto exact = object.find(std::string(key));
  if (exact != object.end()) return &*exact;
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (EqualsIgnoreCase(it.key(), key)) return &it.value();
  }
  return nullptr;
}

struct TokenDecoder {
  const ojson& object;
  std::string_view path;

  Status Fail(const std::string& why) const {
    return InvalidConfigurationError(std::string(path) + ": SSO token file is invalid: " + why);
  }

  // *out set when the field is a non-empty string; absent, null or "" leave it unset (an error
  // when required).
  Status String(const char* key, bool required, std::optional<std::string>* out) const {
    const ojson* value = FindKey(object, key);
    if (value == nullptr || value->is_null()) {
      return required ? Fail(std::string("field \"") + key + "\" is missing") : OkStatus();
    }
    const std::string* text = value->get_ptr<const std::string*>();
    if (text == nullptr) {
      return Fail(std::string("field \"") + key + "\" is a " + value->type_name() +
                  ", expected a string");
    }
    if (text->empty()) {
      return required ? Fail(std::string("field \"") + key + "\" is empty") : OkStatus();
    }
    *out = *text;
    return OkStatus();
  }

  Status Time(const char* key, bool required, std::optional<WallTime>* out) const {
    std::optional<std::string> text;
    CHANTLESS_RETURN_IF_ERROR(String(key, required, &text));
    if (!text) return OkStatus();
    StatusOr<WallTime> t = ParseCacheTimestamp(*text);
    if (!t.ok()) {
      return Fail(std::string("field \"") + key +
                  "\" is not a timestamp (expected …Z, …UTC or +00:00 forms)");
    }
    *out = *t;
    return OkStatus();
  }
};

std::string Minutes(std::chrono::seconds s) {
  auto count = s.count();
  if (count < 0) count = 0;
  if (count < 120) return std::to_string(count) + " s";
  return std::to_string(count / 60) + " min";
}

}  // namespace

std::string SsoTokenCacheKey(std::string_view session_name_or_start_url) {
  return Sha1Hex(session_name_or_start_url);
}

std::string SsoTokenCachePath(std::string_view cache_dir,
                              std::string_view session_name_or_start_url) {
  std::string path(cache_dir);
  if (path.empty() || path.back() != '/') path.push_back('/');
  path += SsoTokenCacheKey(session_name_or_start_url);
  path += ".json";
  return path;
}

StatusOr<SsoToken> ParseSsoToken(std::string_view text, std::string_view path) {
  ojson parsed = ojson::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return InvalidConfigurationError(std::string(path) +
                                     ": SSO token file is invalid: not valid JSON");
  }
  if (!parsed.is_object()) {
    return InvalidConfigurationError(std::string(path) +
                                     ": SSO token file is invalid: expected a JSON object, got a " +
                                     parsed.type_name());
  }
  TokenDecoder d{parsed, path};
  std::optional<std::string> access_token, refresh_token, client_secret;
  std::optional<WallTime> expires_at;
  SsoToken token;
  CHANTLESS_RETURN_IF_ERROR(d.String("accessToken", true, &access_token));
  CHANTLESS_RETURN_IF_ERROR(d.Time("expiresAt", true, &expires_at));
  CHANTLESS_RETURN_IF_ERROR(d.String("refreshToken", false, &refresh_token));
  CHANTLESS_RETURN_IF_ERROR(d.String("clientId", false, &token.client_id));
  CHANTLESS_RETURN_IF_ERROR(d.String("clientSecret", false, &client_secret));
  CHANTLESS_RETURN_IF_ERROR(d.Time("registrationExpiresAt", false, &token.registration_expires_at));
  CHANTLESS_RETURN_IF_ERROR(d.String("region", false, &token.region));
  CHANTLESS_RETURN_IF_ERROR(d.String("startUrl", false, &token.start_url));
  token.access_token = Secret(std::move(*access_token));
  token.expires_at = *expires_at;
  if (refresh_token) token.refresh_token = Secret(std::move(*refresh_token));
  if (client_secret) token.client_secret = Secret(std::move(*client_secret));
  return token;
}

StatusOr<std::string> RenderRefreshedSsoToken(std::string_view original_text,
                                              const SsoTokenRefresh& refresh,
                                              std::string_view path) {
  ojson parsed =
      ojson::parse(original_text.begin(), original_text.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return InvalidConfigurationError(std::string(path) +
                                     ": SSO token file is invalid: not a JSON object");
  }
  // Replace `key` in place when some casing of it is there (keeping its position), else append it;
  // drop any other casing.
  auto set = [&parsed](const char* key, const std::string& value) {
    ojson out = ojson::object();
    bool placed = false;
    for (auto it = parsed.begin(); it != parsed.end(); ++it) {
      if (EqualsIgnoreCase(it.key(), key)) {
        if (!placed) out[key] = value;
        placed = true;
      } else {
        out[it.key()] = it.value();
      }
    }
    if (!placed) out[key] = value;
    parsed = std::move(out);
  };
  set("accessToken", refresh.access_token.reveal());
  set("expiresAt", FormatRfc3339(refresh.expires_at));
  if (refresh.refresh_token) set("refreshToken", refresh.refresh_token->reveal());
  try {
    return parsed.dump(2) + "\n";
  } catch (const ojson::exception&) {
    return InvalidResponseError(
        std::string(path) + ": refreshed SSO token not written: a new value is not valid UTF-8");
  }
}

SsoRefreshVerdict DecideSsoRefresh(const SsoToken& token, const SsoRefreshInputs& inputs,
                                   WallTime now) {
  using std::chrono::duration_cast;
  using std::chrono::seconds;
  SsoRefreshVerdict verdict;
  verdict.usable = now < token.expires_at;
  seconds left = duration_cast<seconds>(token.expires_at - now);
  seconds window = kSsoRefreshMinimumWindow;
  std::string window_why = "the 5 min minimum";
  if (inputs.issued_at && *inputs.issued_at < token.expires_at) {
    seconds tenth = duration_cast<seconds>(token.expires_at - *inputs.issued_at) / 10;
    if (tenth > window) {
      window = tenth;
      window_why = "10 % of the token's lifetime";
    }
  }
  std::string state = verdict.usable ? "token expires in " + Minutes(left)
                                     : "token expired " + Minutes(-left) + " ago";
  if (!inputs.sso_session_profile) {
    verdict.decision = SsoRefreshDecision::kLegacyProfile;
    verdict.why = state + "; legacy SSO profile (no sso_session): its token cannot be refreshed";
    return verdict;
  }
  if (left >= window) {
    verdict.decision = SsoRefreshDecision::kFresh;
    verdict.why =
        state + ", not below the " + Minutes(window) + " refresh window (" + window_why + ")";
    return verdict;
  }
  state += ", below the " + Minutes(window) + " refresh window (" + window_why + ")";
  if (!token.refresh_token || !token.client_id || !token.client_secret) {
    verdict.decision = SsoRefreshDecision::kMissingRegistration;
    std::string missing;
    auto note = [&missing](bool absent, const char* name) {
      if (!absent) return;
      if (!missing.empty()) missing += ", ";
      missing += name;
    };
    note(!token.refresh_token, "refreshToken");
    note(!token.client_id, "clientId");
    note(!token.client_secret, "clientSecret");
    verdict.why = state + "; cannot refresh: the token file has no " + missing;
    return verdict;
  }
  if (!token.registration_expires_at || *token.registration_expires_at <= now) {
    verdict.decision = SsoRefreshDecision::kRegistrationExpired;
    verdict.why = state + (token.registration_expires_at
                               ? "; cannot refresh: the client registration has expired"
                               : "; cannot refresh: the token file has no registrationExpiresAt");
    return verdict;
  }
  if (inputs.last_attempt && now - *inputs.last_attempt < kSsoMinimumTimeBetweenRefreshes &&
      now >= *inputs.last_attempt) {
    verdict.decision = SsoRefreshDecision::kTooSoon;
    verdict.why = state + "; not refreshing: the last attempt was less than 30 s ago";
    return verdict;
  }
  verdict.decision = SsoRefreshDecision::kRefresh;
  verdict.why = state + "; refreshing with SSO-OIDC CreateToken";
  return verdict;
}

std::string SsoTokenErrorMessage(SsoTokenProblem problem, const SsoLoginHint& hint) {
  const bool session = hint.session_name.has_value();
  const std::string& subject = session ? *hint.session_name : hint.start_url;
  std::string message;
  switch (problem) {
    case SsoTokenProblem::kMissing:
      message = "Error loading SSO Token: Token for " + subject + " does not exist (no file " +
                hint.cache_path + ")";
      break;
    case SsoTokenProblem::kInvalid:
      message = "Error loading SSO Token: Token for " + subject + " is invalid (" +
                hint.cache_path + (hint.detail.empty() ? "" : ": " + hint.detail) + ")";
      break;
    case SsoTokenProblem::kExpired:
    case SsoTokenProblem::kUnauthorized:
      if (session && problem == SsoTokenProblem::kExpired) {
        message = "Error when retrieving token from sso: Token has expired and refresh failed";
      } else {
        message =
            "The SSO session associated with this profile has expired or is otherwise invalid";
      }
      break;
    case SsoTokenProblem::kRefreshFailed:
      message = "Error when retrieving token from sso: Token has expired and refresh failed";
      break;
  }
  if (problem != SsoTokenProblem::kMissing && problem != SsoTokenProblem::kInvalid) {
    message += " (token file " + hint.cache_path;
    if (hint.expires_at_seen) message += ", expiresAt " + *hint.expires_at_seen;
    if (problem == SsoTokenProblem::kUnauthorized) {
      message += "; the SSO portal answered 401 to GetRoleCredentials";
    }
    if (!hint.detail.empty()) message += "; " + hint.detail;
    message += ")";
  }
  message += ". To refresh this SSO session run: aws sso login ";
  message += session ? "--sso-session " + *hint.session_name : "--profile " + hint.profile_name;
  if (!session) {
    message +=
        " (this profile uses the legacy SSO configuration, whose token cannot be refreshed: only "
        "profiles with an sso_session and an [sso-session] section refresh without a new login)";
  }
  return message;
}

}  // namespace chantless
