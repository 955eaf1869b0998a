// Differential fuzz target: the credential decoders (resolver/http/credentials_json.h) against a
// second, deliberately plain reading of the same rules written here with nlohmann::json's
// non-throwing API and libc's timegm for timestamps. Any disagreement — accept vs reject, or a
// differing field — traps.
//
// The oracle's rules, restated from credentials_json.h: the body is one JSON object; "Code" and
// "Message", when present and not null, are strings, and a Code other than "Success" rejects;
// AccessKeyId and SecretAccessKey are required non-empty strings; Token and Expiration are required
// for IMDS and optional for containers; optional fields are strings or null; AccountId and RoleArn
// that are empty count as absent; timestamps are RFC 3339 ("YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)",
// T/Z in either case, a fraction of 1-18 digits of which nine count, second 60 read as
// :59.999999999, calendar dates only, instants WallTime can represent). Also checked: a rejection's
// message never holds the secret access key or the token (when they are not also in Code, Message
// or a timestamp, which messages may quote).
#include <time.h>

#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "nlohmann/json.hpp"
#include "resolver/http/credentials_json.h"

namespace {

using json = nlohmann::json;
using chantless::WallTime;

bool Digits(const std::string& s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// RFC 3339 through struct tm and timegm: the calendar check is "timegm leaves the fields alone".
std::optional<WallTime> OracleTime(const std::string& s) {
  int year, month, day, hour, minute, second;
  if (!Digits(s, 0, 4, &year) || s.size() < 19 || s[4] != '-' || !Digits(s, 5, 2, &month) ||
      s[7] != '-' || !Digits(s, 8, 2, &day) || (s[10] != 'T' && s[10] != 't') ||
      !Digits(s, 11, 2, &hour) || s[13] != ':' || !Digits(s, 14, 2, &minute) || s[16] != ':' ||
      !Digits(s, 17, 2, &second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  size_t pos = 19;
  int64_t nanos = 0;
  if (pos < s.size() && s[pos] == '.') {
    size_t start = ++pos;
    while (pos < s.size() && isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
    size_t n = pos - start;
    if (n == 0 || n > 18) return std::nullopt;
    std::string nine = s.substr(start, n < 9 ? n : 9);
    nine.append(9 - nine.size(), '0');
    nanos = std::stoll(nine);
  }
  int64_t offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!Digits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, &om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset = (oh * 3600 + om * 60) * (s[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  struct tm tm = {};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = 0;
  time_t t = timegm(&tm);
  if (tm.tm_mday != day || tm.tm_mon != month - 1) return std::nullopt;  // February 30
  int64_t secs = static_cast<int64_t>(t) + (second == 60 ? 59 : second) - offset;
  // Instants WallTime cannot hold (beyond ±292 years of 1970 with libstdc++'s nanoseconds).
  const int64_t limit =
      std::chrono::duration_cast<std::chrono::seconds>(WallTime::duration::max()).count() - 1;
  if (secs > limit || secs < -limit) return std::nullopt;
  if (second == 60) nanos = 999999999;
  return WallTime(std::chrono::duration_cast<WallTime::duration>(std::chrono::seconds(secs) +
                                                                 std::chrono::nanoseconds(nanos)));
}

struct Expected {
  bool ok = false;
  std::string key_id, secret, token;
  std::optional<WallTime> expiration, last_updated;
  std::optional<std::string> account_id, role_arn, code, type, message;
};

// kAbsent: missing or null; kWrong: present but not a string.
enum class Field { kAbsent, kString, kWrong };
Field Get(const json& o, const char* key, std::string* out) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return Field::kAbsent;
  const std::string* s = it->get_ptr<const std::string*>();
  if (s == nullptr) return Field::kWrong;
  *out = *s;
  return Field::kString;
}

Expected Oracle(const json& o, bool imds) {
  Expected e;
  std::string v;
  Field f = Get(o, "Code", &v);
  if (f == Field::kWrong) return e;
  if (f == Field::kString) e.code = v;
  f = Get(o, "Message", &v);
  if (f == Field::kWrong) return e;
  if (f == Field::kString) e.message = v;
  if (e.code && *e.code != "Success") return e;
  if (Get(o, "AccessKeyId", &e.key_id) != Field::kString || e.key_id.empty()) return e;
  if (Get(o, "SecretAccessKey", &e.secret) != Field::kString || e.secret.empty()) return e;
  f = Get(o, "Token", &e.token);
  if (f == Field::kWrong || (imds && (f == Field::kAbsent || e.token.empty()))) return e;
  for (const char* key : {"Expiration", "LastUpdated"}) {
    bool required = imds && std::string(key) == "Expiration";
    f = Get(o, key, &v);
    if (f == Field::kWrong) return e;
    if (f == Field::kAbsent || v.empty()) {
      if (required) return e;
      continue;
    }
    std::optional<WallTime> t = OracleTime(v);
    if (!t) return e;
    (std::string(key) == "Expiration" ? e.expiration : e.last_updated) = t;
  }
  for (auto [key, out] : {std::pair{"Type", &e.type}, std::pair{"AccountId", &e.account_id},
                          std::pair{"RoleArn", &e.role_arn}}) {
    f = Get(o, key, &v);
    if (f == Field::kWrong) return e;
    if (f == Field::kString) *out = v;
  }
  if (e.account_id && e.account_id->empty()) e.account_id.reset();
  if (e.role_arn && e.role_arn->empty()) e.role_arn.reset();
  e.ok = true;
  return e;
}

// Whether `value` leaks into `message`. Only canary values count (the seeds' and dictionary's fake
// secrets carry "EXAMPLE"): a fuzzed token such as "IMDS credential" may spell part of the fixed
// error wording. Nothing is exempt: the decoder quotes no Message, no timestamp, and a Code only
// when it shares no text with another field.
bool Leaks(const std::string& message, const std::string& value, const json& /*o*/) {
  if (value.find("EXAMPLE") == std::string::npos) return false;
  return message.find(value) != std::string::npos;
}

void Compare(const chantless::StatusOr<chantless::DecodedCredentials>& got, const json* parsed,
             bool imds) {
  Expected want;
  if (parsed != nullptr && parsed->is_object()) want = Oracle(*parsed, imds);
  if (got.ok() != want.ok) __builtin_trap();
  if (!got.ok()) {
    if (parsed == nullptr || !parsed->is_object()) return;
    std::string secret, token;
    Get(*parsed, "SecretAccessKey", &secret);
    Get(*parsed, "Token", &token);
    const std::string& message = got.status().message();
    if (Leaks(message, secret, *parsed) || Leaks(message, token, *parsed)) __builtin_trap();
    return;
  }
  const chantless::DecodedCredentials& d = *got;
  if (d.access_key_id != want.key_id || d.secret_access_key.reveal() != want.secret ||
      d.token.reveal() != want.token || d.expiration != want.expiration ||
      d.last_updated != want.last_updated || d.account_id != want.account_id ||
      d.role_arn != want.role_arn || d.code != want.code || d.type != want.type ||
      d.message != want.message) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  json parsed = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  const json* oracle_input = parsed.is_discarded() ? nullptr : &parsed;
  Compare(chantless::DecodeImdsCredentials(body), oracle_input, /*imds=*/true);
  Compare(chantless::DecodeContainerCredentials(body), oracle_input, /*imds=*/false);
  return 0;
}
