// HttplibHttpClient: cpp-httplib behind the HttpClient seam (see http_client_httplib.h for the
// guarantees). cpp-httplib reports failures through Result::error(); nothing here throws.
#include "resolver/http/http_client_httplib.h"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <thread>
#include <utility>

#include "resolver/core/ascii.h"
#include "resolver/http/deadline_watchdog.h"

namespace chantless {
namespace {

using SteadyClock = std::chrono::steady_clock;

// How long after a request's deadline the watchdog stops it.
constexpr std::chrono::milliseconds kWatchdogGrace{20};

bool IsHostNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

bool IsIpv6Char(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
}

std::string Describe(const HttpRequest& request) {
  return request.method + " " + request.endpoint + request.path;
}

}  // namespace

// Long on purpose: one pass over the endpoint (scheme, host or [IPv6], port, optional "/").
StatusOr<HttpEndpoint> ParseHttpEndpoint(std::string_view endpoint) {
  auto bad = [&](std::string_view why) {
    // The endpoint comes from configuration, not from a secret; cap its length in the message.
    std::string shown(endpoint.substr(0, 120));
    return InvalidConfigurationError("endpoint \"" + shown + "\" " + std::string(why));
  };
  HttpEndpoint out;
  std::string_view rest = endpoint;
  if (StartsWithIgnoreCase(rest, "http://")) {
    rest.remove_prefix(7);
    out.port = 80;
  } else if (StartsWithIgnoreCase(rest, "https://")) {
    rest.remove_prefix(8);
    out.https = true;
    out.port = 443;
  } else {
    return bad("must start with http:// or https://");
  }
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty()) return bad("has no host");
  if (rest.find_first_of("/?#@") != std::string_view::npos) {
    return bad("must be scheme, host and port only (no path, query or user-info)");
  }
  std::string_view port_text;
  if (rest.front() == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return bad("has an unclosed '[' in its IPv6 host");
    std::string_view host = rest.substr(1, close - 1);
    if (host.empty() || host.find(':') == std::string_view::npos ||
        !std::all_of(host.begin(), host.end(), IsIpv6Char)) {
      return bad("has an invalid IPv6 literal");
    }
    out.host = std::string(host);
    out.ipv6_literal = true;
    rest.remove_prefix(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return bad("has characters after its IPv6 host");
      port_text = rest.substr(1);
      if (port_text.empty()) return bad("has an empty port");
    }
  } else {
    size_t colon = rest.find(':');
    std::string_view host = rest.substr(0, colon);
    if (host.empty() || !std::all_of(host.begin(), host.end(), IsHostNameChar)) {
      return bad("has an invalid host (IPv6 literals must be in brackets)");
    }
    out.host = std::string(host);
    if (colon != std::string_view::npos) {
      port_text = rest.substr(colon + 1);
      if (port_text.empty()) return bad("has an empty port");
    }
  }
  if (!port_text.empty()) {
    if (port_text.size() > 5 || !std::all_of(port_text.begin(), port_text.end(),
                                             [](char c) { return c >= '0' && c <= '9'; })) {
      return bad("has an invalid port");
    }
    int port = std::stoi(std::string(port_text));  // ≤ 5 digits: cannot throw
    if (port < 1 || port > 65535) return bad("has a port out of range");
    out.port = port;
  }
  return out;
}

struct HttplibHttpClient::Connection {
  std::mutex mu;  // held for a whole exchange: one request at a time on the connection
  std::unique_ptr<httplib::ClientImpl> client;
};

HttplibHttpClient::HttplibHttpClient() = default;
HttplibHttpClient::~HttplibHttpClient() = default;

HttplibHttpClient::Connection* HttplibHttpClient::ConnectionFor(const std::string& key,
                                                                const HttpEndpoint& endpoint) {
  std::lock_guard<std::mutex> lock(mu_);
  std::unique_ptr<Connection>& slot = connections_[key];
  if (slot == nullptr) {
    slot = std::make_unique<Connection>();
    // ClientImpl/SSLClient take the bare host (IPv6 without brackets; httplib brackets it again in
    // the Host header). The "scheme://host:port" constructor cannot be used: its pattern accepts
    // only digits in an IPv6 literal, so fd00:ec2::254 would not parse.
    if (endpoint.https) {
      slot->client = std::make_unique<httplib::SSLClient>(endpoint.host, endpoint.port);
    } else {
      slot->client = std::make_unique<httplib::ClientImpl>(endpoint.host, endpoint.port);
    }
    slot->client->set_keep_alive(true);
    slot->client->set_follow_location(false);
    slot->client->set_tcp_nodelay(true);
    slot->client->set_decompress(false);
  }
  return slot.get();
}

