// The HTTP server core behind `chantless serve` and `chantless record` (see connection_server.h
// for the rules): the epoll set, the accept path, the idle list with its timeout and the
// connection cap, and ConnectionStream.
#include "replay/connection_server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>

namespace chantless {
namespace replay {
namespace {

// epoll_event.data.u64 of the server's own descriptors; connections are numbered from 16.
constexpr uint64_t kListenerId = 0;
constexpr uint64_t kWakeId = 1;
constexpr uint64_t kTimerId = 2;

constexpr uint32_t kConnectionEvents = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;

// How long the thread that accepted a connection waits for its first request, and the thread that
// answered a request waits for the next one, before parking the connection in the epoll set: the
// SO_RCVTIMEO of every connection (the recv() that reads a request is the wait for it).
constexpr int kRequestWaitMs = 5;

thread_local ConnectionStream* current_connection = nullptr;

void AddressText(const sockaddr_storage& addr, std::string& ip, int& port) {
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

void AddressOf(int fd, bool peer, std::string& ip, int& port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  int rc = peer ? getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len)
                : getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  if (rc == 0) AddressText(addr, ip, port);
}

bool IsWildcard(const sockaddr_storage& addr) {
  if (addr.ss_family == AF_INET) {
    return reinterpret_cast<const sockaddr_in&>(addr).sin_addr.s_addr == htonl(INADDR_ANY);
  }
  if (addr.ss_family == AF_INET6) {
    const in6_addr& a = reinterpret_cast<const sockaddr_in6&>(addr).sin6_addr;
    return IN6_IS_ADDR_UNSPECIFIED(&a) != 0;
  }
  return true;
}

bool Watch(int epoll, int op, int fd, uint32_t events, uint64_t id) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = id;
  return epoll_ctl(epoll, op, fd, &ev) == 0;
}

// Closes a connection's socket: SO_LINGER 0 (an RST, no FIN) when `reset`, else a FIN first
// (close() alone sends it when the peer has closed and everything it sent was read).
void CloseSocket(int fd, bool reset, bool peer_closed = false) {
  if (reset) {
    linger lg{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  } else if (!peer_closed) {
    shutdown(fd, SHUT_RDWR);
  }
  close(fd);
}

// A request read from a string, its answer discarded: used once by Start(), see WarmUp().
class StringStream final : public httplib::Stream {
 public:
  explicit StringStream(std::string in) : in_(std::move(in)) {}
  bool is_readable() const override { return true; }
  bool is_writable() const override { return true; }
  ssize_t read(char* ptr, size_t size) override {
    const size_t k = std::min(size, in_.size() - at_);
    std::memcpy(ptr, in_.data() + at_, k);
    at_ += k;
    return ssize_t(k);
  }
  ssize_t write(const char*, size_t size) override { return ssize_t(size); }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 0;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 0;
  }
  socket_t socket() const override { return INVALID_SOCKET; }

 private:
  std::string in_;
  size_t at_ = 0;
};

timeval ToTimeval(time_t sec, time_t usec) { return timeval{sec, suseconds_t(usec)}; }

// Raises the soft descriptor limit (never above the hard one) so that `connections` sockets fit
// next to the process's other descriptors. Debian's default soft limit, 1024, is below the default
// cap.
void RaiseDescriptorLimitFor(int connections) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  const rlim_t wanted = rlim_t(connections) + 64;
  if (limit.rlim_cur >= wanted) return;
  limit.rlim_cur = limit.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, limit.rlim_max);
  setrlimit(RLIMIT_NOFILE, &limit);
}

}  // namespace

// --- ConnectionStream ---------------------------------------------------------------------------

ConnectionStream::ConnectionStream(int fd, int read_timeout_ms, const sockaddr_storage* peer,
                                   const std::string& local_ip, int local_port)
    : fd_(fd), read_timeout_ms_(read_timeout_ms) {
  if (peer != nullptr) {
    AddressText(*peer, remote_ip_, remote_port_);
  } else {
    AddressOf(fd, /*peer=*/true, remote_ip_, remote_port_);
  }
  if (!local_ip.empty()) {
    local_ip_ = local_ip;
    local_port_ = local_port;
  } else {
    AddressOf(fd, /*peer=*/false, local_ip_, local_port_);
  }
}

