// Fuzz target: the shared profile file parser (resolver/profile/profile_file_parser.h), both
// grammars (config and credentials) on every input.
//
// Properties (a broken one traps): the round trip — a parsed file rendered and parsed again with
// the same kind is accepted and equal, and rendering is then a fixed point; errors are
// kInvalidConfiguration naming the path; property lookups agree with the parsed order (Find returns
// the first case-insensitive match, which operator== then equals).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "resolver/profile/profile_file_parser.h"

namespace {

using chantless::ProfileFile;
using chantless::ProfileFileKind;

constexpr std::string_view kPath = "fuzz/profile";

void Check(std::string_view text, ProfileFileKind kind) {
  auto parsed = chantless::ParseProfileFile(text, kind, kPath);
  if (!parsed.ok()) {
    if (parsed.status().code() != chantless::StatusCode::kInvalidConfiguration) __builtin_trap();
    if (parsed.status().message().compare(0, kPath.size(), kPath) != 0) __builtin_trap();
    return;
  }
  std::string rendered = chantless::RenderProfileFile(*parsed, kind);
  auto reparsed = chantless::ParseProfileFile(rendered, kind, kPath);
  if (!reparsed.ok()) __builtin_trap();
  if (*reparsed != *parsed) __builtin_trap();
  if (chantless::RenderProfileFile(*reparsed, kind) != rendered) __builtin_trap();
  for (const auto& [name, section] : parsed->profiles) {
    if (name != section.name) __builtin_trap();
    if (parsed->FindProfile(name) != &section) __builtin_trap();
    for (const auto& property : section.properties) {
      const chantless::ProfileProperty* found = section.Find(property.key);
      if (found == nullptr || !chantless::EqualsIgnoreCase(found->key, property.key)) {
        __builtin_trap();
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Check(text, ProfileFileKind::kConfig);
  Check(text, ProfileFileKind::kCredentials);
  return 0;
}
