// RFC 3339 timestamps as AWS credential endpoints write them.
//
// ParseRfc3339 is strict: "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)", upper- or lower-case T and Z,
// fields range-checked (leap seconds :60 accepted as :59.999…, February 30 rejected). It is a pure
// function over a string_view (a fuzz target). FormatRfc3339 writes "YYYY-MM-DDTHH:MM:SSZ" (UTC,
// whole seconds), the shape `aws configure export-credentials` prints.
#ifndef CHANTLESS_RESOLVER_CORE_TIME_UTIL_H_
#define CHANTLESS_RESOLVER_CORE_TIME_UTIL_H_

#include <chrono>
#include <string>
#include <string_view>

#include "resolver/core/status.h"

namespace chantless {

using WallTime = std::chrono::system_clock::time_point;

// kInvalidResponse with a message quoting at most 40 characters of the input on failure.
StatusOr<WallTime> ParseRfc3339(std::string_view text);

std::string FormatRfc3339(WallTime t);

// Days from 1970-01-01 for a proleptic Gregorian date (no time zone, no libc).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_CORE_TIME_UTIL_H_