ConnectionStream::Wait ConnectionStream::WaitForRequest() {
  if (has_buffered_input()) return Wait::kRequest;
  if (dead_ || peer_closed_) return Wait::kClosed;
  if (ssl_ != nullptr) {
    int rc;
    int error;
    do {
      rc = SSL_read(ssl_, in_, int(sizeof in_));  // waits up to the socket's SO_RCVTIMEO
      error = rc > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl_, rc);
    } while (rc <= 0 && error == SSL_ERROR_SYSCALL && errno == EINTR);
    if (rc > 0) {
      begin_ = 0;
      end_ = size_t(rc);
      return Wait::kRequest;
    }
    ERR_clear_error();
    if (error == SSL_ERROR_WANT_READ ||
        (error == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK))) {
      return Wait::kQuiet;
    }
    if (error == SSL_ERROR_ZERO_RETURN) peer_closed_ = true;
    return Wait::kClosed;
  }
  ssize_t n;
  do {
    n = recv(fd_, in_, sizeof in_, 0);  // waits up to the socket's SO_RCVTIMEO
  } while (n < 0 && errno == EINTR);
  if (n > 0) {
    begin_ = 0;
    end_ = size_t(n);
    return Wait::kRequest;
  }
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return Wait::kQuiet;
  if (n == 0) peer_closed_ = true;
  return Wait::kClosed;
}

ConnectionStream::~ConnectionStream() {
  if (ssl_ != nullptr) SSL_free(ssl_);
}

bool ConnectionStream::AcceptTls(SSL_CTX* context) {
  ssl_ = SSL_new(context);
  if (ssl_ == nullptr || SSL_set_fd(ssl_, fd_) != 1) return false;
  // The handshake waits for the client (certificate checks take milliseconds) with the server's
  // whole read timeout; then the socket goes back to the short wait for a request.
  timeval saved{};
  socklen_t saved_size = sizeof saved;
  getsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &saved, &saved_size);
  timeval whole{read_timeout_ms_ / 1000, (read_timeout_ms_ % 1000) * 1000};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &whole, sizeof whole);
  int rc;
  do {
    rc = SSL_accept(ssl_);
  } while (rc <= 0 && SSL_get_error(ssl_, rc) == SSL_ERROR_SYSCALL && errno == EINTR);
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &saved, sizeof saved);
  if (rc != 1) {
    ERR_clear_error();
    dead_ = true;
    return false;
  }
  if (const char* name = SSL_get_servername(ssl_, TLSEXT_NAMETYPE_host_name)) sni_ = name;
  return true;
}

bool ConnectionStream::is_readable() const {
  if (has_buffered_input()) return true;
  pollfd p{fd_, POLLIN, 0};
  return poll(&p, 1, read_timeout_ms_) > 0;
}

ssize_t ConnectionStream::read(char* ptr, size_t size) {
  if (begin_ == end_) {
    const ssize_t n = Refill();
    if (n <= 0) return n;
  }
  const size_t k = std::min(size, end_ - begin_);
  std::memcpy(ptr, in_ + begin_, k);
  begin_ += k;
  return ssize_t(k);
}

bool ConnectionStream::ReadLine(std::string* line, size_t max) {
  while (true) {
    if (begin_ == end_ && Refill() <= 0) return false;
    const char* start = in_ + begin_;
    const void* newline = std::memchr(start, '\n', end_ - begin_);
    const size_t take =
        newline != nullptr ? size_t(static_cast<const char*>(newline) - start) + 1 : end_ - begin_;
    line->append(start, take);
    begin_ += take;
    if (line->size() > max) return false;
    if (newline != nullptr) return true;
  }
}

bool ConnectionStream::ReadBytes(size_t n, std::string* out) {
  while (n > 0) {
    if (begin_ == end_ && Refill() <= 0) return false;
    const size_t take = std::min(n, end_ - begin_);
    out->append(in_ + begin_, take);
    begin_ += take;
    n -= take;
  }
  return true;
}

