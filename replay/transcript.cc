// Loading, validating and serialising transcripts (see transcript.h and docs/transcript-format.md).
// nlohmann is used only through its non-throwing calls: parse(…, nullptr, false), find(), is_*()
// type checks before get<>(), and dump() with the replace error handler.
#include "replay/transcript.h"

#include <cctype>
#include <ctime>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "nlohmann/json.hpp"
#include "replay/base64.h"
#include "resolver/core/ascii.h"
#include "resolver/core/time_util.h"

namespace chantless {
namespace replay {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kFormatName = "chantless-transcript";
constexpr int64_t kMaxDelayMs = 3600 * 1000;
constexpr int kMaxRepeat = 1000000;
constexpr std::time_t kMaxRecordedAt = 7258118400;  // 2200-01-01T00:00:00Z
constexpr int64_t kMaxShiftSeconds = int64_t{100} * 366 * 24 * 3600;

// Base64 and UTF-8 checks come from replay/base64.h; the transcript accepts only canonical base64
// (Base64DecodeCanonical), so that Load(Serialize(t)) == t byte for byte.

// ---- syntax error position ----------------------------------------------------------------------
// A SAX consumer that accepts everything and remembers where parsing failed (byte offset).
class ErrorPositionSax : public nlohmann::json_sax<Json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception&) override {
    position_ = position;
    return false;
  }
  std::size_t position() const { return position_; }

 private:
  std::size_t position_ = 0;
};

