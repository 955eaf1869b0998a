// Credential JSON decoders for IMDS and container endpoints (rules in credentials_json.h).
#include "resolver/http/credentials_json.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "resolver/core/ascii.h"
#include "resolver/core/time_util.h"

namespace chantless {
namespace {

enum class Need { kRequired, kOptional };

// One top-level member's value: its JSON type and, for a string, its decoded text.
struct Value {
  enum class Type { kNull, kBoolean, kNumber, kString, kArray, kObject } type;
  std::string text;
};

const char* TypeName(Value::Type type) {
  switch (type) {
    case Value::Type::kNull:
      return "null";
    case Value::Type::kBoolean:
      return "boolean";
    case Value::Type::kNumber:
      return "number";
    case Value::Type::kString:
      return "string";
    case Value::Type::kArray:
      return "array";
    case Value::Type::kObject:
      return "object";
  }
  return "value";
}

// The body's top-level object, members in first-seen order, a repeated name keeping its last value
// (as nlohmann::json and Python's json do).
using Members = std::vector<std::pair<std::string, Value>>;

// A strict RFC 8259 reader for one document whose top-level members are all the decoders need:
// nested arrays and objects are checked and skipped without recursion (any depth, no stack
// growth), strings are checked as UTF-8 and decoded (escapes, surrogate pairs), numbers must be
// finite doubles. It accepts exactly what nlohmann::json::parse accepts
// (fuzz:credentials_differential_fuzzer compares the decoders against a reading on nlohmann).
class JsonReader {
 public:
  explicit JsonReader(std::string_view text) : s_(text) {}

  // The document's top-level value: its type, and its members when it is an object. False when
  // the text is not one valid JSON value (error_at() tells where).
  bool Document(Value::Type* type, Members* members) {
    if (s_.substr(0, 3) == "\xEF\xBB\xBF")
      i_ = 3;  // a UTF-8 byte order mark, skipped as nlohmann does
    SkipBlanks();
    if (Peek() == '{') {
      *type = Value::Type::kObject;
      ++i_;
      SkipBlanks();
      if (Peek() == '}') {
        ++i_;
      } else {
        while (true) {
          std::string name;
          SkipBlanks();
          if (!String(&name)) return false;
          SkipBlanks();
          if (Peek() != ':') return false;
          ++i_;
          Value value;
          if (!AnyValue(&value)) return false;
          auto same = std::find_if(members->begin(), members->end(),
                                   [&](const auto& m) { return m.first == name; });
          if (same != members->end()) {
            same->second = std::move(value);
          } else {
            members->emplace_back(std::move(name), std::move(value));
          }
          SkipBlanks();
          if (Peek() == ',') {
            ++i_;
            continue;
          }
          if (Peek() != '}') return false;
          ++i_;
          break;
        }
      }
    } else {
      Value value;
      if (!AnyValue(&value)) return false;
      *type = value.type;
    }
    SkipBlanks();
    // nlohmann's lexer takes a NUL byte for the end of the input: whatever follows is not read.
    return i_ == s_.size() || s_[i_] == '\0';
  }

  size_t error_at() const { return i_ + 1; }

 private:
  int Peek() const { return i_ < s_.size() ? static_cast<unsigned char>(s_[i_]) : -1; }

  void SkipBlanks() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
      ++i_;
  }

