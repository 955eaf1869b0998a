// Loopback servers for end-to-end HttpClient tests: 127.0.0.1 only, port 0 only.
#include "resolver/testing/loopback_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

namespace chantless {
namespace testing {
namespace {

// A TCP socket bound to 127.0.0.1:0 and listening; returns the fd and sets *port. -1 on failure.
int ListenOnLoopback(int* port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(fd, 16) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return -1;
  }
  *port = ntohs(addr.sin_port);
  return fd;
}

}  // namespace

LoopbackHttpServer::LoopbackHttpServer() {
  server_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response&) {
    std::lock_guard<std::mutex> lock(mu_);
    client_ports_.insert(req.remote_port);
    ++requests_;
    return httplib::Server::HandlerResponse::Unhandled;
  });
}

LoopbackHttpServer::~LoopbackHttpServer() { Stop(); }

int StartHttplibOnLoopback(httplib::Server& server, std::thread* thread) {
  const int port = server.bind_to_any_port("127.0.0.1");
  if (port <= 0) return -1;
  *thread = std::thread([&server] { server.listen_after_bind(); });
  for (int i = 0; i < 10000 && !server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return server.is_running() ? port : -1;
}

bool LoopbackHttpServer::Start() {
  port_ = StartHttplibOnLoopback(server_, &thread_);
  return port_ > 0;
}

void LoopbackHttpServer::Stop() {
  if (thread_.joinable()) {
    server_.stop();
    thread_.join();
  }
}

size_t LoopbackHttpServer::connection_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return client_ports_.size();
}

RawLoopbackServer::RawLoopbackServer(std::string response, bool hold_open,
                                     std::chrono::milliseconds byte_delay)
    : response_(std::move(response)), hold_open_(hold_open), byte_delay_(byte_delay) {
  listen_fd_ = ListenOnLoopback(&port_);
  if (listen_fd_ >= 0) thread_ = std::thread([this] { Serve(); });
}

RawLoopbackServer::~RawLoopbackServer() {
  stopping_ = true;
  if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);  // wakes accept() on Linux
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

void RawLoopbackServer::Serve() {
  while (!stopping_) {
    int conn = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) return;
    timeval limit{30, 0};  // never hang a test on a client that keeps the connection open
    ::setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
    std::string head;
    char buf[1024];
    while (head.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = ::recv(conn, buf, sizeof(buf), 0);
      if (n <= 0) break;
      head.append(buf, static_cast<size_t>(n));
    }
    size_t sent = 0;
    while (sent < response_.size() && !stopping_) {
      const size_t chunk = byte_delay_.count() > 0 ? 1 : response_.size() - sent;
      if (byte_delay_.count() > 0) std::this_thread::sleep_for(byte_delay_);  // the slow peer
      ssize_t n = ::send(conn, response_.data() + sent, chunk, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    if (hold_open_) {
      // Wait for the client to give up and close (it must: that is what the test checks).
      while (::recv(conn, buf, sizeof(buf), 0) > 0) {
      }
    }
    ::close(conn);
  }
}

SilentLoopbackServer::SilentLoopbackServer() { fd_ = ListenOnLoopback(&port_); }

SilentLoopbackServer::~SilentLoopbackServer() {
  if (fd_ >= 0) ::close(fd_);
}

int UnusedLoopbackPort() {
  int port = 0;
  int fd = ListenOnLoopback(&port);
  if (fd >= 0) ::close(fd);
  return port;
}

int RawConnect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(uint16_t(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const int saved = errno;
    close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

RawResult RawExchange(int port, const std::string& request) {
  RawResult result;
  int fd = RawConnect(port);
  if (fd < 0) {
    result.error = errno;
    return result;
  }
  send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  char buf[4096];
  while (true) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n > 0) {
      result.bytes.append(buf, size_t(n));
      continue;
    }
    if (n < 0) result.error = errno;
    break;
  }
  close(fd);
  return result;
}

}  // namespace testing
}  // namespace chantless
