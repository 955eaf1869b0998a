// The system clocks behind the Clock seam.
#include "resolver/core/clock.h"

#include <thread>

namespace chantless {

void SystemClock::SleepFor(Duration d) const {
  if (d > Duration::zero()) std::this_thread::sleep_for(d);
}

}  // namespace chantless
