// See jitter_seed.h.
#include "resolver/core/jitter_seed.h"

#include <pthread.h>
#include <sys/random.h>

#include <atomic>
#include <random>

namespace chantless {
namespace {

uint64_t DrawFromOs() {
  uint64_t value = 0;
  if (getrandom(&value, sizeof value, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof value)) {
    std::random_device device;
    value = (uint64_t{device()} << 32) ^ device();
  }
  return value;
}

// The process's base, drawn on first use (0: not drawn yet). A fork()ed child forgets it (the
// handler below) and draws its own: otherwise parent and child, sharing the base and the counter,
// would hand out the same seeds and a pre-forking daemon's workers would refresh in lock step.
std::atomic<uint64_t> base{0};

void ForgetBaseInForkedChild() { base.store(0, std::memory_order_relaxed); }

[[maybe_unused]] const int jitter_atfork_registered =
    pthread_atfork(nullptr, nullptr, &ForgetBaseInForkedChild);

uint64_t ProcessBase() {
  uint64_t current = base.load(std::memory_order_relaxed);
  if (current != 0) return current;
  uint64_t drawn = DrawFromOs();
  if (drawn == 0) drawn = 1;
  // Racing first callers: one value wins and everyone uses it.
  return base.compare_exchange_strong(current, drawn, std::memory_order_relaxed) ? drawn : current;
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
