// CredentialsCache: snapshot publication, the slow path (single-flight refresh, backoff, last good
// credentials) and the background ticker/refresher. The design is described in
// credentials_cache.h.
#include "resolver/chain/credentials_cache.h"

#include <algorithm>
#include <utility>

#include "resolver/core/expiry.h"
#include "resolver/core/jitter_seed.h"
#include "resolver/core/time_util.h"

namespace chantless {
namespace {

using std::chrono::duration_cast;
using std::chrono::nanoseconds;

WallTime::duration Scale(nanoseconds d, double fraction) {
  return duration_cast<WallTime::duration>(
      nanoseconds(static_cast<int64_t>(static_cast<double>(d.count()) * fraction)));
}

void Trace(TraceSink* sink, TraceEvent::Kind kind, const std::string& provider,
           std::string message) {
  if (sink == nullptr) return;
  TraceEvent e;
  e.kind = kind;
  e.provider = provider;
  e.step = "cache";
  e.message = std::move(message);
  sink->Record(e);
}

std::string Millis(nanoseconds d) {
  return std::to_string(duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

}  // namespace

RefreshSchedule ComputeRefreshSchedule(WallTime now, std::optional<WallTime> expiration,
                                       double unit, const CredentialsCacheOptions& options) {
  RefreshSchedule out;
  if (!expiration) {
    out.advisory = out.mandatory = out.expires = WallTime::max();
    return out;
  }
  out.expires = *expiration;
  const nanoseconds lifetime =
      std::max(nanoseconds::zero(), duration_cast<nanoseconds>(*expiration - now));
  const nanoseconds mandatory =
      std::min(options.max_mandatory_window,
               duration_cast<nanoseconds>(Scale(lifetime, options.mandatory_fraction)));
  const nanoseconds advisory = std::max(
      mandatory, std::min(options.max_advisory_window,
                          duration_cast<nanoseconds>(Scale(lifetime, options.advisory_fraction))));
  const double jitter = std::clamp(unit, 0.0, 1.0) * std::clamp(options.jitter, 0.0, 1.0);
  out.mandatory = *expiration - duration_cast<WallTime::duration>(mandatory);
  out.advisory = *expiration - duration_cast<WallTime::duration>(advisory) +
                 Scale(advisory - mandatory, jitter);
  if (out.advisory > out.mandatory) out.advisory = out.mandatory;
  return out;
}

CredentialsCache::CredentialsCache(CredentialsProvider* provider, const Clock* clock,
                                   CredentialsCacheOptions options)
    : provider_(provider),
      clock_(clock),
      options_(options),
      rng_(options.jitter_seed != 0 ? options.jitter_seed : NewJitterSeed()) {
  if (options_.background_refresh) {
    ticker_ = std::thread([this] { TickerLoop(); });
    refresher_ = std::thread([this] { RefresherLoop(); });
  }
}

CredentialsCache::CredentialsCache(std::unique_ptr<CredentialsProvider> provider,
                                   const Clock* clock, CredentialsCacheOptions options)
    : CredentialsCache(provider.get(), clock, options) {
  owned_provider_ = std::move(provider);
}

CredentialsCache::~CredentialsCache() {
  {
    std::lock_guard<std::mutex> lock(bg_mu_);
    stopping_ = true;
  }
  bg_cv_.notify_all();
  if (ticker_.joinable()) ticker_.join();
  if (refresher_.joinable()) refresher_.join();
}

int64_t CredentialsCache::ToNs(WallTime t) {
  if (t == WallTime::max()) return std::numeric_limits<int64_t>::max();
  if (t == WallTime::min()) return std::numeric_limits<int64_t>::min();
  return duration_cast<nanoseconds>(t.time_since_epoch()).count();
}

StatusOr<Credentials> CredentialsCache::Resolve() {
  StatusOr<const Credentials*> got = Get();
  if (!got.ok()) return got.status();
  return **got;
}

void CredentialsCache::Tick() {
  UpdateCoarseClock();
  RefreshAheadIfDue();
}

void CredentialsCache::UpdateCoarseClock() {
  coarse_now_ns_.store(ToNs(clock_->Now()), std::memory_order_relaxed);
}

void CredentialsCache::RefreshAheadIfDue() {
  const Snapshot* s = current_.load(std::memory_order_acquire);
  if (s == nullptr || ToNs(clock_->Now()) < s->advisory_ns) return;
  std::unique_lock<std::mutex> lock(mu_, std::try_to_lock);
  if (!lock.owns_lock()) return;  // a refresh is in flight (or a reader is on the slow path)
  s = current_.load(std::memory_order_relaxed);
  const WallTime now = clock_->Now();
  if (ToNs(now) < s->advisory_ns || now < next_attempt_) return;
  (void)RefreshLocked(/*advisory=*/true);
}

StatusOr<const Credentials*> CredentialsCache::GetSlow() {
  std::lock_guard<std::mutex> lock(mu_);
  const WallTime now = clock_->Now();
  coarse_now_ns_.store(ToNs(now), std::memory_order_relaxed);
  const Snapshot* s = current_.load(std::memory_order_relaxed);
  // Another caller refreshed while this one waited for mu_, or the coarse clock was merely behind.
  if (s != nullptr && ToNs(now) < s->mandatory_ns) return &s->credentials;
  if (now < next_attempt_) {  // backing off after a failure
    if (s != nullptr && now < s->schedule.expires) {
      // An advisory failure whose backoff runs into the mandatory window: republish with the
      // windows at the next attempt so that readers stay off this mutex until then.
      if (s->mandatory_ns < ToNs(next_attempt_)) {
        RefreshSchedule schedule = s->schedule;
        schedule.advisory = schedule.mandatory = next_attempt_;
        s = PublishLocked(s->credentials, schedule);
      }
      return &s->credentials;
    }
    if (!last_error_.ok()) return last_error_;
  }
  return RefreshLocked(/*advisory=*/false);
}

StatusOr<const Credentials*> CredentialsCache::RefreshLocked(bool advisory) {
  const std::string name = provider_->Name();
  const Snapshot* old = current_.load(std::memory_order_relaxed);
  Trace(options_.trace, TraceEvent::Kind::kInfo, name,
        std::string(old == nullptr ? "resolving credentials (cold start)"
                    : advisory     ? "refreshing credentials ahead of expiry (advisory)"
                                   : "refreshing credentials (mandatory; callers wait)"));
  resolutions_.fetch_add(1, std::memory_order_relaxed);
  StatusOr<Credentials> resolved = provider_->Resolve();
  const WallTime now = clock_->Now();
  coarse_now_ns_.store(ToNs(now), std::memory_order_relaxed);

  Status failure;
  if (resolved.ok()) {
    failure = CheckExpiry(resolved->expiration, now, name);  // a provider that forgot the rule
    if (failure.ok()) {
      consecutive_failures_ = 0;
      next_attempt_ = WallTime::min();
      last_error_ = OkStatus();
      const double unit = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
      RefreshSchedule schedule = ComputeRefreshSchedule(now, resolved->expiration, unit, options_);
      return &PublishLocked(std::move(resolved).value(), schedule)->credentials;
    }
  } else {
    failure = resolved.status();
  }

  ++consecutive_failures_;
  last_error_ = failure;
  next_attempt_ = now + duration_cast<WallTime::duration>(NextBackoffLocked());
  if (old == nullptr || now >= old->schedule.expires) {
    Trace(options_.trace, TraceEvent::Kind::kWarning, name,
          "resolution failed (" + failure.ToString() + "); no valid credentials held");
    return failure;
  }
  next_attempt_ = std::min(next_attempt_, old->schedule.expires);
  Trace(options_.trace, TraceEvent::Kind::kWarning, name,
        "refresh failed (" + failure.ToString() + "); keeping the current credentials until " +
            FormatRfc3339(old->schedule.expires) + ", next attempt in " +
            Millis(duration_cast<nanoseconds>(next_attempt_ - now)));
  if (ToNs(now) < old->mandatory_ns) return &old->credentials;  // advisory: readers unaffected
  // Inside the mandatory window: republish the same credentials with both windows at the next
  // attempt, so readers stay on the fast path during the backoff.
  RefreshSchedule schedule = old->schedule;
  schedule.advisory = schedule.mandatory = next_attempt_;
  return &PublishLocked(old->credentials, schedule)->credentials;
}

const CredentialsCache::Snapshot* CredentialsCache::PublishLocked(Credentials credentials,
                                                                  RefreshSchedule schedule) {
  auto snapshot = std::make_unique<Snapshot>();
  snapshot->credentials = std::move(credentials);
  snapshot->schedule = schedule;
  snapshot->advisory_ns = ToNs(schedule.advisory);
  snapshot->mandatory_ns = ToNs(schedule.mandatory);
  const Snapshot* raw = snapshot.get();
  snapshots_.push_back(std::move(snapshot));
  current_.store(raw, std::memory_order_release);
  return raw;
}

std::chrono::nanoseconds CredentialsCache::NextBackoffLocked() {
  nanoseconds backoff = options_.min_backoff;
  for (int i = 1; i < consecutive_failures_ && backoff < options_.max_backoff; ++i) backoff *= 2;
  return std::min(backoff, options_.max_backoff);
}

int CredentialsCache::resolutions() const { return resolutions_.load(std::memory_order_relaxed); }

size_t CredentialsCache::snapshot_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return snapshots_.size();
}

std::optional<RefreshSchedule> CredentialsCache::schedule() const {
  const Snapshot* s = current_.load(std::memory_order_acquire);
  if (s == nullptr) return std::nullopt;
  return s->schedule;
}

void CredentialsCache::TickerLoop() {
  std::unique_lock<std::mutex> lock(bg_mu_);
  while (!stopping_) {
    if (bg_cv_.wait_for(lock, options_.tick, [this] { return stopping_; })) break;
    lock.unlock();
    UpdateCoarseClock();
    const Snapshot* s = current_.load(std::memory_order_acquire);
    const bool due =
        s != nullptr && coarse_now_ns_.load(std::memory_order_relaxed) >= s->advisory_ns;
    lock.lock();
    if (due && !refresh_wanted_) {
      refresh_wanted_ = true;
      bg_cv_.notify_all();
    }
  }
}

void CredentialsCache::RefresherLoop() {
  std::unique_lock<std::mutex> lock(bg_mu_);
  while (true) {
    bg_cv_.wait(lock, [this] { return stopping_ || refresh_wanted_; });
    if (stopping_) break;
    lock.unlock();
    RefreshAheadIfDue();
    lock.lock();
    refresh_wanted_ = false;
  }
}

}  // namespace chantless
