// The redactor (rules in redact.h).
#include "replay/redact.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <functional>

#include "nlohmann/json.hpp"
#include "replay/secret_scan.h"
#include "resolver/core/ascii.h"

namespace chantless {
namespace replay {
namespace {

using ordered_json = nlohmann::ordered_json;

constexpr size_t kMinSubstringSecret = 8;

std::string Counter(int n, size_t width) {
  std::string digits = std::to_string(n);
  if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
  return digits;
}

std::string PadTo(std::string s, size_t length) {
  if (s.size() < length) s.append(length - s.size(), 'A');
  return s;
}

bool IsTokenPut(const CapturedExchange& e) {
  return e.method == "PUT" && e.path.rfind("/latest/api/token", 0) == 0 && e.status == 200;
}

// The 12-digit account ids inside ARNs in `text` ("arn:aws:iam::123456789012:role/x").
std::vector<std::string> ArnAccounts(std::string_view text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while ((pos = text.find("arn:", pos)) != std::string_view::npos) {
    // arn:partition:service:region:account:resource
    size_t field_start = pos;
    size_t colons = 0;
    size_t i = pos;
    for (; i < text.size() && colons < 4; ++i) {
      char c = text[i];
      if (c == ':') {
        ++colons;
        field_start = i + 1;
      } else if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-')) {
        break;
      }
    }
    if (colons == 4 && field_start + 12 <= text.size()) {
      std::string_view account = text.substr(field_start, 12);
      bool digits =
          std::all_of(account.begin(), account.end(), [](char c) { return c >= '0' && c <= '9'; });
      bool ends = field_start + 12 == text.size() || text[field_start + 12] == ':';
      if (digits && ends) out.emplace_back(account);
    }
    pos += 4;
  }
  return out;
}

}  // namespace

Redactor::Redactor(RedactOptions options) : options_(std::move(options)) {}

bool Redactor::IsUserHeader(std::string_view name) const {
  for (const std::string& h : options_.header_names) {
    if (EqualsIgnoreCase(h, name)) return true;
  }
  return false;
}

std::string Redactor::MakePlaceholder(const std::string& value, Kind kind) {
  int n = ++counters_[kind];
  switch (kind) {
    case Kind::kAccessKeyId: {
      std::string prefix = value.rfind("AKIA", 0) == 0 ? "AKIA" : "ASIA";
      return prefix + "REDACTED" + Counter(n, 8);
    }
    case Kind::kSecretKey:
      return "REDACTED/SECRET/ACCESS/KEY/" + Counter(n, 13);
    case Kind::kSessionToken:
      return PadTo("REDACTEDSESSIONTOKEN" + Counter(n, 4), value.size());
    case Kind::kImdsToken:
      return PadTo("REDACTEDIMDSTOKEN" + Counter(n, 4), value.size());
    case Kind::kAuthorization: {
      std::string scheme;
      for (const char* s : {"Bearer ", "Basic "}) {
        if (value.rfind(s, 0) == 0) scheme = s;
      }
      return scheme + "REDACTED-AUTHORIZATION-" + Counter(n, 4);
    }
    case Kind::kSignature:
      return PadTo("REDACTEDSIGNATURE" + Counter(n, 4), value.size());
    case Kind::kBearerToken:
      return "REDACTED-BEARER-TOKEN-" + Counter(n, 4);
    case Kind::kJwt: {
      size_t last_dot = value.rfind('.');
      return value.substr(0, last_dot + 1) + "REDACTEDJWTSIGNATURE" + Counter(n, 4);
    }
    case Kind::kAccount:
      return Counter(n, 12);
    case Kind::kOther:
      return "REDACTED-" + Counter(n, 4);
  }
  return "REDACTED";
}

void Redactor::Register(const std::string& value, Kind kind) {
  if (value.empty() || placeholders_.count(value) > 0) return;
  // Already a placeholder (a transcript redacted before) or a replay template: keep it.
  if (value.find("REDACTED") != std::string::npos || value.rfind("{{", 0) == 0) return;
  // An "Authorization: Bearer <token>" learns the bare token too, so it is caught elsewhere.
  if (kind == Kind::kAuthorization) {
    for (const char* scheme : {"Bearer ", "Basic "}) {
      if (value.rfind(scheme, 0) == 0 && value.size() > std::string(scheme).size()) {
        Register(value.substr(std::string(scheme).size()), Kind::kOther);
      }
    }
  }
  placeholders_[value] = MakePlaceholder(value, kind);
  if (value.size() >= kMinSubstringSecret) {
    by_length_.insert(std::upper_bound(by_length_.begin(), by_length_.end(), value,
                                       [](const std::string& a, const std::string& b) {
                                         return a.size() > b.size();
                                       }),
                      value);
  }
}

void Redactor::LearnText(std::string_view text) {
  for (const SecretSpan& span : FindSecretsInText(text)) {
    Kind kind = Kind::kOther;
    switch (span.kind) {
      case SecretKind::kAccessKeyId:
        kind = Kind::kAccessKeyId;
        break;
      case SecretKind::kSecretAccessKey:
        kind = Kind::kSecretKey;
        break;
      case SecretKind::kSessionToken:
        kind = Kind::kSessionToken;
        break;
      case SecretKind::kImdsToken:
        kind = Kind::kImdsToken;
        break;
      case SecretKind::kAuthorization:
        kind = Kind::kAuthorization;
        break;
      case SecretKind::kBearerToken:
        kind = Kind::kBearerToken;
        break;
      case SecretKind::kWebIdentityToken:
        kind = Kind::kJwt;
        break;
    }
    Register(std::string(text.substr(span.offset, span.length)), kind);
  }
  if (options_.redact_account) {
    for (const std::string& account : ArnAccounts(text)) Register(account, Kind::kAccount);
  }
}

namespace {

// "AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, SignedHeaders=…,
// Signature=hex": the key id and the signature, or false when `value` is not SigV4.
bool SplitSigV4Authorization(std::string_view value, std::string* key_id, std::string* signature) {
  constexpr std::string_view kScheme = "AWS4-HMAC-SHA256 ";
  if (value.substr(0, kScheme.size()) != kScheme) return false;
  size_t credential = value.find("Credential=");
  size_t sig = value.find("Signature=");
  if (credential == std::string_view::npos || sig == std::string_view::npos) return false;
  size_t key_begin = credential + std::string_view("Credential=").size();
  size_t key_end = value.find('/', key_begin);
  if (key_end == std::string_view::npos) return false;
  *key_id = std::string(value.substr(key_begin, key_end - key_begin));
  size_t sig_begin = sig + std::string_view("Signature=").size();
  size_t sig_end = value.find_first_of(", ", sig_begin);
  *signature = std::string(value.substr(
      sig_begin, sig_end == std::string_view::npos ? std::string_view::npos : sig_end - sig_begin));
  return !key_id->empty() && !signature->empty();
}

}  // namespace

void Redactor::LearnHeaders(const HttpHeaders& headers) {
  for (const auto& [name, value] : headers) {
    std::string key_id;
    std::string signature;
    if (EqualsIgnoreCase(name, "authorization") &&
        SplitSigV4Authorization(value, &key_id, &signature)) {
      Register(key_id, Kind::kAccessKeyId);
      Register(signature, Kind::kSignature);
    } else if (EqualsIgnoreCase(name, "authorization")) {
      Register(value, Kind::kAuthorization);
    } else if (EqualsIgnoreCase(name, "x-amz-sso_bearer_token")) {
      Register(value, Kind::kBearerToken);
    } else if (EqualsIgnoreCase(name, "x-aws-ec2-metadata-token")) {
      Register(value, Kind::kImdsToken);
    } else if (EqualsIgnoreCase(name, "x-amz-security-token")) {
      Register(value, Kind::kSessionToken);
    } else if (IsUserHeader(name)) {
      Register(value, Kind::kOther);
    } else {
      LearnText(value);
    }
  }
}

void Redactor::LearnBody(const std::string& body) {
  if (body.empty()) return;
  ordered_json doc = ordered_json::parse(body, nullptr, false);
  if (!doc.is_discarded()) {
    std::function<void(const ordered_json&)> walk = [&](const ordered_json& node) {
      if (node.is_array()) {
        for (const ordered_json& child : node) walk(child);
        return;
      }
      if (!node.is_object()) return;
      for (auto it = node.begin(); it != node.end(); ++it) {
        const ordered_json& v = it.value();
        if (!v.is_string()) {
          if (options_.redact_account && v.is_number_unsigned() &&
              EqualsIgnoreCase(it.key(), "accountid")) {
            Register(v.dump(), Kind::kAccount);
          }
          walk(v);
          continue;
        }
        const std::string& s = v.get_ref<const std::string&>();
        std::string key = AsciiLower(it.key());
        if (key == "accesskeyid") {
          Register(s, Kind::kAccessKeyId);
        } else if (key == "secretaccesskey") {
          Register(s, Kind::kSecretKey);
        } else if (key == "token" || key == "sessiontoken") {
          Register(s, Kind::kSessionToken);
        } else if (key == "accesstoken" || key == "refreshtoken" || key == "clientsecret") {
          Register(s, Kind::kBearerToken);
        } else if (key == "webidentitytoken") {
          Register(s, Kind::kJwt);
        } else if (options_.redact_account && key == "accountid") {
          Register(s, Kind::kAccount);
        } else if (std::any_of(options_.json_keys.begin(), options_.json_keys.end(),
                               [&](const std::string& k) { return AsciiLower(k) == key; })) {
          Register(s, Kind::kOther);
        }
      }
    };
    walk(doc);
  }
  // Whatever the structure, secret-shaped text anywhere in the body (also not JSON, not UTF-8).
  LearnText(body);
}

void Redactor::Learn(const CapturedExchange& exchange) {
  LearnHeaders(exchange.request_headers);
  LearnHeaders(exchange.response_headers);
  if (IsTokenPut(exchange)) {
    Register(std::string(StripAsciiWhitespace(exchange.response_body, kAsciiWhitespace)),
             Kind::kImdsToken);
  }
  LearnBody(exchange.request_body);
  LearnBody(exchange.response_body);
  LearnText(exchange.path);
}

std::string Redactor::ReplaceKnown(std::string_view text) const {
  std::string out(text);
  auto exact = placeholders_.find(out);
  if (exact != placeholders_.end()) return exact->second;
  for (const std::string& secret : by_length_) {
    const std::string& placeholder = placeholders_.at(secret);
    size_t pos = 0;
    while ((pos = out.find(secret, pos)) != std::string::npos) {
      out.replace(pos, secret.size(), placeholder);
      pos += placeholder.size();
    }
  }
  return out;
}

void Redactor::ApplyHeaders(HttpHeaders* headers) const {
  for (auto& [name, value] : *headers) value = ReplaceKnown(value);
}

bool Redactor::ApplyBody(std::string* body) const {
  if (body->empty()) return false;
  ordered_json doc = ordered_json::parse(*body, nullptr, false);
  if (!doc.is_discarded() && (doc.is_object() || doc.is_array())) {
    bool changed = false;
    std::function<void(ordered_json&)> walk = [&](ordered_json& node) {
      if (node.is_array() || node.is_object()) {
        for (auto it = node.begin(); it != node.end(); ++it) walk(it.value());
      } else if (node.is_string()) {
        std::string replaced = ReplaceKnown(node.get_ref<const std::string&>());
        if (replaced != node.get_ref<const std::string&>()) {
          node = replaced;
          changed = true;
        }
      } else if (node.is_number_unsigned()) {
        auto it = placeholders_.find(node.dump());
        if (it != placeholders_.end()) {
          node = it->second;
          changed = true;
        }
      }
    };
    walk(doc);
    if (!changed) return false;
    bool pretty = body->find('\n') != std::string::npos;
    bool trailing_newline = body->back() == '\n';
    *body = doc.dump(pretty ? 2 : -1, ' ', false, ordered_json::error_handler_t::replace);
    if (trailing_newline) *body += '\n';
    return true;
  }
  std::string replaced = ReplaceKnown(*body);
  if (replaced == *body) return false;
  *body = std::move(replaced);
  return true;
}

void Redactor::Apply(CapturedExchange* exchange) const {
  exchange->path = ReplaceKnown(exchange->path);
  ApplyHeaders(&exchange->request_headers);
  ApplyHeaders(&exchange->response_headers);
  auto fix_length = [](HttpHeaders* headers, const std::string& body) {
    for (auto& [name, value] : *headers) {
      if (EqualsIgnoreCase(name, "content-length")) value = std::to_string(body.size());
    }
  };
  if (ApplyBody(&exchange->request_body)) {
    fix_length(&exchange->request_headers, exchange->request_body);
  }
  if (ApplyBody(&exchange->response_body)) {
    fix_length(&exchange->response_headers, exchange->response_body);
  }
}

void Redactor::RedactAll(std::vector<CapturedExchange>* exchanges) {
  for (const CapturedExchange& e : *exchanges) Learn(e);
  for (CapturedExchange& e : *exchanges) Apply(&e);
}

}  // namespace replay
}  // namespace chantless
