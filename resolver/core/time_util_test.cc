// Tests for the strict RFC 3339 parser and the UTC formatter.
#include "resolver/core/time_util.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::chantless::testing::StatusIs;
using ::testing::HasSubstr;

int64_t Epoch(std::string_view s) {
  StatusOr<WallTime> t = ParseRfc3339(s);
  EXPECT_OK(t) << s;
  if (!t.ok()) return -1;
  return std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count();
}

TEST(ParseRfc3339Test, AcceptsUtcZ) { EXPECT_EQ(Epoch("2024-05-01T12:00:00Z"), 1714564800); }
TEST(ParseRfc3339Test, AcceptsLowerCaseTAndZ) {
  EXPECT_EQ(Epoch("2024-05-01t12:00:00z"), 1714564800);
}
TEST(ParseRfc3339Test, AcceptsPositiveOffset) {
  EXPECT_EQ(Epoch("2024-05-01T14:00:00+02:00"), 1714564800);
}
TEST(ParseRfc3339Test, AcceptsNegativeOffset) {
  EXPECT_EQ(Epoch("2024-05-01T07:00:00-05:00"), 1714564800);
}
TEST(ParseRfc3339Test, AcceptsFraction) {
  StatusOr<WallTime> t = ParseRfc3339("1970-01-01T00:00:01.5Z");
  ASSERT_OK(t);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count(),
            1500);
}
TEST(ParseRfc3339Test, AcceptsEpochAsCloudShellSendsIt) {
  EXPECT_EQ(Epoch("1970-01-01T00:00:00Z"), 0);
}
TEST(ParseRfc3339Test, AcceptsLeapDay) { EXPECT_EQ(Epoch("2024-02-29T00:00:00Z"), 1709164800); }
TEST(ParseRfc3339Test, AcceptsLeapSecond) { EXPECT_EQ(Epoch("2016-12-31T23:59:60Z"), 1483228799); }

TEST(ParseRfc3339Test, RejectsMissingZone) {
  EXPECT_THAT(ParseRfc3339("2024-05-01T12:00:00"),
              StatusIs(StatusCode::kInvalidResponse, HasSubstr("time zone")));
}
TEST(ParseRfc3339Test, RejectsSpaceSeparator) {
  EXPECT_THAT(ParseRfc3339("2024-05-01 12:00:00Z"),
              StatusIs(StatusCode::kInvalidResponse, HasSubstr("'T'")));
}
TEST(ParseRfc3339Test, RejectsFebruary30) {
  EXPECT_THAT(ParseRfc3339("2023-02-29T00:00:00Z"),
              StatusIs(StatusCode::kInvalidResponse, HasSubstr("day out of range")));
}
TEST(ParseRfc3339Test, RejectsHour24) {
  EXPECT_THAT(ParseRfc3339("2024-05-01T24:00:00Z"),
              StatusIs(StatusCode::kInvalidResponse, HasSubstr("out of range")));
}
TEST(ParseRfc3339Test, RejectsTrailingText) {
  EXPECT_THAT(ParseRfc3339("2024-05-01T12:00:00Zjunk"),
              StatusIs(StatusCode::kInvalidResponse, HasSubstr("trailing")));
}
TEST(ParseRfc3339Test, RejectsEmptyFraction) {
  EXPECT_THAT(ParseRfc3339("2024-05-01T12:00:00.Z"),
              StatusIs(StatusCode::kInvalidResponse, HasSubstr("fraction")));
}
TEST(ParseRfc3339Test, RejectsEpochSeconds) {
  EXPECT_THAT(ParseRfc3339("1714564800"),
              StatusIs(StatusCode::kInvalidResponse, HasSubstr("YYYY")));
}
TEST(ParseRfc3339Test, RejectsEmpty) {
  EXPECT_THAT(ParseRfc3339(""), StatusIs(StatusCode::kInvalidResponse, ::testing::_));
}
TEST(ParseRfc3339Test, RejectsInstantsOutsideWallTimeRange) {
  // Regression: fuzz/corpus/imds_credentials_fuzzer/regression_year_5060_overflow.
  if (std::chrono::duration_cast<std::chrono::hours>(WallTime::duration::max()).count() >
      24 * 366 * 10000) {
    GTEST_SKIP() << "this standard library's system_clock covers years 0000-9999";
  }
  EXPECT_THAT(ParseRfc3339("5060-12-31T23:59:60Z"),
              StatusIs(StatusCode::kInvalidResponse, HasSubstr("year out of range")));
  EXPECT_THAT(ParseRfc3339("0001-01-01T00:00:00Z"),
              StatusIs(StatusCode::kInvalidResponse, HasSubstr("year out of range")));
  EXPECT_EQ(Epoch("2200-01-01T00:00:00Z"), 7258118400);
}

TEST(ParseRfc3339Test, MessageDoesNotEchoControlCharacters) {
  StatusOr<WallTime> t = ParseRfc3339("2024\n05-01T12:00:00Z");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message().find('\n'), std::string::npos);
}

TEST(FormatRfc3339Test, FormatsUtcWholeSeconds) {
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("2024-05-01T14:00:00.9+02:00")), "2024-05-01T12:00:00Z");
  EXPECT_EQ(FormatRfc3339(WallTime{}), "1970-01-01T00:00:00Z");
}

TEST(FormatRfc3339Test, RoundTripsAcrossCenturies) {
  for (const char* s : {"1999-12-31T23:59:59Z", "2000-02-29T00:00:00Z", "2100-03-01T01:02:03Z",
                        "2038-01-19T03:14:08Z"}) {
    EXPECT_EQ(FormatRfc3339(*ParseRfc3339(s)), s);
  }
}

}  // namespace
}  // namespace chantless
