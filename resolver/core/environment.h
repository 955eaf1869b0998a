// Environment: the seam through which chantless reads environment variables.
//
// Nothing in resolver/ calls getenv(); providers receive an Environment. SystemEnvironment reads
// the process environment; tests use FakeEnvironment (resolver/testing/fakes.h).
#ifndef CHANTLESS_RESOLVER_CORE_ENVIRONMENT_H_
#define CHANTLESS_RESOLVER_CORE_ENVIRONMENT_H_

#include <optional>
#include <string>
#include <string_view>

namespace chantless {

// Implementations must be safe to call from several threads at once.
class Environment {
 public:
  virtual ~Environment() = default;
  // The variable's value, or nullopt when it is not set. (An empty value is returned as "": the
  // providers decide that blank means unset.)
  virtual std::optional<std::string> Get(std::string_view name) const = 0;
};

// The process environment. Thread-safe as long as nobody calls setenv() concurrently.
class SystemEnvironment : public Environment {
 public:
  std::optional<std::string> Get(std::string_view name) const override;
};

// Get() with blank (empty or all spaces/tabs) treated as unset; the value is returned trimmed.
std::optional<std::string> GetNonBlank(const Environment& env, std::string_view name);

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_CORE_ENVIRONMENT_H_
