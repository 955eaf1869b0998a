// PosixHttpClient: plain HTTP/1.1 over blocking POSIX sockets (see http_client_posix.h).
#include "resolver/http/http_client_posix.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "resolver/core/ascii.h"
#include "resolver/http/deadline_watchdog.h"
#include "resolver/http/http_endpoint.h"

namespace chantless {
namespace {

using Clock = std::chrono::steady_clock;

// How long after a request's deadline an exchange may still be running: the watchdog (https)
// shuts its socket down then, and a plain connection keeps its socket timeouts within it.
constexpr std::chrono::milliseconds kWatchdogGrace{20};
// A response's status line and headers may not be longer than this.
constexpr size_t kMaxHeadBytes = 64 * 1024;
// A chunk-size line may not be longer than this.
constexpr size_t kMaxChunkLine = 1024;

std::string Describe(const HttpRequest& request) { return DescribeRequest(request); }

bool IsIdempotent(const std::string& method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
         method == "OPTIONS";
}

std::string HostHeader(const HttpEndpoint& endpoint) {
  std::string host = endpoint.ipv6_literal ? "[" + endpoint.host + "]" : endpoint.host;
  if (endpoint.port != (endpoint.https ? 443 : 80)) host += ":" + std::to_string(endpoint.port);
  return host;
}

std::string Authority(const HttpEndpoint& endpoint) {
  return (endpoint.ipv6_literal ? "[" + endpoint.host + "]" : endpoint.host) + ":" +
         std::to_string(endpoint.port);
}

// "Proxy-Authorization: Basic …\r\n" for a proxy with credentials, else empty. A secret.
std::string ProxyAuthorization(const HttpProxy* proxy) {
  if (proxy == nullptr || (proxy->username.empty() && proxy->password.empty())) return "";
  const std::string plain = proxy->username + ":" + proxy->password;
  std::string encoded(4 * ((plain.size() + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(&encoded[0]),
                      reinterpret_cast<const unsigned char*>(plain.data()), int(plain.size()));
  encoded.resize(size_t(std::max(n, 0)));
  return "Proxy-Authorization: Basic " + encoded + "\r\n";
}

// The request's bytes: request line, the caller's headers, Accept, Host and User-Agent unless the
// caller set them, Content-Length when there is a body (always for PUT, POST and PATCH), body.
// Through a proxy (plain http only) the request target is the absolute URL, and the proxy's
// credentials, if any, go in Proxy-Authorization.
std::string RequestBytes(const HttpRequest& request, const HttpEndpoint& endpoint,
                         const HttpProxy* proxy) {
  std::string out;
  out.reserve(256 + request.path.size() + request.body.size());
  out.append(request.method).append(" ");
  if (proxy != nullptr && !endpoint.https) out.append("http://").append(Authority(endpoint));
  out.append(request.path).append(" HTTP/1.1\r\n");
  if (!endpoint.https) out.append(ProxyAuthorization(proxy));
  bool has_accept = false, has_host = false, has_agent = false, has_length = false;
  for (const auto& [name, value] : request.headers) {
    has_accept = has_accept || EqualsIgnoreCase(name, "Accept");
    has_host = has_host || EqualsIgnoreCase(name, "Host");
    has_agent = has_agent || EqualsIgnoreCase(name, "User-Agent");
    has_length = has_length || EqualsIgnoreCase(name, "Content-Length");
    out.append(name).append(": ").append(value).append("\r\n");
  }
  if (!has_accept) out.append("Accept: */*\r\n");
  if (!has_host) out.append("Host: ").append(HostHeader(endpoint)).append("\r\n");
  if (!has_agent) out.append("User-Agent: chantless\r\n");
  const bool sends_body = !request.body.empty() || request.method == "PUT" ||
                          request.method == "POST" || request.method == "PATCH";
  if (sends_body && !has_length) {
    out.append("Content-Length: ").append(std::to_string(request.body.size())).append("\r\n");
  }
  out.append("\r\n").append(request.body);
  return out;
}

timeval ToTimeval(std::chrono::microseconds d) {
  const auto us = std::max<int64_t>(d.count(), 1000);
  return timeval{time_t(us / 1000000), suseconds_t(us % 1000000)};
}

// The addresses of `endpoint`: a literal without a lookup, else getaddrinfo().
std::vector<std::pair<sockaddr_storage, socklen_t>> AddressesOf(const HttpEndpoint& endpoint) {
  std::vector<std::pair<sockaddr_storage, socklen_t>> out;
  sockaddr_storage addr{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (!endpoint.ipv6_literal && inet_pton(AF_INET, endpoint.host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(uint16_t(endpoint.port));
    out.emplace_back(addr, socklen_t(sizeof(sockaddr_in)));
    return out;
  }
  if (endpoint.ipv6_literal && inet_pton(AF_INET6, endpoint.host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(uint16_t(endpoint.port));
    out.emplace_back(addr, socklen_t(sizeof(sockaddr_in6)));
    return out;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(endpoint.port);
  if (getaddrinfo(endpoint.host.c_str(), port.c_str(), &hints, &found) != 0) return out;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    if (a->ai_addrlen > sizeof(sockaddr_storage)) continue;
    sockaddr_storage one{};
    std::memcpy(&one, a->ai_addr, a->ai_addrlen);
    out.emplace_back(one, socklen_t(a->ai_addrlen));
  }
  freeaddrinfo(found);
  return out;
}

// How an exchange ended, before the watchdog and the deadline are taken into account.
enum class Outcome {
  kResponse,     // a whole response
  kNoResponse,   // refused, reset or closed before a response head
  kTimeout,      // no response head within the deadline
  kTruncated,    // a head, then the body ended or stalled short of its length
  kBodyTimeout,  // body bytes arrived after the deadline
  kOverCap,      // Content-Length or the body passed max_response_bytes
  kMalformed,    // not an HTTP/1.x response
  kFailed,       // the connection could not be set up (proxy, tunnel, TLS): Result::status says why
};

struct Result {
  Outcome outcome = Outcome::kNoResponse;
  const char* reason = "Read";  // the failing step: Connection, ConnectionTimeout, Write, Read
  const char* malformed = "";   // what is malformed (never response bytes)
  bool timed_out = false;       // a recv()/send()/connect() timed out
  bool keep_alive = true;       // the connection may carry the next request
  std::optional<uint64_t> content_length;
  HttpResponse response;
  Status status;  // kFailed's error
};

enum class ReadResult { kData, kLate, kEof, kTimeout, kError };

}  // namespace

struct PosixHttpClient::Connection {
  ~Connection() { Close(); }

  // Closes the socket (under fd_mu: the watchdog may be shutting it down) and drops unread bytes.
  void Close() {
    std::lock_guard<std::mutex> lock(fd_mu);
    if (ssl != nullptr) SSL_free(ssl);
    ssl = nullptr;
    if (fd >= 0) close(fd);
    fd = -1;
    armed_for = std::chrono::microseconds(-1);
    in.clear();
  }
  // The watchdog's action: ends whatever the exchange is blocked in.
  void Shutdown() {
    std::lock_guard<std::mutex> lock(fd_mu);
    if (fd >= 0) shutdown(fd, SHUT_RDWR);
  }

  bool Connect(const HttpEndpoint& endpoint, const HttpRequest& request, Clock::time_point deadline,
               Result* result);
  // Connect (to the proxy when there is one), CONNECT through an https proxy, the TLS handshake.
  // False with result->outcome set (kFailed: result->status) when the connection is not usable.
  bool Open(const HttpEndpoint& endpoint, const HttpProxy* proxy, SSL_CTX* tls,
            const HttpRequest& request, const std::string& what, Clock::time_point deadline,
            Result* result);
  bool Tunnel(const HttpEndpoint& endpoint, const HttpProxy& proxy, const std::string& what,
              Clock::time_point deadline, Result* result);
  bool Handshake(const HttpEndpoint& endpoint, const HttpProxy* proxy, SSL_CTX* tls,
                 const std::string& what, Clock::time_point deadline, Result* result);
  // One send() (or SSL_write()) of all of `data`; false with errno-derived timed_out on failure.
  bool SendAll(const std::string& data, Clock::time_point deadline, bool* timed_out);
  // Sets SO_SNDTIMEO and SO_RCVTIMEO to the time left before `deadline`.
  bool SetTimeouts(Clock::time_point deadline);
  // SetTimeouts() only when the socket's timeouts, started now, would end a blocking call more
  // than kWatchdogGrace after `deadline` or before it: once per connection for an exchange that
  // takes less than the grace, every kWatchdogGrace for a peer that dribbles bytes.
  bool FitTimeouts(Clock::time_point deadline);
  ReadResult ReadMore(Clock::time_point deadline);
  Result Exchange(const HttpRequest& request, const std::string& wire, Clock::time_point deadline);
  bool ReadBody(const HttpRequest& request, bool chunked, Clock::time_point deadline,
                Result* result);
  bool PeekAlive() const;

  std::mutex mu;     // held for a whole exchange: one request at a time on the connection
  std::mutex fd_mu;  // guards fd between the exchange's thread and the watchdog
  int fd = -1;
  SSL* ssl = nullptr;  // the TLS session on fd (https), else null
  // What SO_SNDTIMEO/SO_RCVTIMEO were last set to (-1: not yet), and when.
  std::chrono::microseconds armed_for{-1};
  Clock::time_point armed_at;
  std::string in;  // bytes read and not yet consumed
  size_t at = 0;   // consumed prefix of `in`
};

bool PosixHttpClient::Connection::SetTimeouts(Clock::time_point deadline) {
  armed_at = Clock::now();
  // ToTimeval's floor of 1 ms (0 would mean no timeout at all) is what the socket gets.
  armed_for = std::max<std::chrono::microseconds>(
      std::chrono::duration_cast<std::chrono::microseconds>(deadline - armed_at),
      std::chrono::milliseconds(1));
  const timeval tv = ToTimeval(armed_for);
  if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == 0 &&
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0) {
    return true;
  }
  armed_for = std::chrono::microseconds(-1);
  return false;
}

bool PosixHttpClient::Connection::FitTimeouts(Clock::time_point deadline) {
  const Clock::time_point now = Clock::now();
  if (armed_for.count() >= 0) {
    const Clock::time_point ends = now + armed_for;
    if (ends <= deadline + kWatchdogGrace && ends + kWatchdogGrace >= deadline) return true;
  }
  return SetTimeouts(deadline);
}

// A blocking connect() bounded by SO_SNDTIMEO (the time left), tried on each address in turn.
bool PosixHttpClient::Connection::Connect(const HttpEndpoint& endpoint, const HttpRequest& request,
                                          Clock::time_point deadline, Result* result) {
  result->outcome = Outcome::kNoResponse;
  result->reason = "Connection";
  for (const auto& [addr, len] : AddressesOf(endpoint)) {
    const int s = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) continue;
    {
      std::lock_guard<std::mutex> lock(fd_mu);
      fd = s;
    }
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (!SetTimeouts(deadline)) {
      Close();
      continue;
    }
    int rc;
    do {
      rc = connect(fd, reinterpret_cast<const sockaddr*>(&addr), len);
    } while (rc != 0 && errno == EINTR && Clock::now() < deadline);
    if (rc == 0) return true;
    const int error = errno;
    Close();
    if (error == EINPROGRESS || error == EAGAIN || error == ETIMEDOUT) {
      result->outcome = Outcome::kTimeout;
      result->reason = "ConnectionTimeout";
      result->timed_out = true;
      return false;
    }
  }
  return false;
}

ReadResult PosixHttpClient::Connection::ReadMore(Clock::time_point deadline) {
  if (at > 0 && at == in.size()) {
    in.clear();
    at = 0;
  }
  char buffer[16 * 1024];
  ssize_t n;
  if (ssl != nullptr) {
    while (true) {
      ERR_clear_error();
      errno = 0;
      const int r = SSL_read(ssl, buffer, int(sizeof buffer));
      if (r > 0) {
        n = r;
        break;
      }
      const int error = SSL_get_error(ssl, r);
      if (error == SSL_ERROR_ZERO_RETURN) return ReadResult::kEof;
      if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
        if (errno == EINTR && Clock::now() < deadline) continue;
        return ReadResult::kTimeout;  // SO_RCVTIMEO ran out
      }
      if (error == SSL_ERROR_SYSCALL) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return ReadResult::kTimeout;
        if (errno == 0) return ReadResult::kEof;
      }
      return ReadResult::kError;
    }
  } else {
    // Every recv() on a plain connection is this one: bounding each one bounds the exchange.
    if (!FitTimeouts(deadline)) return ReadResult::kError;
    do {
      n = recv(fd, buffer, sizeof buffer, 0);
    } while (n < 0 && errno == EINTR);
  }
  if (n > 0) {
    in.append(buffer, size_t(n));
    return Clock::now() > deadline ? ReadResult::kLate : ReadResult::kData;
  }
  if (n == 0) return ReadResult::kEof;
  return errno == EAGAIN || errno == EWOULDBLOCK ? ReadResult::kTimeout : ReadResult::kError;
}

// Whether a kept-alive connection is still open: no byte and no close waiting on it.
bool PosixHttpClient::Connection::PeekAlive() const {
  if (ssl != nullptr && SSL_pending(ssl) > 0) return false;
  char c;
  const ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

bool PosixHttpClient::Connection::SendAll(const std::string& data, Clock::time_point deadline,
                                          bool* timed_out) {
  size_t sent = 0;
  while (sent < data.size()) {
    if (ssl != nullptr) {
      ERR_clear_error();
      errno = 0;
      const int n =
          SSL_write(ssl, data.data() + sent, int(std::min<size_t>(data.size() - sent, 1 << 30)));
      if (n > 0) {
        sent += size_t(n);
        continue;
      }
      const int error = SSL_get_error(ssl, n);
      *timed_out = error == SSL_ERROR_WANT_WRITE || error == SSL_ERROR_WANT_READ ||
                   (error == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK));
      return false;
    }
    if (!FitTimeouts(deadline)) return false;
    const ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *timed_out = errno == EAGAIN || errno == EWOULDBLOCK;
      return false;
    }
    sent += size_t(n);
  }
  return true;
}

// CONNECT host:port on the plain connection to the proxy; any 2xx opens the tunnel. The answer's
// head is read through the same buffer, within the same deadline.
bool PosixHttpClient::Connection::Tunnel(const HttpEndpoint& endpoint, const HttpProxy& proxy,
                                         const std::string& what, Clock::time_point deadline,
                                         Result* result) {
  const std::string authority = Authority(endpoint);
  result->outcome = Outcome::kFailed;
  auto timed_out = [&](const std::string& during) {
    result->status =
        DeadlineExceededError(what + ": timed out " + during + " the proxy " + proxy.display);
    return false;
  };
  bool send_timed_out = false;
  if (!SendAll("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n" +
                   ProxyAuthorization(&proxy) + "\r\n",
               deadline, &send_timed_out)) {
    if (send_timed_out) return timed_out("writing to");
    result->status = UnavailableError(what + ": could not connect to the proxy " + proxy.display +
                                      " (closed while sending CONNECT)");
    return false;
  }
  size_t end;
  while ((end = in.find("\r\n\r\n", at)) == std::string::npos) {
    if (in.size() > 16 * 1024) {
      result->status = UnavailableError(what + ": the proxy " + proxy.display +
                                        " sent an oversized answer to CONNECT");
      return false;
    }
    const ReadResult r = ReadMore(deadline);
    if (r == ReadResult::kData) continue;
    if (r == ReadResult::kTimeout || r == ReadResult::kLate || Clock::now() >= deadline) {
      return timed_out("waiting for");
    }
    result->status =
        UnavailableError(what + ": the proxy " + proxy.display +
                         " closed the connection without answering CONNECT " + authority);
    return false;
  }
  const std::string head(in, at, end - at);
  const bool extra = end + 4 != in.size();
  in.clear();
  at = 0;
  // "HTTP/1.1 200 Connection established"
  uint64_t status = 0;
  if (head.size() < 12 || head.substr(0, 5) != "HTTP/" || head.find(' ') == std::string::npos ||
      !ParseDecimal(head.substr(head.find(' ') + 1, 3), &status)) {
    result->status = UnavailableError(what + ": the proxy " + proxy.display +
                                      " gave a malformed answer to CONNECT " + authority);
    return false;
  }
  if (status < 200 || status > 299) {
    result->status = UnavailableError(what + ": the proxy " + proxy.display + " refused CONNECT " +
                                      authority + " with HTTP " + std::to_string(status) +
                                      (status == 407 ? " (proxy authentication required)" : ""));
    return false;
  }
  if (extra) {  // the server cannot have spoken before the TLS client's hello
    result->status = UnavailableError(what + ": the proxy " + proxy.display +
                                      " sent bytes after its answer to CONNECT " + authority);
    return false;
  }
  return true;
}

// TLS on the connected socket: SNI for a host name, the peer's chain verified against `tls`'s
// trust store and its name (or IP address) checked, all within the deadline.
bool PosixHttpClient::Connection::Handshake(const HttpEndpoint& endpoint, const HttpProxy* proxy,
                                            SSL_CTX* tls, const std::string& what,
                                            Clock::time_point deadline, Result* result) {
  result->outcome = Outcome::kFailed;
  SSL* s = SSL_new(tls);
  bool ok = s != nullptr && SSL_set_fd(s, fd) == 1;
  if (ok) {
    std::lock_guard<std::mutex> lock(fd_mu);
    ssl = s;
  } else if (s != nullptr) {
    SSL_free(s);
  }
  if (ok) {
    in6_addr ip;
    const bool literal =
        endpoint.ipv6_literal || inet_pton(AF_INET, endpoint.host.c_str(), &ip) == 1;
    if (literal) {
      ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), endpoint.host.c_str()) == 1;
    } else {
      ok = SSL_set_tlsext_host_name(ssl, endpoint.host.c_str()) == 1 &&
           SSL_set1_host(ssl, endpoint.host.c_str()) == 1;
    }
  }
  if (!ok) {
    result->status = InternalError(what + ": could not set up a TLS session");
    return false;
  }
  int rc;
  int error;
  do {
    ERR_clear_error();
    errno = 0;
    rc = SSL_connect(ssl);
    error = rc == 1 ? SSL_ERROR_NONE : SSL_get_error(ssl, rc);
  } while (rc != 1 && error == SSL_ERROR_WANT_READ && errno == EINTR && Clock::now() < deadline);
  if (rc == 1) return true;
  const long verify = SSL_get_verify_result(ssl);
  const std::string via = proxy != nullptr ? " through the proxy " + proxy->display : "";
  if (verify != X509_V_OK) {
    result->status = UnavailableError(what +
                                      ": the server's TLS certificate could not be verified "
                                      "(SSLServerVerification: " +
                                      X509_verify_cert_error_string(verify) + ")");
    return false;
  }
  if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE ||
      (error == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK)) ||
      Clock::now() >= deadline) {
    result->status = DeadlineExceededError(what + ": timed out in the TLS handshake" + via);
    return false;
  }
  result->status = UnavailableError(what + ": the TLS handshake" + via + " failed (SSLConnection)");
  return false;
}