Status ValidateRequestHead(const HttpRequest& request) {
  if (request.path.empty() || request.path.front() != '/') {
    return InvalidConfigurationError(Describe(request) + ": the path must start with '/'");
  }
  auto is_ctl_or_space = [](char c) { return c == ' ' || IsAsciiControl(c); };
  if (std::any_of(request.path.begin(), request.path.end(), is_ctl_or_space)) {
    // Not Describe(): the path itself is what is malformed.
    return InvalidConfigurationError(request.method + " " + request.endpoint +
                                     ": the path holds a space or control character");
  }
  for (const auto& [name, value] : request.headers) {
    const bool bad_name = name.empty() || std::any_of(name.begin(), name.end(), [&](char c) {
                            return is_ctl_or_space(c) || c == ':';
                          });
    const bool bad_value = std::any_of(value.begin(), value.end(),
                                       [](char c) { return c != '\t' && IsAsciiControl(c); });
    if (bad_name || bad_value) {
      // Header injection guard. The value is never quoted (it may be a token).
      return InvalidConfigurationError(Describe(request) + ": header \"" +
                                       (bad_name ? std::string("(invalid name)") : name) +
                                       "\" has a control character");
    }
  }
  return OkStatus();
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
Status ExchangeError(HttpExchangeVerdict verdict, const HttpRequest& request,
                     const Received& received, httplib::Error error, bool watchdog_fired,
                     SteadyClock::time_point start) {
  const std::string elapsed_ms = std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start).count());
  const std::string timeout_ms = std::to_string(request.timeout.count());
  switch (verdict) {
    case HttpExchangeVerdict::kOverCap:
      return InvalidResponseError(Describe(request) + ": response body exceeds the " +
                                  std::to_string(request.max_response_bytes) + "-byte limit");
    case HttpExchangeVerdict::kBodyTimeout:
      return DeadlineExceededError(Describe(request) + ": timed out after " + elapsed_ms +
                                   " ms while reading the body (timeout " + timeout_ms + " ms)");
    case HttpExchangeVerdict::kTruncated:
      return InvalidResponseError(
          Describe(request) + ": body truncated (" + std::to_string(received.body.size()) +
          " bytes read" +
          (received.content_length ? " of " + std::to_string(*received.content_length)
                                   : std::string()) +
          ", " + httplib::to_string(error) + (watchdog_fired ? ", timed out" : "") + ")");
    case HttpExchangeVerdict::kTimeout:
      return DeadlineExceededError(Describe(request) + ": timed out after " + elapsed_ms +
                                   " ms (timeout " + timeout_ms + " ms, " +
                                   httplib::to_string(error) + ")");
    case HttpExchangeVerdict::kTlsRefused:
      return UnavailableError(Describe(request) +
                              ": the server's TLS certificate could not be verified "
                              "(SSLServerVerification)");
    case HttpExchangeVerdict::kNoResponse:
      return UnavailableError(Describe(request) + ": no response (" + httplib::to_string(error) +
                              ")");
    case HttpExchangeVerdict::kLengthMismatch:
      return InvalidResponseError(
          Describe(request) + ": body length " + std::to_string(received.body.size()) +
          " does not match Content-Length " + std::to_string(*received.content_length));
    case HttpExchangeVerdict::kResponse:
      break;
  }
  return InternalError(Describe(request) + ": no error for a response");
}

}  // namespace

StatusOr<HttpResponse> HttplibHttpClient::Send(const HttpRequest& request) {
  const SteadyClock::time_point start = SteadyClock::now();
  const SteadyClock::time_point deadline = start + request.timeout;
  CHANTLESS_ASSIGN_OR_RETURN(HttpEndpoint endpoint, ParseHttpEndpoint(request.endpoint));
  CHANTLESS_RETURN_IF_ERROR(ValidateRequestHead(request));
  const std::string key = std::string(endpoint.https ? "https://" : "http://") +
                          (endpoint.ipv6_literal ? "[" + endpoint.host + "]" : endpoint.host) +
                          ":" + std::to_string(endpoint.port);
  Connection* connection = ConnectionFor(key, endpoint);
  std::lock_guard<std::mutex> lock(connection->mu);

  httplib::ClientImpl& client = *connection->client;
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
    return ExchangeError(verdict, request, received, error, watchdog_fired, start);
  }
  HttpResponse response;
  response.status = result->status;
  for (const auto& [name, value] : result->headers) response.headers.emplace_back(name, value);
  response.body = std::move(received.body);
  return response;
}

}  // namespace chantless
