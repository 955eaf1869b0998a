// Tests for CredentialsCache: the refresh schedule, each refresh timeline on a FakeClock (the
// cache driven by Tick()/UpdateCoarseClock(), no background threads unless the test is about
// them), single flight under 64 threads, and snapshot consistency under concurrent refreshes (run
// under --config=tsan).
#include "resolver/chain/credentials_cache.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/core/expiry.h"
#include "resolver/core/time_util.h"
#include "resolver/testing/fakes.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::chantless::testing::FakeClock;
using ::chantless::testing::StatusIs;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

Credentials MakeCredentials(int generation, std::optional<WallTime> expiration) {
  Credentials c;
  c.access_key_id = "ASIAEXAMPLE" + std::to_string(generation);
  c.secret_access_key = Secret("wJalrXUtnFEMI/K7MDENG/EXAMPLEKEY-" + std::to_string(generation));
  c.session_token = Secret("FwoGZXIvYXdzEXAMPLETOKEN-" + std::to_string(generation));
  c.expiration = expiration;
  c.provider = "scripted";
  return c;
}

// A provider that answers from a script, else with fresh credentials living `lifetime` from the
// clock's now (generation = call number). Thread-safe; can hold a call open at a gate.
class ScriptedProvider : public CredentialsProvider {
 public:
  explicit ScriptedProvider(const Clock* clock, Duration lifetime = hours(6))
      : clock_(clock), lifetime_(lifetime) {}

  std::string Name() const override { return "scripted"; }

  StatusOr<Credentials> Resolve() override {
    std::unique_lock<std::mutex> lock(mu_);
    const int call = ++calls_;
    cv_.notify_all();
    if (gate_call_ == call) {
      entered_gate_ = true;
      cv_.notify_all();
      cv_.wait(lock, [this] { return gate_open_; });
    }
    if (!script_.empty()) {
      StatusOr<Credentials> r = script_.front();
      script_.pop_front();
      return r;
    }
    if (always_fail_)
      return UnavailableError("scripted: endpoint http://127.0.0.1:1/ answered 503");
    std::optional<WallTime> expiration;
    if (lifetime_ != Duration::zero()) {
      expiration = clock_->Now() + std::chrono::duration_cast<WallTime::duration>(lifetime_);
    }
    return MakeCredentials(call, expiration);
  }

  void Push(StatusOr<Credentials> r) {
    std::lock_guard<std::mutex> lock(mu_);
    script_.push_back(std::move(r));
  }
  void FailNext(int n) {
    for (int i = 0; i < n; ++i) Push(UnavailableError("scripted: endpoint answered 503"));
  }
  void AlwaysFail() {
    std::lock_guard<std::mutex> lock(mu_);
    always_fail_ = true;
  }
  int calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  // Call number `call` blocks until OpenGate().
  void GateCall(int call) {
    std::lock_guard<std::mutex> lock(mu_);
    gate_call_ = call;
  }
  void WaitUntilInGate() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return entered_gate_; });
  }
  void OpenGate() {
    std::lock_guard<std::mutex> lock(mu_);
    gate_open_ = true;
    cv_.notify_all();
  }
  // Real-time bounded wait for `n` calls (background-thread tests only).
  bool WaitForCalls(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, seconds(60), [&] { return calls_ >= n; });
  }

 private:
  const Clock* clock_;
  Duration lifetime_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<StatusOr<Credentials>> script_;
  bool always_fail_ = false;
  int calls_ = 0;
  int gate_call_ = 0;
  bool entered_gate_ = false;
  bool gate_open_ = false;
};

CredentialsCacheOptions ManualOptions(TraceSink* trace = nullptr) {
  CredentialsCacheOptions o;
  o.background_refresh = false;
  o.jitter = 0.0;
  o.jitter_seed = 7;
  o.trace = trace;
  return o;
}

std::string AccessKey(CredentialsCache& cache) {
  StatusOr<const Credentials*> got = cache.Get();
  if (!got.ok()) return "<" + got.status().ToString() + ">";
  return (*got)->access_key_id;
}