bool PosixHttpClient::Connection::Open(const HttpEndpoint& endpoint, const HttpProxy* proxy,
                                       SSL_CTX* tls, const HttpRequest& request,
                                       const std::string& what, Clock::time_point deadline,
                                       Result* result) {
  if (proxy == nullptr) {
    if (!Connect(endpoint, request, deadline, result)) return false;
  } else {
    HttpEndpoint proxy_endpoint;
    proxy_endpoint.host = proxy->host;
    proxy_endpoint.port = proxy->port;
    proxy_endpoint.ipv6_literal = proxy->host.find(':') != std::string::npos;
    if (!Connect(proxy_endpoint, request, deadline, result)) {
      const bool timed_out = result->timed_out;
      result->outcome = Outcome::kFailed;
      result->status = timed_out
                           ? DeadlineExceededError(what + ": timed out connecting to the proxy " +
                                                   proxy->display)
                           : UnavailableError(what + ": could not connect to the proxy " +
                                              proxy->display + " (Connection)");
      return false;
    }
    if (endpoint.https && !Tunnel(endpoint, *proxy, what, deadline, result)) {
      Close();
      return false;
    }
  }
  if (endpoint.https && !Handshake(endpoint, proxy, tls, what, deadline, result)) {
    Close();
    return false;
  }
  return true;
}

