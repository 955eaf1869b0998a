// The process environment behind the Environment seam.
#include "resolver/core/environment.h"

#include <cstdlib>

namespace chantless {

std::optional<std::string> SystemEnvironment::Get(std::string_view name) const {
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::optional<std::string> GetNonBlank(const Environment& env, std::string_view name) {
  std::optional<std::string> value = env.Get(name);
  if (!value) return std::nullopt;
  size_t begin = value->find_first_not_of(" \t");
  if (begin == std::string::npos) return std::nullopt;
  size_t end = value->find_last_not_of(" \t");
  return value->substr(begin, end - begin + 1);
}

}  // namespace chantless
