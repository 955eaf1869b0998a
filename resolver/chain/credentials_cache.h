// CredentialsCache: the hot path. Serves credentials from an immutable snapshot behind an atomic
// pointer, refreshes ahead of expiry in one flight, and keeps the last good credentials when a
// refresh fails.
//
// Read path (Get()): one acquire load of the current snapshot's pointer, one relaxed load of a
// coarse wall clock, one compare. No mutex, no reader count, no shared_ptr refcount, no heap
// allocation, no Clock read: readers write nothing shared, so they scale with cores.
// (std::atomic<std::shared_ptr> is not used: libstdc++ 12 implements it with a lock.)
//
// Snapshots: each successful resolution allocates one immutable Snapshot and publishes it with a
// release store. Old snapshots are retired, not freed: they live until the cache is destroyed, so a
// `const Credentials*` from Get() stays valid for the cache's lifetime and readers need no hazard
// pointers or epochs. The cost is ~300 bytes per refresh (a 6-hour IMDS credential refreshes ~4
// times a day, a 10-minute CloudShell one ~300 times: ~90 KB a day).
//
// The coarse clock: `coarse_now_` holds Clock::Now() as nanoseconds, written by UpdateCoarseClock()
// (the background ticker every `tick`, default 250 ms, and every slow-path call) and only read by
// Get(). Its lag (one tick) is far inside the smallest mandatory window that matters (10% of the
// lifetime: 60 s for a 10-minute credential), so a reader never serves credentials past their
// expiry by more than one tick even in theory, and in practice refreshes long before.
//
// Refresh schedule (ComputeRefreshSchedule), scaled to the lifetime L left when the credentials
// were fetched (expiration − now):
//   mandatory window M = min(10 min, L / 10)  → at expiration − M readers stop using the snapshot
//                                                and wait for one refresh (single flight);
//   advisory window  A = min(15 min, L / 2)   → from expiration − A + jitter the background thread
//                                                refreshes ahead while readers keep the old
//                                                snapshot;
//   jitter: uniform in [0, jitter × (A − M)], so a fleet does not refresh in lock step.
//   A 6-hour IMDS credential refreshes ~15 min before expiry (mandatory at 10 min); a 10-minute
//   CloudShell credential refreshes after ~5 minutes (mandatory at 1 min) — never on every call, as
//   botocore's fixed 15/10-minute windows do. Credentials without an expiration never refresh.
//
// Failure: a failed refresh keeps the last good credentials while they are valid; the next attempt
// waits a backoff (min_backoff doubling up to max_backoff, never past the expiration). Readers stay
// on the fast path meanwhile (a snapshot of the same credentials is republished with its windows
// moved to the next attempt). Once the credentials have truly expired, the next Get() tries once
// more (blocking) and returns the provider's error; that error is then returned without a new
// resolution until the backoff ends (a cold start that fails behaves the same way). Credentials
// that are already expired when the provider returns them count as a failed refresh
// (kInvalidResponse, the expiry rule of resolver/core/expiry.h, which providers apply themselves),
// and so does the expiry rule's error from a provider: a source that keeps serving expired
// credentials is asked again only after each backoff, never spun on. Static stability (IMDS
// extending expired credentials) happens inside the provider and composes with this: extended
// credentials are ordinary credentials here.
//
// Thread-safety: Get(), Resolve(), Tick(), UpdateCoarseClock() and RefreshAheadIfDue() may be
// called from any number of threads. The wrapped provider's Resolve() is only ever called with
// `mu_` held, one call at a time, so providers need not be thread-safe. The provider, clock and
// trace sink are not owned (unless the unique_ptr constructor is used) and must outlive the cache.
//
// Background refresh: with options.background_refresh (the default) the cache owns two threads: a
// ticker that calls UpdateCoarseClock() every `tick` of real (steady) time and wakes the refresher
// when the advisory time has come, and the refresher, which runs RefreshAheadIfDue(). Both stop in
// the destructor. With background_refresh = false nothing runs on its own: the owner must call
// Tick() (tests on a FakeClock do, deterministically), or Get() keeps serving the snapshot it has
// (only a missing snapshot or a coarse clock past the mandatory time sends Get() to the slow path).
//
// fork(): create caches after forking, never use one across a fork. A child inherits none of the
// background threads (so its coarse clock would stop and Get() would keep serving the last
// snapshot past its expiry), and a mutex a parent thread held at the fork stays held in the child.
#ifndef CHANTLESS_RESOLVER_CHAIN_CREDENTIALS_CACHE_H_
#define CHANTLESS_RESOLVER_CHAIN_CREDENTIALS_CACHE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "resolver/core/clock.h"
#include "resolver/core/credentials.h"
#include "resolver/core/provider.h"
#include "resolver/core/status.h"
#include "resolver/core/trace.h"

