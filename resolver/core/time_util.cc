// Strict RFC 3339 parsing and UTC formatting, without libc time zone state (thread-safe, pure).
#include "resolver/core/time_util.h"

#include <cstdio>

namespace chantless {
namespace {

bool ReadDigits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return (m == 2 && IsLeap(y)) ? 29 : kDays[m - 1];
}

// Never quotes the text: timestamps arrive in bodies and process output next to secrets, and a
// hostile or broken source can put a secret where a timestamp belongs (fuzz finding:
// container_client_fuzzer, a session token in "Expiration"). The length and the reason suffice.
Status Bad(std::string_view text, std::string_view why) {
  return InvalidResponseError("invalid RFC 3339 timestamp (" + std::to_string(text.size()) +
                              " bytes): " + std::string(why));
}

}  // namespace

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  // Howard Hinnant's days_from_civil.
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// Long on purpose: one pass over RFC 3339's grammar, each step checking one field in order.
StatusOr<WallTime> ParseRfc3339(std::string_view s) {
  int year, month, day, hour, minute, second;
  if (s.size() < 10 || !ReadDigits(s, 0, 4, &year) || s[4] != '-' || !ReadDigits(s, 5, 2, &month) ||
      s[7] != '-' || !ReadDigits(s, 8, 2, &day)) {
    return Bad(s, "expected YYYY-MM-DD");
  }
  if (s.size() < 11 || (s[10] != 'T' && s[10] != 't')) {
    return Bad(s, "expected 'T' between date and time");
  }
  if (s.size() < 19 || !ReadDigits(s, 11, 2, &hour) || s[13] != ':' ||
      !ReadDigits(s, 14, 2, &minute) || s[16] != ':' || !ReadDigits(s, 17, 2, &second)) {
    return Bad(s, "expected HH:MM:SS");
  }
  if (month < 1 || month > 12) return Bad(s, "month out of range");
  if (day < 1 || static_cast<unsigned>(day) > DaysInMonth(year, month)) {
    return Bad(s, "day out of range");
  }
  if (hour > 23 || minute > 59 || second > 60) return Bad(s, "time out of range");
  size_t pos = 19;
  int64_t nanos = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t digits = 0;
    int64_t scale = 100000000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 9) {
        nanos += (s[pos] - '0') * scale;
        scale /= 10;
      }
      ++digits;
      ++pos;
    }
    if (digits == 0) return Bad(s, "empty fraction of a second");
    if (digits > 18) return Bad(s, "fraction of a second too long");
  }
  if (pos >= s.size()) return Bad(s, "missing time zone (Z or ±HH:MM)");
  int64_t offset_seconds = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh, om;
    if (!ReadDigits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !ReadDigits(s, pos + 4, 2, &om)) {
      return Bad(s, "expected ±HH:MM offset");
    }
    if (oh > 23 || om > 59) return Bad(s, "offset out of range");
    offset_seconds = (oh * 3600 + om * 60) * (s[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return Bad(s, "missing time zone (Z or ±HH:MM)");
  }
  if (pos != s.size()) return Bad(s, "trailing characters");
  if (second == 60) {  // a leap second: the last instant of that minute
    second = 59;
    nanos = 999999999;
  }
  int64_t days = DaysFromCivil(year, month, day);
  int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
  // WallTime counts nanoseconds in 64 bits with libstdc++ (years 1677-2262): converting an instant
  // outside that range would overflow (undefined behaviour; found by fuzz/imds_credentials_fuzzer).
  constexpr int64_t kMaxSeconds =
      std::chrono::duration_cast<std::chrono::seconds>(WallTime::duration::max()).count() - 1;
  if (secs > kMaxSeconds || secs < -kMaxSeconds) return Bad(s, "year out of range");
  return WallTime(std::chrono::duration_cast<WallTime::duration>(std::chrono::seconds(secs) +
                                                                 std::chrono::nanoseconds(nanos)));
}

std::string FormatRfc3339(WallTime t) {
  int64_t secs = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  if (std::chrono::system_clock::from_time_t(0) + std::chrono::seconds(secs) > t) --secs;
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t rem = secs - days * 86400;
  // civil_from_days
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02dZ", static_cast<long long>(y), m,
                d, static_cast<int>(rem / 3600), static_cast<int>(rem % 3600 / 60),
                static_cast<int>(rem % 60));
  return buf;
}

}  // namespace chantless
