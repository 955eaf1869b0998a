// HttplibHttpClient: cpp-httplib behind the HttpClient seam (see http_client_httplib.h for the
// guarantees). cpp-httplib reports failures through Result::error(); nothing here throws.
#include "resolver/http/http_client_httplib.h"

#include <httplib.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <thread>
#include <utility>

#include "resolver/core/ascii.h"
#include "resolver/http/deadline_watchdog.h"

namespace chantless {
namespace {

using SteadyClock = std::chrono::steady_clock;

// How long after a request's deadline the watchdog stops it.
constexpr std::chrono::milliseconds kWatchdogGrace{20};

std::string Describe(const HttpRequest& request) { return DescribeRequest(request); }

}  // namespace

struct HttplibHttpClient::Connection {
  std::mutex mu;  // held for a whole exchange: one request at a time on the connection
  std::unique_ptr<httplib::ClientImpl> client;
};

HttplibHttpClient::HttplibHttpClient() = default;
HttplibHttpClient::~HttplibHttpClient() = default;

HttplibHttpClient::Connection* HttplibHttpClient::ConnectionFor(const std::string& key,
                                                                const HttpEndpoint& endpoint,
                                                                const std::string& ca_bundle_path,
                                                                const HttpProxy* proxy) {
  std::lock_guard<std::mutex> lock(mu_);
  std::unique_ptr<Connection>& slot = connections_[key];
  if (slot == nullptr) {
    slot = std::make_unique<Connection>();
    // ClientImpl/SSLClient take the bare host (IPv6 without brackets; httplib brackets it again in
    // the Host header). The "scheme://host:port" constructor cannot be used: its pattern accepts
    // only digits in an IPv6 literal, so fd00:ec2::254 would not parse.
    if (endpoint.https) {
      auto ssl = std::make_unique<httplib::SSLClient>(endpoint.host, endpoint.port);
      // The default already, stated so that no change of default can turn it off.
      ssl->enable_server_certificate_verification(true);
      // With a bundle, load_certs() loads that file only (SSL_CTX_load_verify_locations) instead
      // of the default verify paths.
      if (!ca_bundle_path.empty()) ssl->set_ca_cert_path(ca_bundle_path);
      slot->client = std::move(ssl);
    } else {
      slot->client = std::make_unique<httplib::ClientImpl>(endpoint.host, endpoint.port);
    }
    slot->client->set_keep_alive(true);
    slot->client->set_follow_location(false);
    slot->client->set_tcp_nodelay(true);
    slot->client->set_decompress(false);
    if (proxy != nullptr) {
      slot->client->set_proxy(proxy->host, proxy->port);
      if (!proxy->username.empty() || !proxy->password.empty()) {
        slot->client->set_proxy_basic_auth(proxy->username, proxy->password);
      }
    }
  }
  return slot.get();
}

HttpExchangeVerdict ClassifyExchange(const HttpExchangeOutcome& o) {
  if (o.over_cap) return HttpExchangeVerdict::kOverCap;
  if (o.body_past_deadline) return HttpExchangeVerdict::kBodyTimeout;
  if (!o.answered) {
    if (o.got_headers) return HttpExchangeVerdict::kTruncated;
    if (o.timed_out) return HttpExchangeVerdict::kTimeout;
    if (o.tls_refused) return HttpExchangeVerdict::kTlsRefused;
    return HttpExchangeVerdict::kNoResponse;
  }
  if (o.length_mismatch) return HttpExchangeVerdict::kLengthMismatch;
  return HttpExchangeVerdict::kResponse;
}

namespace {

// What the response handler and the content receiver of one exchange saw.
struct Received {
  bool got_headers = false;
  bool over_cap = false;
  bool past_deadline = false;
  std::optional<uint64_t> content_length;
  std::string body;
};

// The httplib request for `request`, its receivers filling `received`: a Content-Length or a body
// over max_response_bytes, or body bytes after `deadline`, stop the exchange.
httplib::Request MakeHttplibRequest(const HttpRequest& request, SteadyClock::time_point deadline,
                                    Received* received) {
  httplib::Request req;
  req.method = request.method;
  req.path = request.path;
  for (const auto& [name, value] : request.headers) req.headers.emplace(name, value);
  req.body = request.body;
  const size_t cap = request.max_response_bytes;
  req.response_handler = [received, cap](const httplib::Response& res) {
    received->got_headers = true;
    if (res.has_header("Content-Length")) {
      const std::string text = res.get_header_value("Content-Length");
      if (!text.empty() && text.size() <= 19 &&
          std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        received->content_length = std::stoull(text);
        if (*received->content_length > cap) {
          received->over_cap = true;
          return false;
        }
      }
    }
    return true;
  };
  req.content_receiver = [received, cap, deadline](const char* data, size_t size, uint64_t,
                                                   uint64_t) {
    if (SteadyClock::now() > deadline) {
      received->past_deadline = true;
      return false;
    }
    if (size > cap - std::min(received->body.size(), cap)) {
      received->over_cap = true;
      return false;
    }
    received->body.append(data, size);
    return true;
  };
  return req;
}

// The error Send() returns for every verdict but kResponse (the table in the header).
// `what` names the exchange (method, endpoint, path, and the proxy when there is one).
Status ExchangeError(HttpExchangeVerdict verdict, const HttpRequest& request,
                     const std::string& what, const HttpProxy* proxy, const Received& received,
                     httplib::Error error, bool watchdog_fired, SteadyClock::time_point start) {
  const std::string elapsed_ms = std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start).count());
  const std::string timeout_ms = std::to_string(request.timeout.count());
  switch (verdict) {
    case HttpExchangeVerdict::kOverCap:
      return InvalidResponseError(what + ": response body exceeds the " +
                                  std::to_string(request.max_response_bytes) + "-byte limit");
    case HttpExchangeVerdict::kBodyTimeout:
      return DeadlineExceededError(what + ": timed out after " + elapsed_ms +
                                   " ms while reading the body (timeout " + timeout_ms + " ms)");
    case HttpExchangeVerdict::kTruncated:
      return InvalidResponseError(
          what + ": body truncated (" + std::to_string(received.body.size()) + " bytes read" +
          (received.content_length ? " of " + std::to_string(*received.content_length)
                                   : std::string()) +
          ", " + httplib::to_string(error) + (watchdog_fired ? ", timed out" : "") + ")");
    case HttpExchangeVerdict::kTimeout:
      return DeadlineExceededError(what + ": timed out after " + elapsed_ms + " ms (timeout " +
                                   timeout_ms + " ms, " + httplib::to_string(error) + ")");
    case HttpExchangeVerdict::kTlsRefused:
      return UnavailableError(what +
                              ": the server's TLS certificate could not be verified "
                              "(SSLServerVerification)");
    case HttpExchangeVerdict::kNoResponse:
      if (error == httplib::Error::SSLLoadingCerts) {
        return InvalidConfigurationError(what +
                                         ": no CA certificate could be loaded from the CA "
                                         "bundle " +
                                         request.ca_bundle_path);
      }
      if (proxy != nullptr && error == httplib::Error::Connection) {
        return UnavailableError(what + ": could not connect to the proxy " + proxy->display + " (" +
                                httplib::to_string(error) + ")");
      }
      if (proxy != nullptr && StartsWithIgnoreCase(request.endpoint, "https")) {
        return UnavailableError(what + ": the proxy " + proxy->display +
                                " refused or closed the CONNECT tunnel, or the TLS handshake "
                                "through it failed (" +
                                httplib::to_string(error) + ")");
      }
      return UnavailableError(what + ": no response (" + httplib::to_string(error) + ")");
    case HttpExchangeVerdict::kLengthMismatch:
      return InvalidResponseError(what + ": body length " + std::to_string(received.body.size()) +
                                  " does not match Content-Length " +
                                  std::to_string(*received.content_length));
    case HttpExchangeVerdict::kResponse:
      break;
  }
  return InternalError(what + ": no error for a response");
}

