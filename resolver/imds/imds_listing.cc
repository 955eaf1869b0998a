// IMDS listing parsers (see imds_listing.h).
#include "resolver/imds/imds_listing.h"

#include <algorithm>
#include <cctype>

#include "resolver/core/ascii.h"

namespace chantless {
namespace {

template <typename Fn>
void ForEachLine(std::string_view body, Fn fn) {
  while (!body.empty()) {
    size_t nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    line = StripAsciiWhitespace(line, kBlanksAndLineBreaks);
    if (!line.empty() && !fn(line)) return;
    if (nl == std::string_view::npos) return;
    body.remove_prefix(nl + 1);
  }
}

bool IsRoleNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '=' || c == ',' ||
         c == '.' || c == '@' || c == '_' || c == '-';
}

}  // namespace

StatusOr<std::optional<std::string>> ParseRoleListing(std::string_view body) {
  std::optional<std::string_view> first;
  ForEachLine(body, [&](std::string_view line) {
    first = line;
    return false;
  });
  if (!first) return std::optional<std::string>();
  if (first->size() > 128 || !std::all_of(first->begin(), first->end(), IsRoleNameChar)) {
    return InvalidResponseError("IMDS role listing: the first line (" +
                                std::to_string(first->size()) +
                                " bytes) is not a valid IAM role name");
  }
  return std::optional<std::string>(std::string(*first));
}

std::vector<MetadataEntry> ParseMetadataListing(std::string_view body) {
  std::vector<MetadataEntry> out;
  ForEachLine(body, [&](std::string_view line) {
    MetadataEntry e;
    if (line.size() > 1 && line.back() == '/') {
      e.is_directory = true;
      line.remove_suffix(1);
    }
    e.name = std::string(line);
    out.push_back(std::move(e));
    return true;
  });
  return out;
}

}  // namespace chantless
