// GetRoleCredentials and CreateToken: request builders and reply decoders (rules in sso_api.h).
#include "resolver/sso/sso_api.h"

#include <cmath>

#include "nlohmann/json.hpp"
#include "resolver/cli_cache/python_json.h"
#include "resolver/cli_cache/sha1.h"
#include "resolver/core/ascii.h"

namespace chantless {
namespace {

using json = nlohmann::json;

// The last millisecond a WallTime can hold (libstdc++ counts nanoseconds in 64 bits: 2262-04-11).
constexpr int64_t kMaxEpochMillis =
    std::chrono::duration_cast<std::chrono::milliseconds>(WallTime::duration::max()).count() - 1;
constexpr int64_t kMaxExpiresInSeconds = int64_t{10} * 366 * 24 * 3600;

StatusOr<json> ParseObject(std::string_view body, const char* what) {
  json parsed = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return InvalidResponseError(std::string(what) + ": not valid JSON");
  if (!parsed.is_object()) {
    return InvalidResponseError(std::string(what) + ": expected a JSON object, got a " +
                                parsed.type_name());
  }
  return parsed;
}

struct Decoder {
  const json& object;
  const char* what;

  Status Fail(const std::string& why) const {
    return InvalidResponseError(std::string(what) + ": " + why);
  }

  Status String(const char* key, bool required, std::optional<std::string>* out) const {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
      return required ? Fail(std::string("field \"") + key + "\" is missing") : OkStatus();
    }
    const std::string* text = it->get_ptr<const std::string*>();
    if (text == nullptr) {
      return Fail(std::string("field \"") + key + "\" is a " + it->type_name() +
                  ", expected a string");
    }
    if (text->empty()) return Fail(std::string("field \"") + key + "\" is empty");
    *out = *text;
    return OkStatus();
  }

  // An integer in [min, max]; a float with no fractional part counts.
  Status Integer(const char* key, int64_t min, int64_t max, int64_t* out) const {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
      return Fail(std::string("field \"") + key + "\" is missing");
    }
    std::string range = "[" + std::to_string(min) + ", " + std::to_string(max) + "]";
    if (it->is_number_integer() && !it->is_number_unsigned()) {
      int64_t v = it->get<int64_t>();
      if (v < min || v > max) return Fail(std::string("field \"") + key + "\" is outside " + range);
      *out = v;
      return OkStatus();
    }
    if (it->is_number_unsigned()) {
      uint64_t v = it->get<uint64_t>();
      if (v > static_cast<uint64_t>(max) || static_cast<int64_t>(v) < min) {
        return Fail(std::string("field \"") + key + "\" is outside " + range);
      }
      *out = static_cast<int64_t>(v);
      return OkStatus();
    }
    if (it->is_number_float()) {
      double v = it->get<double>();
      if (!std::isfinite(v) || v != std::floor(v)) {
        return Fail(std::string("field \"") + key + "\" is not a whole number");
      }
      if (v < static_cast<double>(min) || v > static_cast<double>(max)) {
        return Fail(std::string("field \"") + key + "\" is outside " + range);
      }
      *out = static_cast<int64_t>(v);
      return OkStatus();
    }
    return Fail(std::string("field \"") + key + "\" is a " + it->type_name() +
                ", expected a number");
  }
};

}  // namespace

std::string PercentEncodeQueryValue(std::string_view value) { return PercentEncode(value); }

std::string GetRoleCredentialsPathAndQuery(std::string_view role_name,
                                           std::string_view account_id) {
  return "/federation/credentials?role_name=" + PercentEncodeQueryValue(role_name) +
         "&account_id=" + PercentEncodeQueryValue(account_id);
}

Credentials SsoRoleCredentials::ToCredentials(std::string account_id, std::string provider) const {
  Credentials c;
  c.access_key_id = access_key_id;
  c.secret_access_key = secret_access_key;
  c.session_token = session_token;
  c.expiration = expiration;
  if (!account_id.empty()) c.account_id = std::move(account_id);
  c.provider = std::move(provider);
  return c;
}