// cpp-httplib 0.11.4 deadlocks its own thread (it re-locks the socket mutex it already holds) when
// a proxy answers CONNECT with "Connection: close", or with HTTP/1.0 and a reason other than
// "Connection established"; many proxies answer a refusal (403, 407) that way. Nothing can then
// stop the exchange, not even the watchdog. So before cpp-httplib opens a tunnel, this opens one
// itself: it connects to the proxy, sends CONNECT for the target and reads the answer's head,
// within the deadline. OK means a 200 that cpp-httplib can take (the probe connection is then
// closed, and cpp-httplib opens its own); anything else is the error Send() returns. `what` names
// the exchange.
class ProbeSocket {
 public:
  ~ProbeSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  int fd_ = -1;
};

int MillisecondsLeft(SteadyClock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 1 << 30));
}

Status ProbeConnectTunnel(const HttpProxy& proxy, const HttpEndpoint& target,
                          SteadyClock::time_point deadline, const std::string& what) {
  auto unreachable = [&](const std::string& why) {
    return UnavailableError(what + ": could not connect to the proxy " + proxy.display + " (" +
                            why + ")");
  };
  auto timed_out = [&](const std::string& during) {
    return DeadlineExceededError(what + ": timed out " + during + " the proxy " + proxy.display);
  };
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* addresses = nullptr;
  if (::getaddrinfo(proxy.host.c_str(), std::to_string(proxy.port).c_str(), &hints, &addresses) !=
          0 ||
      addresses == nullptr) {
    return unreachable("its host name does not resolve");
  }
  ProbeSocket sock;
  for (addrinfo* a = addresses; a != nullptr && sock.fd_ < 0; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
      ::close(fd);
      continue;
    }
    pollfd p{fd, POLLOUT, 0};
    int error = 0;
    socklen_t len = sizeof(error);
    if (::poll(&p, 1, MillisecondsLeft(deadline)) != 1) {
      ::close(fd);
      ::freeaddrinfo(addresses);
      return timed_out("connecting to");
    }
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error != 0) {
      ::close(fd);
      continue;
    }
    sock.fd_ = fd;
  }
  ::freeaddrinfo(addresses);
  if (sock.fd_ < 0) return unreachable("connection refused or failed");

  const std::string authority = (target.ipv6_literal ? "[" + target.host + "]" : target.host) +
                                ":" + std::to_string(target.port);
  const std::string request =
      "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n";
  size_t sent = 0;
  while (sent < request.size()) {
    pollfd p{sock.fd_, POLLOUT, 0};
    if (::poll(&p, 1, MillisecondsLeft(deadline)) != 1) return timed_out("writing to");
    const ssize_t n = ::send(sock.fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return unreachable("closed while sending CONNECT");
    sent += static_cast<size_t>(n);
  }
  std::string head;
  char buf[1024];
  while (head.find("\r\n\r\n") == std::string::npos) {
    if (head.size() > 16 * 1024) {
      return UnavailableError(what + ": the proxy " + proxy.display +
                              " sent an oversized answer to CONNECT");
    }
    pollfd p{sock.fd_, POLLIN, 0};
    if (::poll(&p, 1, MillisecondsLeft(deadline)) != 1) return timed_out("waiting for");
    const ssize_t n = ::recv(sock.fd_, buf, sizeof(buf), 0);
    if (n <= 0) {
      return UnavailableError(what + ": the proxy " + proxy.display +
                              " closed the connection without answering CONNECT " + authority);
    }
    head.append(buf, static_cast<size_t>(n));
  }
  // "HTTP/1.1 200 Connection established"
  const std::string status_line = head.substr(0, head.find("\r\n"));
  const size_t sp1 = status_line.find(' ');
  const std::string version = status_line.substr(0, sp1);
  const std::string code =
      sp1 == std::string::npos ? std::string() : status_line.substr(sp1 + 1, 3);
  const std::string reason = sp1 == std::string::npos || status_line.size() < sp1 + 5
                                 ? std::string()
                                 : status_line.substr(sp1 + 5);
  if (!StartsWithIgnoreCase(version, "HTTP/") || code.size() != 3 ||
      !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return UnavailableError(what + ": the proxy " + proxy.display +
                            " gave a malformed answer to CONNECT " + authority);
  }
  if (code != "200") {
    return UnavailableError(what + ": the proxy " + proxy.display + " refused CONNECT " +
                            authority + " with HTTP " + code +
                            (code == "407" ? " (proxy authentication required)" : ""));
  }
  bool connection_close = false;
  size_t line_start = head.find("\r\n") + 2;
  while (line_start < head.size()) {
    const size_t line_end = head.find("\r\n", line_start);
    const std::string_view line(head.data() + line_start, line_end - line_start);
    const size_t colon = line.find(':');
    if (colon != std::string_view::npos &&
        EqualsIgnoreCase(StripAsciiWhitespace(line.substr(0, colon)), "Connection") &&
        StripAsciiWhitespace(line.substr(colon + 1)) == "close") {
      connection_close = true;
    }
    line_start = line_end + 2;
  }
  if (connection_close || (version == "HTTP/1.0" && reason != "Connection established")) {
    return UnavailableError(what + ": the proxy " + proxy.display +
                            " answered CONNECT with 200 but closes the tunnel (\"Connection: "
                            "close\" or HTTP/1.0), which this client cannot use");
  }
  return OkStatus();
}

}  // namespace

