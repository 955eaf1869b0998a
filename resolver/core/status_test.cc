// Tests for Status, StatusOr and the return-if-error helpers.
#include "resolver/core/status.h"

#include <memory>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::chantless::testing::StatusIs;
using ::testing::HasSubstr;

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(StatusTest, ToStringNamesTheCode) {
  EXPECT_EQ(InvalidConfigurationError("AWS_ACCESS_KEY_ID is set alone").ToString(),
            "invalid configuration: AWS_ACCESS_KEY_ID is set alone");
  EXPECT_EQ(NotConfiguredError("x").ToString(), "not configured: x");
  EXPECT_EQ(UnavailableError("x").ToString(), "unavailable: x");
  EXPECT_EQ(InvalidResponseError("x").ToString(), "invalid response: x");
  EXPECT_EQ(InternalError("x").ToString(), "internal: x");
  EXPECT_EQ(DeadlineExceededError("x").ToString(), "deadline exceeded: x");
}

TEST(StatusTest, DeadlineExceededCountsWithUnavailableForRetryRules) {
  EXPECT_TRUE(IsDeadlineExceeded(DeadlineExceededError("GET / timed out")));
  EXPECT_FALSE(IsUnavailable(DeadlineExceededError("x")));
  EXPECT_TRUE(IsUnavailableOrDeadlineExceeded(DeadlineExceededError("x")));
  EXPECT_TRUE(IsUnavailableOrDeadlineExceeded(UnavailableError("x")));
  EXPECT_FALSE(IsUnavailableOrDeadlineExceeded(InvalidResponseError("x")));
}

TEST(StatusTest, WithContextKeepsCode) {
  Status s = UnavailableError("connection refused").WithContext("GET http://127.0.0.1:1/");
  EXPECT_THAT(s, StatusIs(StatusCode::kUnavailable,
                          HasSubstr("GET http://127.0.0.1:1/: connection refused")));
  EXPECT_TRUE(OkStatus().WithContext("ignored").ok());
}

TEST(StatusOrTest, HoldsValueOrError) {
  StatusOr<int> v = 7;
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 7);
  StatusOr<int> e = UnavailableError("down");
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.value_or(3), 3);
}

TEST(StatusOrDeathTest, ValueOfAnErrorPrintsTheStatusThenAborts) {
  StatusOr<int> v = UnavailableError("GET http://127.0.0.1:1/: connection refused");
  EXPECT_DEATH((void)v.value(),
               "StatusOr::value\\(\\) on an error: unavailable: GET http://127.0.0.1:1/: "
               "connection refused");
}

TEST(StatusOrTest, OkStatusBecomesInternal) {
  StatusOr<int> e = OkStatus();
  EXPECT_THAT(e, StatusIs(StatusCode::kInternal, HasSubstr("OK status")));
}

TEST(StatusOrTest, MoveOnlyValues) {
  StatusOr<std::unique_ptr<int>> p = std::make_unique<int>(4);
  std::unique_ptr<int> q = std::move(p).value();
  EXPECT_EQ(*q, 4);
}

StatusOr<int> Twice(StatusOr<int> in) {
  CHANTLESS_ASSIGN_OR_RETURN(int v, in);
  return v * 2;
}

Status Check(Status in) {
  CHANTLESS_RETURN_IF_ERROR(in);
  return InternalError("reached");
}

TEST(StatusMacrosTest, AssignOrReturn) {
  EXPECT_EQ(*Twice(4), 8);
  EXPECT_THAT(Twice(InvalidResponseError("bad")), StatusIs(StatusCode::kInvalidResponse, "bad"));
}

TEST(StatusMacrosTest, ReturnIfError) {
  EXPECT_THAT(Check(NotConfiguredError("skip")), StatusIs(StatusCode::kNotConfigured, "skip"));
  EXPECT_THAT(Check(OkStatus()), StatusIs(StatusCode::kInternal, "reached"));
}

}  // namespace
}  // namespace chantless