StatusOr<SsoRoleCredentials> DecodeGetRoleCredentialsResponse(std::string_view body) {
  constexpr char kWhat[] = "SSO GetRoleCredentials response";
  CHANTLESS_ASSIGN_OR_RETURN(json parsed, ParseObject(body, kWhat));
  auto role = parsed.find("roleCredentials");
  if (role == parsed.end() || role->is_null()) {
    return InvalidResponseError(std::string(kWhat) + ": field \"roleCredentials\" is missing");
  }
  if (!role->is_object()) {
    return InvalidResponseError(std::string(kWhat) + ": field \"roleCredentials\" is a " +
                                role->type_name() + ", expected an object");
  }
  Decoder d{*role, "SSO GetRoleCredentials response, roleCredentials"};
  std::optional<std::string> key_id, secret, token;
  int64_t millis = 0;
  CHANTLESS_RETURN_IF_ERROR(d.String("accessKeyId", true, &key_id));
  CHANTLESS_RETURN_IF_ERROR(d.String("secretAccessKey", true, &secret));
  CHANTLESS_RETURN_IF_ERROR(d.String("sessionToken", true, &token));
  CHANTLESS_RETURN_IF_ERROR(d.Integer("expiration", 0, kMaxEpochMillis, &millis));
  SsoRoleCredentials out;
  out.access_key_id = std::move(*key_id);
  out.secret_access_key = Secret(std::move(*secret));
  out.session_token = Secret(std::move(*token));
  out.expiration =
      WallTime(std::chrono::duration_cast<WallTime::duration>(std::chrono::milliseconds(millis)));
  return out;
}

std::string CreateTokenRefreshRequestBody(std::string_view client_id, const Secret& client_secret,
                                          const Secret& refresh_token) {
  return "{\"grantType\":\"refresh_token\",\"clientId\":" + PythonJsonString(client_id) +
         ",\"clientSecret\":" + PythonJsonString(client_secret.reveal()) +
         ",\"refreshToken\":" + PythonJsonString(refresh_token.reveal()) + "}";
}

StatusOr<SsoOidcToken> DecodeCreateTokenResponse(std::string_view body) {
  constexpr char kWhat[] = "SSO-OIDC CreateToken response";
  CHANTLESS_ASSIGN_OR_RETURN(json parsed, ParseObject(body, kWhat));
  Decoder d{parsed, kWhat};
  std::optional<std::string> access_token, token_type, refresh_token, id_token;
  int64_t expires_in = 0;
  CHANTLESS_RETURN_IF_ERROR(d.String("accessToken", true, &access_token));
  CHANTLESS_RETURN_IF_ERROR(d.Integer("expiresIn", 1, kMaxExpiresInSeconds, &expires_in));
  CHANTLESS_RETURN_IF_ERROR(d.String("tokenType", true, &token_type));
  CHANTLESS_RETURN_IF_ERROR(d.String("refreshToken", false, &refresh_token));
  CHANTLESS_RETURN_IF_ERROR(d.String("idToken", false, &id_token));
  SsoOidcToken out;
  out.access_token = Secret(std::move(*access_token));
  out.expires_in = std::chrono::seconds(expires_in);
  out.token_type = std::move(*token_type);
  if (refresh_token) out.refresh_token = Secret(std::move(*refresh_token));
  if (id_token) out.id_token = Secret(std::move(*id_token));
  return out;
}

}  // namespace chantless

namespace chantless {

std::string SsoCliCacheFileName(std::string_view account_id, std::string_view role_name,
                                std::string_view session_name, std::string_view start_url) {
  // Keys in sort_keys order: accountId < roleName < sessionName < startUrl.
  std::string args = "{\"accountId\":" + PythonJsonString(account_id) +
                     ",\"roleName\":" + PythonJsonString(role_name);
  if (!session_name.empty()) {
    args += ",\"sessionName\":" + PythonJsonString(session_name);
  } else {
    args += ",\"startUrl\":" + PythonJsonString(start_url);
  }
  args += "}";
  return Sha1Hex(args) + ".json";
}

}  // namespace chantless