// Reads the body after the head (consumed up to `at`): Content-Length, chunked, or up to the close.
bool PosixHttpClient::Connection::ReadBody(const HttpRequest& request, bool chunked,
                                           Clock::time_point deadline, Result* result) {
  const size_t cap = request.max_response_bytes;
  std::string& body = result->response.body;
  // Ends the body with the outcome a failed read means.
  auto fail = [&](ReadResult r) {
    result->keep_alive = false;
    if (r == ReadResult::kLate) {
      result->outcome = Outcome::kBodyTimeout;
    } else {
      result->outcome = Outcome::kTruncated;
      result->timed_out = r == ReadResult::kTimeout;
    }
    return false;
  };
  if (chunked) {
    while (true) {
      size_t eol;
      while ((eol = in.find("\r\n", at)) == std::string::npos) {
        if (in.size() - at > kMaxChunkLine) {
          result->outcome = Outcome::kMalformed;
          result->malformed = "chunk size line too long";
          result->keep_alive = false;
          return false;
        }
        const ReadResult r = ReadMore(deadline);
        if (r != ReadResult::kData) return fail(r);
      }
      std::string_view line(in.data() + at, eol - at);
      line = StripAsciiWhitespace(line.substr(0, line.find(';')));
      uint64_t size = 0;
      if (!ParseHex(line, &size)) {
        result->outcome = Outcome::kMalformed;
        result->malformed = "invalid chunk size";
        result->keep_alive = false;
        return false;
      }
      at = eol + 2;
      if (size == 0) {
        // Trailers, up to an empty line.
        while (true) {
          while ((eol = in.find("\r\n", at)) == std::string::npos) {
            if (in.size() - at > kMaxHeadBytes) return fail(ReadResult::kError);
            const ReadResult r = ReadMore(deadline);
            if (r != ReadResult::kData) return fail(r);
          }
          const bool last = eol == at;
          at = eol + 2;
          if (last) return true;
        }
      }
      if (size > cap - std::min(body.size(), cap)) {
        result->outcome = Outcome::kOverCap;
        result->keep_alive = false;
        return false;
      }
      while (in.size() - at < size + 2) {
        const ReadResult r = ReadMore(deadline);
        if (r != ReadResult::kData) return fail(r);
      }
      body.append(in, at, size_t(size));
      at += size_t(size) + 2;
    }
  }
  if (result->content_length) {
    const uint64_t length = *result->content_length;
    while (in.size() - at < length) {
      const ReadResult r = ReadMore(deadline);
      if (r != ReadResult::kData) {
        body.assign(in, at, std::string::npos);
        return fail(r);
      }
    }
    body.assign(in, at, size_t(length));
    at += size_t(length);
    return true;
  }
  // Neither: the body runs up to the close.
  result->keep_alive = false;
  while (true) {
    if (in.size() - at > cap) {
      result->outcome = Outcome::kOverCap;
      return false;
    }
    const ReadResult r = ReadMore(deadline);
    if (r == ReadResult::kEof) break;
    if (r != ReadResult::kData) {
      body.assign(in, at, std::string::npos);
      return fail(r);
    }
  }
  body.assign(in, at, std::string::npos);
  at = in.size();
  return true;
}

