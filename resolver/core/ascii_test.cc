// Table tests for the ASCII string helpers: each whitespace set, case folding that leaves non-ASCII
// bytes alone, and the control-character check.
#include "resolver/core/ascii.h"

#include <string>
#include <string_view>

#include "gtest/gtest.h"

namespace chantless {
namespace {

struct StripCase {
  std::string_view input;
  std::string_view whitespace;
  std::string_view want;
};

TEST(AsciiTest, StripAsciiWhitespaceStripsExactlyTheNamedSet) {
  const StripCase cases[] = {
      {"", kAsciiWhitespace, ""},
      {" \t\n\v\f\r", kAsciiWhitespace, ""},
      {" \tx y\r\n", kAsciiWhitespace, "x y"},
      {"\vx\f", kAsciiWhitespace, "x"},
      {" \tvalue\t ", kSpaceAndTab, "value"},
      {"value\r\n", kSpaceAndTab, "value\r\n"},  // a line break is not a blank inside one line
      {"token\r\n", kBlanksAndLineBreaks, "token"},
      {"\fx\v", kBlanksAndLineBreaks, "\fx\v"},
      {" key \f\v\r", kProfileFileWhitespace, "key"},
      {"value\n", kProfileFileWhitespace, "value\n"},  // lines are split before trimming
      {"x", kAsciiWhitespace, "x"},
      {"  ", kSpaceAndTab, ""},
  };
  for (const StripCase& c : cases) {
    EXPECT_EQ(StripAsciiWhitespace(c.input, c.whitespace), c.want) << "input \"" << c.input << "\"";
  }
}

TEST(AsciiTest, StripAsciiWhitespaceDefaultsToCsIsspace) {
  EXPECT_EQ(StripAsciiWhitespace("\v\f x \r\n"), "x");
}

TEST(AsciiTest, IsBlank) {
  EXPECT_TRUE(IsBlank(""));
  EXPECT_TRUE(IsBlank(" \t\r\n", kBlanksAndLineBreaks));
  EXPECT_FALSE(IsBlank(" \f ", kBlanksAndLineBreaks));
  EXPECT_TRUE(IsBlank(" \f ", kAsciiWhitespace));
  EXPECT_FALSE(IsBlank(" x "));
  EXPECT_FALSE(IsBlank("\r", kSpaceAndTab));
}

TEST(AsciiTest, AsciiLowerFoldsOnlyAsciiLetters) {
  const struct {
    std::string_view input;
    std::string_view want;
  } cases[] = {
      {"", ""},
      {"Content-Type", "content-type"},
      {"X-AWS-EC2-METADATA-TOKEN", "x-aws-ec2-metadata-token"},
      {"IPv6", "ipv6"},
      {"@[`{", "@[`{"},                            // the bytes around 'A'-'Z' and 'a'-'z' are kept
      {"\xc3\x89T\xc3\x89", "\xc3\x89t\xc3\x89"},  // UTF-8 bytes are kept
  };
  for (const auto& c : cases) EXPECT_EQ(AsciiLower(c.input), c.want) << c.input;
  EXPECT_EQ(AsciiLower('Z'), 'z');
  EXPECT_EQ(AsciiLower('\xC9'), '\xC9');
}

TEST(AsciiTest, CaseInsensitiveComparisons) {
  const struct {
    std::string_view a, b;
    bool equal;
  } cases[] = {
      {"", "", true},         {"true", "TRUE", true},
      {"True", "true", true}, {"aws_access_key_id", "AWS_Access_Key_ID", true},
      {"a", "ab", false},     {"ab", "a", false},
      {"[", "{", false},      {"\xc9", "\xe9", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(EqualsIgnoreCase(c.a, c.b), c.equal) << c.a << " vs " << c.b;
  }
  EXPECT_TRUE(StartsWithIgnoreCase("HTTPS://host", "https://"));
  EXPECT_FALSE(StartsWithIgnoreCase("http", "https://"));
  EXPECT_TRUE(ContainsIgnoreCase("text/HTML; charset=utf-8", "text/html"));
  EXPECT_TRUE(ContainsIgnoreCase("anything", ""));
  EXPECT_FALSE(ContainsIgnoreCase("application/json", "html"));
}

TEST(AsciiTest, ControlCharacters) {
  // Space and '~' are printable; bytes above DEL are not C0 controls.
  const struct {
    std::string_view input;
    bool has_control;
  } cases[] = {
      {"", false},
      {"/latest/meta-data/", false},
      {"a b~", false},
      {"a\r\nb", true},
      {std::string_view("a\0b", 3), true},
      {"\x1f", true},
      {"\x7f", true},
      {"\x80\xff", false},
  };
  for (const auto& c : cases) EXPECT_EQ(HasControlChar(c.input), c.has_control);
}

TEST(AsciiTest, PercentEncodeKeepsOnlyUnreservedAndAlsoKeep) {
  EXPECT_EQ(PercentEncode("AZaz09-_.~"), "AZaz09-_.~");
  EXPECT_EQ(PercentEncode("a b+c/d=e"), "a%20b%2Bc%2Fd%3De");
  EXPECT_EQ(PercentEncode("/a b/", "/"), "/a%20b/");
  EXPECT_EQ(PercentEncode("arn:aws:iam::1:role/x"), "arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fx");
  EXPECT_EQ(PercentEncode("\xc3\xa9"), "%C3%A9");  // bytes, upper-case hex
  EXPECT_EQ(PercentEncode(std::string_view("\0", 1)), "%00");
}

TEST(AsciiTest, PercentDecodeKeepsWhatIsNotAnEscape) {
  EXPECT_EQ(PercentDecode("a%40b%2fc%2F"), "a@b/c/");
  EXPECT_EQ(PercentDecode("100%"), "100%");
  EXPECT_EQ(PercentDecode("%4"), "%4");
  EXPECT_EQ(PercentDecode("%zz%41"), "%zzA");
  EXPECT_EQ(PercentDecode("a+b%20c"), "a+b c");
  EXPECT_EQ(PercentDecode("a+b%20c", /*plus_is_space=*/true), "a b c");
  EXPECT_EQ(PercentDecode("%2B", /*plus_is_space=*/true), "+");
  EXPECT_EQ(PercentDecode(PercentEncode("key=v/a l+ue&x")), "key=v/a l+ue&x");
}

TEST(AsciiTest, Utf8SequenceLengthTakesWellFormedSequencesOnly) {
  EXPECT_EQ(Utf8SequenceLength("a", 0), 1u);
  EXPECT_EQ(Utf8SequenceLength(std::string_view("\0", 1), 0), 1u);
  EXPECT_EQ(Utf8SequenceLength("\xC3\xA9", 0), 2u);          // U+00E9
  EXPECT_EQ(Utf8SequenceLength("\xE2\x82\xAC", 0), 3u);      // U+20AC
  EXPECT_EQ(Utf8SequenceLength("\xF0\x9F\x98\x80", 0), 4u);  // U+1F600
  EXPECT_EQ(Utf8SequenceLength("\xF4\x8F\xBF\xBF", 0), 4u);  // U+10FFFF, the last
  EXPECT_EQ(Utf8SequenceLength("x\xC3\xA9", 1), 2u);         // from an offset
  EXPECT_EQ(Utf8SequenceLength("\xC0\xAF", 0), 0u);          // overlong "/"
  EXPECT_EQ(Utf8SequenceLength("\xC1\xBF", 0), 0u);          // overlong
  EXPECT_EQ(Utf8SequenceLength("\xE0\x9F\xBF", 0), 0u);      // overlong 3-byte
  EXPECT_EQ(Utf8SequenceLength("\xED\xA0\x80", 0), 0u);      // U+D800, a surrogate
  EXPECT_EQ(Utf8SequenceLength("\xF0\x8F\xBF\xBF", 0), 0u);  // overlong 4-byte
  EXPECT_EQ(Utf8SequenceLength("\xF4\x90\x80\x80", 0), 0u);  // above U+10FFFF
  EXPECT_EQ(Utf8SequenceLength("\xF5\x80\x80\x80", 0), 0u);  // no such lead byte
  EXPECT_EQ(Utf8SequenceLength("\x80", 0), 0u);              // a lone continuation
  EXPECT_EQ(Utf8SequenceLength("\xE2\x82", 0), 0u);          // cut short
  EXPECT_EQ(Utf8SequenceLength("\xE2\x28\xA1", 0), 0u);      // not a continuation
  EXPECT_EQ(Utf8SequenceLength("a", 1), 0u);                 // past the end
}

TEST(AsciiTest, ParseDecimalAndHexTakeDigitsOnly) {
  uint64_t v = 0;
  EXPECT_TRUE(ParseDecimal("0", &v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(ParseDecimal("9999999999999999999", &v));  // 19 digits: the longest accepted
  EXPECT_EQ(v, 9999999999999999999u);
  for (const char* bad : {"", "12345678901234567890", "-1", "+1", " 1", "1 ", "1a", "0x1"}) {
    EXPECT_FALSE(ParseDecimal(bad, &v)) << bad;
  }
  EXPECT_TRUE(ParseHex("fF0a", &v));
  EXPECT_EQ(v, 0xff0au);
  EXPECT_TRUE(ParseHex("fffffffffffffff", &v));  // 15 digits
  for (const char* bad : {"", "1000000000000000", "g", " a", "a;", "-1"}) {
    EXPECT_FALSE(ParseHex(bad, &v)) << bad;
  }
  EXPECT_EQ(HexDigitValue('7'), 7);
  EXPECT_EQ(HexDigitValue('b'), 11);
  EXPECT_EQ(HexDigitValue('B'), 11);
  EXPECT_EQ(HexDigitValue('g'), -1);
  EXPECT_EQ(HexDigitValue('\0'), -1);
}

TEST(AsciiTest, LowerHexIsTwoDigitsPerByte) {
  EXPECT_EQ(LowerHex(""), "");
  EXPECT_EQ(LowerHex(std::string_view("\x00\x0f\xa0\xff", 4)), "000fa0ff");
}

}  // namespace
}  // namespace chantless
