// replay::Server: the replay engine behind a real HTTP socket (cpp-httplib), for real AWS clients
// (AWS CLI, botocore, JS SDK) and for the resolver over real sockets. `chantless serve` wraps it.
//
// Rules it implements:
// - binds 127.0.0.1 (port 0 = any free port) unless told otherwise; one catch-all handler
//   (set_pre_routing_handler) hands every request to the Engine and enacts its Outcome;
// - unmatched requests: 404 (599 when `strict`) with the engine's diagnostic body (nearest recorded
//   exchange and a field diff);
// - faults are enacted for real: delays sleep (interrupted by Stop), truncated bodies and wrong
//   Content-Length go through a content provider that stops early / lies and then drops the
//   connection, close_without_response shuts the socket down (FIN), reset closes it with
//   SO_LINGER 0 (RST, no FIN);
// - the server accepts on several threads, and the thread that accepts a connection serves it (no
//   hand-off to a worker: one thread wake-up less per new connection);
// - each connection is served through the server's own httplib::Stream
//   (server.cc: ConnectionStream): a response leaves in one send() (status line, headers and body
//   together, so a client wakes once per response, not once for the headers and again for the
//   body), the request is read through a buffer, and the fault code reaches the socket directly;
// - httplib's keep-alive rules (1000 requests per connection, 2 s idle timeout), except that Stop()
//   ends idle keep-alive connections within about 10 ms instead of waiting out their timeout;
// - TCP_NODELAY on every connection (keep-alive clients otherwise stall on Nagle + delayed ACK);
// - GET /__chantless/verdict answers the verdict JSON to loopback peers only (403 otherwise);
// - one log line per exchange through `log` (human or JSON), never a header value;
// - counters, readable from any thread at any time: accepted_connections() counts every TCP
//   connection accepted (httplib serves each accepted socket exactly once through the server's
//   process_and_close_socket() override, which counts it); requests() counts every
//   request handed to the engine (served, token-rejected or unmatched); connections() counts the
//   accepted connections that carried at least one such request. The verdict endpoint is a control
//   channel, not traffic: its requests are in neither requests() nor connections() (a connection
//   that only fetched the verdict, or a port probe that sent nothing, is only in
//   accepted_connections()). Requests httplib refuses before any handler runs (malformed request
//   line, payload over the limit) are counted nowhere. A request is counted before its response is
//   sent, so a client that has its response sees it counted.
// Only this file's .cc includes httplib.h.
#ifndef CHANTLESS_REPLAY_SERVER_H_
#define CHANTLESS_REPLAY_SERVER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "replay/engine.h"
#include "resolver/core/status.h"

namespace chantless {
namespace replay {

struct ServerOptions {
  std::string bind = "127.0.0.1";
  int port = 0;         // 0: any free port
  bool strict = false;  // unmatched requests get 599 instead of 404
  bool log_json = false;
  // Receives one line (no trailing newline) per request; may be called from several threads at
  // once. Empty: no log.
  std::function<void(const std::string&)> log;
};

// Does not own the engine (it must outlive the server). Start/Stop from one thread; requests are
// served on the server's own threads (CPPHTTPLIB_THREAD_POOL_COUNT of them, each accepting a
// connection and serving it to its end).
class Server {
 public:
  Server(Engine* engine, ServerOptions options);
  ~Server();  // Stop()s
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving on a background thread; returns the bound port once the socket is
  // listening. kUnavailable when the address cannot be bound; kInternal when already started.
  StatusOr<int> Start();
  // Stops accepting, interrupts fault delays and joins the serving thread. Idempotent.
  void Stop();

  int port() const { return port_; }

  // Counters since construction (see the header comment); thread-safe, never reset.
  int64_t accepted_connections() const { return accepted_connections_.load(); }
  int64_t connections() const { return connections_.load(); }
  int64_t requests() const { return requests_.load(); }

 private:
  class ReplayHttpServer;  // httplib::Server serving connections through ConnectionStream


  void Log(const std::string& event, const std::string& method, const std::string& target,
           const std::string& exchange, int status, const std::string& detail);

  Engine* engine_;
  ServerOptions options_;
  std::atomic<int64_t> accepted_connections_{0};
  std::atomic<int64_t> connections_{0};
  std::atomic<int64_t> requests_{0};
  std::unique_ptr<ReplayHttpServer> http_;
  std::vector<std::thread> threads_;  // the accepting and serving threads
  std::atomic<bool> stopping_{false};
  int port_ = 0;
};

// One JSON log line or human log line, as the server writes them (exposed for tests).
std::string FormatLogLine(bool json, const std::string& event, const std::string& method,
                          const std::string& target, const std::string& exchange, int status,
                          const std::string& detail);

}  // namespace replay
}  // namespace chantless

#endif  // CHANTLESS_REPLAY_SERVER_H_