ssize_t ConnectionStream::Refill() {
  if (dead_) return -1;
  if (!Flush()) return -1;  // e.g. "100 Continue" must reach the client before it sends
  if (peer_closed_) return 0;
  ssize_t n;
  bool waited = false;
  while (true) {
    if (ssl_ != nullptr) {
      const int rc = SSL_read(ssl_, in_, int(sizeof in_));
      if (rc > 0) {
        n = rc;
        break;
      }
      const int error = SSL_get_error(ssl_, rc);
      ERR_clear_error();
      if (error == SSL_ERROR_ZERO_RETURN) {
        n = 0;
        break;
      }
      if (error == SSL_ERROR_SYSCALL && errno == EINTR) continue;
      // SO_RCVTIMEO expired (OpenSSL keeps a partial record for the next call): as below.
      const bool timed_out =
          error == SSL_ERROR_WANT_READ ||
          (error == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK));
      n = -1;
      if (!timed_out || waited) break;
    } else {
      n = recv(fd_, in_, sizeof in_, 0);
      if (n >= 0 || errno == EINTR) {
        if (n >= 0) break;
        continue;
      }
      // The socket's SO_RCVTIMEO is the short wait for a request: in the middle of one, the rest
      // may take up to the server's read timeout.
      if ((errno != EAGAIN && errno != EWOULDBLOCK) || waited) break;
    }
    waited = true;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, read_timeout_ms_) <= 0) break;
  }
  if (n == 0) peer_closed_ = true;
  if (n <= 0) return n == 0 ? 0 : -1;
  begin_ = 0;
  end_ = size_t(n);
  return n;
}

ssize_t ConnectionStream::write(const char* ptr, size_t size) {
  if (dead_) return -1;
  if (discard_writes_) return ssize_t(size);
  out_.append(ptr, size);
  if (out_.size() >= kFlushAt && !Flush()) return -1;
  return ssize_t(size);
}

bool ConnectionStream::Flush() {
  size_t sent = 0;
  while (!dead_ && sent < out_.size()) {
    if (ssl_ != nullptr) {
      // The serving threads block SIGPIPE (ConnectionServer::Start), so OpenSSL's write to a
      // closed socket fails instead of killing the process.
      const int rc = SSL_write(ssl_, out_.data() + sent, int(out_.size() - sent));
      if (rc <= 0) {
        if (SSL_get_error(ssl_, rc) == SSL_ERROR_SYSCALL && errno == EINTR) continue;
        ERR_clear_error();
        dead_ = true;
        break;
      }
      sent += size_t(rc);
      continue;
    }
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

void ConnectionStream::TunnelTlsAfterThisRequest(std::string answer, SSL_CTX* context,
                                                 std::string host) {
  out_.clear();
  discard_writes_ = true;
  tunnel_answer_ = std::move(answer);
  tunnel_context_ = context;
  tunnel_host_ = std::move(host);
}

bool ConnectionStream::OpenTunnel() {
  SSL_CTX* context = tunnel_context_;
  tunnel_context_ = nullptr;
  discard_writes_ = false;
  out_ = std::move(tunnel_answer_);
  tunnel_answer_.clear();
  // The client sends its ClientHello only after the answer: nothing of it can be buffered here.
  if (begin_ != end_ || !Flush()) return false;
  return AcceptTls(context);
}

void ConnectionStream::Kill() {
  dead_ = true;
  out_.clear();
}

void ConnectionStream::ResetOnClose() {
  Kill();
  reset_ = true;
}

void ConnectionStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  ip = remote_ip_;
  port = remote_port_;
}

void ConnectionStream::get_local_ip_and_port(std::string& ip, int& port) const {
  ip = local_ip_;
  port = local_port_;
}

// --- ConnectionServer ---------------------------------------------------------------------------

struct ConnectionServer::Connection {
  Connection(uint64_t id_, int fd_, int read_timeout_ms, size_t max_requests,
             const sockaddr_storage* peer, const std::string& local_ip, int local_port)
      : id(id_),
        fd(fd_),
        stream(fd_, read_timeout_ms, peer, local_ip, local_port),
        requests_left(max_requests) {}
  uint64_t id;
  int fd;
  ConnectionStream stream;
  size_t requests_left;
  bool done = false;      // to be closed instead of re-armed
  bool in_epoll = false;  // registered in the epoll set (re-armed with MOD, not ADD)
  std::chrono::steady_clock::time_point idle_since;
  std::list<uint64_t>::iterator order;  // in idle_order_ while idle
};

ConnectionServer::ConnectionServer(ConnectionServerOptions options)
    : options_(std::move(options)) {}

ConnectionServer::~ConnectionServer() { Stop(); }

ConnectionStream* ConnectionServer::CurrentConnection() { return current_connection; }

int64_t ConnectionServer::open_connections() const {
  std::lock_guard<std::mutex> lock(mu_);
  return int64_t(idle_.size()) + busy_;
}

StatusOr<int> ConnectionServer::Listen() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(options_.port);
  const std::string where = options_.bind + ":" + port;
  if (getaddrinfo(options_.bind.c_str(), port.c_str(), &hints, &found) != 0) {
    return UnavailableError("cannot resolve " + where);
  }
  int fd = -1;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    // Linux copies a listening socket's options into every socket accept() returns: set once
    // here, TCP_NODELAY, the wait for a request (ConnectionStream::read waits on up to the read
    // timeout mid-request) and the write timeout cost no system call per connection. (Neither
    // timeout affects the listener itself, which is non-blocking.)
    const timeval request_wait = ToTimeval(0, kRequestWaitMs * 1000);
    const timeval write_timeout = ToTimeval(write_timeout_sec_, write_timeout_usec_);
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &request_wait, sizeof request_wait) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &write_timeout, sizeof write_timeout) != 0 ||
        ::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, SOMAXCONN) != 0) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd < 0) return UnavailableError("cannot bind " + where);
  sockaddr_storage local{};
  socklen_t local_len = sizeof local;
  std::string ip;
  int bound = 0;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) == 0) {
    AddressText(local, ip, bound);
    // Bound to one address: every connection's local address, without asking each socket.
    if (!IsWildcard(local)) {
      local_ip_ = ip;
      local_port_ = bound;
    }
  }
  listener_ = fd;
  // httplib's content providers run only while svr_sock_ is valid ("not shutting down").
  svr_sock_ = fd;
  return bound;
}

