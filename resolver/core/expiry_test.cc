// Tests for the expiry rule (expiry.h): refused at or past the Expiration with no clock-skew
// allowance, the message naming source, Expiration and local clock; accepted otherwise with the
// validity traced.
#include "resolver/core/expiry.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/core/time_util.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::chantless::testing::StatusIs;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::AllOf;
using ::testing::HasSubstr;

const WallTime kNow = ParseRfc3339("2024-05-01T12:00:00Z").value();

TEST(ExpiryRuleTest, NoExpirationIsAcceptedWithoutTrace) {
  CollectingTraceSink trace;
  EXPECT_OK(CheckExpiry(std::nullopt, kNow, "AWS_CREDENTIAL_EXPIRATION", &trace, "env"));
  EXPECT_TRUE(trace.events().empty());
}

TEST(ExpiryRuleTest, PastExpirationIsRefusedNamingSourceExpirationAndLocalClock) {
  EXPECT_THAT(
      CheckExpiry(kNow - hours(3), kNow, "container-role: GET http://127.0.0.1:1/creds"),
      StatusIs(StatusCode::kInvalidResponse,
               AllOf(HasSubstr("container-role: GET http://127.0.0.1:1/creds"),
                     HasSubstr("expired at 2024-05-01T09:00:00Z"),
                     HasSubstr("local clock 2024-05-01T12:00:00Z"), HasSubstr("3h 0m 0s later"))));
}

TEST(ExpiryRuleTest, FarPastAndFarFutureExpirationsDoNotOverflow) {
  // The earliest and latest instants a parsed timestamp can hold (about 1678 and 2262): the
  // difference to the local clock exceeds what nanoseconds hold and is clamped, not overflowed.
  const WallTime earliest = WallTime(WallTime::duration::min());
  const WallTime latest = WallTime(WallTime::duration::max());
  EXPECT_THAT(CheckExpiry(earliest, kNow, "iam-role: GET http://127.0.0.1:1/creds"),
              StatusIs(StatusCode::kInvalidResponse, HasSubstr("refusing expired credentials")));
  CollectingTraceSink trace;
  EXPECT_OK(CheckExpiry(latest, kNow, "iam-role", &trace, "iam-role"));
  ASSERT_EQ(trace.events().size(), 1u);
  EXPECT_THAT(trace.events()[0].message, HasSubstr("are valid for"));
}

TEST(ExpiryRuleTest, ExpirationEqualToTheLocalClockIsExpired) {
  EXPECT_THAT(CheckExpiry(kNow, kNow, "AWS_CREDENTIAL_EXPIRATION"),
              StatusIs(StatusCode::kInvalidResponse, HasSubstr("less than 1s later")));
}

TEST(ExpiryRuleTest, NoClockSkewAllowanceForJustExpiredCredentials) {
  EXPECT_THAT(CheckExpiry(kNow - milliseconds(1), kNow, "source"),
              StatusIs(StatusCode::kInvalidResponse, HasSubstr("expired at")));
}

TEST(ExpiryRuleTest, NoClockSkewAllowanceForCredentialsAboutToExpire) {
  EXPECT_OK(CheckExpiry(kNow + milliseconds(1), kNow, "source"));
}

TEST(ExpiryRuleTest, AcceptedCredentialsTraceHowLongTheyAreValid) {
  CollectingTraceSink trace;
  EXPECT_OK(CheckExpiry(kNow + hours(6), kNow, "IMDS", &trace, "iam-role"));
  ASSERT_EQ(trace.events().size(), 1u);
  const TraceEvent e = trace.events()[0];
  EXPECT_EQ(e.kind, TraceEvent::Kind::kInfo);
  EXPECT_EQ(e.provider, "iam-role");
  EXPECT_EQ(e.message, "credentials from IMDS are valid for 6h 0m 0s (until 2024-05-01T18:00:00Z)");
}

TEST(ExpiryRuleTest, AboutToExpireCredentialsAreReturnedAndTracedInsideTheRefreshWindow) {
  CollectingTraceSink trace;
  EXPECT_OK(CheckExpiry(kNow + minutes(4) + seconds(10), kNow, "container", &trace, "c"));
  ASSERT_EQ(trace.events().size(), 1u);
  EXPECT_THAT(trace.events()[0].message,
              AllOf(HasSubstr("valid for 4m 10s (until 2024-05-01T12:04:10Z)"),
                    HasSubstr("inside the 15-minute refresh window")));
}

TEST(ExpiryRuleTest, DurationsAreWrittenInHoursMinutesSeconds) {
  EXPECT_EQ(FormatExpiryDuration(seconds(0)), "less than 1s");
  EXPECT_EQ(FormatExpiryDuration(milliseconds(999)), "less than 1s");
  EXPECT_EQ(FormatExpiryDuration(seconds(42)), "42s");
  EXPECT_EQ(FormatExpiryDuration(minutes(14) + seconds(59)), "14m 59s");
  EXPECT_EQ(FormatExpiryDuration(hours(3) + seconds(5)), "3h 0m 5s");
}

}  // namespace
}  // namespace chantless