  // One value of any kind; a string's text goes to value->text. Containers are walked with an
  // explicit stack of the brackets still open.
  bool AnyValue(Value* value) {
    std::vector<char> open;
    bool first = true;
    while (true) {
      // A value.
      SkipBlanks();
      const int c = Peek();
      Value::Type type;
      bool opened = false;
      if (c == '{' || c == '[') {
        type = c == '{' ? Value::Type::kObject : Value::Type::kArray;
        ++i_;
        SkipBlanks();
        if (Peek() == (c == '{' ? '}' : ']')) {
          ++i_;
        } else {
          open.push_back(char(c));
          opened = true;
        }
      } else if (c == '"') {
        type = Value::Type::kString;
        if (!String(first ? &value->text : nullptr)) return false;
      } else if (c == 't' || c == 'f') {
        type = Value::Type::kBoolean;
        if (!Literal(c == 't' ? "true" : "false")) return false;
      } else if (c == 'n') {
        type = Value::Type::kNull;
        if (!Literal("null")) return false;
      } else if (c == '-' || (c >= '0' && c <= '9')) {
        type = Value::Type::kNumber;
        if (!Number()) return false;
      } else {
        return false;
      }
      if (first) value->type = type;
      first = false;
      if (opened && open.back() == '{' && !MemberName()) return false;
      if (opened) continue;
      // After a value: close what ends here, then a comma leads to the next one.
      while (true) {
        if (open.empty()) return true;
        SkipBlanks();
        const int next = Peek();
        if (next == ',') {
          ++i_;
          if (open.back() == '{' && !MemberName()) return false;
          break;
        }
        if (next != (open.back() == '{' ? '}' : ']')) return false;
        ++i_;
        open.pop_back();
      }
    }
  }

  // `"name" :` inside a nested object (the name is checked, not kept).
  bool MemberName() {
    SkipBlanks();
    if (!String(nullptr)) return false;
    SkipBlanks();
    if (Peek() != ':') return false;
    ++i_;
    return true;
  }

  bool Literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }

  bool Digits() {
    const size_t start = i_;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    return i_ > start;
  }

  // -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, finite as a double (nlohmann refuses an
  // overflowing number: 1e400, or an integer too long for any type).
  bool Number() {
    const size_t start = i_;
    if (Peek() == '-') ++i_;
    if (Peek() == '0') {
      ++i_;
    } else if (!Digits()) {
      return false;
    }
    if (Peek() == '.') {
      ++i_;
      if (!Digits()) return false;
    }
    if (Peek() == 'e' || Peek() == 'E') {
      ++i_;
      if (Peek() == '+' || Peek() == '-') ++i_;
      if (!Digits()) return false;
    }
    const std::string token(s_.substr(start, i_ - start));
    return std::isfinite(std::strtod(token.c_str(), nullptr));
  }

  int Hex4() {
    if (i_ + 4 > s_.size()) return -1;
    uint64_t v = 0;
    if (!ParseHex(s_.substr(i_, 4), &v)) return -1;
    i_ += 4;
    return int(v);
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      *out += char(cp);
    } else if (cp < 0x800) {
      *out += char(0xC0 | (cp >> 6));
      *out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      *out += char(0xE0 | (cp >> 12));
      *out += char(0x80 | ((cp >> 6) & 0x3F));
      *out += char(0x80 | (cp & 0x3F));
    } else {
      *out += char(0xF0 | (cp >> 18));
      *out += char(0x80 | ((cp >> 12) & 0x3F));
      *out += char(0x80 | ((cp >> 6) & 0x3F));
      *out += char(0x80 | (cp & 0x3F));
    }
  }

  // A string at i_ ('"' … '"'); decoded into *out unless out is null.
  bool String(std::string* out) {
    if (Peek() != '"') return false;
    ++i_;
    while (true) {
      // A run of plain ASCII is copied at once.
      size_t j = i_;
      while (j < s_.size()) {
        const auto ch = static_cast<unsigned char>(s_[j]);
        if (ch == '"' || ch == '\\' || ch < 0x20 || ch >= 0x80) break;
        ++j;
      }
      if (out != nullptr) out->append(s_.data() + i_, j - i_);
      i_ = j;
      const int c = Peek();
      if (c < 0 || c < 0x20) return false;  // the end, or a control character
      if (c == '"') {
        ++i_;
        return true;
      }
      if (c == '\\') {
        ++i_;
        const int e = Peek();
        ++i_;
        char simple = 0;
        switch (e) {
          case '"':
            simple = '"';
            break;
          case '\\':
            simple = '\\';
            break;
          case '/':
            simple = '/';
            break;
          case 'b':
            simple = '\b';
            break;
          case 'f':
            simple = '\f';
            break;
          case 'n':
            simple = '\n';
            break;
          case 'r':
            simple = '\r';
            break;
          case 't':
            simple = '\t';
            break;
          case 'u':
            break;
          default:
            return false;
        }
        if (simple != 0) {
          if (out != nullptr) *out += simple;
          continue;
        }
        int unit = Hex4();
        if (unit < 0) return false;
        uint32_t cp = uint32_t(unit);
        if (unit >= 0xD800 && unit <= 0xDBFF) {  // a high surrogate: its low one must follow
          if (s_.substr(i_, 2) != "\\u") return false;
          i_ += 2;
          const int low = Hex4();
          if (low < 0xDC00 || low > 0xDFFF) return false;
          cp = 0x10000 + ((uint32_t(unit) - 0xD800) << 10) + (uint32_t(low) - 0xDC00);
        } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
          return false;  // a low surrogate alone
        }
        if (out != nullptr) AppendUtf8(cp, out);
        continue;
      }
      const size_t n = Utf8SequenceLength(s_, i_);
      if (n == 0) return false;
      if (out != nullptr) out->append(s_.substr(i_, n));
      i_ += n;
    }
  }

  std::string_view s_;
  size_t i_ = 0;
};

