// replay::ConnectionServer: the HTTP/1.1 server core shared by the replay server (`chantless
// serve`, replay/server.h) and the recording proxy (`chantless record`, replay/recorder.h). It is
// an httplib::Server whose handlers (routes, pre-routing handler) its user sets as usual; this
// class owns the sockets and the threads instead of httplib's listen loop:
// - readiness-driven: one epoll set holds the listening socket and every connection that is
//   waiting for its next request, so an idle keep-alive connection costs a descriptor and an entry
//   in a list, never a thread;
// - the serving threads all wait in epoll_wait() on that one set (every registration is
//   EPOLLONESHOT, so each readiness event goes to exactly one thread). The thread that is woken
//   serves the event itself: it accepts (one connection, and waits up to 5 ms for its first
//   request, which a client sends right after connecting), or it parses and answers the requests
//   that are readable on the connection; it keeps answering while the next request arrives within
//   5 ms, then re-arms the connection in the set. No hand-off to another thread on the way from
//   the kernel to the handler. The waits are the socket's SO_RCVTIMEO, so a thread waiting for a
//   request sleeps in the recv() that reads it (no poll() before each request);
// - the threads that serve may block (a fault's delay, an upstream request, a slow client): when
//   the last waiting thread takes an event, another thread is started (up to `max_threads`), so
//   one client's delay never holds up the others;
// - each connection is read and written through a ConnectionStream: the whole response leaves in
//   one send() (MSG_NOSIGNAL: a client that hung up never raises SIGPIPE), the request is read
//   through a buffer;
// - httplib's keep-alive rules, with the idle timeout configurable (`idle_timeout`), at most
//   `max_connections` open connections: when a new connection would exceed it, the connection
//   idle the longest is closed first (and the new one when none is idle);
// - TCP_NODELAY on every connection; a listen backlog of SOMAXCONN;
// - TLS when `tls_context` is set: httplib's SSLServer owns its own accept loop and cannot be
// driven
//   by this core, so the core wraps each accepted socket with OpenSSL itself. The handshake runs
//   on the thread that accepted the connection (bounded by the read timeout), then the
//   ConnectionStream reads and writes through SSL_read/SSL_write; everything else (epoll set, idle
//   list, cap, faults on the raw socket) is the same for both. A connection with decrypted bytes
//   still buffered in OpenSSL is served on, never parked (epoll only sees the socket);
// - CONNECT tunnels (the recording forward proxy): a handler may turn its connection into a TLS
//   tunnel (ConnectionStream::TunnelTlsAfterThisRequest); the connection then goes on through the
//   same epoll set and idle list, so an idle tunnel costs no thread either;
// - Stop() ends idle connections at once and interrupts nothing else but the waits.
// Only .cc files include this header (it includes httplib.h).
#ifndef CHANTLESS_REPLAY_CONNECTION_SERVER_H_
#define CHANTLESS_REPLAY_CONNECTION_SERVER_H_

#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "httplib.h"
#include "replay/wire_request.h"
#include "resolver/core/status.h"

namespace chantless {
namespace replay {

// One connection's socket as httplib's Stream, with two differences from httplib's SocketStream:
// - writes are buffered and go out in one send() when the response is complete (Flush()), so the
//   status line, headers and body reach the client in one segment instead of two: with
//   TCP_NODELAY, httplib's separate header and body writes made every client wake up twice per
//   response;
// - reads are buffered (httplib reads the request line byte by byte). The socket's SO_RCVTIMEO is
//   the short wait for a request (WaitForRequest()); a read in the middle of a request that
//   outlasts it waits on in poll() up to the server's read timeout.
// It also carries what a handler needs to know about its connection (the socket, for faults, and
// whether the connection has carried a counted request). Not thread-safe: one thread serves a
// connection at a time (ConnectionServer hands it from thread to thread through the epoll set,
// which orders the accesses).
class ConnectionStream final : public httplib::Stream, public WireSource {
 public:
  // `peer` is the address accept() returned; `local_ip`/`local_port` the listener's address when
  // it is bound to one address (empty ip: asked from the socket).
  ConnectionStream(int fd, int read_timeout_ms, const sockaddr_storage* peer = nullptr,
                   const std::string& local_ip = "", int local_port = -1);
  ~ConnectionStream() override;
  ConnectionStream(const ConnectionStream&) = delete;
  ConnectionStream& operator=(const ConnectionStream&) = delete;

