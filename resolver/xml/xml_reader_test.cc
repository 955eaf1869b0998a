// Tests for ParseXml: one table of named documents, each accepted (with a check of the tree) or
// refused (with the reason the message must give), plus the rules every error obeys.
#include "resolver/xml/xml_reader.h"

#include <functional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::chantless::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSts[] = "https://sts.amazonaws.com/doc/2011-06-15/";

std::string Nested(int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += "<e>";
  for (int i = 0; i < depth; ++i) s += "</e>";
  return s;
}

std::string ManyElements(int n) {
  std::string s = "<r>";
  for (int i = 0; i < n; ++i) s += "<e/>";
  return s + "</r>";
}

const char kBillionLaughs[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE lolz [\n"
    " <!ENTITY lol \"lol\">\n"
    " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
    " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
    "]>\n"
    "<lolz>&lol3;</lolz>";

const char kExternalEntity[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE r [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
    "<r>&xxe;</r>";

struct Case {
  const char* name;
  std::string document;
  // Accepted: the check runs on the root. Refused: the message contains `error`.
  std::function<void(const XmlElement&)> check;
  const char* error = nullptr;
  XmlLimits limits = XmlLimits();
};

std::vector<Case> Cases() {
  XmlLimits small;
  small.max_bytes = 64;
  return {
      {"minimal_element", "<A/>",
       [](const XmlElement& r) {
         EXPECT_EQ(r.local_name, "A");
         EXPECT_EQ(r.namespace_uri, "");
         EXPECT_TRUE(r.children.empty());
         EXPECT_EQ(r.line, 1);
         EXPECT_EQ(r.column, 1);
       }},
      {"sts_default_namespace",
       std::string("<AssumeRoleResponse xmlns=\"") + kSts +
           "\"><AssumeRoleResult/></AssumeRoleResponse>",
       [](const XmlElement& r) {
         EXPECT_EQ(r.local_name, "AssumeRoleResponse");
         EXPECT_EQ(r.namespace_uri, kSts);
         ASSERT_NE(r.FindChild("AssumeRoleResult"), nullptr);
         EXPECT_EQ(r.FindChild("AssumeRoleResult")->namespace_uri, kSts);
       }},
      {"namespace_prefixes_resolved", "<s:A xmlns:s=\"urn:x\"><s:B>v</s:B><C/></s:A>",
       [](const XmlElement& r) {
         EXPECT_EQ(r.local_name, "A");
         EXPECT_EQ(r.namespace_uri, "urn:x");
         EXPECT_EQ(r.FindChild("B")->text, "v");
         EXPECT_EQ(r.FindChild("B")->namespace_uri, "urn:x");
         EXPECT_EQ(r.FindChild("C")->namespace_uri, "");
       }},
      {"unbound_prefix", "<s:A/>", nullptr, "unbound prefix"},
      {"whitespace_kept", "<A>  v \n\t</A>",
       [](const XmlElement& r) { EXPECT_EQ(r.text, "  v \n\t"); }},
      {"cdata_is_text", "<A>x<![CDATA[<not a tag> & ]]>y</A>",
       [](const XmlElement& r) { EXPECT_EQ(r.text, "x<not a tag> & y"); }},
      {"comment_inside_text", "<A>ab<!-- c -->cd</A>",
       [](const XmlElement& r) { EXPECT_EQ(r.text, "abcd"); }},
      {"comments_around_root", "<!-- before --><A>v</A><!-- after -->",
       [](const XmlElement& r) { EXPECT_EQ(r.text, "v"); }},
      {"processing_instructions_skipped", "<?xml-stylesheet href=\"x\"?><A><?pi data?>v</A><?end?>",
       [](const XmlElement& r) { EXPECT_EQ(r.text, "v"); }},
      {"xml_declaration_utf8", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<A>v</A>",
       [](const XmlElement& r) {
         EXPECT_EQ(r.text, "v");
         EXPECT_EQ(r.line, 2);
       }},
      {"declared_latin1_refused", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><A/>", nullptr,
       "encoding other than UTF-8"},
      {"utf8_byte_order_mark", "\xEF\xBB\xBF<A>\xC3\xA9</A>",
       [](const XmlElement& r) { EXPECT_EQ(r.text, "\xC3\xA9"); }},
      {"predefined_entities_and_char_refs", "<A>&lt;&amp;&gt;&quot;&apos;&#65;&#x42;&#x1F600;</A>",
       [](const XmlElement& r) { EXPECT_EQ(r.text, "<&>\"'AB\xF0\x9F\x98\x80"); }},
      {"undefined_entity", "<A>&foo;</A>", nullptr, "undefined entity"},
      {"doctype_refused", "<!DOCTYPE A><A/>", nullptr, "DOCTYPE is not allowed"},
      {"billion_laughs", kBillionLaughs, nullptr, "DOCTYPE is not allowed"},
      {"external_entity", kExternalEntity, nullptr, "DOCTYPE is not allowed"},
      {"depth_at_limit", Nested(32), [](const XmlElement& r) { EXPECT_EQ(r.local_name, "e"); }},
      {"deep_nesting", Nested(33), nullptr, "nested too deep"},
      {"very_deep_nesting", Nested(100000), nullptr, "nested too deep"},
      {"too_many_elements", ManyElements(10000), nullptr, "too many elements"},
      {"huge_input", "<A>" + std::string(1 << 20, 'x') + "</A>", nullptr,
       "bytes exceed the limit of 1048576"},
      {"size_limit_configurable", "<A>" + std::string(100, 'x') + "</A>", nullptr,
       "exceed the limit of 64", small},
      {"bad_utf8", "<A>\xFF\xFE</A>", nullptr, "not well-formed"},
      {"overlong_utf8", "<A>\xC0\xAF</A>", nullptr, "not well-formed"},
      {"truncated_utf8_sequence", "<A>\xE2\x82</A>", nullptr, "not well-formed"},
      {"nul_byte", std::string("<A>a\0b</A>", 10), nullptr, "not well-formed"},
      {"truncated_document", "<A><B>text", nullptr, "line 1"},
      {"truncated_tag", "<A><B", nullptr, "unclosed token"},
      {"empty_input", "", nullptr, "no element found"},
      {"only_whitespace_and_comment", "  <!-- x -->  ", nullptr, "no element found"},
      {"multiple_roots", "<A/><B/>", nullptr, "junk after document element"},
      {"text_after_root", "<A/>text", nullptr, "junk after document element"},
      {"mismatched_tag", "<A></B>", nullptr, "mismatched tag"},
      {"text_around_children", "<A>a<B>inner</B>b</A>",
       [](const XmlElement& r) {
         EXPECT_EQ(r.text, "ab");
         EXPECT_EQ(r.FindChild("B")->text, "inner");
       }},
      {"repeated_children_in_order", "<A><m>1</m><x/><m>2</m></A>",
       [](const XmlElement& r) {
         auto ms = r.FindChildren("m");
         ASSERT_EQ(ms.size(), 2u);
         EXPECT_EQ(ms[0]->text, "1");
         EXPECT_EQ(ms[1]->text, "2");
         EXPECT_EQ(r.FindChild("missing"), nullptr);
       }},
      {"attributes_by_local_name", "<A x=\"1\" p:y=\"&lt;2\" xmlns:p=\"urn:p\"/>",
       [](const XmlElement& r) {
         ASSERT_EQ(r.attributes.size(), 2u);
         EXPECT_EQ(r.attributes[0], (std::pair<std::string, std::string>{"x", "1"}));
         EXPECT_EQ(r.attributes[1], (std::pair<std::string, std::string>{"y", "<2"}));
       }},
      {"too_many_attributes",
       "<A a=\"\" b=\"\" c=\"\" d=\"\" e=\"\" f=\"\" g=\"\" h=\"\" i=\"\" j=\"\" k=\"\" l=\"\" "
       "m=\"\" "
       "n=\"\" o=\"\" p=\"\" q=\"\"/>",
       nullptr, "too many attributes"},
      {"duplicate_attribute", "<A x=\"1\" x=\"2\"/>", nullptr, "duplicate attribute"},
      {"error_position", "<A>\n\n  <B></C></A>", nullptr, "at line 3, column"},
  };
}

TEST(XmlReaderTest, Table) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    auto parsed = ParseXml(c.document, c.limits);
    if (c.error == nullptr) {
      ASSERT_OK(parsed);
      c.check(*parsed);
    } else {
      EXPECT_THAT(parsed, StatusIs(StatusCode::kInvalidResponse, HasSubstr(c.error)));
      EXPECT_THAT(parsed.status().message(), HasSubstr("XML not accepted: "));
    }
  }
}

TEST(XmlReaderTest, TableHasEnoughNamedCases) { EXPECT_GE(Cases().size(), 25u); }

TEST(XmlReaderTest, ErrorsNeverQuoteTheDocument) {
  const std::string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  for (const std::string& doc : {
           "<A><SecretAccessKey>" + secret + "</SecretAccessKey></B>",
           "<A><SecretAccessKey>" + secret + "&bogus;</SecretAccessKey></A>",
           "<A " + secret + "/>",
           "<" + secret + "></x>",
           "<!DOCTYPE " + secret + "><A/>",
           "<A>" + secret,
       }) {
    auto parsed = ParseXml(doc);
    ASSERT_FALSE(parsed.ok());
    EXPECT_THAT(parsed.status().message(), Not(HasSubstr("wJalr")));
    EXPECT_THAT(parsed.status().message(), Not(HasSubstr("EXAMPLEKEY")));
    EXPECT_LT(parsed.status().message().size(), 120u);
  }
}

TEST(XmlReaderTest, ExternalEntityIsNeverLoaded) {
  auto parsed = ParseXml(kExternalEntity);
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(parsed.status().message(), Not(HasSubstr("root:")));
  EXPECT_THAT(parsed.status().message(), Not(HasSubstr("/etc/passwd")));
}

TEST(XmlReaderTest, DepthLimitConfigurable) {
  XmlLimits limits;
  limits.max_depth = 3;
  EXPECT_OK(ParseXml(Nested(3), limits));
  EXPECT_THAT(ParseXml(Nested(4), limits),
              StatusIs(StatusCode::kInvalidResponse, HasSubstr("nested too deep")));
}

}  // namespace
}  // namespace chantless
