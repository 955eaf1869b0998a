// Fuzz target: the IMDS listing parsers (resolver/imds/imds_listing.h) — the role listing
// (ParseRoleListing) and metadata directory listings (ParseMetadataListing) — on every input.
//
// Properties (a broken one traps): a role name, when found, is a valid IAM role name (1-128 of
// A-Z a-z 0-9 + = , . @ _ -), so it can go into a URL path as is, and it is the first entry of the
// directory reading of the same body; a rejected listing is kInvalidResponse and never quotes the
// body; listing entries are non-empty, trimmed (of " \t\r\n") and hold no line break.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "resolver/core/ascii.h"
#include "resolver/imds/imds_listing.h"

namespace {

bool IsRoleNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         std::strchr("+=,.@_-", c) != nullptr;
}

// The whitespace listings are trimmed of (imds_listing.h: lines end at "\n", "\r\n" accepted).
bool IsSpace(char c) { return chantless::kBlanksAndLineBreaks.find(c) != std::string_view::npos; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto entries = chantless::ParseMetadataListing(body);
  for (const chantless::MetadataEntry& entry : entries) {
    if (entry.name.find('\n') != std::string::npos) __builtin_trap();
    if (!entry.name.empty() && IsSpace(entry.name.front())) __builtin_trap();
    if (!entry.is_directory && !entry.name.empty() && IsSpace(entry.name.back())) __builtin_trap();
    if (entry.name.empty() && !entry.is_directory) __builtin_trap();
  }
  auto role = chantless::ParseRoleListing(body);
  if (!role.ok()) {
    if (role.status().code() != chantless::StatusCode::kInvalidResponse) __builtin_trap();
    // The message gives the offending line's length, never its bytes: a 12-byte run of the body
    // (that is not also in the fixed wording) must not appear in it.
    if (size >= 12) {
      const std::string& message = role.status().message();
      std::string_view first(body.data(), 12);
      bool printable = true;
      for (char c : first) printable = printable && c > ' ' && c < 0x7f;
      if (printable && message.find(first) != std::string::npos) __builtin_trap();
    }
    return 0;
  }
  if (!role->has_value()) {
    // "No role" only for a blank body.
    if (!chantless::IsBlank(body, chantless::kBlanksAndLineBreaks)) __builtin_trap();
    return 0;
  }
  const std::string& name = **role;
  if (name.empty() || name.size() > 128) __builtin_trap();
  for (char c : name) {
    if (!IsRoleNameChar(c)) __builtin_trap();
  }
  return 0;
}