// "syntax error near line L, column C" (1-based, the end of the offending token; no text from the
// input, which may hold secrets).
std::string SyntaxErrorPlace(std::string_view text) {
  ErrorPositionSax sax;
  Json::sax_parse(text.begin(), text.end(), &sax, nlohmann::detail::input_format_t::json, true);
  size_t pos = std::min(sax.position(), text.size());
  // nlohmann counts the offending character itself; point at it.
  if (pos > 0) --pos;
  size_t line = 1, column = 1;
  for (size_t i = 0; i < pos; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "syntax error near line " + std::to_string(line) + ", column " + std::to_string(column);
}

// "name", "name:port", "1.2.3.4:port", "[::1]:port": letters, digits, '-', '.', '_', and a
// decimal port of 1..65535.
bool ValidHost(std::string_view host) {
  std::string_view name = host;
  std::string_view port;
  if (!host.empty() && host[0] == '[') {
    size_t close = host.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    for (char c : host.substr(1, close - 1)) {
      if (!(std::isxdigit(uint8_t(c)) || c == ':' || c == '.')) return false;
    }
    std::string_view rest = host.substr(close + 1);
    if (rest.empty()) return true;
    if (rest[0] != ':') return false;
    port = rest.substr(1);
    if (port.empty()) return false;
  } else {
    size_t colon = host.find(':');
    if (colon != std::string_view::npos) {
      name = host.substr(0, colon);
      port = host.substr(colon + 1);
      if (port.empty()) return false;
    }
    if (name.empty() || name.size() > 253) return false;
    for (char c : name) {
      if (!(std::isalnum(uint8_t(c)) || c == '-' || c == '.' || c == '_')) return false;
    }
  }
  if (port.size() > 5) return false;
  int value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  return port.empty() || (value >= 1 && value <= 65535);
}

// ---- loader -------------------------------------------------------------------------------------
class Loader {
 public:
  explicit Loader(std::string_view source) : source_(source) {}

  Status Error(const std::string& path, const std::string& what) const {
    return InvalidConfigurationError(std::string(source_) + ": " + path + ": " + what);
  }

  Status CheckFields(const Json& obj, const std::string& path,
                     std::initializer_list<std::string_view> allowed) const {
    if (!obj.is_object()) return Error(path, "expected an object");
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      bool known = false;
      for (std::string_view a : allowed) known = known || it.key() == a;
      if (!known) return Error(path + "." + it.key(), "unknown field");
    }
    return OkStatus();
  }

  StatusOr<std::string> String(const Json& obj, const std::string& path, const char* key,
                               bool required, std::string fallback = "") const {
    auto it = obj.find(key);
    if (it == obj.end()) {
      if (required) return Error(path + "." + key, "missing required field");
      return fallback;
    }
    if (!it->is_string()) return Error(path + "." + key, "expected a string");
    return it->get<std::string>();
  }

  StatusOr<int64_t> Integer(const Json& obj, const std::string& path, const char* key,
                            bool required, int64_t fallback, int64_t lo, int64_t hi) const {
    auto it = obj.find(key);
    if (it == obj.end()) {
      if (required) return Error(path + "." + key, "missing required field");
      return fallback;
    }
    int64_t v;
    if (it->is_number_unsigned()) {
      uint64_t u = it->get<uint64_t>();
      if (u > uint64_t(std::numeric_limits<int64_t>::max())) {
        return Error(path + "." + key, "out of range");
      }
      v = int64_t(u);
    } else if (it->is_number_integer()) {
      v = it->get<int64_t>();
    } else {
      return Error(path + "." + key, "expected an integer");
    }
    if (v < lo || v > hi) {
      return Error(path + "." + key,
                   "out of range (" + std::to_string(lo) + ".." + std::to_string(hi) + ")");
    }
    return v;
  }

  StatusOr<bool> Bool(const Json& obj, const std::string& path, const char* key,
                      bool fallback) const {
    auto it = obj.find(key);
    if (it == obj.end()) return fallback;
    if (!it->is_boolean()) return Error(path + "." + key, "expected true or false");
    return it->get<bool>();
  }

  StatusOr<HttpHeaders> Headers(const Json& obj, const std::string& path, const char* key) const {
    HttpHeaders out;
    auto it = obj.find(key);
    if (it == obj.end()) return out;
    std::string hpath = path + "." + key;
    if (!it->is_object()) return Error(hpath, "expected an object of name: value strings");
    for (auto h = it->begin(); h != it->end(); ++h) {
      std::string p = hpath + "." + h.key();
      if (h.key().empty()) return Error(p, "empty header name");
      for (char c : h.key()) {
        if (c <= ' ' || c >= 127 || c == ':') return Error(p, "invalid header name");
      }
      if (!h->is_string()) return Error(p, "expected a string");
      std::string value = h->get<std::string>();
      for (char c : value) {
        if (c == '\r' || c == '\n' || c == '\0') return Error(p, "control character in value");
      }
      for (const auto& [name, unused] : out) {
        if (EqualsIgnoreCase(name, h.key()))
          return Error(p, "duplicate header (names are case-insensitive)");
      }
      out.emplace_back(h.key(), std::move(value));
    }
    return out;
  }

  StatusOr<RequestMatcher> Request(const Json& j, const std::string& path) const {
    CHANTLESS_RETURN_IF_ERROR(CheckFields(j, path, {"method", "path", "query", "headers", "body"}));
    RequestMatcher r;
    CHANTLESS_ASSIGN_OR_RETURN(r.method, String(j, path, "method", false, "GET"));
    if (r.method.empty()) return Error(path + ".method", "empty method");
    for (char c : r.method) {
      if (c < 'A' || c > 'Z') return Error(path + ".method", "expected an upper-case HTTP method");
    }
    CHANTLESS_ASSIGN_OR_RETURN(r.path, String(j, path, "path", true));
    if (r.path.empty() || r.path[0] != '/') return Error(path + ".path", "must start with '/'");
    for (char c : r.path) {
      if (c == '?' || c == '#')
        return Error(path + ".path", "must not hold '?' or '#' (use query)");
      if (uint8_t(c) <= ' ' || c == 127) return Error(path + ".path", "space or control character");
    }
    CHANTLESS_ASSIGN_OR_RETURN(r.query, String(j, path, "query", false));
    for (char c : r.query) {
      if (uint8_t(c) <= ' ' || c == 127 || c == '#') {
        return Error(path + ".query", "space, '#' or control character");
      }
    }
    if (!r.query.empty() && r.query[0] == '?') return Error(path + ".query", "leave out the '?'");
    CHANTLESS_ASSIGN_OR_RETURN(r.headers, Headers(j, path, "headers"));
    for (const auto& [name, value] : r.headers) {
      if (EqualsIgnoreCase(name, "User-Agent")) {
        return Error(path + ".headers." + name, "User-Agent is never matched: leave it out");
      }
      if (EqualsIgnoreCase(name, kImdsTokenHeader)) {
        return Error(path + ".headers." + name,
                     "the token header is checked by imds_token, not matched: leave it out");
      }
    }
    if (j.contains("body")) {
      CHANTLESS_ASSIGN_OR_RETURN(std::string body, String(j, path, "body", true));
      r.body = std::move(body);
    }
    return r;
  }

  StatusOr<RecordedResponse> Response(const Json& j, const std::string& path) const {
    CHANTLESS_RETURN_IF_ERROR(CheckFields(j, path, {"status", "headers", "body", "body_base64"}));
    RecordedResponse r;
    CHANTLESS_ASSIGN_OR_RETURN(int64_t status, Integer(j, path, "status", false, 200, 100, 599));
    r.status = int(status);
    CHANTLESS_ASSIGN_OR_RETURN(r.headers, Headers(j, path, "headers"));
    for (const auto& [name, value] : r.headers) {
      if (EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Transfer-Encoding")) {
        return Error(path + ".headers." + name,
                     "computed by the replay (use a wrong_content_length fault to lie)");
      }
    }
    bool has_text = j.contains("body");
    bool has_b64 = j.contains("body_base64");
    if (has_text && has_b64)
      return Error(path + ".body_base64", "give body or body_base64, not both");
    if (has_b64) {
      CHANTLESS_ASSIGN_OR_RETURN(std::string text, String(j, path, "body_base64", true));
      std::optional<std::string> decoded = Base64DecodeCanonical(text);
      if (!decoded) return Error(path + ".body_base64", "invalid base64");
      r.body = std::move(*decoded);
      r.encoding = BodyEncoding::kBase64;
    } else {
      CHANTLESS_ASSIGN_OR_RETURN(r.body, String(j, path, "body", false));
      if (!IsValidUtf8(r.body)) return Error(path + ".body", "invalid UTF-8 (use body_base64)");
    }
    return r;
  }

  StatusOr<Fault> ParseFault(const Json& j, const std::string& path) const {
    if (!j.is_object()) return Error(path, "expected an object or null");
    CHANTLESS_ASSIGN_OR_RETURN(std::string kind, String(j, path, "kind", true));
    Fault f;
    if (kind == "delay_before_headers") {
      f.kind = FaultKind::kDelayBeforeHeaders;
      CHANTLESS_RETURN_IF_ERROR(CheckFields(j, path, {"kind", "delay_ms"}));
    } else if (kind == "delay_mid_body") {
      f.kind = FaultKind::kDelayMidBody;
      CHANTLESS_RETURN_IF_ERROR(CheckFields(j, path, {"kind", "delay_ms", "after_bytes"}));
    } else if (kind == "reset") {
      f.kind = FaultKind::kReset;
      CHANTLESS_RETURN_IF_ERROR(CheckFields(j, path, {"kind"}));
    } else if (kind == "close_without_response") {
      f.kind = FaultKind::kCloseWithoutResponse;
      CHANTLESS_RETURN_IF_ERROR(CheckFields(j, path, {"kind"}));
    } else if (kind == "truncated_body") {
      f.kind = FaultKind::kTruncatedBody;
      CHANTLESS_RETURN_IF_ERROR(CheckFields(j, path, {"kind", "after_bytes"}));
    } else if (kind == "wrong_content_length") {
      f.kind = FaultKind::kWrongContentLength;
      CHANTLESS_RETURN_IF_ERROR(CheckFields(j, path, {"kind", "content_length"}));
    } else {
      return Error(path + ".kind", "unknown fault kind \"" + kind.substr(0, 40) + "\"");
    }
    if (f.kind == FaultKind::kDelayBeforeHeaders || f.kind == FaultKind::kDelayMidBody) {
      CHANTLESS_ASSIGN_OR_RETURN(int64_t ms, Integer(j, path, "delay_ms", true, 0, 0, kMaxDelayMs));
      f.delay = std::chrono::milliseconds(ms);
    }
    if (f.kind == FaultKind::kDelayMidBody || f.kind == FaultKind::kTruncatedBody) {
      CHANTLESS_ASSIGN_OR_RETURN(int64_t n, Integer(j, path, "after_bytes", true, 0, 0,
                                                    std::numeric_limits<int64_t>::max()));
      f.after_bytes = uint64_t(n);
    }
    if (f.kind == FaultKind::kWrongContentLength) {
      CHANTLESS_ASSIGN_OR_RETURN(int64_t n, Integer(j, path, "content_length", true, 0, 0,
                                                    std::numeric_limits<int64_t>::max()));
      f.content_length = uint64_t(n);
    }
    return f;
  }

  StatusOr<Exchange> ParseExchange(const Json& j, const std::string& path,
                                   const std::optional<ImdsTokenPolicy>& policy) const {
    CHANTLESS_RETURN_IF_ERROR(CheckFields(j, path,
                                          {"id", "family", "host", "request", "response",
                                           "imds_token", "repeat", "optional", "fault", "sigv4"}));
    Exchange e;
    CHANTLESS_ASSIGN_OR_RETURN(e.id, String(j, path, "id", true));
    if (e.id.empty()) return Error(path + ".id", "empty id");
    CHANTLESS_ASSIGN_OR_RETURN(e.family, String(j, path, "family", false, "default"));
    if (e.family.empty()) return Error(path + ".family", "empty family");
    if (j.contains("host")) {
      CHANTLESS_ASSIGN_OR_RETURN(e.host, String(j, path, "host", true));
      if (!ValidHost(e.host)) {
        return Error(path + ".host", "expected a host name or address, optionally with :port");
      }
    }
    auto req = j.find("request");
    if (req == j.end()) return Error(path + ".request", "missing required field");
    CHANTLESS_ASSIGN_OR_RETURN(e.request, Request(*req, path + ".request"));

    if (j.contains("imds_token")) {
      CHANTLESS_ASSIGN_OR_RETURN(std::string role, String(j, path, "imds_token", true));
      if (role == "none") {
        e.imds_token = ImdsTokenRole::kNone;
      } else if (role == "mint") {
        e.imds_token = ImdsTokenRole::kMint;
      } else if (role == "accept") {
        e.imds_token = ImdsTokenRole::kAccept;
      } else if (role == "require") {
        e.imds_token = ImdsTokenRole::kRequire;
      } else {
        return Error(path + ".imds_token",
                     "expected \"mint\", \"require\", \"accept\" or \"none\"");
      }
    } else if (policy && e.family == "imds") {
      e.imds_token = policy->required ? ImdsTokenRole::kRequire : ImdsTokenRole::kAccept;
    }
    if (e.imds_token == ImdsTokenRole::kMint && e.request.method != "PUT") {
      return Error(path + ".imds_token", "\"mint\" is only valid on a PUT");
    }

    auto fault = j.find("fault");
    if (fault != j.end() && !fault->is_null()) {
      CHANTLESS_ASSIGN_OR_RETURN(Fault f, ParseFault(*fault, path + ".fault"));
      e.fault = f;
    }
    auto resp = j.find("response");
    if (resp != j.end()) {
      CHANTLESS_ASSIGN_OR_RETURN(RecordedResponse r, Response(*resp, path + ".response"));
      e.response = std::move(r);
    }
    bool writes_nothing = e.fault && (e.fault->kind == FaultKind::kReset ||
                                      e.fault->kind == FaultKind::kCloseWithoutResponse);
    if (writes_nothing && e.response) {
      return Error(path + ".response", std::string("a ") +
                                           std::string(FaultKindName(e.fault->kind)) +
                                           " fault writes nothing: remove the response");
    }
    if (!writes_nothing && !e.response && e.imds_token != ImdsTokenRole::kMint) {
      return Error(path + ".response", "missing required field");
    }
    if (e.fault) {
      // The body the fault acts on: the recorded one, or the minted token (unknown length: the
      // mint default answer is not allowed to be cut).
      const std::string* body = e.response ? &e.response->body : nullptr;
      switch (e.fault->kind) {
        case FaultKind::kDelayMidBody:
        case FaultKind::kTruncatedBody:
          if (!body) return Error(path + ".fault", "needs a recorded response body to cut");
          if (e.fault->after_bytes >= body->size()) {
            return Error(path + ".fault.after_bytes", "must be smaller than the body (" +
                                                          std::to_string(body->size()) + " bytes)");
          }
          break;
        case FaultKind::kWrongContentLength:
          if (!body) return Error(path + ".fault", "needs a recorded response body");
          if (e.fault->content_length == body->size()) {
            return Error(path + ".fault.content_length", "equals the body size: not a fault");
          }
          break;
        default:
          break;
      }
    }

    auto rep = j.find("repeat");
    if (rep != j.end()) {
      std::string rpath = path + ".repeat";
      CHANTLESS_RETURN_IF_ERROR(CheckFields(*rep, rpath, {"min", "max"}));
      CHANTLESS_ASSIGN_OR_RETURN(int64_t mn, Integer(*rep, rpath, "min", false, 1, 0, kMaxRepeat));
      CHANTLESS_ASSIGN_OR_RETURN(
          int64_t mx, Integer(*rep, rpath, "max", false, std::max<int64_t>(mn, 1), 1, kMaxRepeat));
      if (mn > mx) return Error(rpath, "min is larger than max");
      e.repeat.min = int(mn);
      e.repeat.max = int(mx);
    }
    CHANTLESS_ASSIGN_OR_RETURN(e.optional, Bool(j, path, "optional", false));
    if (j.contains("sigv4")) {
      CHANTLESS_ASSIGN_OR_RETURN(std::string check, String(j, path, "sigv4", true));
      if (check == "verify") {
        e.sigv4 = SigV4Check::kVerify;
      } else if (check != "ignore") {
        return Error(path + ".sigv4", "expected \"verify\" or \"ignore\"");
      }
    }
    return e;
  }

  StatusOr<Transcript> Load(std::string_view text) const {
    Json root = Json::parse(text.begin(), text.end(), nullptr, false);
    if (root.is_discarded()) return Error("$", "not valid JSON (" + SyntaxErrorPlace(text) + ")");
    CHANTLESS_RETURN_IF_ERROR(CheckFields(root, "$",
                                          {"format", "version", "name", "docs", "recorded_at",
                                           "imds_tokens", "rebase", "sigv4_keys", "exchanges"}));
    Transcript t;
    CHANTLESS_ASSIGN_OR_RETURN(std::string format, String(root, "$", "format", true));
    if (format != kFormatName) {
      return Error("$.format", "expected \"" + std::string(kFormatName) + "\"");
    }
    CHANTLESS_ASSIGN_OR_RETURN(
        int64_t version, Integer(root, "$", "version", true, 0, std::numeric_limits<int64_t>::min(),
                                 std::numeric_limits<int64_t>::max()));
    if (version != kTranscriptFormatVersion) {
      return Error("$.version", "unsupported version " + std::to_string(version) +
                                    " (this build reads version " +
                                    std::to_string(kTranscriptFormatVersion) + ")");
    }
    t.version = int(version);
    CHANTLESS_ASSIGN_OR_RETURN(t.name, String(root, "$", "name", true));
    if (t.name.empty()) return Error("$.name", "empty name");
    CHANTLESS_ASSIGN_OR_RETURN(t.docs, String(root, "$", "docs", true));
    CHANTLESS_ASSIGN_OR_RETURN(std::string recorded, String(root, "$", "recorded_at", true));
    StatusOr<WallTime> when = ParseRfc3339(recorded);
    if (!when.ok()) return Error("$.recorded_at", when.status().message());
    // Whole seconds, as written back by SerializeTranscript (keeps the round trip exact), in a
    // range where rebasing arithmetic cannot overflow.
    t.recorded_at = std::chrono::floor<std::chrono::seconds>(*when);
    if (t.recorded_at < std::chrono::system_clock::from_time_t(0) ||
        t.recorded_at >= std::chrono::system_clock::from_time_t(kMaxRecordedAt)) {
      return Error("$.recorded_at", "out of range (1970-01-01 to 2199-12-31)");
    }

    auto tokens = root.find("imds_tokens");
    if (tokens != root.end()) {
      CHANTLESS_RETURN_IF_ERROR(CheckFields(*tokens, "$.imds_tokens", {"required"}));
      ImdsTokenPolicy policy;
      CHANTLESS_ASSIGN_OR_RETURN(policy.required,
                                 Bool(*tokens, "$.imds_tokens", "required", false));
      t.imds_tokens = policy;
    }
    auto rebase = root.find("rebase");
    if (rebase != root.end()) {
      CHANTLESS_RETURN_IF_ERROR(
          CheckFields(*rebase, "$.rebase",
                      {"json_fields", "json_epoch_ms_fields", "xml_elements", "shift_seconds"}));
      struct NameList {
        const char* key;
        std::vector<std::string>* names;
      };
      for (const NameList& list : {NameList{"json_fields", &t.rebase.json_fields},
                                   NameList{"json_epoch_ms_fields", &t.rebase.json_epoch_ms_fields},
                                   NameList{"xml_elements", &t.rebase.xml_elements}}) {
        auto fields = rebase->find(list.key);
        if (fields == rebase->end()) continue;
        std::string base = std::string("$.rebase.") + list.key;
        if (!fields->is_array()) return Error(base, "expected an array of strings");
        for (size_t i = 0; i < fields->size(); ++i) {
          std::string p = base + "[" + std::to_string(i) + "]";
          const Json& f = (*fields)[i];
          if (!f.is_string() || f.get<std::string>().empty()) {
            return Error(p, "expected a non-empty string");
          }
          std::string name = f.get<std::string>();
          for (const std::string& seen : *list.names) {
            if (seen == name) return Error(p, "duplicate field name");
          }
          list.names->push_back(std::move(name));
        }
      }
      CHANTLESS_ASSIGN_OR_RETURN(int64_t shift, Integer(*rebase, "$.rebase", "shift_seconds", false,
                                                        0, -kMaxShiftSeconds, kMaxShiftSeconds));
      t.rebase.shift = std::chrono::seconds(shift);
    }

    auto keys = root.find("sigv4_keys");
    if (keys != root.end()) {
      if (!keys->is_array()) return Error("$.sigv4_keys", "expected an array of objects");
      for (size_t i = 0; i < keys->size(); ++i) {
        std::string p = "$.sigv4_keys[" + std::to_string(i) + "]";
        const Json& k = (*keys)[i];
        CHANTLESS_RETURN_IF_ERROR(
            CheckFields(k, p, {"access_key_id", "secret_access_key", "session_token"}));
        SigV4Key key;
        CHANTLESS_ASSIGN_OR_RETURN(key.access_key_id, String(k, p, "access_key_id", true));
        if (key.access_key_id.empty()) return Error(p + ".access_key_id", "empty");
        for (char c : key.access_key_id) {
          if (c == '/' || uint8_t(c) <= ' ' || c == 127 || c == ',') {
            return Error(p + ".access_key_id", "'/', ',', space or control character");
          }
        }
        for (const SigV4Key& seen : t.sigv4_keys) {
          if (seen.access_key_id == key.access_key_id) {
            return Error(p + ".access_key_id", "duplicate access key id");
          }
        }
        // Values of secrets are never quoted in errors.
        CHANTLESS_ASSIGN_OR_RETURN(std::string secret, String(k, p, "secret_access_key", true));
        if (secret.empty()) return Error(p + ".secret_access_key", "empty");
        key.secret_access_key = Secret(std::move(secret));
        CHANTLESS_ASSIGN_OR_RETURN(std::string token, String(k, p, "session_token", false));
        if (HasControlChar(token)) return Error(p + ".session_token", "control character");
        key.session_token = Secret(std::move(token));
        t.sigv4_keys.push_back(std::move(key));
      }
    }

    auto exchanges = root.find("exchanges");
    if (exchanges == root.end()) return Error("$.exchanges", "missing required field");
    if (!exchanges->is_array()) return Error("$.exchanges", "expected an array");
    if (exchanges->empty()) return Error("$.exchanges", "no exchanges");
    std::set<std::string> ids;
    for (size_t i = 0; i < exchanges->size(); ++i) {
      std::string p = "$.exchanges[" + std::to_string(i) + "]";
      CHANTLESS_ASSIGN_OR_RETURN(Exchange e, ParseExchange((*exchanges)[i], p, t.imds_tokens));
      if (!ids.insert(e.id).second) return Error(p + ".id", "duplicate id \"" + e.id + "\"");
      if (e.sigv4 == SigV4Check::kVerify && t.sigv4_keys.empty()) {
        return Error(p + ".sigv4", "\"verify\" needs the keys handed out in $.sigv4_keys");
      }
      t.exchanges.push_back(std::move(e));
    }
    return t;
  }

 private:
  std::string_view source_;
};

