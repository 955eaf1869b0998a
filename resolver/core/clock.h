// Clock: the seam for wall time (expirations), monotonic time (timeouts) and sleeping (backoff).
#ifndef CHANTLESS_RESOLVER_CORE_CLOCK_H_
#define CHANTLESS_RESOLVER_CORE_CLOCK_H_

#include <chrono>

namespace chantless {

using WallTime = std::chrono::system_clock::time_point;
using MonoTime = std::chrono::steady_clock::time_point;
using Duration = std::chrono::nanoseconds;

// Implementations must be safe to call from several threads at once.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual WallTime Now() const = 0;
  virtual MonoTime MonotonicNow() const = 0;
  // Backoff and Retry-After waits go through here so that tests on a FakeClock never sleep.
  virtual void SleepFor(Duration d) const = 0;
};

class SystemClock : public Clock {
 public:
  WallTime Now() const override { return std::chrono::system_clock::now(); }
  MonoTime MonotonicNow() const override { return std::chrono::steady_clock::now(); }
  void SleepFor(Duration d) const override;
};

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_CORE_CLOCK_H_
