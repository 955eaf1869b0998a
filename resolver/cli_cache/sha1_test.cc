// Tests for Sha1 / Sha1Hex against the FIPS 180 examples and block-boundary lengths.
#include "resolver/cli_cache/sha1.h"

#include <string>

#include "gtest/gtest.h"

namespace chantless {
namespace {

TEST(Sha1Test, EmptyString) { EXPECT_EQ(Sha1Hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709"); }

TEST(Sha1Test, Abc) { EXPECT_EQ(Sha1Hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d"); }

TEST(Sha1Test, TwoBlockMessageFromFips180) {
  EXPECT_EQ(Sha1Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

TEST(Sha1Test, OneMillionA) {
  EXPECT_EQ(Sha1Hex(std::string(1000000, 'a')), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST(Sha1Test, BlockBoundaryLengths) {
  // python3 -c 'import hashlib;print(hashlib.sha1(b"a"*N).hexdigest())'
  EXPECT_EQ(Sha1Hex(std::string(55, 'a')), "c1c8bbdc22796e28c0e15163d20899b65621d65a");
  EXPECT_EQ(Sha1Hex(std::string(56, 'a')), "c2db330f6083854c99d4b5bfb6e8f29f201be699");
  EXPECT_EQ(Sha1Hex(std::string(64, 'a')), "0098ba824b5c16427bd7a1122a5a442a25ec644d");
}

TEST(Sha1Test, SsoCacheVectors) {
  EXPECT_EQ(Sha1Hex("https://d-abc.awsapps.com/start"), "22f00c6461897f7c3e293d9d99f86e5efed957dd");
  EXPECT_EQ(Sha1Hex("my-sso"), "0ad374308c5a4e22f723adf10145eafad7c4031c");
}

}  // namespace
}  // namespace chantless