StatusOr<int> ConnectionServer::Start() {
  if (epoll_ >= 0) return InternalError("server already started");
  RaiseDescriptorLimitFor(options_.max_connections);
  StatusOr<int> port = Listen();
  if (!port.ok()) return port.status();
  epoll_ = epoll_create1(EPOLL_CLOEXEC);
  wake_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  timer_ = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
  const auto step = std::clamp<std::chrono::milliseconds>(
      options_.idle_timeout / 8, std::chrono::milliseconds(10), std::chrono::milliseconds(250));
  itimerspec every{};
  every.it_interval.tv_sec = step.count() / 1000;
  every.it_interval.tv_nsec = (step.count() % 1000) * 1000000;
  every.it_value = every.it_interval;
  if (epoll_ < 0 || wake_ < 0 || timer_ < 0 || timerfd_settime(timer_, 0, &every, nullptr) != 0 ||
      !Watch(epoll_, EPOLL_CTL_ADD, wake_, EPOLLIN, kWakeId) ||  // level-triggered: wakes all
      !Watch(epoll_, EPOLL_CTL_ADD, timer_, EPOLLIN | EPOLLONESHOT, kTimerId) ||
      !Watch(epoll_, EPOLL_CTL_ADD, listener_, EPOLLIN | EPOLLONESHOT, kListenerId)) {
    return InternalError(std::string("server: epoll set-up failed: ") + std::strerror(errno));
  }
  WarmUp();
  // The serving threads never take SIGPIPE (sends use MSG_NOSIGNAL; this also covers writes made
  // by handlers, e.g. the recorder's TLS upstream connection); new threads inherit the mask.
  sigset_t pipe, saved;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, &saved);
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (int i = 0; i < std::max(1, options_.min_threads); ++i) {
      threads_.emplace_back([this] { ThreadMain(); });
    }
  }
  pthread_sigmask(SIG_SETMASK, &saved, nullptr);
  return port;
}

// Parses one request with an unknown method (refused with 400 before any handler runs) on the
// starting thread, so that httplib's function-local statics (the set of known methods) are
// initialized before any serving thread exists. Without it the first two requests race to
// initialize them; that is safe (C++ guarantees it), but libcpp-httplib is not built with
// ThreadSanitizer, which then misses the guard's synchronisation and reports a race.
void ConnectionServer::WarmUp() {
  StringStream stream("CHANTLESS-WARM-UP / HTTP/1.1\r\nHost: x\r\n\r\n");
  bool connection_closed = false;
  process_request(stream, /*close_connection=*/true, connection_closed, nullptr);
}

void ConnectionServer::Stop() {
  if (epoll_ < 0) return;
  stopping_ = true;
  const uint64_t one = 1;
  (void)!::write(wake_, &one, sizeof one);
  while (true) {
    std::vector<std::thread> threads;
    {
      std::lock_guard<std::mutex> lock(mu_);
      threads.swap(threads_);
    }
    if (threads.empty()) break;
    for (std::thread& t : threads) t.join();
  }
  svr_sock_ = INVALID_SOCKET;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [id, c] : idle_) CloseSocket(c->fd, /*reset=*/false);
    idle_.clear();
    idle_order_.clear();
  }
  for (int* fd : {&listener_, &timer_, &wake_, &epoll_}) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
}

