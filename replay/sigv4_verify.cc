// SigV4 verification for the replay (see sigv4_verify.h).
#include "replay/sigv4_verify.h"

#include <algorithm>
#include <optional>

#include "resolver/core/ascii.h"
#include "resolver/core/time_util.h"
#include "resolver/sigv4/sigv4_signer.h"

namespace chantless {
namespace replay {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

SigV4Result Refuse(std::string code, std::string reason) {
  return SigV4Result{false, std::move(code), std::move(reason)};
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t end = s.find(sep, start);
    out.emplace_back(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

bool LooksSecret(std::string_view lower_name) {
  return lower_name.find("token") != std::string_view::npos ||
         lower_name.find("secret") != std::string_view::npos ||
         lower_name.find("authorization") != std::string_view::npos ||
         lower_name.find("signature") != std::string_view::npos ||
         lower_name.find("password") != std::string_view::npos;
}

// The canonical request with the value of every secret-looking header replaced.
std::string RedactCanonical(const std::string& canonical) {
  std::vector<std::string> lines = Split(canonical, '\n');
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string line = lines[i];
    // Header lines sit between the query line (index 2) and the empty line.
    size_t colon = line.find(':');
    if (i >= 3 && colon != std::string::npos && LooksSecret(line.substr(0, colon))) {
      line = line.substr(0, colon + 1) + "<redacted>";
    }
    out += (i ? "\n" : "") + line;
  }
  return out;
}

struct Authorization {
  std::string access_key_id;
  std::string date, region, service, terminator;
  std::string signed_headers;
  std::string signature;
};

// Parses "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…"; nullopt with `why`.
std::optional<Authorization> ParseAuthorization(std::string_view value, std::string* why) {
  value = StripAsciiWhitespace(value);
  if (value.substr(0, kAlgorithm.size()) != kAlgorithm) {
    *why = "the Authorization header is not AWS4-HMAC-SHA256";
    return std::nullopt;
  }
  Authorization auth;
  std::optional<std::string> credential, signed_headers, signature;
  for (const std::string& part : Split(value.substr(kAlgorithm.size()), ',')) {
    std::string_view p = StripAsciiWhitespace(part);
    size_t eq = p.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view name = p.substr(0, eq);
    std::string v(p.substr(eq + 1));
    if (name == "Credential") credential = v;
    if (name == "SignedHeaders") signed_headers = v;
    if (name == "Signature") signature = v;
  }
  if (!credential || !signed_headers || !signature) {
    *why = "the Authorization header lacks Credential, SignedHeaders or Signature";
    return std::nullopt;
  }
  std::vector<std::string> scope = Split(*credential, '/');
  if (scope.size() != 5) {
    *why = "the credential scope is not <key id>/<date>/<region>/<service>/aws4_request";
    return std::nullopt;
  }
  auth.access_key_id = scope[0];
  auth.date = scope[1];
  auth.region = scope[2];
  auth.service = scope[3];
  auth.terminator = scope[4];
  auth.signed_headers = *signed_headers;
  auth.signature = *signature;
  return auth;
}

// "20240501T120000Z" → a time, or nullopt.
std::optional<WallTime> ParseAmzDate(const std::string& s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  for (size_t i = 0; i < 15; ++i) {
    if (i != 8 && (s[i] < '0' || s[i] > '9')) return std::nullopt;
  }
  std::string rfc = s.substr(0, 4) + "-" + s.substr(4, 2) + "-" + s.substr(6, 2) + "T" +
                    s.substr(9, 2) + ":" + s.substr(11, 2) + ":" + s.substr(13, 2) + "Z";
  StatusOr<WallTime> t = ParseRfc3339(rfc);
  if (!t.ok()) return std::nullopt;
  return *t;
}

std::string XmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// The signing input the request's signed headers, target, body, date and scope describe, and
// the X-Amz-Security-Token it signed (if any); a refusal when a signed header was not received.
std::optional<SigV4Result> BuildInput(const Authorization* auth, WallTime when,
                                      const std::string& method, const std::string& host,
                                      const std::string& target, const HttpHeaders& headers,
                                      const std::string& body, SigningInput& input,
                                      Secret& session_token) {
  // The signed headers, each of which must have been received.
  input.method = method;
  input.host = host;
  input.region = auth->region;
  input.service = auth->service;
  input.time = when;
  input.body = body;
  std::vector<std::string> names = Split(auth->signed_headers, ';');
  for (const std::string& name : names) {
    if (name == "host") {
      if (host.empty()) return Refuse("SignatureDoesNotMatch", "signed header host not received");
      continue;
    }
    if (name == "x-amz-date") continue;
    std::vector<std::string> values;
    for (const auto& [n, v] : headers) {
      if (EqualsIgnoreCase(n, name)) values.push_back(v);
    }
    if (values.empty()) {
      return Refuse("SignatureDoesNotMatch",
                    "signed header " + name.substr(0, 60) + " not received");
    }
    if (name == "x-amz-security-token") {
      session_token = Secret(values.front());
      continue;
    }
    for (std::string& v : values) input.headers.emplace_back(name, std::move(v));
  }
  auto [path, query] = std::make_pair(
      target.substr(0, target.find('?')),
      target.find('?') == std::string::npos ? std::string() : target.substr(target.find('?') + 1));
  input.path = PercentDecode(path);
  if (!query.empty()) {
    for (const std::string& field : Split(query, '&')) {
      if (field.empty()) continue;
      size_t eq = field.find('=');
      input.query.emplace_back(PercentDecode(field.substr(0, eq)),
                               eq == std::string::npos ? "" : PercentDecode(field.substr(eq + 1)));
    }
  }

  return std::nullopt;
}

}  // namespace

SigV4Result VerifySigV4(const std::vector<SigV4Key>& keys, const std::string& method,
                        const std::string& host, const std::string& target,
                        const HttpHeaders& headers, const std::string& body) {
  std::optional<std::string> authorization = FindHeader(headers, "Authorization");
  if (!authorization) {
    return Refuse("MissingAuthenticationToken", "the request is not signed (no Authorization)");
  }
  std::string why;
  std::optional<Authorization> auth = ParseAuthorization(*authorization, &why);
  if (!auth) return Refuse("IncompleteSignature", why);

  const SigV4Key* key = nullptr;
  for (const SigV4Key& k : keys) {
    if (k.access_key_id == auth->access_key_id) key = &k;
  }
  if (!key) {
    return Refuse("InvalidClientTokenId",
                  "unknown access key id " + auth->access_key_id.substr(0, 40) +
                      " (the transcript handed out " + std::to_string(keys.size()) + " key(s))");
  }
  if (auth->terminator != "aws4_request" || auth->region.empty() || auth->service.empty()) {
    return Refuse("IncompleteSignature", "wrong credential scope: " + auth->date + "/" +
                                             auth->region + "/" + auth->service + "/" +
                                             auth->terminator);
  }
  std::optional<std::string> amz_date = FindHeader(headers, "X-Amz-Date");
  if (!amz_date) return Refuse("IncompleteSignature", "no X-Amz-Date header");
  std::optional<WallTime> when = ParseAmzDate(*amz_date);
  if (!when) return Refuse("IncompleteSignature", "X-Amz-Date is not YYYYMMDDTHHMMSSZ");
  if (amz_date->substr(0, 8) != auth->date) {
    return Refuse("SignatureDoesNotMatch", "wrong scope date: the scope says " + auth->date +
                                               ", X-Amz-Date says " + amz_date->substr(0, 8));
  }

  SigningInput input;
  Secret session_token;
  if (std::optional<SigV4Result> refusal =
          BuildInput(&*auth, *when, method, host, target, headers, body, input, session_token)) {
    return *refusal;
  }
  if (!key->session_token.empty()) {
    std::optional<std::string> sent = FindHeader(headers, "X-Amz-Security-Token");
    if (!sent || *sent != key->session_token.reveal()) {
      return Refuse("InvalidClientTokenId",
                    std::string(sent ? "the session token sent is not the one"
                                     : "no session token sent with the one") +
                        " handed out with " + key->access_key_id);
    }
  }

  SigningKeys signing_keys{key->access_key_id, key->secret_access_key, session_token};
  SigV4Signer signer(SigV4Signer::KeyCache::kDisabled);
  StatusOr<SignedRequest> signed_request = signer.Sign(input, signing_keys);
  if (!signed_request.ok()) {
    return Refuse("IncompleteSignature",
                  "cannot rebuild the signature: " + signed_request.status().message());
  }
  if (signed_request->signed_headers != auth->signed_headers) {
    return Refuse("SignatureDoesNotMatch", "signed headers differ: the client signed " +
                                               auth->signed_headers.substr(0, 300) +
                                               ", the server can rebuild " +
                                               signed_request->signed_headers);
  }
  if (signed_request->signature == AsciiLower(auth->signature)) return SigV4Result{true, "", ""};
  return Refuse("SignatureDoesNotMatch",
                "the signature differs; the server's canonical request is:\n" +
                    RedactCanonical(signed_request->canonical_request));
}

StatusOr<std::string> ResignSigV4(const SigV4Key& key, const std::string& method,
                                  const std::string& host, const std::string& target,
                                  const HttpHeaders& headers, const std::string& body) {
  std::optional<std::string> authorization = FindHeader(headers, "Authorization");
  std::string why = "no Authorization header";
  std::optional<Authorization> auth;
  if (authorization) auth = ParseAuthorization(*authorization, &why);
  if (!auth) return InvalidConfigurationError("cannot re-sign: " + why);
  std::optional<std::string> amz_date = FindHeader(headers, "X-Amz-Date");
  std::optional<WallTime> when;
  if (amz_date) when = ParseAmzDate(*amz_date);
  if (!when) return InvalidConfigurationError("cannot re-sign: no usable X-Amz-Date");
  SigningInput input;
  Secret session_token;
  if (std::optional<SigV4Result> refusal =
          BuildInput(&*auth, *when, method, host, target, headers, body, input, session_token)) {
    return InvalidConfigurationError("cannot re-sign: " + refusal->reason);
  }
  SigningKeys keys{key.access_key_id, key.secret_access_key, session_token};
  SigV4Signer signer(SigV4Signer::KeyCache::kDisabled);
  StatusOr<SignedRequest> signed_request = signer.Sign(input, keys);
  if (!signed_request.ok()) {
    return InvalidConfigurationError("cannot re-sign: " + signed_request.status().message());
  }
  if (signed_request->signed_headers != auth->signed_headers) {
    return InvalidConfigurationError(
        "cannot re-sign: the client signed " + auth->signed_headers.substr(0, 300) +
        ", chantless's signer signs " + signed_request->signed_headers);
  }
  for (const auto& [name, value] : signed_request->headers) {
    if (name == "Authorization") return value;
  }
  return InternalError("cannot re-sign: the signer made no Authorization header");
}

std::string StsErrorXml(const std::string& code, const std::string& message) {
  return "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <Error>\n"
         "    <Type>Sender</Type>\n    <Code>" +
         XmlEscape(code) + "</Code>\n    <Message>" + XmlEscape(message) +
         "</Message>\n  </Error>\n  <RequestId>00000000-0000-4000-8000-000000000000</RequestId>\n"
         "</ErrorResponse>\n";
}

}  // namespace replay
}  // namespace chantless