const Value* Find(const Members& members, std::string_view name) {
  for (const auto& [key, value] : members) {
    if (key == name) return &value;
  }
  return nullptr;
}

struct Decoder {
  const Members& members;
  const char* what;  // "IMDS credentials response"

  Status Fail(const std::string& why) const {
    return InvalidResponseError(std::string(what) + ": " + why);
  }

  // Sets *out when the field is present as a string. Required and absent/empty → error.
  Status String(const char* key, Need need, std::optional<std::string>* out) const {
    const Value* it = Find(members, key);
    if (it == nullptr || it->type == Value::Type::kNull) {
      if (need == Need::kRequired) return Fail(std::string("field \"") + key + "\" is missing");
      return OkStatus();
    }
    if (it->type != Value::Type::kString) {
      return Fail(std::string("field \"") + key + "\" is a " + TypeName(it->type) +
                  ", expected a string");
    }
    const std::string& value = it->text;
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

StatusOr<Members> ParseObject(std::string_view body, const char* what) {
  JsonReader reader(body);
  Value::Type type = Value::Type::kNull;
  Members members;
  if (!reader.Document(&type, &members)) {
    return InvalidResponseError(std::string(what) + ": not valid JSON (error at byte " +
                                std::to_string(std::min(reader.error_at(), body.size())) + " of " +
                                std::to_string(body.size()) + ")");
  }
  if (type != Value::Type::kObject) {
    return InvalidResponseError(std::string(what) + ": expected a JSON object, got a " +
                                TypeName(type));
  }
  return members;
}

// An error code worth quoting: 2–48 ASCII letters starting upper-case ("AssumeRoleUnauthorized
// Access"), sharing no text with any other string field of the body (which may be a key or a
// token).
bool IsQuotableCode(const std::string& code, const Members& members) {
  if (code.size() < 2 || code.size() > 48 || !(code[0] >= 'A' && code[0] <= 'Z')) return false;
  for (char c : code) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
  }
  for (const auto& [key, value] : members) {
    if (key == "Code" || value.type != Value::Type::kString) continue;
    // Either way round: a key or token inside Code, or Code inside a key or token.
    if (value.text.find(code) != std::string::npos) return false;
    if (value.text.size() >= 4 && code.find(value.text) != std::string::npos) return false;
  }
  return true;
}

StatusOr<DecodedCredentials> Decode(std::string_view body, const char* what, Need token_need,
                                    Need expiration_need) {
  CHANTLESS_ASSIGN_OR_RETURN(Members parsed, ParseObject(body, what));
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
