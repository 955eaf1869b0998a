// The replay server (see server.h for the rules).
#include "replay/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "httplib.h"
#include "nlohmann/json.hpp"

namespace chantless {
namespace replay {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kVerdictPath[] = "/__chantless/verdict";

bool IsLoopback(const std::string& addr) {
  return addr.rfind("127.", 0) == 0 || addr == "::1" || addr.rfind("::ffff:127.", 0) == 0;
}

bool IsPseudoHeader(const std::string& name) {
  return name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" ||
         name == "LOCAL_PORT";
}

std::string ContentTypeOf(const HttpHeaders& headers) {
  std::optional<std::string> type = FindHeader(headers, "Content-Type");
  return type ? *type : "text/plain";
}

// One connection's socket as httplib's Stream, with two differences from httplib's SocketStream:
// - writes are buffered and go out in one send() when the response is complete (Flush()), so the
//   status line, headers and body reach the client in one segment instead of two: with
//   TCP_NODELAY, httplib's separate header and body writes made every client wake up twice per
//   response;
// - reads are buffered (httplib reads the request line byte by byte) and rely on the SO_RCVTIMEO
//   httplib sets on every accepted socket instead of a poll() before each recv().
// It also carries what the handler needs to know about its connection (the socket, for faults,
// and whether the connection has carried a counted request). Used by one serving thread only.
class ConnectionStream final : public httplib::Stream {
 public:
  ConnectionStream(int fd, int read_timeout_ms) : fd_(fd), read_timeout_ms_(read_timeout_ms) {
    AddressOf(fd, /*peer=*/true, remote_ip_, remote_port_);
    AddressOf(fd, /*peer=*/false, local_ip_, local_port_);
  }

  bool is_readable() const override {
    if (begin_ < end_) return true;
    pollfd p{fd_, POLLIN, 0};
    return poll(&p, 1, read_timeout_ms_) > 0;
  }
  bool is_writable() const override { return !dead_; }  // writes are buffered; Flush() reports

  ssize_t read(char* ptr, size_t size) override {
    if (dead_) return -1;
    if (begin_ == end_) {
      if (!Flush()) return -1;  // e.g. "100 Continue" must reach the client before it sends
      ssize_t n;
      do {
        n = recv(fd_, in_, sizeof in_, 0);
      } while (n < 0 && errno == EINTR);
      if (n <= 0) return n == 0 ? 0 : -1;
      begin_ = 0;
      end_ = size_t(n);
    }
    const size_t k = std::min(size, end_ - begin_);
    std::memcpy(ptr, in_ + begin_, k);
    begin_ += k;
    return ssize_t(k);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (dead_) return -1;
    out_.append(ptr, size);
    if (out_.size() >= kFlushAt && !Flush()) return -1;
    return ssize_t(size);
  }

  // Sends what is buffered. False (and the stream is dead) when the peer is gone.
  bool Flush() {
    size_t sent = 0;
    while (!dead_ && sent < out_.size()) {
      ssize_t n = send(fd_, out_.data() + sent, out_.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        dead_ = true;
        break;
      }
      sent += size_t(n);
    }
    out_.clear();
    return !dead_;
  }

  // The handler took the connection over (a close-without-response fault): nothing more is read
  // or written, whatever httplib tries.
  void Kill() {
    dead_ = true;
    out_.clear();
  }
  // Kill(), and the connection is to be closed with SO_LINGER 0 (an RST, without a FIN first).
  void ResetOnClose() {
    Kill();
    reset_ = true;
  }
  bool reset() const { return reset_; }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = remote_ip_;
    port = remote_port_;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = local_ip_;
    port = local_port_;
  }
  socket_t socket() const override { return fd_; }

  bool carried_request = false;  // counted in Server::connections() already

 private:
  static constexpr size_t kFlushAt = 64 * 1024;  // large bodies are not held whole