void ConnectionServer::ThreadMain() {
  while (true) {
    waiting_.fetch_add(1);
    epoll_event ev{};
    const int n = epoll_wait(epoll_, &ev, 1, 500);  // the timeout only backs up Stop()'s wake-up
    waiting_.fetch_sub(1);
    if (stopping_) return;
    if (n <= 0) continue;
    const uint64_t id = ev.data.u64;
    if (id == kWakeId) return;
    if (id == kTimerId) {
      uint64_t expirations;
      (void)!::read(timer_, &expirations, sizeof expirations);
      SweepIdle();
      Watch(epoll_, EPOLL_CTL_MOD, timer_, EPOLLIN | EPOLLONESHOT, kTimerId);
      continue;
    }
    MaybeAddThread();  // this thread may block from here on: keep one waiting
    if (id == kListenerId) {
      AcceptReady();
    } else {
      ServeReady(id);
    }
  }
}

void ConnectionServer::MaybeAddThread() {
  if (waiting_.load() > 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_ || int(threads_.size()) >= options_.max_threads) return;
  threads_.emplace_back([this] { ThreadMain(); });
}

// Accepts one connection and re-arms the listener at once (another thread accepts the next one),
// then waits briefly for the client's first request on this thread, as a thread blocked in
// accept() used to: a client sends it right after connecting, and serving it here spares the
// wake-up of a second thread through the epoll set. A connection still silent after
// kRequestWaitMs is parked in the set like an idle one.
void ConnectionServer::AcceptReady() {
  int fd = -1;
  sockaddr_storage peer{};
  while (!stopping_) {
    socklen_t peer_len = sizeof peer;
    fd = accept4(listener_, reinterpret_cast<sockaddr*>(&peer), &peer_len, SOCK_CLOEXEC);
    if (fd >= 0 || errno == EAGAIN || errno == EWOULDBLOCK) break;
    if (errno == EINTR || errno == ECONNABORTED) continue;
    if (errno != EMFILE && errno != ENFILE && errno != ENOBUFS && errno != ENOMEM) break;
    // Out of descriptors: make room by closing the longest-idle connection, else wait a little.
    bool evicted;
    {
      std::lock_guard<std::mutex> lock(mu_);
      evicted = EvictOldestIdleLocked();
    }
    if (!evicted) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      break;
    }
  }
  Watch(epoll_, EPOLL_CTL_MOD, listener_, EPOLLIN | EPOLLONESHOT, kListenerId);
  if (fd < 0) return;
  accepted_.fetch_add(1);
  std::unique_ptr<Connection> c = AdmitConnection(fd, peer);
  if (c == nullptr) return;
  if (options_.tls_context != nullptr && !c->stream.AcceptTls(options_.tls_context)) {
    CloseConnection(std::move(c));
    return;
  }
  ServeRequests(c.get());
  if (c->done) {
    CloseConnection(std::move(c));
  } else {
    Rearm(std::move(c));
  }
}

// Counts the connection as busy (owned by the caller; its socket options came from the listener);
// null when the cap is reached with every connection busy (the connection is closed).
std::unique_ptr<ConnectionServer::Connection> ConnectionServer::AdmitConnection(
    int fd, const sockaddr_storage& peer) {
  const int read_timeout_ms = int(read_timeout_sec_ * 1000 + read_timeout_usec_ / 1000);

  uint64_t id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (int64_t(idle_.size()) + busy_ >= options_.max_connections && !EvictOldestIdleLocked()) {
      CloseSocket(fd, /*reset=*/false);
      return nullptr;
    }
    id = next_id_++;
    ++busy_;
  }
  return std::make_unique<Connection>(id, fd, read_timeout_ms, keep_alive_max_count_, &peer,
                                      local_ip_, local_port_);
}

bool ConnectionServer::EvictOldestIdleLocked() {
  if (idle_order_.empty()) return false;
  auto it = idle_.find(idle_order_.front());
  idle_order_.pop_front();
  CloseSocket(it->second->fd, /*reset=*/false);  // also leaves the epoll set
  idle_.erase(it);
  return true;
}

