// Status and StatusOr<T>: the one error type of chantless, spelled as absl spells it.
//
// A Status is a code plus a message. The code carries the credential chain's rule (see
// docs/behaviour.md and resolver/chain/chain.h):
//   kNotConfigured        the provider does not apply here: the chain tries the next one;
//   kInvalidConfiguration the user configured it wrongly: the chain stops and says where;
//   kUnavailable          network failure, 5xx: the chain stops;
//   kDeadlineExceeded     no answer within the request's timeout: exactly as kUnavailable for the
//                         chain and every retry rule; a type of its own so that policies that
//                         react to a timeout (the IMDS v1 fallback and hop-limit diagnosis) never
//                         read message text;
//   kInvalidResponse      a malformed body or a missing field: the chain stops;
//   kInternal             a bug or an impossible state.
// Messages name their source (file:line, variable, endpoint and status) and never hold a secret.
// No exception crosses chantless's public API: code that calls throwing libraries catches at one
// boundary and returns a Status.
#ifndef CHANTLESS_RESOLVER_CORE_STATUS_H_
#define CHANTLESS_RESOLVER_CORE_STATUS_H_

#include <cstdlib>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace chantless {

enum class StatusCode {
  kOk = 0,
  kNotConfigured = 1,
  kInvalidConfiguration = 2,
  kUnavailable = 3,
  kInvalidResponse = 4,
  kInternal = 5,
  kDeadlineExceeded = 6,
};

// "ok", "not configured", "invalid configuration", "unavailable", "invalid response", "internal",
// "deadline exceeded".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "invalid configuration: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not".
  std::string ToString() const;

  // A copy with `context + ": "` prepended to the message; the code is kept.
  Status WithContext(std::string_view context) const;

  bool operator==(const Status& other) const {
    return code_ == other.code_ && message_ == other.message_;
  }
  bool operator!=(const Status& other) const { return !(*this == other); }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status OkStatus() { return Status(); }
inline Status NotConfiguredError(std::string message) {
  return Status(StatusCode::kNotConfigured, std::move(message));
}
inline Status InvalidConfigurationError(std::string message) {
  return Status(StatusCode::kInvalidConfiguration, std::move(message));
}
inline Status UnavailableError(std::string message) {
  return Status(StatusCode::kUnavailable, std::move(message));
}
inline Status InvalidResponseError(std::string message) {
  return Status(StatusCode::kInvalidResponse, std::move(message));
}
inline Status InternalError(std::string message) {
  return Status(StatusCode::kInternal, std::move(message));
}
inline Status DeadlineExceededError(std::string message) {
  return Status(StatusCode::kDeadlineExceeded, std::move(message));
}

inline bool IsNotConfigured(const Status& s) { return s.code() == StatusCode::kNotConfigured; }
inline bool IsInvalidConfiguration(const Status& s) {
  return s.code() == StatusCode::kInvalidConfiguration;
}
inline bool IsUnavailable(const Status& s) { return s.code() == StatusCode::kUnavailable; }
inline bool IsInvalidResponse(const Status& s) { return s.code() == StatusCode::kInvalidResponse; }
inline bool IsDeadlineExceeded(const Status& s) {
  return s.code() == StatusCode::kDeadlineExceeded;
}
// The endpoint did not answer, or not in time: the two codes every retry and stop rule treats
// alike.
inline bool IsUnavailableOrDeadlineExceeded(const Status& s) {
  return IsUnavailable(s) || IsDeadlineExceeded(s);
}

std::ostream& operator<<(std::ostream& os, const Status& status);

namespace status_internal {
// Prints "StatusOr::value() on an error: <status>" to stderr, then aborts.
[[noreturn]] void DieOfValueOnError(const Status& status);
}  // namespace status_internal

// Either a value or a non-OK Status. Accessing value() of an error prints the status to stderr and
// aborts (a bug, not input).
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  // Implicit on purpose, as in absl: `return value;` and `return SomeError(...);` both work.
  StatusOr(const T& value) : value_(value) {}         // NOLINT
  StatusOr(T&& value) : value_(std::move(value)) {}   // NOLINT
  StatusOr(const Status& status) : status_(status) {  // NOLINT
    if (status_.ok()) status_ = InternalError("StatusOr constructed from an OK status");
  }
  StatusOr(Status&& status) : status_(std::move(status)) {  // NOLINT
    if (status_.ok()) status_ = InternalError("StatusOr constructed from an OK status");
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  const T& value() const& {
    CheckOk();
    return *value_;
  }
  T& value() & {
    CheckOk();
    return *value_;
  }
  T&& value() && {
    CheckOk();
    return std::move(*value_);
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  template <typename U>
  T value_or(U&& fallback) const& {
    return ok() ? *value_ : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  void CheckOk() const {
    if (!ok()) status_internal::DieOfValueOnError(status_);
  }

  Status status_;
  std::optional<T> value_;
};

namespace status_internal {
inline const Status& GetStatus(const Status& s) { return s; }
template <typename T>
const Status& GetStatus(const StatusOr<T>& s) {
  return s.status();
}
}  // namespace status_internal

}  // namespace chantless

#define CHANTLESS_STATUS_CONCAT_INNER_(a, b) a##b
#define CHANTLESS_STATUS_CONCAT_(a, b) CHANTLESS_STATUS_CONCAT_INNER_(a, b)

// Returns the Status of `expr` (a Status or StatusOr) from the enclosing function when not OK.
#define CHANTLESS_RETURN_IF_ERROR(expr)                                   \
  do {                                                                    \
    const auto& chantless_status_ = (expr);                               \
    if (!::chantless::status_internal::GetStatus(chantless_status_).ok()) \
      return ::chantless::status_internal::GetStatus(chantless_status_);  \
  } while (0)

// CHANTLESS_ASSIGN_OR_RETURN(auto x, F()); — declares/assigns from a StatusOr or returns its error.
#define CHANTLESS_ASSIGN_OR_RETURN(lhs, expr)                                                    \
  CHANTLESS_ASSIGN_OR_RETURN_IMPL_(CHANTLESS_STATUS_CONCAT_(chantless_statusor_, __LINE__), lhs, \
                                   expr)
#define CHANTLESS_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                     \
  if (!tmp.ok()) return tmp.status();                    \
  lhs = std::move(tmp).value()

#endif  // CHANTLESS_RESOLVER_CORE_STATUS_H_