Json HeadersToJson(const HttpHeaders& headers) {
  Json out = Json::object();
  for (const auto& [name, value] : headers) out[name] = value;
  return out;
}

}  // namespace

std::string_view ImdsTokenRoleName(ImdsTokenRole role) {
  switch (role) {
    case ImdsTokenRole::kNone:
      return "none";
    case ImdsTokenRole::kMint:
      return "mint";
    case ImdsTokenRole::kAccept:
      return "accept";
    case ImdsTokenRole::kRequire:
      return "require";
  }
  return "none";
}

std::string_view SigV4CheckName(SigV4Check check) {
  return check == SigV4Check::kVerify ? "verify" : "ignore";
}

std::string_view FaultKindName(FaultKind kind) {
  switch (kind) {
    case FaultKind::kDelayBeforeHeaders:
      return "delay_before_headers";
    case FaultKind::kDelayMidBody:
      return "delay_mid_body";
    case FaultKind::kReset:
      return "reset";
    case FaultKind::kCloseWithoutResponse:
      return "close_without_response";
    case FaultKind::kTruncatedBody:
      return "truncated_body";
    case FaultKind::kWrongContentLength:
      return "wrong_content_length";
  }
  return "reset";
}

StatusOr<Transcript> LoadTranscript(std::string_view text, std::string_view source) {
  return Loader(source).Load(text);
}