const WallTime kT0 = ParseRfc3339("2024-05-01T12:00:00Z").value();

// --- the schedule ---------------------------------------------------------------------------

TEST(RefreshScheduleTest, SixHourCredentialRefreshesFifteenMinutesAhead) {
  CredentialsCacheOptions o;
  o.jitter = 0.25;
  RefreshSchedule s = ComputeRefreshSchedule(kT0, kT0 + hours(6), 0.0, o);
  EXPECT_EQ(s.expires, kT0 + hours(6));
  EXPECT_EQ(s.mandatory, kT0 + hours(6) - minutes(10));
  EXPECT_EQ(s.advisory, kT0 + hours(6) - minutes(15));
  RefreshSchedule late = ComputeRefreshSchedule(kT0, kT0 + hours(6), 1.0, o);
  EXPECT_EQ(late.advisory, kT0 + hours(6) - minutes(15) + seconds(75));  // 25% of 5 min
}

TEST(RefreshScheduleTest, TenMinuteCredentialWindowsScaleWithLifetime) {
  RefreshSchedule s = ComputeRefreshSchedule(kT0, kT0 + minutes(10), 0.0, ManualOptions());
  EXPECT_EQ(s.mandatory, kT0 + minutes(9));  // 10% of the lifetime
  EXPECT_EQ(s.advisory, kT0 + minutes(5));   // 50% of the lifetime
}

TEST(RefreshScheduleTest, VeryShortLifetimeStillLeavesUsableTime) {
  RefreshSchedule s = ComputeRefreshSchedule(kT0, kT0 + seconds(10), 0.0, ManualOptions());
  EXPECT_EQ(s.mandatory, kT0 + seconds(9));
  EXPECT_EQ(s.advisory, kT0 + seconds(5));
}

TEST(RefreshScheduleTest, NoExpirationNeverRefreshes) {
  RefreshSchedule s = ComputeRefreshSchedule(kT0, std::nullopt, 0.5, ManualOptions());
  EXPECT_EQ(s.advisory, WallTime::max());
  EXPECT_EQ(s.mandatory, WallTime::max());
  EXPECT_EQ(s.expires, WallTime::max());
}

TEST(RefreshScheduleTest, JitterStaysBetweenAdvisoryAndMandatoryAndVariesBySeed) {
  std::vector<WallTime> advisories;
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    FakeClock clock;
    ScriptedProvider provider(&clock);
    CredentialsCacheOptions o = ManualOptions();
    o.jitter = 1.0;
    o.jitter_seed = seed;
    CredentialsCache cache(&provider, &clock, o);
    ASSERT_OK(cache.Get());
    RefreshSchedule s = *cache.schedule();
    EXPECT_GE(s.advisory, kT0 + hours(6) - minutes(15));
    EXPECT_LE(s.advisory, s.mandatory);
    advisories.push_back(s.advisory);
  }
  std::sort(advisories.begin(), advisories.end());
  EXPECT_NE(advisories.front(), advisories.back());
}

// --- timelines ------------------------------------------------------------------------------

TEST(CredentialsCacheTest, ColdStartResolvesOnceThenServesTheSnapshot) {
  FakeClock clock;
  ScriptedProvider provider(&clock);
  CredentialsCache cache(&provider, &clock, ManualOptions());
  ASSERT_OK_AND_ASSIGN(const Credentials* first, cache.Get());
  ASSERT_OK_AND_ASSIGN(const Credentials* second, cache.Get());
  EXPECT_EQ(first, second);
  EXPECT_EQ(first->access_key_id, "ASIAEXAMPLE1");
  EXPECT_EQ(provider.calls(), 1);
  EXPECT_EQ(cache.Name(), "scripted");
  ASSERT_OK_AND_ASSIGN(Credentials copy, cache.Resolve());
  EXPECT_EQ(copy, *first);
}

