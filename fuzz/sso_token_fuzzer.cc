// Fuzz target: the SSO token cache file (resolver/sso/sso_token.h): ParseSsoToken and the
// write-back renderer RenderRefreshedSsoToken.
//
// Properties (a broken one traps): a parsed token has a non-empty access token and every optional
// field present is non-empty; rendering a refresh of it succeeds, and parsing the result gives the
// new access token, the new expiresAt (whole seconds), the new refreshToken or else the old one,
// and every other field unchanged; a rejected file is kInvalidConfiguration and its message names
// the path but holds none of the file's secret values (accessToken, refreshToken, clientSecret).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nlohmann/json.hpp"
#include "resolver/sso/sso_token.h"

namespace {

constexpr char kPath[] = "/fuzz/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json";

// The secret string members of `text` (any casing of the key) carrying the canary "EXAMPLE" (the
// seeds' and dictionary's fake secrets).
std::vector<std::string> Secrets(std::string_view text) {
  std::vector<std::string> out;
  auto parsed = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return out;
  for (auto it = parsed.begin(); it != parsed.end(); ++it) {
    std::string key = it.key();
    for (char& c : key) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (key != "accesstoken" && key != "refreshtoken" && key != "clientsecret") continue;
    const std::string* value = it.value().get_ptr<const std::string*>();
    if (value != nullptr && value->find("EXAMPLE") != std::string::npos) out.push_back(*value);
  }
  return out;
}

bool SameOptionalSecret(const std::optional<chantless::Secret>& a,
                        const std::optional<chantless::Secret>& b) {
  return a.has_value() == b.has_value() && (!a || *a == *b);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto token = chantless::ParseSsoToken(text, kPath);
  if (!token.ok()) {
    if (token.status().code() != chantless::StatusCode::kInvalidConfiguration) __builtin_trap();
    const std::string& message = token.status().message();
    if (message.rfind(kPath, 0) != 0) __builtin_trap();
    for (const std::string& secret : Secrets(text)) {
      if (message.find(secret) != std::string::npos) __builtin_trap();
    }
    return 0;
  }
  if (token->access_token.empty()) __builtin_trap();
  if (token->refresh_token && token->refresh_token->empty()) __builtin_trap();
  if (token->client_secret && token->client_secret->empty()) __builtin_trap();
  if (token->client_id && token->client_id->empty()) __builtin_trap();

  // A refresh that moves expiresAt by a fraction of a second and, on odd sizes, returns a new
  // refresh token.
  chantless::SsoTokenRefresh refresh;
  refresh.access_token = chantless::Secret("freshAccessTokenEXAMPLE");
  refresh.expires_at = token->expires_at;
  if (size % 2 == 1) refresh.refresh_token = chantless::Secret("freshRefreshTokenEXAMPLE");
  auto rendered = chantless::RenderRefreshedSsoToken(text, refresh, kPath);
  if (!rendered.ok()) __builtin_trap();
  auto back = chantless::ParseSsoToken(*rendered, kPath);
  if (!back.ok()) __builtin_trap();
  if (back->access_token != refresh.access_token) __builtin_trap();
  if (back->expires_at != std::chrono::floor<std::chrono::seconds>(token->expires_at)) {
    __builtin_trap();
  }
  const auto& expected_refresh =
      refresh.refresh_token ? refresh.refresh_token : token->refresh_token;
  if (!SameOptionalSecret(back->refresh_token, expected_refresh)) __builtin_trap();
  if (back->client_id != token->client_id) __builtin_trap();
  if (!SameOptionalSecret(back->client_secret, token->client_secret)) __builtin_trap();
  if (back->registration_expires_at != token->registration_expires_at) __builtin_trap();
  if (back->region != token->region || back->start_url != token->start_url) __builtin_trap();
  return 0;
}