// One send() of the request, then the response: its head (interim 1xx heads skipped), its body.
// Long on purpose: the response head is parsed in one pass.
Result PosixHttpClient::Connection::Exchange(const HttpRequest& request, const std::string& wire,
                                             Clock::time_point deadline) {
  Result result;
  if (!SendAll(wire, deadline, &result.timed_out)) {
    result.outcome = result.timed_out ? Outcome::kTimeout : Outcome::kNoResponse;
    result.reason = "Write";
    result.keep_alive = false;
    return result;
  }
  auto malformed = [&](const char* what) {
    result.outcome = Outcome::kMalformed;
    result.malformed = what;
    result.keep_alive = false;
    return result;
  };
  while (true) {  // one pass per response head: interim 1xx heads are skipped
    size_t end;
    while ((end = in.find("\r\n\r\n", at)) == std::string::npos) {
      if (in.size() - at > kMaxHeadBytes) return malformed("response head too long");
      const ReadResult r = ReadMore(deadline);
      if (r == ReadResult::kData) continue;
      result.keep_alive = false;
      result.timed_out = r == ReadResult::kTimeout || r == ReadResult::kLate;
      result.outcome = result.timed_out ? Outcome::kTimeout : Outcome::kNoResponse;
      return result;
    }
    std::string_view head(in.data() + at, end - at);
    at = end + 4;
    const size_t eol = std::min(head.find("\r\n"), head.size());
    std::string_view status_line = head.substr(0, eol);
    // "HTTP/1.x NNN reason"
    if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[8] != ' ' ||
        (status_line.size() > 12 && status_line[12] != ' ')) {
      return malformed("status line");
    }
    uint64_t status = 0;
    if (!ParseDecimal(status_line.substr(9, 3), &status) || status < 100) {
      return malformed("status code");
    }
    const bool http10 = status_line[7] == '0';
    result.response.status = int(status);
    result.response.headers.clear();
    std::string_view rest = eol < head.size() ? head.substr(eol + 2) : std::string_view();
    bool chunked = false, close = http10, keep_alive_named = false;
    result.content_length.reset();
    while (!rest.empty()) {
      const size_t line_end = std::min(rest.find("\r\n"), rest.size());
      std::string_view line = rest.substr(0, line_end);
      rest.remove_prefix(std::min(rest.size(), line_end + 2));
      const size_t colon = line.find(':');
      if (colon == std::string_view::npos || colon == 0) return malformed("header line");
      std::string_view name = line.substr(0, colon);
      if (std::any_of(name.begin(), name.end(), [](char c) { return c == ' ' || c == '\t'; })) {
        return malformed("header name");
      }
      std::string_view value = StripAsciiWhitespace(line.substr(colon + 1));
      if (EqualsIgnoreCase(name, "Content-Length")) {
        uint64_t length = 0;
        if (!ParseDecimal(value, &length)) return malformed("Content-Length");
        result.content_length = length;
      } else if (EqualsIgnoreCase(name, "Transfer-Encoding")) {
        chunked = ContainsIgnoreCase(value, "chunked");
      } else if (EqualsIgnoreCase(name, "Connection")) {
        if (ContainsIgnoreCase(value, "close")) close = true;
        if (ContainsIgnoreCase(value, "keep-alive")) keep_alive_named = true;
      }
      result.response.headers.emplace_back(std::string(name), std::string(value));
    }
    if (status < 200) continue;  // 100 Continue and other interim responses
    if (http10 && keep_alive_named) close = false;
    result.keep_alive = !close;
    const bool bodiless = request.method == "HEAD" || status == 204 || status == 304;
    if (!bodiless) {
      if (!chunked && result.content_length &&
          *result.content_length > request.max_response_bytes) {
        result.outcome = Outcome::kOverCap;
        result.keep_alive = false;
        return result;
      }
      if (!ReadBody(request, chunked, deadline, &result)) return result;
    }
    // Bytes past the response were never asked for: the connection's state is unknown.
    if (at != in.size()) result.keep_alive = false;
    in.clear();
    at = 0;
    result.outcome = Outcome::kResponse;
    return result;
  }
}