  // Runs the server side of a TLS handshake on the socket (with the server's whole read timeout,
  // not the short wait for a request); from then on reads and writes go through TLS. False when
  // the handshake fails (the connection is to be closed).
  bool AcceptTls(SSL_CTX* context);
  bool tls() const { return ssl_ != nullptr; }
  // The server name the client asked for in its TLS ClientHello (SNI); empty without TLS or SNI.
  const std::string& sni() const { return sni_; }

  enum class Wait { kRequest, kQuiet, kClosed };
  // Reads the start of the next request unless some is buffered (here or decrypted inside
  // OpenSSL): kRequest when there is some, kQuiet when none arrived within the socket's
  // SO_RCVTIMEO, kClosed when the peer closed or the connection failed.
  Wait WaitForRequest();

  bool is_readable() const override;
  bool is_writable() const override { return !dead_; }  // writes are buffered; Flush() reports
  ssize_t read(char* ptr, size_t size) override;
  // WireSource, on the connection's buffer: a line or `n` bytes as they arrive; writes are
  // buffered as write() does.
  bool ReadLine(std::string* line, size_t max) override;
  bool ReadBytes(size_t n, std::string* out) override;
  void Write(std::string_view bytes) override { write(bytes.data(), bytes.size()); }
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return fd_; }

  // Sends what is buffered. False (and the stream is dead) when the peer is gone.
  bool Flush();
  // The handler took the connection over (a close-without-response fault): nothing more is read
  // or written, whatever httplib tries.
  void Kill();
  // Kill(), and the connection is to be closed with SO_LINGER 0 (an RST, without a FIN first).
  void ResetOnClose();
  bool reset() const { return reset_; }
  bool dead() const { return dead_; }
  // The peer closed its side and everything it sent was read.
  bool peer_closed() const { return peer_closed_; }
  // Bytes of the next request already read from the socket (a pipelined request), here or
  // decrypted inside OpenSSL.
  bool has_buffered_input() const {
    return begin_ < end_ || (ssl_ != nullptr && SSL_pending(ssl_) > 0);
  }

  // A CONNECT tunnel (a forward proxy): once the current request's handling is done, `answer` is
  // sent instead of httplib's response (which is discarded), then the server side of a TLS
  // handshake runs with `context` (not owned; must outlive the connection) and the connection is
  // served on as a new one whose requests all belong to `host` (tunnel_host()).
  void TunnelTlsAfterThisRequest(std::string answer, SSL_CTX* context, std::string host);
  bool tunnel_pending() const { return tunnel_context_ != nullptr; }
  // Sends the tunnel's answer and runs the handshake; false when either fails.
  bool OpenTunnel();
  // The CONNECT target ("host:port") the connection's requests are tunnelled to; empty when the
  // connection is not a tunnel.
  const std::string& tunnel_host() const { return tunnel_host_; }

  bool carried_request = false;  // for the handler's own bookkeeping (Server::connections())

 private:
  static constexpr size_t kFlushAt = 64 * 1024;  // large bodies are not held whole

  // Reads into the empty buffer (what is written goes out first): the bytes now buffered, 0 when
  // the peer closed, -1 on failure. The socket's SO_RCVTIMEO is the short wait for a request; a
  // read in the middle of one waits on in poll() up to the server's read timeout.
  ssize_t Refill();

