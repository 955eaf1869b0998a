// CredentialsCache's hot path makes no heap allocation and reads no clock: checked with a counting
// global operator new (this test binary only) and a counting Clock. Sanitizer runtimes define
// operator new themselves, so under ASan/TSan the replacement is left out and the allocation check
// is skipped (the clock check still runs).
#include <atomic>
#include <cstdlib>
#include <new>

#include "gtest/gtest.h"
#include "resolver/chain/credentials_cache.h"
#include "resolver/testing/fakes.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define CHANTLESS_SANITIZER_OWNS_NEW 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define CHANTLESS_SANITIZER_OWNS_NEW 1
#endif

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

#ifndef CHANTLESS_SANITIZER_OWNS_NEW
void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
constexpr bool kCountsAllocations = true;
#else
constexpr bool kCountsAllocations = false;
#endif

namespace chantless {
namespace {

class CountingClock : public Clock {
 public:
  WallTime Now() const override {
    ++now_calls;
    return clock.Now();
  }
  MonoTime MonotonicNow() const override {
    ++now_calls;
    return clock.MonotonicNow();
  }
  void SleepFor(Duration d) const override { clock.SleepFor(d); }

  testing::FakeClock clock;
  mutable std::atomic<int> now_calls{0};
};

class SixHourProvider : public CredentialsProvider {
 public:
  explicit SixHourProvider(const Clock* clock) : clock_(clock) {}
  std::string Name() const override { return "six-hour"; }
  StatusOr<Credentials> Resolve() override {
    Credentials c;
    c.access_key_id = "ASIAEXAMPLEALLOC0001";
    c.secret_access_key = Secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYALLOCEXAMPLEKEY");
    c.session_token = Secret("FwoGZXIvYXdzEXAMPLEALLOCSESSIONTOKENEXAMPLEEXAMPLEEXAMPLE");
    c.expiration = clock_->Now() + std::chrono::hours(6);
    return c;
  }

 private:
  const Clock* clock_;
};

TEST(CredentialsCacheHotPathTest, HitMakesNoAllocationAndNoClockRead) {
  CountingClock clock;
  SixHourProvider provider(&clock);
  CredentialsCacheOptions options;
  options.background_refresh = false;
  CredentialsCache cache(&provider, &clock, options);
  ASSERT_TRUE(cache.Get().ok());  // cold start: allocates and reads the clock

  const long allocations_before = g_allocations.load();
  const int clock_reads_before = clock.now_calls.load();
  size_t total = 0;
  for (int i = 0; i < 100000; ++i) {
    StatusOr<const Credentials*> got = cache.Get();
    if (!got.ok()) FAIL() << got.status();
    total += (*got)->access_key_id.size();
  }
  EXPECT_EQ(clock.now_calls.load() - clock_reads_before, 0);
  if (!kCountsAllocations) GTEST_SKIP() << "a sanitizer runtime owns operator new";
  EXPECT_EQ(g_allocations.load() - allocations_before, 0);
  EXPECT_EQ(total, 100000u * 20u);
}

TEST(CredentialsCacheHotPathTest, CountingOperatorNewSeesAllocations) {
  // The instrument works (a direct call: the compiler may not elide it).
  if (!kCountsAllocations) GTEST_SKIP() << "a sanitizer runtime owns operator new";
  const long before = g_allocations.load();
  void* p = ::operator new(64);
  ::operator delete(p);
  EXPECT_EQ(g_allocations.load() - before, 1);
}

}  // namespace
}  // namespace chantless