  static void AddressOf(int fd, bool peer, std::string& ip, int& port) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    int rc = peer ? getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len)
                  : getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    if (rc != 0) return;
    char text[INET6_ADDRSTRLEN] = {};
    if (addr.ss_family == AF_INET) {
      const auto& a = reinterpret_cast<const sockaddr_in&>(addr);
      inet_ntop(AF_INET, &a.sin_addr, text, sizeof text);
      port = ntohs(a.sin_port);
    } else if (addr.ss_family == AF_INET6) {
      const auto& a = reinterpret_cast<const sockaddr_in6&>(addr);
      inet_ntop(AF_INET6, &a.sin6_addr, text, sizeof text);
      port = ntohs(a.sin6_port);
    }
    ip = text;
  }

  int fd_;
  int read_timeout_ms_;  // the server's read timeout (the SO_RCVTIMEO set on the socket)
  bool dead_ = false;
  bool reset_ = false;
  char in_[4096];
  size_t begin_ = 0, end_ = 0;
  std::string out_;
  std::string remote_ip_, local_ip_;
  int remote_port_ = -1, local_port_ = -1;
};

// The connection the current serving thread is serving (set by ReplayHttpServer for the duration
// of the connection), for the pre-routing handler.
thread_local ConnectionStream* current_connection = nullptr;

}  // namespace

// httplib::Server with its own accept loop and connection loop; httplib parses requests and writes
// responses (process_request), this class owns the sockets:
// - AcceptThreads() threads block in accept() on the listening socket and each serves the
//   connection it accepted itself, start to end. httplib's listen loop accepted on one thread and
//   handed each connection to a worker of its thread pool: one more thread wake-up on the path of
//   every new connection. Same concurrency as httplib's pool (CPPHTTPLIB_THREAD_POOL_COUNT
//   connections served at once; more wait in the listen backlog);
// - each connection goes through a ConnectionStream, with httplib's keep-alive rules (at most
//   keep_alive_max_count_ requests, the last one answered with "Connection: close"; an idle
//   connection closed after keep_alive_timeout_sec_), and an idle keep-alive connection ends within
//   10 ms of Stop() (httplib waited for its keep-alive timeout).
class Server::ReplayHttpServer : public httplib::Server {
 public:
  // As many as httplib's thread pool had.
  static int AcceptThreads() { return int(CPPHTTPLIB_THREAD_POOL_COUNT); }

  explicit ReplayHttpServer(chantless::replay::Server* owner) : owner_(owner) {}

  // Serves connections until the listening socket is shut down (StopAccepting()).
  void AcceptLoop() {
    while (!owner_->stopping_) {
      const int fd = accept4(svr_sock_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));  // out of descriptors
          continue;
        }
        return;  // EINVAL: StopAccepting() shut the listening socket down
      }
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      timeval read_timeout{read_timeout_sec_, suseconds_t(read_timeout_usec_)};
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &read_timeout, sizeof read_timeout);
      timeval write_timeout{write_timeout_sec_, suseconds_t(write_timeout_usec_)};
      setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &write_timeout, sizeof write_timeout);
      process_and_close_socket(fd);
    }
  }

  // Wakes every thread blocked in accept() (they return EINVAL); the socket stays open until
  // CloseListener(), after they are joined, so its descriptor cannot be reused under them.
  void StopAccepting() {
    if (svr_sock_ != INVALID_SOCKET) shutdown(svr_sock_, SHUT_RDWR);
  }
  void CloseListener() {
    const socket_t sock = svr_sock_.exchange(INVALID_SOCKET);
    if (sock != INVALID_SOCKET) close(sock);
  }

 private:
  bool process_and_close_socket(socket_t sock) override {
    owner_->accepted_connections_.fetch_add(1);
    ConnectionStream stream(sock, int(read_timeout_sec_ * 1000 + read_timeout_usec_ / 1000));
    current_connection = &stream;
    bool ok = false;
    for (size_t left = keep_alive_max_count_; left > 0 && WaitForRequest(sock); --left) {
      bool connection_closed = false;
      ok = process_request(stream, /*close_connection=*/left == 1, connection_closed, nullptr);
      if (!stream.Flush() || !ok || connection_closed) break;
    }
    current_connection = nullptr;
    if (stream.reset()) {
      linger lg{1, 0};
      setsockopt(sock, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    } else {
      shutdown(sock, SHUT_RDWR);
    }
    close(sock);
    return ok;
  }

  // Waits for the next request's first byte in 10 ms steps: false when the peer closed, the
  // keep-alive timeout passed or the server is stopping.
  bool WaitForRequest(int sock) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(keep_alive_timeout_sec_);
    while (!owner_->stopping_ && svr_sock_ != INVALID_SOCKET) {
      pollfd p{sock, POLLIN, 0};
      int n = poll(&p, 1, 10);
      if (n > 0) return true;
      if (n < 0 && errno != EINTR) return false;
      if (std::chrono::steady_clock::now() >= until) return false;
    }
    return false;
  }

  chantless::replay::Server* owner_;
};