  int fd_;
  int read_timeout_ms_;  // the server's read timeout (the SO_RCVTIMEO set on the socket)
  SSL* ssl_ = nullptr;   // owned; set by AcceptTls
  std::string sni_;
  bool dead_ = false;
  bool reset_ = false;
  bool peer_closed_ = false;
  bool discard_writes_ = false;  // a tunnel is pending: httplib's own response is dropped
  SSL_CTX* tunnel_context_ = nullptr;
  std::string tunnel_answer_;
  std::string tunnel_host_;
  char in_[4096];
  size_t begin_ = 0, end_ = 0;
  std::string out_;
  std::string remote_ip_, local_ip_;
  int remote_port_ = -1, local_port_ = -1;
};

// Writes the whole response to `stream` (ConnectionStream::write; the server flushes). When
// `keep_alive` is false the connection closes after this response, and the response must say so
// (WireResponseHead does). Returns false when the connection must be closed after this request
// (a fault took it over).
using WireHandler =
    std::function<bool(const WireRequest& request, bool keep_alive, ConnectionStream& stream)>;

struct ConnectionServerOptions {
  std::string bind = "127.0.0.1";
  int port = 0;  // 0: any free port
  // Open connections at most (idle, busy and just accepted); the longest-idle one is closed to
  // make room for a new one.
  int max_connections = 4096;
  // An idle keep-alive connection is closed after this long without a request.
  std::chrono::milliseconds idle_timeout{2000};
  // Threads waiting for events at start; more are started while all are busy, up to max_threads.
  int min_threads = 4;
  int max_threads = 128;
  // When set, every connection speaks TLS with this context (certificate and key loaded). Not
  // owned; must outlive the server.
  SSL_CTX* tls_context = nullptr;
};

// Thread-safety: set the handlers and call Start()/Stop() from one thread; handlers run on the
// serving threads, several at once (one per connection being served). The counters and
// CurrentConnection() may be read from any thread.
class ConnectionServer : public httplib::Server {
 public:
  explicit ConnectionServer(ConnectionServerOptions options);
  ~ConnectionServer() override;  // Stop()s

  // Binds, listens and starts the serving threads; returns the bound port. Raises the process's
  // soft RLIMIT_NOFILE (up to the hard limit) when max_connections needs more descriptors.
  // kUnavailable when the address cannot be bound; kInternal when already started.
  StatusOr<int> Start();
  // Every request is read by the server's own HTTP/1.1 reader and handed to `handler` instead of
  // httplib's routes: request line, headers and a Content-Length or chunked body read straight
  // from the connection's buffer, "100 Continue" sent when asked, httplib's limits (a body over
  // its payload_max_length is 413, a head over 64 KiB 431, anything malformed 400, each closing
  // the connection) and keep-alive rules (HTTP/1.0 closes unless asked, "Connection: close", at
  // most keep_alive_max_count requests). Set before Start().
  void SetWireHandler(WireHandler handler) { wire_handler_ = std::move(handler); }
  // Stops serving: wakes and joins every thread (a handler in progress finishes first: handlers
  // that wait should poll stopping()), then closes every connection. Idempotent.
  void Stop();
  bool stopping() const { return stopping_.load(std::memory_order_relaxed); }

  // The connection the calling thread is serving (null outside a handler).
  static ConnectionStream* CurrentConnection();

  int64_t accepted_connections() const { return accepted_.load(); }
  int64_t open_connections() const;

 private:
  struct Connection;

  void WarmUp();
  void ThreadMain();
  void MaybeAddThread();
  void AcceptReady();
  std::unique_ptr<Connection> AdmitConnection(int fd, const sockaddr_storage& peer);
  bool EvictOldestIdleLocked();
  void ServeReady(uint64_t id);
  void ServeRequests(Connection* c);
  // Reads one request with the server's own reader and hands it to wire_handler_; false when the
  // connection is to be closed after it.
  bool ServeWireRequest(Connection* c, bool last);
  void Rearm(std::unique_ptr<Connection> c);
  void CloseConnection(std::unique_ptr<Connection> c);
  void SweepIdle();
  StatusOr<int> Listen();

  ConnectionServerOptions options_;
  int listener_ = -1;
  int epoll_ = -1;
  int wake_ = -1;   // eventfd, readable once Stop() has begun
  int timer_ = -1;  // timerfd driving SweepIdle()
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> accepted_{0};
  std::atomic<int> waiting_{0};  // threads in (or about to enter) epoll_wait()

  mutable std::mutex mu_;  // guards the members below
  // Connections not being served, by id (the epoll registrations carry the id, never a pointer,
  // so an event for a connection closed meanwhile finds nothing). A connection being served is
  // owned by its serving thread and is in neither container, but counts in busy_.
  std::unordered_map<uint64_t, std::unique_ptr<Connection>> idle_;
  std::list<uint64_t> idle_order_;  // oldest-idle first
  int busy_ = 0;
  uint64_t next_id_ = 16;  // below: the listener, the wake-up and the timer descriptors
  // The listener's address when it is bound to one address (every connection's local address);
  // empty when bound to a wildcard.
  std::string local_ip_;
  int local_port_ = -1;
  std::vector<std::thread> threads_;
  WireHandler wire_handler_;
};

}  // namespace replay
}  // namespace chantless

#endif  // CHANTLESS_REPLAY_CONNECTION_SERVER_H_
