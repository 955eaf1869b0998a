// Fuzz target: ParseXml (resolver/xml/xml_reader.h), the libexpat reader under every STS decoder.
//
// Properties (a broken one traps): a failure is kInvalidResponse with a bounded, printable message
// starting "XML not accepted: " (it names a reason and a line/column, never any text of the
// input); a success respects the limits (depth ≤ 32, ≤ 10,000 elements, ≤ 16 attributes each),
// has a non-empty local name on every element and a 1-based position, and a second parse of the
// same bytes gives the same tree (deterministic).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "resolver/xml/xml_reader.h"

namespace {

// Walks the tree: returns false on a broken property; counts elements and checks depth.
bool Check(const chantless::XmlElement& e, int depth, size_t* elements) {
  const chantless::XmlLimits limits;
  if (depth > limits.max_depth) return false;
  if (++*elements > limits.max_elements) return false;
  if (e.local_name.empty() || e.line < 1 || e.column < 1) return false;
  if (e.attributes.size() > limits.max_attributes) return false;
  for (const auto& child : e.children) {
    if (!Check(child, depth + 1, elements)) return false;
  }
  return true;
}

bool Same(const chantless::XmlElement& a, const chantless::XmlElement& b) {
  if (a.local_name != b.local_name || a.namespace_uri != b.namespace_uri || a.text != b.text ||
      a.attributes != b.attributes || a.line != b.line || a.column != b.column ||
      a.children.size() != b.children.size()) {
    return false;
  }
  for (size_t i = 0; i < a.children.size(); ++i) {
    if (!Same(a.children[i], b.children[i])) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = chantless::ParseXml(text);
  if (!parsed.ok()) {
    if (parsed.status().code() != chantless::StatusCode::kInvalidResponse) __builtin_trap();
    const std::string& message = parsed.status().message();
    if (message.rfind("XML not accepted: ", 0) != 0 || message.size() > 160) __builtin_trap();
    for (char c : message) {
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
        __builtin_trap();
      }
    }
    return 0;
  }
  size_t elements = 0;
  if (!Check(*parsed, 1, &elements)) __builtin_trap();
  auto again = chantless::ParseXml(text);
  if (!again.ok() || !Same(*parsed, *again)) __builtin_trap();
  return 0;
}