TEST(CredentialsCacheTest, AdvisoryRefreshRunsInTheBackgroundStepNotInReaders) {
  FakeClock clock;
  ScriptedProvider provider(&clock);
  CredentialsCache cache(&provider, &clock, ManualOptions());
  ASSERT_OK(cache.Get());
  clock.Advance(hours(5) + minutes(46));  // past advisory (5h45m), before mandatory (5h50m)
  cache.UpdateCoarseClock();
  EXPECT_EQ(AccessKey(cache), "ASIAEXAMPLE1");
  EXPECT_EQ(provider.calls(), 1);  // readers never refresh outside the mandatory window
  cache.Tick();                    // what the background refresher does
  EXPECT_EQ(provider.calls(), 2);
  EXPECT_EQ(AccessKey(cache), "ASIAEXAMPLE2");
  EXPECT_EQ(cache.schedule()->expires, clock.Now() + hours(6));
}

TEST(CredentialsCacheTest, ReadersKeepTheOldSnapshotWhileAnAdvisoryRefreshIsInFlight) {
  FakeClock clock;
  ScriptedProvider provider(&clock);
  CredentialsCache cache(&provider, &clock, ManualOptions());
  ASSERT_OK(cache.Get());
  clock.Advance(hours(5) + minutes(47));
  provider.GateCall(2);
  std::thread refresher([&] { cache.Tick(); });
  provider.WaitUntilInGate();
  cache.UpdateCoarseClock();
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(AccessKey(cache), "ASIAEXAMPLE1");  // never blocks
  cache.Tick();  // a second advisory attempt does not wait for, or duplicate, the first
  provider.OpenGate();
  refresher.join();
  EXPECT_EQ(provider.calls(), 2);
  EXPECT_EQ(AccessKey(cache), "ASIAEXAMPLE2");
}

TEST(CredentialsCacheTest, MandatoryRefreshBlocksReadersAndRunsOnce) {
  FakeClock clock;
  ScriptedProvider provider(&clock);
  CredentialsCache cache(&provider, &clock, ManualOptions());
  ASSERT_OK(cache.Get());
  clock.Advance(hours(5) + minutes(55));  // inside the mandatory window, nobody ticked ahead
  cache.UpdateCoarseClock();
  std::vector<std::thread> readers;
  std::atomic<int> fresh{0};
  for (int i = 0; i < 16; ++i) {
    readers.emplace_back([&] {
      if (AccessKey(cache) == "ASIAEXAMPLE2") ++fresh;
    });
  }
  for (auto& t : readers) t.join();
  EXPECT_EQ(fresh.load(), 16);  // nobody got the credentials inside their mandatory window
  EXPECT_EQ(provider.calls(), 2);
}

TEST(CredentialsCacheTest, FailedRefreshKeepsLastGoodCredentialsWithBackoff) {
  FakeClock clock;
  ScriptedProvider provider(&clock);
  CollectingTraceSink trace;
  CredentialsCache cache(&provider, &clock, ManualOptions(&trace));
  ASSERT_OK(cache.Get());
  provider.FailNext(2);
  clock.Advance(hours(5) + minutes(55));
  cache.UpdateCoarseClock();
  EXPECT_EQ(AccessKey(cache), "ASIAEXAMPLE1");  // refresh 1 failed: old credentials
  EXPECT_EQ(provider.calls(), 2);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(AccessKey(cache), "ASIAEXAMPLE1");
  clock.Advance(milliseconds(900));
  cache.Tick();
  EXPECT_EQ(AccessKey(cache), "ASIAEXAMPLE1");
  EXPECT_EQ(provider.calls(), 2);  // within the 1 s backoff
  clock.Advance(milliseconds(100));
  cache.UpdateCoarseClock();
  EXPECT_EQ(AccessKey(cache), "ASIAEXAMPLE1");  // refresh 2 failed
  EXPECT_EQ(provider.calls(), 3);
  clock.Advance(milliseconds(1999));
  cache.Tick();
  EXPECT_EQ(provider.calls(), 3);  // backoff doubled to 2 s
  clock.Advance(milliseconds(1));
  cache.UpdateCoarseClock();
  EXPECT_EQ(AccessKey(cache), "ASIAEXAMPLE4");  // refresh 3 succeeded
  std::string text = testing::TraceToText(trace.events());
  EXPECT_THAT(text, HasSubstr("keeping the current credentials until"));
  EXPECT_THAT(text, Not(HasSubstr("wJalr")));
  EXPECT_THAT(text, Not(HasSubstr("FwoGZXIvYXdz")));
}

