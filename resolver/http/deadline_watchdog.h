// DeadlineWatchdog: the process's one backstop for HTTP exchange deadlines, shared by every
// HttpClient implementation that hands its socket to OpenSSL or cpp-httplib (HttplibHttpClient;
// PosixHttpClient for https: its plain exchanges bound every call themselves).
//
// Per-call socket timeouts bound each connect/recv/send, so a peer that dribbles bytes just inside
// each one could stretch an exchange without limit. A client arms the watchdog with the exchange's
// deadline and a stop action (shut the socket down: the one operation that is safe on a socket
// another thread is using); the watchdog thread runs the action for every exchange still armed at
// its deadline. The action runs on the watchdog thread under its lock, so once Disarm() has
// returned the watchdog no longer runs it (the client may then close the socket).
//
// One thread per process, started by the first Shared() call (constructing a client starts no
// thread). fork(): a child's first Shared() starts a watchdog of its own (the parent's thread does
// not exist there); the parent's is abandoned in the child, never touched or freed.
#ifndef CHANTLESS_RESOLVER_HTTP_DEADLINE_WATCHDOG_H_
#define CHANTLESS_RESOLVER_HTTP_DEADLINE_WATCHDOG_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace chantless {

class DeadlineWatchdog {
 public:
  using Clock = std::chrono::steady_clock;

  // The process's watchdog, started on first use (and again in a forked child). Never destroyed.
  static DeadlineWatchdog& Shared();

  // Runs `stop` (on the watchdog thread, at most once) if the exchange is still armed at
  // `deadline`. Returns the id to Disarm() with.
  uint64_t Arm(Clock::time_point deadline, std::function<void()> stop);
  // Ends the watch. True when the watchdog ran the stop action.
  bool Disarm(uint64_t id);

  DeadlineWatchdog();
  ~DeadlineWatchdog();
  DeadlineWatchdog(const DeadlineWatchdog&) = delete;
  DeadlineWatchdog& operator=(const DeadlineWatchdog&) = delete;

 private:
  struct Entry {
    Clock::time_point deadline;
    std::function<void()> stop;
    bool fired;
  };

  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint64_t, Entry> armed_;
  uint64_t next_id_ = 0;
  // When the watchdog thread will wake on its own (max: not until notified). Guarded by mu_.
  Clock::time_point wake_at_ = Clock::time_point::max();
  bool stopping_ = false;
  std::thread thread_;  // last: started after the members it uses
};

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_HTTP_DEADLINE_WATCHDOG_H_
