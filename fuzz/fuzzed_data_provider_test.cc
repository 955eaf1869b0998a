// Tests for chantless_fuzz::OwnFuzzedDataProvider: it consumes bytes exactly as LLVM's
// FuzzedDataProvider does, so client-fuzzer corpus files replay identically under gcc and clang.
// When clang's <fuzzer/FuzzedDataProvider.h> is reachable (clang builds: --config=asan), the two
// implementations are compared on the same inputs.
#include "fuzz/fuzzed_data_provider.h"

#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"

#if defined(__has_include)
#if __has_include(<fuzzer/FuzzedDataProvider.h>)
#include <fuzzer/FuzzedDataProvider.h>
#define CHANTLESS_TEST_AGAINST_LLVM 1
#endif
#endif

namespace {

using chantless_fuzz::OwnFuzzedDataProvider;

TEST(OwnFuzzedDataProviderTest, IntegersComeFromTheEndMostSignificantFirst) {
  const uint8_t data[] = {'a', 0x01, 0x02};
  OwnFuzzedDataProvider p(data, sizeof data);
  EXPECT_EQ(p.ConsumeIntegral<uint16_t>(), 0x0201);
  EXPECT_EQ(p.remaining_bytes(), 1u);
  EXPECT_EQ(p.ConsumeRemainingBytesAsString(), "a");
}

TEST(OwnFuzzedDataProviderTest, RangeUsesOnlyTheBytesItNeedsAndWrapsModulo) {
  const uint8_t data[] = {0xff, 0xff, 0x07};
  OwnFuzzedDataProvider p(data, sizeof data);
  EXPECT_EQ(p.ConsumeIntegralInRange<int>(100, 104), 102);  // 7 % 5 == 2, one byte consumed
  EXPECT_EQ(p.remaining_bytes(), 2u);
  EXPECT_EQ(p.ConsumeIntegralInRange<int>(3, 3), 3);  // an empty range consumes nothing
  EXPECT_EQ(p.remaining_bytes(), 2u);
}

TEST(OwnFuzzedDataProviderTest, ExhaustedInputYieldsTheMinimum) {
  OwnFuzzedDataProvider p(nullptr, 0);
  EXPECT_EQ(p.ConsumeIntegralInRange<int>(-5, 5), -5);
  EXPECT_FALSE(p.ConsumeBool());
  EXPECT_EQ(p.ConsumeRandomLengthString(10), "");
}

TEST(OwnFuzzedDataProviderTest, RandomLengthStringEndsAtBackslashAndUnescapesDoubles) {
  const std::string in = "ab\\\\c\\xrest";
  OwnFuzzedDataProvider p(reinterpret_cast<const uint8_t*>(in.data()), in.size());
  EXPECT_EQ(p.ConsumeRandomLengthString(100), "ab\\c");
  EXPECT_EQ(p.ConsumeRemainingBytesAsString(), "rest");
}

TEST(OwnFuzzedDataProviderTest, RandomLengthStringStopsAtMaxLength) {
  const std::string in = "abcdef";
  OwnFuzzedDataProvider p(reinterpret_cast<const uint8_t*>(in.data()), in.size());
  EXPECT_EQ(p.ConsumeRandomLengthString(4), "abcd");
  EXPECT_EQ(p.remaining_bytes(), 2u);
}

TEST(OwnFuzzedDataProviderTest, PickValueInArrayIndexesByRange) {
  const uint8_t data[] = {4};
  OwnFuzzedDataProvider p(data, sizeof data);
  const int values[] = {10, 20, 30};
  EXPECT_EQ(p.PickValueInArray(values), 20);  // 4 % 3 == 1
}

#if CHANTLESS_TEST_AGAINST_LLVM

TEST(OwnFuzzedDataProviderTest, AgreesWithLlvmOnMixedConsumption) {
  std::vector<uint8_t> data;
  uint32_t x = 12345;
  for (int i = 0; i < 4096; ++i) {
    x = x * 1103515245u + 12345u;
    data.push_back(static_cast<uint8_t>(x >> 16));
    if (i % 37 == 0) data.push_back('\\');
  }
  OwnFuzzedDataProvider own(data.data(), data.size());
  FuzzedDataProvider llvm(data.data(), data.size());
  while (llvm.remaining_bytes() > 0) {
    ASSERT_EQ(own.ConsumeIntegralInRange<int>(0, 599), llvm.ConsumeIntegralInRange<int>(0, 599));
    ASSERT_EQ(own.ConsumeBool(), llvm.ConsumeBool());
    ASSERT_EQ(own.ConsumeRandomLengthString(50), llvm.ConsumeRandomLengthString(50));
    ASSERT_EQ(own.ConsumeIntegral<uint32_t>(), llvm.ConsumeIntegral<uint32_t>());
    ASSERT_EQ(own.ConsumeBytesAsString(3), llvm.ConsumeBytesAsString(3));
    ASSERT_EQ(own.remaining_bytes(), llvm.remaining_bytes());
  }
}
#endif  // CHANTLESS_TEST_AGAINST_LLVM

}  // namespace