PosixHttpClient::PosixHttpClient() = default;

PosixHttpClient::~PosixHttpClient() {
  connections_.clear();  // their TLS sessions before the contexts they were made from
  for (auto& [bundle, context] : tls_contexts_) SSL_CTX_free(static_cast<SSL_CTX*>(context));
}

// One TLS context per CA bundle ("" is the system store), made at the first https request that
// names it: OpenSSL is initialised then, never by a client that only speaks plain HTTP.
StatusOr<void*> PosixHttpClient::TlsContextFor(const std::string& ca_bundle_path,
                                               const std::string& what) {
  std::lock_guard<std::mutex> lock(mu_);
  auto found = tls_contexts_.find(ca_bundle_path);
  if (found != tls_contexts_.end()) return found->second;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return InternalError(what + ": could not create a TLS context");
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  // A server that closes without close_notify ends the body as a close does (as on plain HTTP);
  // bodies with a length are still checked against it.
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_mode(ctx, SSL_MODE_AUTO_RETRY);
  const bool loaded = ca_bundle_path.empty() ? SSL_CTX_set_default_verify_paths(ctx) == 1
                                             : SSL_CTX_load_verify_locations(
                                                   ctx, ca_bundle_path.c_str(), nullptr) == 1;
  ERR_clear_error();
  if (!loaded) {
    SSL_CTX_free(ctx);
    if (ca_bundle_path.empty())
      return InternalError(what + ": the system trust store failed to load");
    return InvalidConfigurationError(
        what + ": no CA certificate could be loaded from the CA bundle " + ca_bundle_path);
  }
  tls_contexts_.emplace(ca_bundle_path, ctx);
  return static_cast<void*>(ctx);
}