StatusOr<Transcript> LoadTranscriptFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidConfigurationError(path + ": cannot open transcript");
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return InvalidConfigurationError(path + ": cannot read transcript");
  return LoadTranscript(buf.str(), path);
}

std::string SerializeTranscript(const Transcript& t) {
  Json root = Json::object();
  root["format"] = std::string(kFormatName);
  root["version"] = t.version;
  root["name"] = t.name;
  root["docs"] = t.docs;
  root["recorded_at"] = FormatRfc3339(t.recorded_at);
  if (t.imds_tokens) root["imds_tokens"] = Json{{"required", t.imds_tokens->required}};
  Json rebase = Json::object();
  rebase["json_fields"] = Json::array();
  for (const std::string& f : t.rebase.json_fields) rebase["json_fields"].push_back(f);
  // Written only when set, so transcripts without them keep their canonical form.
  if (!t.rebase.json_epoch_ms_fields.empty()) {
    rebase["json_epoch_ms_fields"] = t.rebase.json_epoch_ms_fields;
  }
  if (!t.rebase.xml_elements.empty()) rebase["xml_elements"] = t.rebase.xml_elements;
  rebase["shift_seconds"] = int64_t(t.rebase.shift.count());
  root["rebase"] = std::move(rebase);
  if (!t.sigv4_keys.empty()) {  // written only when set: older files stay canonical
    Json keys = Json::array();
    for (const SigV4Key& k : t.sigv4_keys) {
      Json key = Json::object();
      key["access_key_id"] = k.access_key_id;
      key["secret_access_key"] = k.secret_access_key.reveal();
      if (!k.session_token.empty()) key["session_token"] = k.session_token.reveal();
      keys.push_back(std::move(key));
    }
    root["sigv4_keys"] = std::move(keys);
  }
  Json exchanges = Json::array();
  for (const Exchange& e : t.exchanges) {
    Json x = Json::object();
    x["id"] = e.id;
    x["family"] = e.family;
    if (!e.host.empty()) x["host"] = e.host;  // written only when set: older files stay canonical
    Json req = Json::object();
    req["method"] = e.request.method;
    req["path"] = e.request.path;
    req["query"] = e.request.query;
    req["headers"] = HeadersToJson(e.request.headers);
    if (e.request.body) req["body"] = *e.request.body;
    x["request"] = std::move(req);
    if (e.response) {
      Json resp = Json::object();
      resp["status"] = e.response->status;
      resp["headers"] = HeadersToJson(e.response->headers);
      if (e.response->encoding == BodyEncoding::kBase64 || !IsValidUtf8(e.response->body)) {
        resp["body_base64"] = Base64Encode(e.response->body);
      } else {
        resp["body"] = e.response->body;
      }
      x["response"] = std::move(resp);
    }
    x["imds_token"] = std::string(ImdsTokenRoleName(e.imds_token));
    x["repeat"] = Json{{"min", e.repeat.min}, {"max", e.repeat.max}};
    x["optional"] = e.optional;
    if (e.fault) {
      Json f = Json::object();
      f["kind"] = std::string(FaultKindName(e.fault->kind));
      switch (e.fault->kind) {
        case FaultKind::kDelayBeforeHeaders:
          f["delay_ms"] = int64_t(e.fault->delay.count());
          break;
        case FaultKind::kDelayMidBody:
          f["delay_ms"] = int64_t(e.fault->delay.count());
          f["after_bytes"] = e.fault->after_bytes;
          break;
        case FaultKind::kTruncatedBody:
          f["after_bytes"] = e.fault->after_bytes;
          break;
        case FaultKind::kWrongContentLength:
          f["content_length"] = e.fault->content_length;
          break;
        default:
          break;
      }
      x["fault"] = std::move(f);
    } else {
      x["fault"] = nullptr;
    }
    if (e.sigv4 == SigV4Check::kVerify) x["sigv4"] = std::string(SigV4CheckName(e.sigv4));
    exchanges.push_back(std::move(x));
  }
  root["exchanges"] = std::move(exchanges);
  return root.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace replay
}  // namespace chantless
