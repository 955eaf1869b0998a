// Loopback servers for end-to-end tests of the real HttpClient (testonly).
//
// LoopbackHttpServer runs a cpp-httplib server on 127.0.0.1:<port 0> on its own thread, and
// RawLoopbackServer answers each connection with canned bytes (for malformed responses httplib's
// server cannot produce). Neither ever binds anything but 127.0.0.1. Both own their thread and
// socket and stop them in the destructor; configure routes before Start().
#ifndef CHANTLESS_RESOLVER_TESTING_LOOPBACK_SERVER_H_
#define CHANTLESS_RESOLVER_TESTING_LOOPBACK_SERVER_H_

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace chantless {
namespace testing {

// Binds `server` (routes already set) to 127.0.0.1:0, runs listen_after_bind() on `*thread` and
// waits until it runs (bounded: 10 s; cpp-httplib 0.11.4 has no readiness signal). Returns the
// port, or -1. Works for httplib::SSLServer too.
int StartHttplibOnLoopback(httplib::Server& server, std::thread* thread);

class LoopbackHttpServer {
 public:
  LoopbackHttpServer();
  ~LoopbackHttpServer();

  // Routes go here before Start().
  httplib::Server& server() { return server_; }
  // Binds 127.0.0.1:0, starts listening on a thread and waits until it runs. Returns false on
  // failure.
  bool Start();
  void Stop();
  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Distinct client ports seen (one per TCP connection), counted by the pre-routing handler.
  size_t connection_count() const;
  int request_count() const { return requests_.load(); }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mu_;
  std::set<int> client_ports_;
  std::atomic<int> requests_{0};
};

// Accepts connections on 127.0.0.1:0; for each, reads the request head and writes `response`
// verbatim — one byte every `byte_delay` when it is non-zero (a dribbling peer) — then closes the
// connection unless `hold_open` (then it waits for the client to close).
class RawLoopbackServer {
 public:
  RawLoopbackServer(std::string response, bool hold_open,
                    std::chrono::milliseconds byte_delay = std::chrono::milliseconds(0));
  ~RawLoopbackServer();
  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  void Serve();
  std::string response_;
  bool hold_open_;
  std::chrono::milliseconds byte_delay_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// A listening socket on 127.0.0.1 that never accepts: connections complete in the kernel's backlog
// and then nothing is ever said. The endpoint of a server that never answers.
class SilentLoopbackServer {
 public:
  SilentLoopbackServer();
  ~SilentLoopbackServer();
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A loopback port on which nothing listens (bound, then closed): connections are refused.
int UnusedLoopbackPort();

// A raw client socket connected to 127.0.0.1:port (5 s receive timeout), or -1 with errno kept.
int RawConnect(int port);

// What a raw client got back on one connection.
struct RawResult {
  std::string bytes;
  int error = 0;  // errno of the failing connect() or recv(), 0 when the server closed cleanly
};

// Sends `request` on a fresh connection and reads until EOF, an error or 5 s of silence.
RawResult RawExchange(int port, const std::string& request);

}  // namespace testing
}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_TESTING_LOOPBACK_SERVER_H_
