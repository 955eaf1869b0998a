// The expiry rule (rules in expiry.h).
#include "resolver/core/expiry.h"

#include <cstdint>
#include <limits>
#include <utility>

namespace chantless {

namespace {

// a - b, clamped to what nanoseconds hold: an expiration parsed from a far-past or far-future
// timestamp must not overflow the subtraction.
std::chrono::nanoseconds SaturatingDifference(WallTime a, WallTime b) {
  const int64_t x =
      std::chrono::duration_cast<std::chrono::nanoseconds>(a.time_since_epoch()).count();
  const int64_t y =
      std::chrono::duration_cast<std::chrono::nanoseconds>(b.time_since_epoch()).count();
  int64_t d;
  if (__builtin_sub_overflow(x, y, &d)) {
    d = x > y ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
  }
  return std::chrono::nanoseconds(d);
}

}  // namespace

std::string FormatExpiryDuration(std::chrono::nanoseconds d) {
  const int64_t total = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  if (total < 1) return "less than 1s";
  const int64_t hours = total / 3600;
  const int64_t minutes = (total % 3600) / 60;
  const int64_t seconds = total % 60;
  if (hours > 0) {
    return std::to_string(hours) + "h " + std::to_string(minutes) + "m " + std::to_string(seconds) +
           "s";
  }
  if (minutes > 0) return std::to_string(minutes) + "m " + std::to_string(seconds) + "s";
  return std::to_string(seconds) + "s";
}

Status CheckExpiry(std::optional<WallTime> expiration, WallTime now, std::string_view source,
                   TraceSink* trace, std::string_view trace_provider) {
  if (!expiration) return OkStatus();
  if (*expiration <= now) {
    return InvalidResponseError(std::string(source) + ": the credentials expired at " +
                                FormatRfc3339(*expiration) + "; local clock " + FormatRfc3339(now) +
                                " (" +
                                FormatExpiryDuration(SaturatingDifference(now, *expiration)) +
                                " later); refusing expired credentials");
  }
  TraceValidity(trace, trace_provider, source, *expiration, now);
  return OkStatus();
}

void TraceValidity(TraceSink* trace, std::string_view trace_provider, std::string_view source,
                   WallTime expiration, WallTime now) {
  if (trace == nullptr) return;
  const std::chrono::nanoseconds left = SaturatingDifference(expiration, now);
  std::string message = "credentials from " + std::string(source) + " are valid for " +
                        FormatExpiryDuration(left) + " (until " + FormatRfc3339(expiration) + ")";
  if (left < kExpiryRefreshWindow) {
    message +=
        ", inside the " + std::to_string(kExpiryRefreshWindow.count()) + "-minute refresh window";
  }
  TraceInfo(trace, std::string(trace_provider), std::move(message));
}

}  // namespace chantless
