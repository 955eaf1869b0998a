// Python-compatible JSON string escaping and sorted dumps (rules in python_json.h).
#include "resolver/cli_cache/python_json.h"

#include <cstdio>

#include "resolver/core/ascii.h"

namespace chantless {
namespace {

// Decodes one UTF-8 sequence at text[*i], advancing *i; U+FFFD (one byte consumed) when the bytes
// there are not a valid, shortest-form sequence of a scalar value.
uint32_t NextCodePoint(std::string_view text, size_t* i) {
  const size_t length = Utf8SequenceLength(text, *i);
  if (length == 0) {
    ++*i;
    return 0xFFFD;
  }
  const auto b0 = static_cast<uint8_t>(text[*i]);
  uint32_t cp = length == 1 ? b0 : b0 & (0xFFu >> (length + 1));  // the lead byte's payload bits
  for (size_t k = 1; k < length; ++k) cp = (cp << 6) | (static_cast<uint8_t>(text[*i + k]) & 0x3F);
  *i += length;
  return cp;
}

void AppendU(uint32_t unit, std::string* out) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned>(unit));
  out->append(buf);
}

}  // namespace

std::string PythonJsonString(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  size_t i = 0;
  while (i < text.size()) {
    uint32_t cp = NextCodePoint(text, &i);
    switch (cp) {
      case '"':
        out.append("\\\"");
        continue;
      case '\\':
        out.append("\\\\");
        continue;
      case '\b':
        out.append("\\b");
        continue;
      case '\f':
        out.append("\\f");
        continue;
      case '\n':
        out.append("\\n");
        continue;
      case '\r':
        out.append("\\r");
        continue;
      case '\t':
        out.append("\\t");
        continue;
      default:
        break;
    }
    if (cp >= 0x20 && cp < 0x7F) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x10000) {
      AppendU(cp, &out);
    } else {
      uint32_t v = cp - 0x10000;
      AppendU(0xD800 | (v >> 10), &out);
      AppendU(0xDC00 | (v & 0x3FF), &out);
    }
  }
  out.push_back('"');
  return out;
}

std::string PythonJsonDumpsSorted(const CliCacheArgs& args) {
  std::string out = "{";
  bool first = true;
  for (const auto& [key, value] : args) {
    if (!first) out.append(", ");
    first = false;
    out.append(PythonJsonString(key));
    out.append(": ");
    if (const auto* s = std::get_if<std::string>(&value)) {
      out.append(PythonJsonString(*s));
    } else {
      out.append(std::to_string(std::get<int64_t>(value)));
    }
  }
  out.push_back('}');
  return out;
}

}  // namespace chantless