TEST(CredentialsCacheTest, AdvisoryFailureBackoffIntoMandatoryWindowKeepsReadersOnFastPath) {
  FakeClock clock;
  ScriptedProvider provider(&clock, minutes(10));  // advisory 5:00, mandatory 9:00
  CredentialsCacheOptions o = ManualOptions();
  o.min_backoff = seconds(30);
  CredentialsCache cache(&provider, &clock, o);
  ASSERT_OK(cache.Get());
  provider.FailNext(1);
  clock.Advance(minutes(8) + seconds(50));
  cache.Tick();  // advisory refresh fails: next attempt at 9:20
  EXPECT_EQ(provider.calls(), 2);
  clock.Advance(seconds(15));  // 9:05, inside the mandatory window, still backing off
  cache.UpdateCoarseClock();
  EXPECT_EQ(AccessKey(cache), "ASIAEXAMPLE1");
  EXPECT_EQ(provider.calls(), 2);
  EXPECT_EQ(cache.schedule()->mandatory, clock.Now() + seconds(15));  // republished at 9:20
  clock.Advance(seconds(15));
  cache.UpdateCoarseClock();
  EXPECT_EQ(AccessKey(cache), "ASIAEXAMPLE3");
}

TEST(CredentialsCacheTest, ExpirySurfacesTheErrorAfterFailedRefreshes) {
  FakeClock clock;
  ScriptedProvider provider(&clock, minutes(10));
  CredentialsCache cache(&provider, &clock, ManualOptions());
  ASSERT_OK(cache.Get());
  provider.AlwaysFail();
  clock.Advance(minutes(9));  // the mandatory window of a 10-minute credential
  for (int s = 0; s < 60; ++s) {
    cache.UpdateCoarseClock();
    ASSERT_EQ(AccessKey(cache), "ASIAEXAMPLE1") << "at 9m" << s << "s";
    clock.Advance(seconds(1));
  }
  // Attempts at 9:00, 9:01, 9:03, 9:07, 9:15, 9:31 (backoff 1, 2, 4, 8, 16 s).
  EXPECT_EQ(provider.calls(), 1 + 6);
  cache.UpdateCoarseClock();  // 10:00, the expiration: one more attempt, then the error
  EXPECT_THAT(cache.Get(), StatusIs(StatusCode::kUnavailable, HasSubstr("503")));
  EXPECT_EQ(provider.calls(), 8);
  EXPECT_THAT(cache.Get(), StatusIs(StatusCode::kUnavailable, HasSubstr("503")));
  EXPECT_EQ(provider.calls(), 8);  // the error is served during the backoff
}

TEST(CredentialsCacheTest, TenMinuteCredentialIsNotRefreshedOnEveryCall) {
  FakeClock clock;
  ScriptedProvider provider(&clock, minutes(10));
  CredentialsCacheOptions o = ManualOptions();
  o.jitter = 0.25;
  CredentialsCache cache(&provider, &clock, o);
  int gets = 0;
  for (int s = 0; s < 3600; ++s) {  // one hour, a tick and 10 calls a second
    cache.Tick();
    for (int i = 0; i < 10; ++i, ++gets) ASSERT_OK(cache.Get());
    clock.Advance(seconds(1));
  }
  EXPECT_EQ(gets, 36000);
  // A refresh every 5 to 6 minutes: 10 to 13 resolutions an hour (botocore: every call).
  EXPECT_GE(provider.calls(), 10);
  EXPECT_LE(provider.calls(), 13);
}

TEST(CredentialsCacheTest, CredentialsWithoutExpirationAreNeverRefreshed) {
  FakeClock clock;
  ScriptedProvider provider(&clock, Duration::zero());
  CredentialsCache cache(&provider, &clock, ManualOptions());
  ASSERT_OK(cache.Get());
  clock.Advance(hours(24 * 365));
  cache.Tick();
  ASSERT_OK(cache.Get());
  EXPECT_EQ(provider.calls(), 1);
}