PosixHttpClient::Connection* PosixHttpClient::ConnectionFor(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  std::unique_ptr<Connection>& slot = connections_[key];
  if (slot == nullptr) slot = std::make_unique<Connection>();
  return slot.get();
}

StatusOr<HttpResponse> PosixHttpClient::Send(const HttpRequest& request) {
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + request.timeout;
  CHANTLESS_ASSIGN_OR_RETURN(HttpEndpoint endpoint, ParseHttpEndpoint(request.endpoint));
  CHANTLESS_RETURN_IF_ERROR(ValidateRequestHead(request));
  CHANTLESS_ASSIGN_OR_RETURN(std::optional<HttpProxy> proxy, RequestProxy(request));
  const std::string what = Describe(request) + (proxy ? " via proxy " + proxy->display : "");
  SSL_CTX* tls = nullptr;
  if (endpoint.https) {
    if (!request.ca_bundle_path.empty()) {
      const std::string problem = CaBundleProblem(request.ca_bundle_path);
      if (!problem.empty()) {
        return InvalidConfigurationError(what + ": the CA bundle " + request.ca_bundle_path + " " +
                                         problem);
      }
    }
    CHANTLESS_ASSIGN_OR_RETURN(void* context, TlsContextFor(request.ca_bundle_path, what));
    tls = static_cast<SSL_CTX*>(context);
  }
  const std::string wire = RequestBytes(request, endpoint, proxy ? &*proxy : nullptr);
  // Requests differing in scheme, endpoint, CA bundle or proxy (credentials included) never share
  // a connection. The key is never shown.
  std::string key = std::string(endpoint.https ? "https://" : "http://") + Authority(endpoint);
  if (endpoint.https) key += "\n" + request.ca_bundle_path;
  if (proxy) key += "\n" + request.proxy;
  Connection* c = ConnectionFor(key);
  std::lock_guard<std::mutex> lock(c->mu);

  // The socket timeouts end a stalled exchange. On a plain connection every recv() and send() is
  // ours and FitTimeouts() keeps each one within the deadline (plus the grace). OpenSSL makes
  // its own calls inside a handshake or a record, each within the socket's timeouts but not their
  // sum: there the process's watchdog is the backstop for a peer that dribbles bytes (and the one
  // thread chantless starts; a plain exchange starts none).
  DeadlineWatchdog* const watchdog = endpoint.https ? &DeadlineWatchdog::Shared() : nullptr;
  const uint64_t watch =
      watchdog != nullptr ? watchdog->Arm(deadline + kWatchdogGrace, [c] { c->Shutdown(); }) : 0;
  Result result;
  for (int attempt = 0;; ++attempt) {
    const bool reused = c->fd >= 0;
    if (reused && !IsIdempotent(request.method) && !c->PeekAlive()) c->Close();
    if (c->fd < 0) {
      if (!c->Open(endpoint, proxy ? &*proxy : nullptr, tls, request, what, deadline, &result)) {
        break;
      }
    } else if (!c->FitTimeouts(deadline)) {
      // A kept-alive connection's timeouts were set for an earlier request's deadline.
      c->Close();
      continue;
    }
    result = c->Exchange(request, wire, deadline);
    // A kept-alive connection the server closed while it was idle fails before any byte of the
    // response: an idempotent request is sent once more, on a new connection.
    const bool before_response = result.outcome == Outcome::kNoResponse && c->in.empty();
    if (reused && attempt == 0 && before_response && IsIdempotent(request.method) &&
        Clock::now() < deadline) {
      c->Close();
      continue;
    }
    break;
  }
  const bool watchdog_fired = watchdog != nullptr && watchdog->Disarm(watch);
  if (result.outcome != Outcome::kResponse || !result.keep_alive) c->Close();

  const bool timed_out = result.timed_out || watchdog_fired ||
                         Clock::now() + std::chrono::milliseconds(10) >= deadline;
  const std::string elapsed_ms = std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
  const std::string timeout_ms = std::to_string(request.timeout.count());
  switch (result.outcome) {
    case Outcome::kResponse:
      return std::move(result.response);
    case Outcome::kFailed:
      return result.status;
    case Outcome::kOverCap:
      return InvalidResponseError(what + ": response body exceeds the " +
                                  std::to_string(request.max_response_bytes) + "-byte limit");
    case Outcome::kBodyTimeout:
      return DeadlineExceededError(what + ": timed out after " + elapsed_ms +
                                   " ms while reading the body (timeout " + timeout_ms + " ms)");
    case Outcome::kTruncated:
      return InvalidResponseError(what + ": body truncated (" +
                                  std::to_string(result.response.body.size()) + " bytes read" +
                                  (result.content_length
                                       ? " of " + std::to_string(*result.content_length)
                                       : std::string()) +
                                  ", " + result.reason + (timed_out ? ", timed out" : "") + ")");
    case Outcome::kMalformed:
      return InvalidResponseError(what + ": malformed response (" + result.malformed + ")");
    case Outcome::kTimeout:
    case Outcome::kNoResponse:
      if (timed_out) {
        return DeadlineExceededError(what + ": timed out after " + elapsed_ms + " ms (timeout " +
                                     timeout_ms + " ms, " + result.reason + ")");
      }
      return UnavailableError(what + ": no response (" + result.reason + ")");
  }
  return InternalError(what + ": unknown exchange outcome");
}

}  // namespace chantless