namespace chantless {

struct CredentialsCacheOptions {
  std::chrono::nanoseconds max_mandatory_window = std::chrono::minutes(10);
  double mandatory_fraction = 0.10;  // of the remaining lifetime
  std::chrono::nanoseconds max_advisory_window = std::chrono::minutes(15);
  double advisory_fraction = 0.50;
  double jitter = 0.25;      // fraction of (advisory − mandatory) added to the advisory time
  uint64_t jitter_seed = 0;  // 0: NewJitterSeed() (jitter_seed.h)
  std::chrono::nanoseconds min_backoff = std::chrono::seconds(1);
  std::chrono::nanoseconds max_backoff = std::chrono::minutes(1);
  bool background_refresh = true;
  std::chrono::nanoseconds tick = std::chrono::milliseconds(250);  // real time, ticker period
  TraceSink* trace = nullptr;                                      // not owned; may be null
};

// When a credential fetched at `now` should be refreshed. Pure (no clock, no randomness: `unit`
// is the jitter draw in [0, 1]). Without an expiration every instant is WallTime::max().
struct RefreshSchedule {
  WallTime advisory;   // refresh ahead from here (background), readers unaffected
  WallTime mandatory;  // readers wait for a refresh from here
  WallTime expires;    // the credentials' expiration
};
RefreshSchedule ComputeRefreshSchedule(WallTime now, std::optional<WallTime> expiration,
                                       double unit, const CredentialsCacheOptions& options);

class CredentialsCache : public CredentialsProvider {
 public:
  // `provider` and `clock` are not owned and must outlive the cache.
  CredentialsCache(CredentialsProvider* provider, const Clock* clock,
                   CredentialsCacheOptions options = {});
  // Owns `provider`.
  CredentialsCache(std::unique_ptr<CredentialsProvider> provider, const Clock* clock,
                   CredentialsCacheOptions options = {});
  ~CredentialsCache() override;
  CredentialsCache(const CredentialsCache&) = delete;
  CredentialsCache& operator=(const CredentialsCache&) = delete;

  // The hot path. On OK the pointer is never null and stays valid until the cache is destroyed
  // (the snapshot it points into is immutable). Errors: whatever the provider returned on the
  // failed resolution (kNotConfigured, kUnavailable, …), or kInvalidResponse for credentials that
  // were already expired; only when no unexpired credentials are held.
  StatusOr<const Credentials*> Get() {
    const Snapshot* s = current_.load(std::memory_order_acquire);
    if (s != nullptr && coarse_now_ns_.load(std::memory_order_relaxed) < s->mandatory_ns) {
      return &s->credentials;
    }
    return GetSlow();
  }

  // CredentialsProvider: a copy of Get()'s credentials. Thread-safe.
  std::string Name() const override { return provider_->Name(); }
  StatusOr<Credentials> Resolve() override;

  // UpdateCoarseClock() then RefreshAheadIfDue(): what the background threads do, for owners that
  // drive the cache themselves (background_refresh = false) and for tests.
  void Tick();
  // Stores Clock::Now() in the coarse clock readers compare against.
  void UpdateCoarseClock();
  // Refreshes when the current snapshot is past its advisory time (and no backoff is pending).
  // Never blocks on a refresh already in flight (returns at once). Readers keep the old snapshot
  // while it runs.
  void RefreshAheadIfDue();

  // For tests and benchmarks.
  int resolutions() const;                          // provider Resolve() calls so far
  size_t snapshot_count() const;                    // snapshots allocated (current + retired)
  std::optional<RefreshSchedule> schedule() const;  // the current snapshot's

 private:
  struct Snapshot {
    Credentials credentials;
    RefreshSchedule schedule;
    int64_t advisory_ns;
    int64_t mandatory_ns;
  };

  StatusOr<const Credentials*> GetSlow();
  // Runs one resolution and publishes its outcome. Requires mu_ held. Returns what Get() should.
  StatusOr<const Credentials*> RefreshLocked(bool advisory);
  const Snapshot* PublishLocked(Credentials credentials, RefreshSchedule schedule);
  std::chrono::nanoseconds NextBackoffLocked();
  void TickerLoop();
  void RefresherLoop();
  static int64_t ToNs(WallTime t);

  CredentialsProvider* provider_;
  std::unique_ptr<CredentialsProvider> owned_provider_;
  const Clock* clock_;
  CredentialsCacheOptions options_;

  // Read by every Get(); written only under mu_ (current_) or by UpdateCoarseClock().
  alignas(64) std::atomic<const Snapshot*> current_{nullptr};
  std::atomic<int64_t> coarse_now_ns_{std::numeric_limits<int64_t>::min()};

  // Everything below is the slow path's, guarded by mu_ unless atomic.
  alignas(64) mutable std::mutex mu_;
  std::vector<std::unique_ptr<Snapshot>> snapshots_;  // every snapshot ever published
  Status last_error_;                                 // of the last failed resolution
  WallTime next_attempt_ = WallTime::min();           // backoff: no resolution before this
  int consecutive_failures_ = 0;
  std::mt19937_64 rng_;
  std::atomic<int> resolutions_{0};

  // Background threads.
  std::mutex bg_mu_;
  std::condition_variable bg_cv_;
  bool stopping_ = false;        // guarded by bg_mu_
  bool refresh_wanted_ = false;  // guarded by bg_mu_
  std::thread ticker_;
  std::thread refresher_;
};

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_CHAIN_CREDENTIALS_CACHE_H_
