// The process environment behind the Environment seam.
#include "resolver/core/environment.h"

#include <cstdlib>

#include "resolver/core/ascii.h"

namespace chantless {

std::optional<std::string> SystemEnvironment::Get(std::string_view name) const {
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::optional<std::string> GetNonBlank(const Environment& env, std::string_view name) {
  std::optional<std::string> value = env.Get(name);
  if (!value) return std::nullopt;
  if (IsBlank(*value, kSpaceAndTab)) return std::nullopt;
  return std::string(StripAsciiWhitespace(*value, kSpaceAndTab));
}

}  // namespace chantless
