// Fuzz target: the SSO wire formats (resolver/sso/sso_api.h): the GetRoleCredentials and
// SSO-OIDC CreateToken reply decoders, and the query encoding of GetRoleCredentials.
//
// Properties (a broken one traps): a decoded reply never has an empty field (access key id,
// secret key, session token; access token, token type, and the optional refresh and id tokens when
// present) and CreateToken's expiresIn is positive; a rejected reply is kInvalidResponse and its
// message holds none of the reply's string values that carry the canary "EXAMPLE"; the encoded
// query holds only unreserved characters and %XX escapes and decodes back to the input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nlohmann/json.hpp"
#include "resolver/sso/sso_api.h"

namespace {

// Every string value (at any depth) of `body` carrying the canary.
void CollectSecrets(const nlohmann::json& value, std::vector<std::string>* out) {
  if (const std::string* s = value.get_ptr<const std::string*>()) {
    if (s->find("EXAMPLE") != std::string::npos) out->push_back(*s);
    return;
  }
  if (value.is_structured()) {
    for (const auto& child : value) CollectSecrets(child, out);
  }
}

void CheckRejected(const chantless::Status& status, const std::vector<std::string>& secrets) {
  if (status.code() != chantless::StatusCode::kInvalidResponse) __builtin_trap();
  for (const std::string& secret : secrets) {
    if (status.message().find(secret) != std::string::npos) __builtin_trap();
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> secrets;
  auto parsed = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (!parsed.is_discarded()) CollectSecrets(parsed, &secrets);

  auto role = chantless::DecodeGetRoleCredentialsResponse(text);
  if (role.ok()) {
    if (role->access_key_id.empty() || role->secret_access_key.empty() ||
        role->session_token.empty()) {
      __builtin_trap();
    }
  } else {
    CheckRejected(role.status(), secrets);
  }

  auto token = chantless::DecodeCreateTokenResponse(text);
  if (token.ok()) {
    if (token->access_token.empty() || token->token_type.empty()) __builtin_trap();
    if (token->expires_in.count() <= 0) __builtin_trap();
    if (token->refresh_token && token->refresh_token->empty()) __builtin_trap();
    if (token->id_token && token->id_token->empty()) __builtin_trap();
  } else {
    CheckRejected(token.status(), secrets);
  }

  std::string encoded = chantless::PercentEncodeQueryValue(text);
  std::string decoded;
  for (size_t i = 0; i < encoded.size(); ++i) {
    char c = encoded[i];
    if (c == '%') {
      if (i + 2 >= encoded.size()) __builtin_trap();
      int hi = HexValue(encoded[i + 1]), lo = HexValue(encoded[i + 2]);
      if (hi < 0 || lo < 0) __builtin_trap();
      decoded.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.' || c == '~') {
      decoded.push_back(c);
    } else {
      __builtin_trap();
    }
  }
  if (decoded != text) __builtin_trap();
  return 0;
}
