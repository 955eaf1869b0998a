// Helpers shared by every HttpClient.
#include "resolver/http/http_client.h"

#include "resolver/core/ascii.h"

namespace chantless {

std::optional<std::string> FindHeader(const HttpHeaders& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

}  // namespace chantless
