// replay::Transport: an in-process HttpClient over a replay Engine — no sockets, no httplib, fully
// deterministic. Unit tests, scenario tests, benchmarks and fuzzers plug it in wherever the
// resolver takes an HttpClient; it builds from source alone (the fuzzers' libc++ build needs that).
//
// Faults become the HttpClient errors a real client reports (resolver/http/http_client.h):
//   delay_before_headers / delay_mid_body: the clock sleeps the delay; a delay at or beyond
//     request.timeout sleeps exactly the timeout and fails kDeadlineExceeded;
//   reset → kUnavailable ("connection reset"); close_without_response → kUnavailable;
//   truncated_body → kInvalidResponse; wrong_content_length larger than the body →
//     kInvalidResponse, smaller → the body cut to the declared length;
//   a body over request.max_response_bytes → kInvalidResponse.
// Unmatched requests get the engine's 404 diagnostic (a response, as a real server would send).
// It counts requests and "connections": one per endpoint, reopened after a fault closes it.
#ifndef CHANTLESS_REPLAY_TRANSPORT_H_
#define CHANTLESS_REPLAY_TRANSPORT_H_

#include <map>
#include <mutex>
#include <string>

#include "replay/engine.h"
#include "resolver/core/clock.h"
#include "resolver/http/http_client.h"

namespace chantless {
namespace replay {

// Does not own the engine or the clock; both must outlive it. `clock` is where delays are slept
// (a FakeClock advances instead of blocking); nullptr means delays are not slept at all, only
// compared with the timeout. Thread-safe.
class Transport : public HttpClient {
 public:
  Transport(Engine* engine, const Clock* clock) : engine_(engine), clock_(clock) {}

  StatusOr<HttpResponse> Send(const HttpRequest& request) override;

  int requests() const;
  int connections() const;

 private:
  void CloseConnection(const std::string& endpoint);

  Engine* engine_;
  const Clock* clock_;
  mutable std::mutex mu_;
  int requests_ = 0;
  int connections_ = 0;
  std::map<std::string, bool> open_;  // endpoint -> connection open
};

}  // namespace replay
}  // namespace chantless

#endif  // CHANTLESS_REPLAY_TRANSPORT_H_