StatusOr<HttpResponse> HttplibHttpClient::Send(const HttpRequest& request) {
  const SteadyClock::time_point start = SteadyClock::now();
  const SteadyClock::time_point deadline = start + request.timeout;
  CHANTLESS_ASSIGN_OR_RETURN(HttpEndpoint endpoint, ParseHttpEndpoint(request.endpoint));
  CHANTLESS_RETURN_IF_ERROR(ValidateRequestHead(request));
  CHANTLESS_ASSIGN_OR_RETURN(std::optional<HttpProxy> proxy, RequestProxy(request));
  const std::string what = Describe(request) + (proxy ? " via proxy " + proxy->display : "");
  if (proxy && endpoint.https && (!proxy->username.empty() || !proxy->password.empty())) {
    // cpp-httplib 0.11.4 would send the Proxy-Authorization header inside the tunnel too, to
    // the target: the proxy's credentials would leave the proxy.
    return InvalidConfigurationError(what +
                                     ": proxy credentials (user-info in the proxy URL) are not "
                                     "supported for https targets");
  }
  if (endpoint.https && !request.ca_bundle_path.empty()) {
    const std::string problem = CaBundleProblem(request.ca_bundle_path);
    if (!problem.empty()) {
      return InvalidConfigurationError(what + ": the CA bundle " + request.ca_bundle_path + " " +
                                       problem);
    }
  }
  // Requests differing in endpoint, bundle or proxy (credentials included) never share a
  // connection. The key is never shown.
  std::string key = std::string(endpoint.https ? "https://" : "http://") +
                    (endpoint.ipv6_literal ? "[" + endpoint.host + "]" : endpoint.host) + ":" +
                    std::to_string(endpoint.port);
  if (endpoint.https) key += std::string("\n") + request.ca_bundle_path;
  if (proxy) key += std::string("\n") + request.proxy;
  Connection* connection =
      ConnectionFor(key, endpoint, endpoint.https ? request.ca_bundle_path : std::string(),
                    proxy ? &*proxy : nullptr);
  std::lock_guard<std::mutex> lock(connection->mu);

  httplib::ClientImpl& client = *connection->client;
  if (proxy && endpoint.https && client.is_socket_open() == 0) {
    CHANTLESS_RETURN_IF_ERROR(ProbeConnectTunnel(*proxy, endpoint, deadline, what));
  }
  // httplib treats a zero timeout as "poll once": give it at least a millisecond.
  const auto left =
      std::max(std::chrono::duration_cast<std::chrono::microseconds>(deadline - SteadyClock::now()),
               std::chrono::microseconds(1000));
  client.set_connection_timeout(left);
  client.set_read_timeout(left);
  client.set_write_timeout(left);

  Received received;
  httplib::Request req = MakeHttplibRequest(request, deadline, &received);
  // httplib's own timeouts normally fire first (and classify the failure); the watchdog is the
  // backstop for peers that keep each single recv() just inside them. ClientImpl::stop(), for a
  // request in flight, only shuts the socket down (cpp-httplib's one cross-thread-safe operation).
  DeadlineWatchdog& watchdog = DeadlineWatchdog::Shared();
  const uint64_t watch = watchdog.Arm(deadline + kWatchdogGrace, [&client] { client.stop(); });
  httplib::Result result = client.send(req);
  const bool watchdog_fired = watchdog.Disarm(watch);

  HttpExchangeOutcome outcome;
  outcome.answered = static_cast<bool>(result);
  outcome.got_headers = received.got_headers;
  outcome.over_cap = received.over_cap;
  outcome.body_past_deadline = received.past_deadline;
  const httplib::Error error = result ? httplib::Error::Success : result.error();
  // httplib's read timeout was set to the time left, so it fires a hair before the deadline.
  outcome.timed_out = watchdog_fired ||
                      SteadyClock::now() + std::chrono::milliseconds(10) >= deadline ||
                      error == httplib::Error::ConnectionTimeout;
  outcome.tls_refused = error == httplib::Error::SSLServerVerification;
  if (result) {
    const bool bodiless = request.method == "HEAD" || result->status == 204 ||
                          result->status == 304 || (result->status >= 100 && result->status < 200);
    outcome.length_mismatch =
        received.content_length && !bodiless && received.body.size() != *received.content_length;
  }

  const HttpExchangeVerdict verdict = ClassifyExchange(outcome);
  if (verdict != HttpExchangeVerdict::kResponse) {
    client.stop();  // never reuse a connection with an unread or unknown state on it
  }
  if (verdict != HttpExchangeVerdict::kResponse) {
    return ExchangeError(verdict, request, what, proxy ? &*proxy : nullptr, received, error,
                         watchdog_fired, start);
  }
  HttpResponse response;
  response.status = result->status;
  for (const auto& [name, value] : result->headers) response.headers.emplace_back(name, value);
  response.body = std::move(received.body);
  return response;
}

}  // namespace chantless