std::string FormatLogLine(bool json, const std::string& event, const std::string& method,
                          const std::string& target, const std::string& exchange, int status,
                          const std::string& detail) {
  if (json) {
    Json j = Json::object();
    j["event"] = event;
    j["method"] = method;
    j["target"] = target;
    j["exchange"] = exchange;
    j["status"] = status;
    j["detail"] = detail;
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
  }
  std::string line = event;
  line.resize(std::max<size_t>(line.size(), 15), ' ');
  line += method + " " + target + " -> " + (status ? std::to_string(status) : "no response");
  if (!exchange.empty()) line += " [" + exchange + "]";
  if (!detail.empty()) line += " " + detail;
  return line;
}

Server::Server(Engine* engine, ServerOptions options)
    : engine_(engine), options_(std::move(options)), http_(std::make_unique<ReplayHttpServer>(this)) {}

Server::~Server() { Stop(); }

void Server::Log(const std::string& event, const std::string& method, const std::string& target,
                 const std::string& exchange, int status, const std::string& detail) {
  if (options_.log) {
    options_.log(FormatLogLine(options_.log_json, event, method, target, exchange, status, detail));
  }
}

StatusOr<int> Server::Start() {
  if (!threads_.empty()) return InternalError("replay server already started");
  // A client that hangs up mid-response must not kill the process.
  signal(SIGPIPE, SIG_IGN);
  http_->set_tcp_nodelay(true);
  http_->set_keep_alive_timeout(2);
  http_->set_keep_alive_max_count(1000);
  http_->set_read_timeout(5);
  http_->set_payload_max_length(1 << 20);

  // Sleeps `d` in small steps; false when the server is stopping.
  auto sleep_for = [this](std::chrono::milliseconds d) {
    auto until = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < until) {
      if (stopping_) return false;
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          until - std::chrono::steady_clock::now(), std::chrono::milliseconds(10)));
    }
    return true;
  };

  http_->set_pre_routing_handler([this, sleep_for](const httplib::Request& req,
                                                   httplib::Response& res) {
    if (req.path == kVerdictPath && req.method == "GET") {
      if (!IsLoopback(req.remote_addr)) {
        res.status = 403;
        res.set_content("the verdict is served to loopback clients only\n", "text/plain");
        return httplib::Server::HandlerResponse::Handled;
      }
      Verdict verdict = engine_->GetVerdict();
      res.status = 200;
      res.set_content(verdict.ToJson() + "\n", "application/json");
      return httplib::Server::HandlerResponse::Handled;
    }

    if (current_connection != nullptr && !current_connection->carried_request) {
      current_connection->carried_request = true;
      connections_.fetch_add(1);
    }
    requests_.fetch_add(1);

    ReplayRequest request;
    request.method = req.method;
    request.target = req.target;
    request.body = req.body;
    for (const auto& [name, value] : req.headers) {
      if (!IsPseudoHeader(name)) request.headers.emplace_back(name, value);
    }
    // Real metadata endpoints never compress; httplib would gzip text/* for a client that asks.
    const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");

    Outcome out = engine_->Handle(request);
    const std::string event(OutcomeKindName(out.kind));
    if (out.kind == OutcomeKind::kUnmatched) {
      int status = options_.strict ? 599 : 404;
      Log(event, req.method, req.target, out.miss.nearest_id, status,
          out.miss.diff.empty() ? "" : "(" + out.miss.diff.front() + ")");
      res.status = status;
      res.set_content(out.response.body, "text/plain");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (out.kind == OutcomeKind::kTokenRejected) {
      Log(event, req.method, req.target, out.exchange_id, out.response.status, out.reason);
      res.status = out.response.status;
      res.set_content("", "text/plain");
      return httplib::Server::HandlerResponse::Handled;
    }

    const HttpResponse& response = out.response;
    std::string detail = out.fault ? "fault " + std::string(FaultKindName(out.fault->kind)) : "";
    // A delayed response is logged when its delay is over, as the client sees it; the rest when
    // matched.
    const bool delayed = out.fault && out.fault->kind == FaultKind::kDelayBeforeHeaders;
    if (!delayed) Log(event, req.method, req.target, out.exchange_id, response.status, detail);
    if (out.fault) {
      const Fault fault = *out.fault;
      switch (fault.kind) {
        case FaultKind::kDelayBeforeHeaders:
          sleep_for(fault.delay);
          Log(event, req.method, req.target, out.exchange_id, response.status, detail);
          break;
        case FaultKind::kReset:
        case FaultKind::kCloseWithoutResponse: {
          // The handler runs on the thread serving the connection, so current_connection is this
          // request's connection.
          if (ConnectionStream* connection = current_connection) {
            if (fault.kind == FaultKind::kReset) {
              connection->ResetOnClose();  // closed with SO_LINGER 0: RST, no FIN
            } else {
              shutdown(connection->socket(), SHUT_RDWR);  // FIN now
              connection->Kill();
            }
          }
          // Whatever httplib tries to write now fails, and it drops the connection.
          res.status = 500;
          res.set_content_provider(
              1, "text/plain",
              [](size_t, size_t, httplib::DataSink&) { return false; });
          return httplib::Server::HandlerResponse::Handled;
        }
        default:
          break;
      }
    }
    res.status = response.status;
    for (const auto& [name, value] : response.headers) {
      if (strcasecmp(name.c_str(), "Content-Type") != 0) res.set_header(name, value);
    }
    const std::string content_type = ContentTypeOf(response.headers);
    if (!out.fault || out.fault->kind == FaultKind::kDelayBeforeHeaders) {
      res.set_content(response.body, content_type);
      return httplib::Server::HandlerResponse::Handled;
    }
    // Body faults: a content provider that pauses, stops early or lies about the length, then
    // (returning false) makes httplib drop the connection.
    const Fault fault = *out.fault;
    const std::string body = response.body;
    size_t declared = fault.kind == FaultKind::kWrongContentLength ? size_t(fault.content_length)
                                                                    : body.size();
    res.set_content_provider(
        declared, content_type,
        [fault, body, sleep_for](size_t offset, size_t, httplib::DataSink& sink) {
          if (offset != 0) return false;
          switch (fault.kind) {
            case FaultKind::kDelayMidBody:
              if (!sink.write(body.data(), size_t(fault.after_bytes))) return false;
              // The first part must reach the client before the pause.
              if (current_connection != nullptr && !current_connection->Flush()) return false;
              if (!sleep_for(fault.delay)) return false;
              return sink.write(body.data() + fault.after_bytes, body.size() - fault.after_bytes);
            case FaultKind::kTruncatedBody:
              sink.write(body.data(), size_t(fault.after_bytes));
              return false;
            case FaultKind::kWrongContentLength:
              sink.write(body.data(), body.size());
              return false;
            default:
              return false;
          }
        });
    return httplib::Server::HandlerResponse::Handled;
  });

  int port = options_.port;
  if (port == 0) {
    port = http_->bind_to_any_port(options_.bind);
    if (port <= 0) {
      return UnavailableError("replay server: cannot bind " + options_.bind + " on any port");
    }
  } else if (!http_->bind_to_port(options_.bind, port)) {
    return UnavailableError("replay server: cannot bind " + options_.bind + ":" +
                            std::to_string(port));
  }
  port_ = port;
  // The socket is listening already: connections queue in the backlog until a thread accepts.
  for (int i = 0; i < ReplayHttpServer::AcceptThreads(); ++i) {
    threads_.emplace_back([this] { http_->AcceptLoop(); });
  }
  return port_;
}

void Server::Stop() {
  stopping_ = true;
  if (threads_.empty()) return;
  http_->StopAccepting();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  http_->CloseListener();
}

}  // namespace replay
}  // namespace chantless
