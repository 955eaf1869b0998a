// ParseXml on libexpat (rules and limits in xml_reader.h).
#include "resolver/xml/xml_reader.h"

#include <expat.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <new>

namespace chantless {
namespace {

// Expat reports namespaced names as "<uri><kNsSeparator><local>". \x01 cannot occur in an XML 1.0
// document, so it cannot occur in a namespace URI either.
constexpr char kNsSeparator = '\x01';

struct ParserDeleter {
  void operator()(XML_Parser p) const { XML_ParserFree(p); }
};

class Builder {
 public:
  Builder(XML_Parser parser, const XmlLimits& limits) : parser_(parser), limits_(limits) {}

  // Stops the parse with our own reason (a limit or a refused construct), at the current place.
  void Fail(const char* reason) {
    if (error_.empty()) {
      error_ = reason;
      error_line_ = static_cast<int>(XML_GetCurrentLineNumber(parser_));
      error_column_ = static_cast<int>(XML_GetCurrentColumnNumber(parser_)) + 1;
    }
    XML_StopParser(parser_, XML_FALSE);
  }

  void Start(const XML_Char* name, const XML_Char** attributes) {
    if (!error_.empty()) return;
    if (static_cast<int>(stack_.size()) >= limits_.max_depth)
      return Fail("elements nested too deep");
    if (++elements_ > limits_.max_elements) return Fail("too many elements");
    XmlElement* element;
    if (stack_.empty()) {
      root_ = std::make_unique<XmlElement>();
      element = root_.get();
    } else {
      stack_.back()->children.emplace_back();
      element = &stack_.back()->children.back();
    }
    SplitName(name, &element->namespace_uri, &element->local_name);
    element->line = static_cast<int>(XML_GetCurrentLineNumber(parser_));
    element->column = static_cast<int>(XML_GetCurrentColumnNumber(parser_)) + 1;
    size_t count = 0;
    for (const XML_Char** a = attributes; a[0] != nullptr; a += 2) {
      if (++count > limits_.max_attributes) return Fail("too many attributes on one element");
      std::string ns, local;
      SplitName(a[0], &ns, &local);
      element->attributes.emplace_back(std::move(local), a[1]);
    }
    stack_.push_back(element);
  }

  void End() {
    if (!error_.empty() || stack_.empty()) return;
    stack_.pop_back();
  }

  void Text(const XML_Char* s, int len) {
    if (!error_.empty() || stack_.empty() || len <= 0) return;
    stack_.back()->text.append(s, static_cast<size_t>(len));
  }

  const std::string& error() const { return error_; }
  int error_line() const { return error_line_; }
  int error_column() const { return error_column_; }
  std::unique_ptr<XmlElement> TakeRoot() { return std::move(root_); }

 private:
  static void SplitName(const XML_Char* name, std::string* ns, std::string* local) {
    const char* sep = std::strchr(name, kNsSeparator);
    if (sep == nullptr) {
      *local = name;
      return;
    }
    ns->assign(name, static_cast<size_t>(sep - name));
    *local = sep + 1;
  }

