// The secret scanner (rules in secret_scan.h).
#include "replay/secret_scan.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <optional>

#include "nlohmann/json.hpp"
#include "replay/base64.h"
#include "resolver/core/ascii.h"

namespace chantless {
namespace replay {
namespace {

using json = nlohmann::json;

constexpr size_t kKeyIdLength = 20;
constexpr size_t kSecretKeyLength = 40;
constexpr size_t kMinSessionTokenLength = 100;
constexpr size_t kMinImdsTokenLength = 40;
constexpr size_t kMaxImdsTokenLength = 120;
// Shannon entropy (bits per character) a random string of these lengths comfortably exceeds.
constexpr double kMinKeyIdEntropy = 2.5;      // 16 characters from 32: ~3.4 expected
constexpr double kMinSecretKeyEntropy = 4.0;  // 40 characters from 64: ~4.9 expected

bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsUpper(c) || IsLower(c) || IsDigit(c); }
bool IsBase32Char(char c) { return IsUpper(c) || (c >= '2' && c <= '7'); }
bool IsBase64Char(char c) { return IsAlnum(c) || c == '+' || c == '/'; }
// Characters that may appear inside one token-like run (standard and url-safe base64).
bool IsRunChar(char c) { return IsBase64Char(c) || c == '=' || c == '_' || c == '-'; }

double Entropy(std::string_view s) {
  if (s.empty()) return 0;
  std::array<int, 256> counts{};
  for (char c : s) ++counts[static_cast<unsigned char>(c)];
  double h = 0;
  for (int n : counts) {
    if (n == 0) continue;
    double p = static_cast<double>(n) / static_cast<double>(s.size());
    h -= p * std::log2(p);
  }
  return h;
}

bool MixesClasses(std::string_view s) {
  bool upper = false, lower = false, digit = false;
  for (char c : s) {
    upper |= IsUpper(c);
    lower |= IsLower(c);
    digit |= IsDigit(c);
  }
  return upper && lower && digit;
}

// Access key ids inside one run: AKIA/ASIA + 16 base32 characters, not glued to other letters.
void FindKeyIds(std::string_view text, size_t begin, size_t end, std::vector<SecretSpan>* out) {
  for (size_t i = begin; i + kKeyIdLength <= end; ++i) {
    if (text.compare(i, 4, "AKIA") != 0 && text.compare(i, 4, "ASIA") != 0) continue;
    if (i > 0 && IsAlnum(text[i - 1])) continue;
    if (i + kKeyIdLength < text.size() && IsAlnum(text[i + kKeyIdLength])) continue;
    std::string_view candidate = text.substr(i, kKeyIdLength);
    if (!std::all_of(candidate.begin() + 4, candidate.end(), IsBase32Char)) continue;
    if (IsPlaceholderValue(candidate)) continue;
    if (Entropy(candidate.substr(4)) < kMinKeyIdEntropy) continue;
    out->push_back({SecretKind::kAccessKeyId, i, kKeyIdLength});
    i += kKeyIdLength - 1;
  }
}

bool Overlaps(const std::vector<SecretSpan>& spans, size_t first_index, size_t begin, size_t end) {
  for (size_t k = first_index; k < spans.size(); ++k) {
    if (spans[k].offset < end && begin < spans[k].offset + spans[k].length) return true;
  }
  return false;
}

void ScanRun(std::string_view text, size_t begin, size_t end, std::vector<SecretSpan>* out) {
  size_t first = out->size();
  FindKeyIds(text, begin, end, out);
  std::string_view run = text.substr(begin, end - begin);
  if (first == out->size() && run.size() >= kMinImdsTokenLength &&
      run.size() <= kMaxImdsTokenLength && run.compare(0, 3, "AQA") == 0 &&
      !IsPlaceholderValue(run)) {
    out->push_back({SecretKind::kImdsToken, begin, run.size()});
    return;
  }
  // Secret keys and session tokens: sub-runs of the standard base64 alphabet ('=' padding kept
  // with session tokens).
  size_t i = begin;
  while (i < end) {
    if (!IsBase64Char(text[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < end && IsBase64Char(text[j])) ++j;
    size_t padded = j;
    while (padded < end && text[padded] == '=') ++padded;
    std::string_view sub = text.substr(i, j - i);
    if (!Overlaps(*out, first, i, j) && MixesClasses(sub) && !IsPlaceholderValue(sub)) {
      if (sub.size() == kSecretKeyLength && Entropy(sub) >= kMinSecretKeyEntropy) {
        out->push_back({SecretKind::kSecretAccessKey, i, sub.size()});
      } else if (sub.size() >= kMinSessionTokenLength) {
        out->push_back({SecretKind::kSessionToken, i, padded - i});
      }
    }
    i = padded;
  }
}

bool IsBase64UrlChar(char c) { return IsAlnum(c) || c == '-' || c == '_'; }

// A range of a text already accounted for by a structured rule (a JWT, an XML credential element):
// the run scan below does not look inside it again.
struct Covered {
  size_t begin;
  size_t end;
};

constexpr size_t kMinJwtSegment = 10;
constexpr size_t kMinJwtSignature = 16;

// JWTs: "eyJ<base64url>.eyJ<base64url>.<base64url>" not glued to other token characters. A JWT
// whose signature is a placeholder is covered but not reported.
void FindJwts(std::string_view text, std::vector<SecretSpan>* spans,
              std::vector<Covered>* covered) {
  size_t pos = 0;
  while ((pos = text.find("eyJ", pos)) != std::string_view::npos) {
    if (pos > 0 && (IsBase64UrlChar(text[pos - 1]) || text[pos - 1] == '.')) {
      pos += 3;
      continue;
    }
    size_t i = pos;
    size_t segment_start[3] = {0, 0, 0};
    size_t segment_length[3] = {0, 0, 0};
    int segments = 0;
    for (; segments < 3; ++segments) {
      segment_start[segments] = i;
      while (i < text.size() && IsBase64UrlChar(text[i])) ++i;
      segment_length[segments] = i - segment_start[segments];
      if (segments < 2) {
        if (i >= text.size() || text[i] != '.') break;
        ++i;
      }
    }
    bool shaped = segments == 3 && segment_length[0] >= kMinJwtSegment &&
                  segment_length[1] >= kMinJwtSegment &&
                  text.compare(segment_start[1], 3, "eyJ") == 0 &&
                  segment_length[2] >= kMinJwtSignature;
    if (!shaped) {
      pos += 3;
      continue;
    }
    covered->push_back({pos, i});
    std::string_view signature = text.substr(segment_start[2], segment_length[2]);
    if (!IsPlaceholderValue(signature)) {
      spans->push_back({SecretKind::kWebIdentityToken, pos, i - pos});
    }
    pos = i;
  }
}

// STS's <Credentials> children: the text between <Name> and </Name>, whatever its shape.
void FindXmlCredentials(std::string_view text, std::vector<SecretSpan>* spans,
                        std::vector<Covered>* covered) {
  static constexpr struct {
    const char* open;
    const char* close;
    SecretKind kind;
  } kElements[] = {
      {"<AccessKeyId>", "</AccessKeyId>", SecretKind::kAccessKeyId},
      {"<SecretAccessKey>", "</SecretAccessKey>", SecretKind::kSecretAccessKey},
      {"<SessionToken>", "</SessionToken>", SecretKind::kSessionToken},
  };
  for (const auto& element : kElements) {
    std::string_view open(element.open);
    size_t pos = 0;
    while ((pos = text.find(open, pos)) != std::string_view::npos) {
      size_t begin = pos + open.size();
      size_t end = text.find(element.close, begin);
      if (end == std::string_view::npos) break;
      std::string_view value =
          StripAsciiWhitespace(text.substr(begin, end - begin), kBlanksAndLineBreaks);
      if (!value.empty()) {
        size_t offset = static_cast<size_t>(value.data() - text.data());
        covered->push_back({offset, offset + value.size()});
        if (!IsPlaceholderValue(value)) spans->push_back({element.kind, offset, value.size()});
      }
      pos = end;
    }
  }
}

// Credential members (case-insensitive) whose value must be a placeholder whatever its shape.
std::optional<SecretKind> CredentialFieldKind(std::string_view key) {
  if (EqualsIgnoreCase(key, "accessToken") || EqualsIgnoreCase(key, "refreshToken") ||
      EqualsIgnoreCase(key, "clientSecret")) {
    return SecretKind::kBearerToken;
  }
  if (EqualsIgnoreCase(key, "WebIdentityToken")) return SecretKind::kWebIdentityToken;
  if (EqualsIgnoreCase(key, "AccessKeyId")) return SecretKind::kAccessKeyId;
  if (EqualsIgnoreCase(key, "SecretAccessKey")) return SecretKind::kSecretAccessKey;
  if (EqualsIgnoreCase(key, "Token") || EqualsIgnoreCase(key, "SessionToken")) {
    return SecretKind::kSessionToken;
  }
  return std::nullopt;
}

std::string ChildPath(const std::string& path, const std::string& key) {
  bool simple = !key.empty() &&
                std::all_of(key.begin(), key.end(), [](char c) { return IsAlnum(c) || c == '_'; });
  if (simple) return path + "." + key;
  return path + "[" + json(key).dump(-1, ' ', false, json::error_handler_t::replace) + "]";
}

class DocumentScanner {
 public:
  explicit DocumentScanner(std::string_view file) : file_(file) {}

  void Walk(const json& node, const std::string& path) {
    if (node.is_object()) {
      WalkObject(node, path);
    } else if (node.is_array()) {
      for (size_t i = 0; i < node.size(); ++i) Walk(node[i], path + "[" + std::to_string(i) + "]");
    } else if (node.is_string()) {
      ScanText(node.get_ref<const std::string&>(), path);
    }
  }

  void ScanText(std::string_view text, const std::string& path) {
    // A body that is itself JSON is walked, so credential fields are checked by name too.
    size_t first = text.find_first_not_of(kBlanksAndLineBreaks);
    if (first != std::string_view::npos && (text[first] == '{' || text[first] == '[') &&
        depth_ < kMaxDepth) {
      json inner = json::parse(text.begin(), text.end(), nullptr, false);
      if (!inner.is_discarded()) {
        ++depth_;
        Walk(inner, path + ":$");
        --depth_;
        return;
      }
    }
    for (const SecretSpan& span : FindSecretsInText(text)) {
      Add(path, span.kind, text.substr(span.offset, span.length));
    }
  }

  std::vector<Finding> TakeFindings() { return std::move(findings_); }

 private:
  void WalkObject(const json& object, const std::string& path) {
    // HAR and DVR headers: {"name": "Authorization", "value": "…"}.
    auto name = object.find("name");
    auto value = object.find("value");
    bool header_pair =
        name != object.end() && name->is_string() && value != object.end() && value->is_string();
    // HAR content: {"text": "…", "encoding": "base64"}.
    auto encoding = object.find("encoding");
    bool base64_text = encoding != object.end() && encoding->is_string() &&
                       encoding->get_ref<const std::string&>() == "base64";
    for (auto it = object.begin(); it != object.end(); ++it) {
      std::string child = ChildPath(path, it.key());
      const json& v = it.value();
      if (!v.is_string()) {
        Walk(v, child);
        continue;
      }
      const std::string& s = v.get_ref<const std::string&>();
      if (IsSecretHeaderName(it.key()) ||
          (header_pair && it.key() == "value" &&
           IsSecretHeaderName(name->get_ref<const std::string&>()))) {
        CheckHeaderValue(
            header_pair && it.key() == "value" ? name->get_ref<const std::string&>() : it.key(), s,
            child);
        continue;
      }
      if (std::optional<SecretKind> kind = CredentialFieldKind(it.key())) {
        if (!IsPlaceholderValue(s)) Add(child, *kind, s);
        continue;
      }
      if (it.key() == "body_base64" || (base64_text && it.key() == "text")) {
        if (std::optional<std::string> decoded = Base64Decode(s)) {
          ScanText(*decoded, child);
          continue;
        }
      }
      ScanText(s, child);
    }
  }

  void CheckHeaderValue(std::string_view header, std::string_view value, const std::string& path) {
    if (IsPlaceholderValue(value)) return;
    SecretKind kind = SecretKind::kAuthorization;
    if (EqualsIgnoreCase(header, "x-aws-ec2-metadata-token")) kind = SecretKind::kImdsToken;
    if (EqualsIgnoreCase(header, "x-amz-sso_bearer_token")) kind = SecretKind::kBearerToken;
    Add(path, kind, value);
  }

  void Add(const std::string& path, SecretKind kind, std::string_view value) {
    findings_.push_back({std::string(file_), path, kind, MaskSecret(kind, value)});
  }

  static constexpr int kMaxDepth = 8;
  std::string_view file_;
  std::vector<Finding> findings_;
  int depth_ = 0;
};

}  // namespace

std::string_view SecretKindName(SecretKind kind) {
  switch (kind) {
    case SecretKind::kAccessKeyId:
      return "access key id";
    case SecretKind::kSecretAccessKey:
      return "secret access key";
    case SecretKind::kSessionToken:
      return "session token";
    case SecretKind::kImdsToken:
      return "IMDS token";
    case SecretKind::kAuthorization:
      return "authorization header";
    case SecretKind::kBearerToken:
      return "bearer token";
    case SecretKind::kWebIdentityToken:
      return "web identity token";
  }
  return "secret";
}

std::vector<SecretSpan> FindSecretsInText(std::string_view text) {
  std::vector<SecretSpan> spans;
  std::vector<Covered> covered;
  FindJwts(text, &spans, &covered);
  FindXmlCredentials(text, &spans, &covered);
  std::sort(covered.begin(), covered.end(),
            [](const Covered& a, const Covered& b) { return a.begin < b.begin; });
  // Token-shaped runs outside the covered ranges.
  size_t next_covered = 0;
  size_t i = 0;
  while (i < text.size()) {
    while (next_covered < covered.size() && covered[next_covered].end <= i) ++next_covered;
    if (next_covered < covered.size() && covered[next_covered].begin <= i) {
      i = covered[next_covered].end;
      continue;
    }
    if (!IsRunChar(text[i])) {
      ++i;
      continue;
    }
    size_t limit = next_covered < covered.size() ? covered[next_covered].begin : text.size();
    size_t j = i;
    while (j < limit && IsRunChar(text[j])) ++j;
    if (j - i >= kKeyIdLength) ScanRun(text, i, j, &spans);
    i = j;
  }
  std::sort(spans.begin(), spans.end(),
            [](const SecretSpan& a, const SecretSpan& b) { return a.offset < b.offset; });
  return spans;
}

bool IsPlaceholderValue(std::string_view value) {
  if (value.empty()) return true;
  if (value.size() >= 4 && value.substr(0, 2) == "{{" && value.substr(value.size() - 2) == "}}") {
    return true;
  }
  return ContainsIgnoreCase(value, "EXAMPLE") || ContainsIgnoreCase(value, "REDACTED");
}

bool IsSecretHeaderName(std::string_view name) {
  return EqualsIgnoreCase(name, "authorization") ||
         EqualsIgnoreCase(name, "x-aws-ec2-metadata-token") ||
         EqualsIgnoreCase(name, "x-amz-security-token") ||
         EqualsIgnoreCase(name, "x-amz-sso_bearer_token");
}

std::string MaskSecret(SecretKind kind, std::string_view value) {
  std::string out;
  if (kind == SecretKind::kAccessKeyId && value.size() >= 4) out = std::string(value.substr(0, 4));
  out += "\xE2\x80\xA6 (" + std::to_string(value.size()) + " chars)";
  return out;
}

std::string Finding::ToString() const {
  return file + ": " + json_path + ": " + std::string(SecretKindName(kind)) + " " + masked;
}

std::vector<Finding> ScanDocument(std::string_view text, std::string_view file) {
  DocumentScanner scanner(file);
  json doc = json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded()) {
    scanner.ScanText(text, "$");
  } else {
    scanner.Walk(doc, "$");
  }
  return scanner.TakeFindings();
}

}  // namespace replay
}  // namespace chantless
