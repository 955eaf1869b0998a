// gtest/gmock helpers for Status and StatusOr (testonly).
//
//   EXPECT_OK(status_or_statusor);
//   ASSERT_OK_AND_ASSIGN(Credentials c, provider.Resolve());
//   EXPECT_THAT(result, StatusIs(StatusCode::kInvalidConfiguration,
//   HasSubstr("AWS_ACCESS_KEY_ID")));
#ifndef CHANTLESS_RESOLVER_TESTING_STATUS_MATCHERS_H_
#define CHANTLESS_RESOLVER_TESTING_STATUS_MATCHERS_H_

#include <ostream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/core/status.h"

namespace chantless {

template <typename T>
void PrintTo(const StatusOr<T>& s, std::ostream* os) {
  if (s.ok()) {
    *os << "OK(value)";
  } else {
    *os << s.status().ToString();
  }
}
inline void PrintTo(const Status& s, std::ostream* os) { *os << s.ToString(); }

namespace testing {

inline const Status& GetStatusForMatch(const Status& s) { return s; }
template <typename T>
const Status& GetStatusForMatch(const StatusOr<T>& s) {
  return s.status();
}

MATCHER(IsOk, "is OK") {
  const Status& s = GetStatusForMatch(arg);
  if (!s.ok()) *result_listener << "status is " << s.ToString();
  return s.ok();
}

MATCHER_P2(StatusIs, code, message_matcher,
           std::string("has code ") + std::string(StatusCodeName(code))) {
  const Status& s = GetStatusForMatch(arg);
  if (s.code() != code) {
    *result_listener << "status is " << s.ToString();
    return false;
  }
  return ::testing::ExplainMatchResult(message_matcher, s.message(), result_listener);
}

MATCHER_P(StatusHasCode, code, std::string("has code ") + std::string(StatusCodeName(code))) {
  const Status& s = GetStatusForMatch(arg);
  if (s.code() != code) *result_listener << "status is " << s.ToString();
  return s.code() == code;
}

}  // namespace testing
}  // namespace chantless

#define EXPECT_OK(expr) EXPECT_THAT((expr), ::chantless::testing::IsOk())
#define ASSERT_OK(expr) ASSERT_THAT((expr), ::chantless::testing::IsOk())

#define CHANTLESS_TEST_CONCAT_INNER_(a, b) a##b
#define CHANTLESS_TEST_CONCAT_(a, b) CHANTLESS_TEST_CONCAT_INNER_(a, b)
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL_(CHANTLESS_TEST_CONCAT_(chantless_test_so_, __LINE__), lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  ASSERT_THAT(tmp, ::chantless::testing::IsOk());  \
  lhs = std::move(tmp).value()

#endif  // CHANTLESS_RESOLVER_TESTING_STATUS_MATCHERS_H_