TEST(CredentialsCacheTest, AlreadyExpiredCredentialsAreAnInvalidResponse) {
  FakeClock clock;
  ScriptedProvider provider(&clock);
  provider.Push(MakeCredentials(1, clock.Now() - seconds(1)));
  CredentialsCache cache(&provider, &clock, ManualOptions());
  EXPECT_THAT(cache.Get(), StatusIs(StatusCode::kInvalidResponse, HasSubstr("expired at")));
}

// A credential source that keeps serving credentials which expired an hour before kT0, after
// fresh 10-minute credentials on its first call when `first_good`. With `as_error` it applies the
// expiry rule itself, as every provider does; without, it forgets to (the cache's backstop).
class ExpiredCredentialsSource : public CredentialsProvider {
 public:
  ExpiredCredentialsSource(const Clock* clock, bool first_good, bool as_error)
      : clock_(clock), first_good_(first_good), as_error_(as_error) {}
  std::string Name() const override { return "expired-source"; }
  StatusOr<Credentials> Resolve() override {
    ++calls_;
    if (calls_ == 1 && first_good_) return MakeCredentials(1, clock_->Now() + minutes(10));
    Credentials stale = MakeCredentials(calls_, kT0 - hours(1));
    if (as_error_) {
      CHANTLESS_RETURN_IF_ERROR(CheckExpiry(stale.expiration, clock_->Now(),
                                            "expired-source: GET http://127.0.0.1:1/creds"));
    }
    return stale;
  }
  int calls() const { return calls_; }

 private:
  const Clock* clock_;
  bool first_good_;
  bool as_error_;
  int calls_ = 0;
};

// Gets ten times a second for `span`, ticking every second; returns the key ids seen.
std::set<std::string> Hammer(CredentialsCache& cache, FakeClock& clock, Duration span) {
  std::set<std::string> seen;
  for (Duration t{0}; t < span; t += milliseconds(100)) {
    if (t % seconds(1) == Duration::zero()) cache.Tick();
    cache.UpdateCoarseClock();
    seen.insert(AccessKey(cache));
    clock.Advance(milliseconds(100));
  }
  return seen;
}

TEST(CredentialsCacheTest, SourceServingExpiredCredentialsIsAskedOnlyAfterEachBackoff) {
  for (bool as_error : {true, false}) {
    SCOPED_TRACE(as_error ? "expiry rule's error" : "expired credentials");
    FakeClock clock;
    ExpiredCredentialsSource source(&clock, /*first_good=*/true, as_error);
    CredentialsCache cache(&source, &clock, ManualOptions());  // backoff 1 s doubling to 1 min
    // The last good credentials are kept until they truly expire, at 10:00.
    EXPECT_THAT(Hammer(cache, clock, minutes(10)), ::testing::ElementsAre("ASIAEXAMPLE1"));
    // Advisory at 5:00, then after backoffs of 1, 2, 4, 8, 16, 32 s and 1 min: 5:01, 5:03, 5:07,
    // 5:15, 5:31, 6:03, 7:03, 8:03, 9:03: 1 + 10 calls in 6000 reads.
    EXPECT_EQ(source.calls(), 1 + 10);
    // From the expiration on the expiry rule's error is returned, and the source is asked once
    // per backoff (a minute by now): about 60 more calls in the next hour of 36000 reads.
    for (const std::string& seen : Hammer(cache, clock, hours(1))) {
      EXPECT_THAT(seen, HasSubstr("<invalid response: "));
      EXPECT_THAT(seen, HasSubstr("expired at 2024-05-01T11:00:00Z"));
    }
    EXPECT_GE(source.calls(), 1 + 10 + 59);
    EXPECT_LE(source.calls(), 1 + 10 + 61);
  }
}

