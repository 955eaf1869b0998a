// Lenient cache timestamp parsing and botocore's "…UTC" form (rules in cache_time.h).
#include "resolver/cli_cache/cache_time.h"

namespace chantless {

StatusOr<WallTime> ParseCacheTimestamp(std::string_view text) {
  constexpr std::string_view kUtc = "UTC";
  if (text.size() > kUtc.size() && text.substr(text.size() - kUtc.size()) == kUtc) {
    std::string rewritten(text.substr(0, text.size() - kUtc.size()));
    // "…UTC" stands for "Z"; "…ZUTC" or "…+00:00UTC" are not a form anyone writes.
    char last = rewritten.back();
    if (last == 'Z' || last == 'z') return ParseRfc3339(text);
    rewritten.push_back('Z');
    return ParseRfc3339(rewritten);
  }
  return ParseRfc3339(text);
}

std::string FormatCliCacheUtc(WallTime t) {
  std::string text = FormatRfc3339(t);  // "YYYY-MM-DDTHH:MM:SSZ"
  text.pop_back();
  text.append("UTC");
  return text;
}

}  // namespace chantless