  XML_Parser parser_;
  const XmlLimits& limits_;
  std::unique_ptr<XmlElement> root_;
  std::vector<XmlElement*> stack_;  // the open elements, root first
  size_t elements_ = 0;
  std::string error_;
  int error_line_ = 0;
  int error_column_ = 0;
};

Builder* Self(void* user_data) { return static_cast<Builder*>(user_data); }

// Expat calls these from C: nothing may throw through them.
void OnStart(void* user_data, const XML_Char* name, const XML_Char** attributes) {
  try {
    Self(user_data)->Start(name, attributes);
  } catch (const std::bad_alloc&) {
    Self(user_data)->Fail("out of memory");
  }
}

void OnEnd(void* user_data, const XML_Char*) { Self(user_data)->End(); }

void OnText(void* user_data, const XML_Char* s, int len) {
  try {
    Self(user_data)->Text(s, len);
  } catch (const std::bad_alloc&) {
    Self(user_data)->Fail("out of memory");
  }
}

void OnDoctype(void* user_data, const XML_Char*, const XML_Char*, const XML_Char*, int) {
  Self(user_data)->Fail("a DOCTYPE is not allowed");
}

void OnEntityDecl(void* user_data, const XML_Char*, int, const XML_Char*, int, const XML_Char*,
                  const XML_Char*, const XML_Char*, const XML_Char*) {
  Self(user_data)->Fail("an entity declaration is not allowed");
}

int OnExternalEntityRef(XML_Parser, const XML_Char*, const XML_Char*, const XML_Char*,
                        const XML_Char*) {
  return XML_STATUS_ERROR;  // never load anything
}

void OnXmlDecl(void* user_data, const XML_Char*, const XML_Char* encoding, int) {
  if (encoding == nullptr) return;
  const char* utf8 = "utf-8";
  size_t n = std::strlen(encoding);
  bool is_utf8 = n == 5;
  for (size_t i = 0; is_utf8 && i < n; ++i) {
    char c = encoding[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    is_utf8 = c == utf8[i];
  }
  if (!is_utf8) Self(user_data)->Fail("an encoding other than UTF-8 is declared");
}

Status XmlError(const char* reason, int line, int column) {
  return InvalidResponseError(std::string("XML not accepted: ") + reason + " at line " +
                              std::to_string(line) + ", column " + std::to_string(column));
}

}  // namespace

const XmlElement* XmlElement::FindChild(std::string_view name) const {
  for (const XmlElement& child : children) {
    if (child.local_name == name) return &child;
  }
  return nullptr;
}

std::vector<const XmlElement*> XmlElement::FindChildren(std::string_view name) const {
  std::vector<const XmlElement*> out;
  for (const XmlElement& child : children) {
    if (child.local_name == name) out.push_back(&child);
  }
  return out;
}

StatusOr<XmlElement> ParseXml(std::string_view document, const XmlLimits& limits) {
  if (document.size() > limits.max_bytes) {
    return InvalidResponseError("XML not accepted: " + std::to_string(document.size()) +
                                " bytes exceed the limit of " + std::to_string(limits.max_bytes));
  }
  // The document is decoded as UTF-8 whatever it declares (OnXmlDecl refuses other declarations).
  std::unique_ptr<XML_ParserStruct, ParserDeleter> parser(
      XML_ParserCreateNS("UTF-8", kNsSeparator));
  if (parser == nullptr) return InternalError("XML: could not create an expat parser");
  XML_Parser p = parser.get();
  Builder builder(p, limits);
  XML_SetUserData(p, &builder);
  XML_SetElementHandler(p, OnStart, OnEnd);
  XML_SetCharacterDataHandler(p, OnText);
  XML_SetStartDoctypeDeclHandler(p, OnDoctype);
  XML_SetEntityDeclHandler(p, OnEntityDecl);
  XML_SetExternalEntityRefHandler(p, OnExternalEntityRef);
  XML_SetXmlDeclHandler(p, OnXmlDecl);
  XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
#if defined(XML_DTD) && \
    (XML_MAJOR_VERSION > 2 || (XML_MAJOR_VERSION == 2 && XML_MINOR_VERSION >= 4))
  XML_SetBillionLaughsAttackProtectionMaximumAmplification(p, 10.0f);
  XML_SetBillionLaughsAttackProtectionActivationThreshold(p, 64 * 1024);
#endif

  // Fed in chunks so a size_t length never overflows expat's int.
  constexpr size_t kChunk = 64 * 1024;
  size_t offset = 0;
  XML_Status status = XML_STATUS_OK;
  do {
    const size_t n = std::min(kChunk, document.size() - offset);
    const bool last = offset + n == document.size();
    status =
        XML_Parse(p, document.data() + offset, static_cast<int>(n), last ? XML_TRUE : XML_FALSE);
    offset += n;
    if (status != XML_STATUS_OK || last) break;
  } while (true);

  if (!builder.error().empty()) {
    return XmlError(builder.error().c_str(), builder.error_line(), builder.error_column());
  }
  if (status != XML_STATUS_OK) {
    const XML_Error code = XML_GetErrorCode(p);
    const XML_LChar* reason = XML_ErrorString(code);
    return XmlError(reason != nullptr ? reason : "not well-formed",
                    static_cast<int>(XML_GetCurrentLineNumber(p)),
                    static_cast<int>(XML_GetCurrentColumnNumber(p)) + 1);
  }
  std::unique_ptr<XmlElement> root = builder.TakeRoot();
  if (root == nullptr) return XmlError("no element found", 1, 1);
  return std::move(*root);
}

}  // namespace chantless