TEST(CredentialsCacheTest, ColdStartOnASourceServingExpiredCredentialsBacksOff) {
  FakeClock clock;
  ExpiredCredentialsSource source(&clock, /*first_good=*/false, /*as_error=*/true);
  CredentialsCache cache(&source, &clock, ManualOptions());
  EXPECT_THAT(cache.Get(), StatusIs(StatusCode::kInvalidResponse,
                                    HasSubstr("expired-source: GET http://127.0.0.1:1/creds")));
  // Backoff 1, 2, 4, 8, 16, 32, 60, 60, … s: 1 + 8 more calls in the first 4 minutes.
  Hammer(cache, clock, minutes(4));
  EXPECT_LE(source.calls(), 10);
}

TEST(CredentialsCacheTest, ColdStartFailureIsSharedDuringBackoff) {
  FakeClock clock;
  ScriptedProvider provider(&clock);
  provider.Push(NotConfiguredError("no credentials: env, container-role, iam-role"));
  CredentialsCache cache(&provider, &clock, ManualOptions());
  EXPECT_THAT(cache.Get(), StatusIs(StatusCode::kNotConfigured, HasSubstr("iam-role")));
  EXPECT_THAT(cache.Get(), StatusIs(StatusCode::kNotConfigured, HasSubstr("iam-role")));
  EXPECT_EQ(provider.calls(), 1);
  clock.Advance(seconds(1));
  EXPECT_EQ(AccessKey(cache), "ASIAEXAMPLE2");
}

// --- concurrency ----------------------------------------------------------------------------

TEST(CredentialsCacheTest, SixtyFourThreadsAtColdStartMakeOneResolution) {
  FakeClock clock;
  ScriptedProvider provider(&clock);
  CredentialsCache cache(&provider, &clock, ManualOptions());
  std::mutex mu;
  std::condition_variable cv;
  bool go = false;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 64; ++i) {
    threads.emplace_back([&] {
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return go; });
      }
      if (AccessKey(cache) == "ASIAEXAMPLE1") ++ok;
    });
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    go = true;
  }
  cv.notify_all();
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 64);
  EXPECT_EQ(provider.calls(), 1);
  EXPECT_EQ(cache.snapshot_count(), 1u);
}

TEST(CredentialsCacheTest, ReadersSeeConsistentSnapshotsWhileRefreshesPublish) {
  FakeClock clock;
  ScriptedProvider provider(&clock, minutes(10));
  CredentialsCache cache(&provider, &clock, ManualOptions());
  ASSERT_OK(cache.Get());
  std::atomic<bool> done{false};
  std::atomic<int> inconsistent{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&] {
      while (!done.load(std::memory_order_relaxed)) {
        StatusOr<const Credentials*> got = cache.Get();
        if (!got.ok()) {
          ++inconsistent;
          continue;
        }
        const Credentials& c = **got;
        const std::string generation = c.access_key_id.substr(11);
        if (c.secret_access_key.reveal() != "wJalrXUtnFEMI/K7MDENG/EXAMPLEKEY-" + generation ||
            c.session_token.reveal() != "FwoGZXIvYXdzEXAMPLETOKEN-" + generation) {
          ++inconsistent;
        }
      }
    });
  }
  for (int i = 0; i < 50; ++i) {
    clock.Advance(minutes(6));  // past advisory every time
    cache.Tick();
  }
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(inconsistent.load(), 0);
  EXPECT_EQ(provider.calls(), 51);
  EXPECT_EQ(cache.snapshot_count(), 51u);
}

TEST(CredentialsCacheTest, BackgroundThreadRefreshesAheadOnItsOwn) {
  FakeClock clock;
  ScriptedProvider provider(&clock);
  CredentialsCacheOptions o = ManualOptions();
  o.background_refresh = true;
  o.tick = milliseconds(1);
  CredentialsCache cache(&provider, &clock, o);
  ASSERT_OK(cache.Get());
  clock.Advance(hours(5) + minutes(46));
  ASSERT_TRUE(provider.WaitForCalls(2)) << "the background refresher never ran";
  // Publication follows the provider's return; readers see the old snapshot until then.
  const auto deadline = std::chrono::steady_clock::now() + seconds(60);
  while (cache.snapshot_count() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_EQ(AccessKey(cache), "ASIAEXAMPLE2");
  EXPECT_EQ(provider.calls(), 2);
}

}  // namespace
}  // namespace chantless
