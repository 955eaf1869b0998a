// Credential JSON decoders for IMDS and container endpoints (rules in credentials_json.h).
#include "resolver/http/credentials_json.h"

#include "nlohmann/json.hpp"
#include "resolver/core/time_util.h"

namespace chantless {
namespace {

using json = nlohmann::json;

enum class Need { kRequired, kOptional };

struct Decoder {
  const json& object;
  const char* what;  // "IMDS credentials response"

  Status Fail(const std::string& why) const {
    return InvalidResponseError(std::string(what) + ": " + why);
  }

  // Sets *out when the field is present as a string. Required and absent/empty → error.
  Status String(const char* key, Need need, std::optional<std::string>* out) const {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
      if (need == Need::kRequired) return Fail(std::string("field \"") + key + "\" is missing");
      return OkStatus();
    }
    if (!it->is_string()) {
      return Fail(std::string("field \"") + key + "\" is a " + it->type_name() +
                  ", expected a string");
    }
    const std::string& value = it->get_ref<const std::string&>();
    if (value.empty() && need == Need::kRequired) {
      return Fail(std::string("field \"") + key + "\" is empty");
    }
    *out = value;
    return OkStatus();
  }

  Status Time(const char* key, Need need, std::optional<WallTime>* out) const {
    std::optional<std::string> text;
    CHANTLESS_RETURN_IF_ERROR(String(key, need, &text));
    if (!text) return OkStatus();
    if (text->empty()) {
      if (need == Need::kRequired) return Fail(std::string("field \"") + key + "\" is empty");
      return OkStatus();
    }
    StatusOr<WallTime> t = ParseRfc3339(*text);
    if (!t.ok()) return Fail(std::string("field \"") + key + "\": " + t.status().message());
    *out = *t;
    return OkStatus();
  }
};

StatusOr<json> ParseObject(std::string_view body, const char* what) {
  json parsed;
  try {
    parsed = json::parse(body.begin(), body.end());
  } catch (const json::parse_error& e) {
    return InvalidResponseError(std::string(what) + ": not valid JSON (error at byte " +
                                std::to_string(e.byte) + " of " + std::to_string(body.size()) +
                                ")");
  } catch (const std::exception&) {
    return InvalidResponseError(std::string(what) + ": not valid JSON");
  }
  if (!parsed.is_object()) {
    return InvalidResponseError(std::string(what) + ": expected a JSON object, got a " +
                                parsed.type_name());
  }
  return parsed;
}

// An error code worth quoting: 2–48 ASCII letters starting upper-case ("AssumeRoleUnauthorized
// Access"), sharing no text with any other string field of the body (which may be a key or a
// token).
bool IsQuotableCode(const std::string& code, const json& parsed) {
  if (code.size() < 2 || code.size() > 48 || !(code[0] >= 'A' && code[0] <= 'Z')) return false;
  for (char c : code) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
  }
  for (auto it = parsed.begin(); it != parsed.end(); ++it) {
    if (it.key() == "Code") continue;
    const std::string* value = it.value().get_ptr<const std::string*>();
    if (value == nullptr) continue;
    // Either way round: a key or token inside Code, or Code inside a key or token.
    if (value->find(code) != std::string::npos) return false;
    if (value->size() >= 4 && code.find(*value) != std::string::npos) return false;
  }
  return true;
}

StatusOr<DecodedCredentials> Decode(std::string_view body, const char* what, Need token_need,
                                    Need expiration_need) {
  CHANTLESS_ASSIGN_OR_RETURN(json parsed, ParseObject(body, what));
  Decoder d{parsed, what};
  DecodedCredentials out;
  CHANTLESS_RETURN_IF_ERROR(d.String("Code", Need::kOptional, &out.code));
  CHANTLESS_RETURN_IF_ERROR(d.String("Message", Need::kOptional, &out.message));
  if (out.code && *out.code != "Success") {
    // Code and Message are the endpoint's words, but a broken or hostile endpoint can put anything
    // there, secrets included. Quote Code only when it looks like an error code (CamelCase, no
    // digits or symbols) and equals no other string in the body; never quote Message.
    std::string why = IsQuotableCode(*out.code, parsed)
                          ? "Code is \"" + *out.code + "\", not \"Success\""
                          : "Code is not \"Success\"";
    if (out.message)
      why += " (the endpoint sent a Message of " + std::to_string(out.message->size()) + " bytes)";
    return InvalidResponseError(std::string(what) + ": " + why);
  }
  std::optional<std::string> key_id, secret, token;
  CHANTLESS_RETURN_IF_ERROR(d.String("AccessKeyId", Need::kRequired, &key_id));
  CHANTLESS_RETURN_IF_ERROR(d.String("SecretAccessKey", Need::kRequired, &secret));
  CHANTLESS_RETURN_IF_ERROR(d.String("Token", token_need, &token));
  CHANTLESS_RETURN_IF_ERROR(d.Time("Expiration", expiration_need, &out.expiration));
  CHANTLESS_RETURN_IF_ERROR(d.Time("LastUpdated", Need::kOptional, &out.last_updated));
  CHANTLESS_RETURN_IF_ERROR(d.String("Type", Need::kOptional, &out.type));
  CHANTLESS_RETURN_IF_ERROR(d.String("AccountId", Need::kOptional, &out.account_id));
  CHANTLESS_RETURN_IF_ERROR(d.String("RoleArn", Need::kOptional, &out.role_arn));
  if (out.account_id && out.account_id->empty()) out.account_id.reset();
  if (out.role_arn && out.role_arn->empty()) out.role_arn.reset();
  out.access_key_id = std::move(*key_id);
  out.secret_access_key = Secret(std::move(*secret));
  if (token) out.token = Secret(std::move(*token));
  return out;
}

}  // namespace

Credentials DecodedCredentials::ToCredentials(std::string provider) const {
  Credentials c;
  c.access_key_id = access_key_id;
  c.secret_access_key = secret_access_key;
  c.session_token = token;
  c.expiration = expiration;
  c.account_id = account_id;
  if (account_id) c.account_id_source = provider + " response";
  c.provider = std::move(provider);
  return c;
}

StatusOr<DecodedCredentials> DecodeImdsCredentials(std::string_view body) {
  return Decode(body, "IMDS credentials response", Need::kRequired, Need::kRequired);
}

StatusOr<DecodedCredentials> DecodeContainerCredentials(std::string_view body) {
  return Decode(body, "container credentials response", Need::kOptional, Need::kOptional);
}

}  // namespace chantless
