// Tests for base64 encoding/decoding and the UTF-8 check used for non-UTF-8 bodies.
#include "replay/base64.h"

#include <string>

#include "gtest/gtest.h"

namespace chantless {
namespace replay {
namespace {

TEST(Base64Test, EncodesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
}

TEST(Base64Test, RoundTripsEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  EXPECT_EQ(Base64Decode(Base64Encode(all)), all);
}

TEST(Base64Test, DecodesWithoutPaddingAndSkipsWhitespace) {
  EXPECT_EQ(Base64Decode("Zm8"), "fo");
  EXPECT_EQ(Base64Decode("Zm9v\nYmFy"), "foobar");
}

TEST(Base64Test, RejectsInvalidInput) {
  EXPECT_FALSE(Base64Decode("Zm9v!").has_value());
  EXPECT_FALSE(Base64Decode("Z").has_value());
  EXPECT_FALSE(Base64Decode("Zg==Zg").has_value());
  EXPECT_FALSE(Base64Decode("Zg=").has_value());
}

TEST(Base64Test, CanonicalDecodeAcceptsOnlyWhatEncodeWouldWrite) {
  EXPECT_EQ(Base64DecodeCanonical("Zm9vYg=="), "foob");
  EXPECT_EQ(Base64DecodeCanonical(""), "");
  EXPECT_FALSE(Base64DecodeCanonical("Zm9vYg").has_value());     // padding required
  EXPECT_FALSE(Base64DecodeCanonical("Zm9v Yg==").has_value());  // no whitespace
  EXPECT_FALSE(Base64DecodeCanonical("Zm9vYh==").has_value());   // non-zero trailing bits
  EXPECT_FALSE(Base64DecodeCanonical("Zm9vYg=!").has_value());
}

TEST(Base64Test, Utf8CheckAcceptsTextAndRejectsBinary) {
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9 \xE2\x80\xA6 \xF0\x9F\x94\x91"));
  EXPECT_FALSE(IsValidUtf8("\xFF\xFE"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // surrogate
}

}  // namespace
}  // namespace replay
}  // namespace chantless