void ConnectionServer::SweepIdle() {
  const auto expired = std::chrono::steady_clock::now() - options_.idle_timeout;
  std::lock_guard<std::mutex> lock(mu_);
  while (!idle_order_.empty() && idle_.at(idle_order_.front())->idle_since <= expired) {
    EvictOldestIdleLocked();
  }
}

void ConnectionServer::ServeReady(uint64_t id) {
  std::unique_ptr<Connection> c;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = idle_.find(id);
    if (it == idle_.end()) return;  // closed (idle timeout, cap) after its event was queued
    c = std::move(it->second);
    idle_.erase(it);
    idle_order_.erase(c->order);
    ++busy_;
  }
  ServeRequests(c.get());  // readable already: the first recv() does not wait
  if (c->done) {
    CloseConnection(std::move(c));
  } else {
    Rearm(std::move(c));
  }
}

// Answers requests on `c` as long as the next one arrives within kRequestWaitMs (the socket's
// SO_RCVTIMEO: the recv() that reads a request is the wait for it). A client making several
// requests in a row (token, role,
// credentials) is served by this one thread, which its request wakes directly, as a thread
// serving one connection from start to end used to be; a connection that stays quiet is parked in
// the epoll set and costs no thread.
void ConnectionServer::ServeRequests(Connection* c) {
  current_connection = &c->stream;
  while (!stopping_) {
    const ConnectionStream::Wait wait = c->stream.WaitForRequest();
    if (wait == ConnectionStream::Wait::kQuiet) break;
    if (wait == ConnectionStream::Wait::kClosed) {
      c->done = true;
      break;
    }
    if (wire_handler_) {
      const bool keep = ServeWireRequest(c, /*last=*/c->requests_left == 1);
      --c->requests_left;
      if (!c->stream.Flush() || !keep || c->requests_left == 0) {
        c->done = true;
        break;
      }
      continue;
    }
    bool connection_closed = false;
    const bool ok = process_request(c->stream, /*close_connection=*/c->requests_left == 1,
                                    connection_closed, nullptr);
    --c->requests_left;
    if (c->stream.tunnel_pending()) {
      // A CONNECT answered: the connection starts afresh inside the tunnel, whatever the CONNECT
      // said about keep-alive (HTTP/1.0 clients send one).
      if (!ok || !c->stream.OpenTunnel()) {
        c->done = true;
        break;
      }
      c->requests_left = keep_alive_max_count_;
      continue;
    }
    if (!c->stream.Flush() || !ok || connection_closed || c->requests_left == 0) {
      c->done = true;
      break;
    }
  }
  current_connection = nullptr;
}

bool ConnectionServer::ServeWireRequest(Connection* c, bool last) {
  WireRequest request;
  const int read = ReadWireRequest(c->stream, payload_max_length_, &request);
  if (read == kWireClosed) return false;
  if (read != kWireRequest) {
    // A request that cannot be read whole is answered with its status when there is still
    // someone to answer, and the connection closes.
    if (!c->stream.dead() && !c->stream.peer_closed()) {
      c->stream.Write(WireResponseHead(read, {}, 0, /*keep_alive=*/false));
    }
    return false;
  }
  int remote_port = 0;
  c->stream.get_remote_ip_and_port(request.remote_ip, remote_port);
  const bool keep_alive = !last && WireKeepAlive(request);
  return wire_handler_(request, keep_alive, c->stream) && keep_alive;
}

void ConnectionServer::Rearm(std::unique_ptr<Connection> c) {
  std::lock_guard<std::mutex> lock(mu_);
  --busy_;
  if (stopping_) {
    CloseSocket(c->fd, c->stream.reset());
    return;
  }
  const uint64_t id = c->id;
  const int fd = c->fd;
  const int op = c->in_epoll ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  c->in_epoll = true;
  c->idle_since = std::chrono::steady_clock::now();
  c->order = idle_order_.insert(idle_order_.end(), id);
  idle_.emplace(id, std::move(c));
  // Registered under mu_: a thread woken by it finds the connection in idle_.
  if (!Watch(epoll_, op, fd, kConnectionEvents, id)) {
    idle_order_.pop_back();
    idle_.erase(id);
    CloseSocket(fd, /*reset=*/false);
  }
}

void ConnectionServer::CloseConnection(std::unique_ptr<Connection> c) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    --busy_;
  }
  CloseSocket(c->fd, c->stream.reset(), c->stream.peer_closed());
}

}  // namespace replay
}  // namespace chantless
