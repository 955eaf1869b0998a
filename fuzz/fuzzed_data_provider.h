// FuzzedDataProvider for every build of chantless's fuzz targets.
//
// Client fuzz targets split their input into typed values (an HTTP status, a header, a body, a
// fault) with LLVM's FuzzedDataProvider. That header ships only with clang
// (<fuzzer/FuzzedDataProvider.h>), but the fuzz targets also build with gcc as corpus-replay tests.
// With clang the real header is used; otherwise FuzzedDataProvider names
// chantless_fuzz::OwnFuzzedDataProvider, a minimal class with the same byte-consumption rules for
// the methods chantless uses (integers and booleans are taken from the end of the input, strings
// from the front; in a random-length string "\\" is one backslash and "\" followed by anything
// else ends it), so a corpus file means the same thing to both builds (fuzzed_data_provider_test
// checks the two agree when both are available). Not thread-safe: one provider per input.
#ifndef CHANTLESS_FUZZ_FUZZED_DATA_PROVIDER_H_
#define CHANTLESS_FUZZ_FUZZED_DATA_PROVIDER_H_

#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <type_traits>

namespace chantless_fuzz {

// The compatible subset. Borrows `data` (it must outlive the provider).
class OwnFuzzedDataProvider {
 public:
  OwnFuzzedDataProvider(const uint8_t* data, size_t size)
      : data_ptr_(data), remaining_bytes_(size) {}

  size_t remaining_bytes() const { return remaining_bytes_; }

  // An integer in [min, max] built from up to sizeof(T) bytes taken from the end of the input.
  template <typename T>
  T ConsumeIntegralInRange(T min, T max) {
    static_assert(std::is_integral<T>::value, "an integral type is required");
    if (min > max) std::abort();
    const uint64_t range = static_cast<uint64_t>(max) - static_cast<uint64_t>(min);
    uint64_t result = 0;
    size_t offset = 0;
    while (offset < sizeof(T) * CHAR_BIT && (range >> offset) > 0 && remaining_bytes_ != 0) {
      --remaining_bytes_;
      result = (result << CHAR_BIT) | data_ptr_[remaining_bytes_];
      offset += CHAR_BIT;
    }
    if (range != std::numeric_limits<uint64_t>::max()) result = result % (range + 1);
    return static_cast<T>(static_cast<uint64_t>(min) + result);
  }

  template <typename T>
  T ConsumeIntegral() {
    return ConsumeIntegralInRange(std::numeric_limits<T>::min(), std::numeric_limits<T>::max());
  }

  bool ConsumeBool() { return 1 & ConsumeIntegral<uint8_t>(); }

  // A string of at most max_length characters from the front; "\\" is one backslash and "\"
  // followed by anything else ends the string (both bytes consumed).
  std::string ConsumeRandomLengthString(size_t max_length) {
    std::string result;
    for (size_t i = 0; i < max_length && remaining_bytes_ != 0; ++i) {
      char next = static_cast<char>(data_ptr_[0]);
      Advance(1);
      if (next == '\\' && remaining_bytes_ != 0) {
        next = static_cast<char>(data_ptr_[0]);
        Advance(1);
        if (next != '\\') break;
      }
      result += next;
    }
    return result;
  }
  std::string ConsumeRandomLengthString() { return ConsumeRandomLengthString(remaining_bytes_); }

  std::string ConsumeBytesAsString(size_t num_bytes) {
    if (num_bytes > remaining_bytes_) num_bytes = remaining_bytes_;
    std::string result(reinterpret_cast<const char*>(data_ptr_), num_bytes);
    Advance(num_bytes);
    return result;
  }
  std::string ConsumeRemainingBytesAsString() { return ConsumeBytesAsString(remaining_bytes_); }

  template <typename T, size_t kSize>
  T PickValueInArray(const T (&array)[kSize]) {
    static_assert(kSize > 0, "the array must not be empty");
    return array[ConsumeIntegralInRange<size_t>(0, kSize - 1)];
  }

 private:
  void Advance(size_t n) {
    data_ptr_ += n;
    remaining_bytes_ -= n;
  }

  const uint8_t* data_ptr_;
  size_t remaining_bytes_;
};

}  // namespace chantless_fuzz

#if defined(__has_include)
#if __has_include(<fuzzer/FuzzedDataProvider.h>) && !defined(CHANTLESS_OWN_FUZZED_DATA_PROVIDER)
#include <fuzzer/FuzzedDataProvider.h>
#define CHANTLESS_HAVE_LLVM_FUZZED_DATA_PROVIDER 1
#endif
#endif
#ifndef CHANTLESS_HAVE_LLVM_FUZZED_DATA_PROVIDER
using FuzzedDataProvider = chantless_fuzz::OwnFuzzedDataProvider;
#endif

#endif  // CHANTLESS_FUZZ_FUZZED_DATA_PROVIDER_H_
