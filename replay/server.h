// replay::Server: the replay engine behind a real HTTP socket, for real AWS clients
// (AWS CLI, botocore, JS SDK) and for the resolver over real sockets. `chantless serve` wraps it.
//
// Rules it implements:
// - binds 127.0.0.1 (port 0 = any free port) unless told otherwise; the server core's own
//   HTTP/1.1 reader (ConnectionServer::SetWireHandler: no httplib parsing, routing or response
//   writing) hands every request, whatever its method and with its body read, to the Engine, and
//   the Outcome is written back as one response;
// - unmatched requests: 404 (599 when `strict`) with the engine's diagnostic body (nearest recorded
//   exchange and a field diff);
// - faults are enacted for real: delays sleep (interrupted by Stop) on the thread serving that
//   connection only, truncated bodies and wrong Content-Length are written as such (the head
//   declares the whole body or the recorded length) and the connection is dropped,
//   close_without_response shuts the socket down (FIN), reset closes it with SO_LINGER 0 (RST, no
//   FIN);
// - connections are served by the server core shared with the recorder (connection_server.h): an
//   epoll set holds the listening socket and the idle keep-alive connections, the thread woken by
//   a readable connection serves it (no hand-off), so idle connections cost no thread and a new
//   client is answered whatever the number of idle ones; at most `max_connections` are open (the
//   longest-idle one is closed to make room); each response leaves in one send() (status line,
//   headers and body together, so a client wakes once per response);
// - keep-alive as httplib had it (1000 requests per connection), an idle connection closed after
//   `idle_timeout` (2 s by default); Stop() ends idle keep-alive connections at once;
// - TCP_NODELAY on every connection (keep-alive clients otherwise stall on Nagle + delayed ACK);
// - HTTPS when `tls_context` is set, on the same connection core (TLS wraps the accepted socket);
//   `chantless serve --tls` runs one plain and one TLS Server on the same engine;
// - GET /__chantless/verdict answers the verdict JSON to loopback peers only (403 otherwise);
// - one log line per exchange through `log` (human or JSON), never a header value;
// - counters, readable from any thread at any time: accepted_connections() counts every TCP
//   connection accepted (including one closed at once because the cap was reached with every
//   connection busy); requests() counts every request handed to the engine (served,
//   token-rejected or unmatched); connections() counts the accepted connections that carried at
//   least one such request. The verdict endpoint is a control channel, not traffic: its requests
//   are in neither requests() nor connections() (a connection that only fetched the verdict, or a
//   port probe that sent nothing, is only in accepted_connections()). Requests the core refuses
//   before the engine sees them (malformed, a payload over 1 MiB) are counted nowhere.
//   A request is counted before its response is sent, so a client that has its response sees it
//   counted.
#ifndef CHANTLESS_REPLAY_SERVER_H_
#define CHANTLESS_REPLAY_SERVER_H_

#include <openssl/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "replay/engine.h"
#include "resolver/core/status.h"

namespace chantless {
namespace replay {

class ConnectionServer;
class ConnectionStream;
struct WireRequest;

struct ServerOptions {
  std::string bind = "127.0.0.1";
  int port = 0;         // 0: any free port
  bool strict = false;  // unmatched requests get 599 instead of 404
  bool log_json = false;
  // Open connections at most; when a new one would exceed it, the longest-idle one is closed.
  int max_connections = 4096;
  // A keep-alive connection without a request for this long is closed.
  std::chrono::milliseconds idle_timeout{2000};
  // When set, the listener speaks TLS (replay/tls_setup.h makes the context; not owned, must
  // outlive the server). The request's host is its Host header, else the TLS SNI name.
  SSL_CTX* tls_context = nullptr;
  // Receives one line (no trailing newline) per request; may be called from several threads at
  // once. Empty: no log.
  std::function<void(const std::string&)> log;
};

// Does not own the engine (it must outlive the server). Thread-safety: Start/Stop from one
// thread; requests are served on the server core's threads, several at once; the counters may be
// read from any thread.
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
  int64_t accepted_connections() const;
  int64_t connections() const { return connections_.load(); }
  int64_t requests() const { return requests_.load(); }

 private:
  // Each writes its response to `stream`; false when the connection must close after it.
  bool ServeVerdict(const WireRequest& req, bool keep_alive, ConnectionStream& stream);
  bool Handle(const WireRequest& req, bool keep_alive, ConnectionStream& stream);
  bool Respond(const WireRequest& req, const Outcome& out, bool keep_alive,
               ConnectionStream& stream);
  // One whole response (the head only when `head_only`: a HEAD request); a Content-Type among
  // `headers` is replaced by `content_type`.
  static void Write(ConnectionStream& stream, int status, const HttpHeaders& headers,
                    const std::string& content_type, std::string_view body, bool head_only,
                    bool keep_alive);
  // Sleeps `d` in small steps; false when the server is stopping.
  bool SleepFor(std::chrono::milliseconds d) const;
  void Log(const std::string& event, const std::string& method, const std::string& target,
           const std::string& exchange, int status, const std::string& detail);

  Engine* engine_;
  ServerOptions options_;
  std::atomic<int64_t> connections_{0};
  std::atomic<int64_t> requests_{0};
  std::unique_ptr<ConnectionServer> http_;
  bool started_ = false;
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
