// See jitter_seed.h.
#include "resolver/jitter_seed.h"

#include <sys/random.h>

#include <atomic>
#include <random>

namespace chantless {
namespace {

uint64_t ProcessBase() {
  static const uint64_t base = [] {
    uint64_t value = 0;
    if (getrandom(&value, sizeof value, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof value)) {
      std::random_device device;
      value = (uint64_t{device()} << 32) ^ device();
    }
    return value;
  }();
  return base;
}

}  // namespace

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t NewJitterSeed() {
  static std::atomic<uint64_t> counter{0};
  const uint64_t n = counter.fetch_add(1, std::memory_order_relaxed);
  uint64_t seed = SplitMix64(ProcessBase() + n);
  // SplitMix64 is a bijection, so distinct inputs give distinct seeds; 0 is remapped to a value
  // that no other input of this process reaches before 2^64 calls.
  return seed != 0 ? seed : 0x2545f4914f6cdd1dULL;
}

}  // namespace chantless
