// Secret: a string that never prints its value.
//
// Secret access keys, session tokens, IMDS tokens and container authorization tokens are held in a
// Secret. Streaming or formatting one prints "<redacted>"; the only way to the bytes is the
// explicitly named reveal(), used where the value must leave the process (a request header, the
// `chantless resolve` output). Comparing two Secrets is allowed (tests, caches).
#ifndef CHANTLESS_RESOLVER_CORE_SECRET_H_
#define CHANTLESS_RESOLVER_CORE_SECRET_H_

#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace chantless {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  // The secret bytes. Every call site is a place a secret leaves its box: keep them few.
  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  size_t size() const { return value_.size(); }

  bool operator==(const Secret& other) const { return value_ == other.value_; }
  bool operator!=(const Secret& other) const { return value_ != other.value_; }

  // Always "<redacted>" (or "<empty>"): safe in logs, traces and test failure messages.
  std::string DebugString() const { return value_.empty() ? "<empty>" : "<redacted>"; }

 private:
  std::string value_;
};

inline std::ostream& operator<<(std::ostream& os, const Secret& secret) {
  return os << secret.DebugString();
}

// gtest prints values through PrintTo when present: keep secrets out of test failure output too.
inline void PrintTo(const Secret& secret, std::ostream* os) { *os << secret.DebugString(); }

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_CORE_SECRET_H_
