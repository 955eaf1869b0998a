// DeadlineWatchdog (see the header).
#include "resolver/http/deadline_watchdog.h"

#include <pthread.h>

#include <atomic>
#include <optional>
#include <utility>

namespace chantless {
namespace {

// The process's watchdog. fork() copies the pointer but not the thread behind it, so the child
// handler below forgets it and the child's first Shared() starts a watchdog of its own: without
// that, a daemon that used a client before forking workers would run their exchanges with no
// deadline backstop. The old watchdog is abandoned in the child (its mutex may have been held by a
// thread that no longer exists there), never touched or freed.
std::atomic<DeadlineWatchdog*> shared_watchdog{nullptr};

void ForgetWatchdogInForkedChild() { shared_watchdog.store(nullptr, std::memory_order_relaxed); }

[[maybe_unused]] const int watchdog_atfork_registered =
    pthread_atfork(nullptr, nullptr, &ForgetWatchdogInForkedChild);

}  // namespace

DeadlineWatchdog& DeadlineWatchdog::Shared() {
  DeadlineWatchdog* current = shared_watchdog.load(std::memory_order_acquire);
  if (current != nullptr) return *current;
  // First use in this process (or in this forked child). Lock-free, so a fork can never leave a
  // creation lock held in the child: the loser of a race stops and frees its own watchdog.
  auto* created = new DeadlineWatchdog();
  DeadlineWatchdog* expected = nullptr;
  if (shared_watchdog.compare_exchange_strong(expected, created, std::memory_order_acq_rel)) {
    // Never destroyed (like absl::NoDestructor): a client may still send while static
    // destructors run, and the thread simply ends with the process.
    return *created;
  }
  delete created;
  return *expected;
}

DeadlineWatchdog::DeadlineWatchdog() : thread_([this] { Run(); }) {}

DeadlineWatchdog::~DeadlineWatchdog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

uint64_t DeadlineWatchdog::Arm(Clock::time_point deadline, std::function<void()> stop) {
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t id = ++next_id_;
  armed_[id] = Entry{deadline, std::move(stop), false};
  // Wake the watchdog only when this deadline comes before the one it sleeps until: most
  // exchanges end long before their deadline, and a wake-up per request is a context switch per
  // request (measured: it was a third of a loopback exchange's cost).
  if (deadline < wake_at_) cv_.notify_all();
  return id;
}

bool DeadlineWatchdog::Disarm(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = armed_.find(id);
  const bool fired = it != armed_.end() && it->second.fired;
  if (it != armed_.end()) armed_.erase(it);
  return fired;
}

void DeadlineWatchdog::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    std::optional<Clock::time_point> next;
    const Clock::time_point now = Clock::now();
    for (auto& [id, entry] : armed_) {
      if (entry.fired) continue;
      if (entry.deadline <= now) {
        entry.stop();
        entry.fired = true;
      } else if (!next || entry.deadline < *next) {
        next = entry.deadline;
      }
    }
    wake_at_ = next ? *next : Clock::time_point::max();
    if (next) {
      cv_.wait_until(lock, *next);
    } else {
      cv_.wait(lock);
    }
  }
}

}  // namespace chantless
