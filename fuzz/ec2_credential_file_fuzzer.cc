// Fuzz target: the EC2 tools' credential file parser (ParseEc2CredentialFile,
// resolver/legacy/ec2_credentials_file_provider.h).
//
// Properties (a broken one traps): keys and values are trimmed of ASCII whitespace and hold no line
// break, keys hold no "="; line numbers lie within the text's lines; rendering the entries as
// "key=value" lines and parsing that again gives the same keys and values (the parse is a fixed
// point); deterministic.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "resolver/core/ascii.h"
#include "resolver/legacy/ec2_credentials_file_provider.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto entries = chantless::ParseEc2CredentialFile(text);
  int lines = 1;
  for (char c : text) lines += (c == '\n' || c == '\r') ? 1 : 0;
  std::string rendered;
  for (const auto& [key, entry] : entries) {
    if (key.find_first_of("=\r\n") != std::string::npos) __builtin_trap();
    if (entry.value.find_first_of("\r\n") != std::string::npos) __builtin_trap();
    if (chantless::StripAsciiWhitespace(key) != key) __builtin_trap();
    if (chantless::StripAsciiWhitespace(entry.value) != entry.value) __builtin_trap();
    if (entry.line < 1 || entry.line > lines) __builtin_trap();
    rendered += key + "=" + entry.value + "\n";
  }
  const auto reparsed = chantless::ParseEc2CredentialFile(rendered);
  if (reparsed.size() != entries.size()) __builtin_trap();
  for (const auto& [key, entry] : entries) {
    const auto it = reparsed.find(key);
    if (it == reparsed.end() || it->second.value != entry.value) __builtin_trap();
  }
  if (chantless::ParseEc2CredentialFile(text).size() != entries.size()) __builtin_trap();
  return 0;
}
