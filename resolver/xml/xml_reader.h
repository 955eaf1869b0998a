// A small DOM-ish XML reader over libexpat, for the bodies STS (and later other AWS query
// services) answer with.
//
// Rules: UTF-8 only (a declared encoding other than UTF-8 is refused; a UTF-8 byte-order mark is
// fine); no DTD at all: any <!DOCTYPE …> is refused, so no entity can be declared, no external
// entity or DTD is ever loaded and no entity expansion beyond the five predefined entities and
// character references can happen (expat's own amplification guard is set as a second line, and
// parameter-entity parsing is off). Namespaces are processed: each element carries its local name
// and namespace URI; prefixes are resolved and otherwise dropped. Character data directly inside
// an element (CDATA sections included, across comments and child elements) is concatenated, as is,
// into its text. Comments and processing instructions are skipped.
//
// Limits (XmlLimits, defaults): 1 MiB of input, element depth 32, 10,000 elements, 16 attributes
// per element. Errors are kInvalidResponse "XML …: <reason> at line L, column C" (expat's own
// reason, or the limit hit). An error never quotes the input: the body may hold a secret.
// Never throws; a pure function of its input (a fuzz target).
#ifndef CHANTLESS_RESOLVER_XML_XML_READER_H_
#define CHANTLESS_RESOLVER_XML_XML_READER_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "resolver/core/status.h"

namespace chantless {

struct XmlLimits {
  size_t max_bytes = 1 << 20;
  int max_depth = 32;  // the root element is depth 1
  size_t max_elements = 10000;
  size_t max_attributes = 16;  // per element
};

struct XmlElement {
  std::string local_name;     // "AccessKeyId"
  std::string namespace_uri;  // "https://sts.amazonaws.com/doc/2011-06-15/", or empty
  std::string text;           // character data directly inside, concatenated, untrimmed
  std::vector<std::pair<std::string, std::string>> attributes;  // local name, value
  std::vector<XmlElement> children;
  int line = 0;  // where the start tag begins (1-based)
  int column = 0;

  // The first child with this local name (any namespace), or nullptr.
  const XmlElement* FindChild(std::string_view name) const;
  // Every child with this local name, in document order.
  std::vector<const XmlElement*> FindChildren(std::string_view name) const;
};

// The document's root element. kInvalidResponse when the document is not well-formed, has a
// DOCTYPE, declares a non-UTF-8 encoding, or breaks a limit; the message names the reason and
// the line/column, never any text of the document.
StatusOr<XmlElement> ParseXml(std::string_view document, const XmlLimits& limits = XmlLimits());

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_XML_XML_READER_H_
