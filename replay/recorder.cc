// The recording reverse proxy (rules in recorder.h), served by the server core shared with the
// replay server (connection_server.h). Includes httplib.h for its upstream client.
#include "replay/recorder.h"

#include <cctype>
#include <cstdio>

#include "httplib.h"
#include "replay/connection_server.h"
#include "resolver/core/ascii.h"

namespace chantless {
namespace replay {
namespace {

// Headers that describe one connection, not the exchange, plus httplib's pseudo-headers.
bool IsHopByHop(std::string_view name) {
  std::string n = AsciiLower(name);
  return n == "connection" || n == "keep-alive" || n == "transfer-encoding" || n == "te" ||
         n == "trailer" || n == "upgrade" || n == "proxy-connection" ||
         n == "proxy-authorization" || n == "host" || n == "content-length" || n == "remote_addr" ||
         n == "remote_port" || n == "local_addr" || n == "local_port";
}

// "http://host:port/any/path" → "http://host:port"; "" when it is not http(s).
std::string UpstreamBase(const std::string& url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return "";
  std::string scheme = AsciiLower(url.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https") return "";
  size_t path = url.find('/', scheme_end + 3);
  std::string base = url.substr(0, path);
  if (base.size() <= scheme_end + 3) return "";
  return base;
}

}  // namespace

struct Recorder::Server {
  explicit Server(const ConnectionServerOptions& options) : http(options) {}
  ConnectionServer http;
};

Recorder::Recorder(RecorderOptions options) : options_(std::move(options)) {}

Recorder::~Recorder() { Stop(); }

Status Recorder::Start() {
  upstream_base_ = UpstreamBase(options_.upstream);
  if (upstream_base_.empty()) {
    return InvalidConfigurationError("--upstream \"" + options_.upstream +
                                     "\": expected http://host[:port] or https://host[:port]");
  }
  ConnectionServerOptions core;
  core.bind = options_.bind_host;
  core.port = options_.port;
  core.max_connections = options_.max_connections;
  core.idle_timeout = options_.idle_timeout;
  server_ = std::make_unique<Server>(core);
  ConnectionServer& http = server_->http;
  http.set_tcp_nodelay(true);
  http.set_payload_max_length(1 << 20);
  auto handler = [this](const httplib::Request& req, httplib::Response& res) { Handle(req, res); };
  // Catch-all routes rather than a pre-routing handler: routes run after the request body is read.
  http.Get(".*", handler);  // also HEAD
  http.Put(".*", handler);
  http.Post(".*", handler);
  http.Delete(".*", handler);
  http.Patch(".*", handler);
  http.Options(".*", handler);
  started_ = std::chrono::steady_clock::now();
  StatusOr<int> port = http.Start();
  if (!port.ok()) {
    server_.reset();
    return UnavailableError("cannot bind " + options_.bind_host + ":" +
                            std::to_string(options_.port));
  }
  port_ = *port;
  return OkStatus();
}

void Recorder::Stop() {
  if (!server_) return;
  server_->http.Stop();
  server_.reset();
}

std::vector<CapturedExchange> Recorder::TakeExchanges() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::move(exchanges_);
}

size_t Recorder::exchange_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return exchanges_.size();
}

void Recorder::Handle(const httplib::Request& req, httplib::Response& res) {
  auto arrived = std::chrono::steady_clock::now();

  CapturedExchange e;
  e.method = req.method;
  e.path = req.target.empty() ? req.path : req.target;
  for (const auto& [name, value] : req.headers) {
    if (!IsHopByHop(name)) e.request_headers.emplace_back(name, value);
  }
  e.request_body = req.body;
  e.started = std::chrono::duration_cast<std::chrono::milliseconds>(arrived - started_);

  httplib::Client client(upstream_base_);
  client.set_follow_location(false);
  client.set_keep_alive(false);
  client.set_decompress(true);
  auto to_timeval = [](std::chrono::milliseconds ms, auto set) {
    set(static_cast<time_t>(ms.count() / 1000), static_cast<time_t>((ms.count() % 1000) * 1000));
  };
  to_timeval(options_.connect_timeout,
             [&](time_t s, time_t us) { client.set_connection_timeout(s, us); });
  to_timeval(options_.upstream_timeout,
             [&](time_t s, time_t us) { client.set_read_timeout(s, us); });
  to_timeval(options_.upstream_timeout,
             [&](time_t s, time_t us) { client.set_write_timeout(s, us); });

  httplib::Request up;
  up.method = e.method;
  up.path = e.path;
  for (const auto& [name, value] : e.request_headers) up.headers.emplace(name, value);
  // httplib adds these when absent; keep the client's own (or none) rather than httplib's.
  if (!up.has_header("Accept")) up.headers.emplace("Accept", "*/*");
  if (!up.has_header("User-Agent")) up.headers.emplace("User-Agent", "chantless-record");
  up.body = e.request_body;

  auto sent = std::chrono::steady_clock::now();
  httplib::Result result = client.send(up);
  auto answered = std::chrono::steady_clock::now();
  e.upstream_elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(answered - sent);

  std::string outcome;
  if (result) {
    e.status = result->status;
    for (const auto& [name, value] : result->headers) {
      // The body is decoded here, so its Content-Encoding no longer applies.
      if (IsHopByHop(name) || EqualsIgnoreCase(name, "content-encoding")) continue;
      e.response_headers.emplace_back(name, value);
    }
    e.response_body = result->body;
    res.status = e.status;
    for (const auto& [name, value] : e.response_headers) res.headers.emplace(name, value);
    res.body = e.response_body;
    outcome = std::to_string(e.status);
  } else {
    httplib::Error error = result.error();
    if (error == httplib::Error::Connection || error == httplib::Error::ConnectionTimeout ||
        error == httplib::Error::BindIPAddress || error == httplib::Error::SSLConnection) {
      e.fault = error == httplib::Error::ConnectionTimeout ? "timeout" : "refused";
    } else if (e.upstream_elapsed >= options_.upstream_timeout - std::chrono::milliseconds(50)) {
      e.fault = "timeout";
    } else {
      e.fault = "reset";
    }
    res.status = e.fault == "timeout" ? 504 : 502;
    res.set_content(
        "chantless record: upstream " + e.fault + " (" + httplib::to_string(error) + ")\n",
        "text/plain");
    outcome = "fault " + e.fault;
  }

  size_t index;
  {
    std::lock_guard<std::mutex> lock(mu_);
    exchanges_.push_back(std::move(e));
    index = exchanges_.size();
  }
  if (options_.log) {
    char line[64];
    std::snprintf(line, sizeof(line), "%3zu ", index);
    options_.log(
        std::string(line) + req.method + " " + req.path + " -> " + outcome + " (" +
        std::to_string(
            std::chrono::duration_cast<std::chrono::milliseconds>(answered - sent).count()) +
        " ms upstream)");
  }
}

}  // namespace replay
}  // namespace chantless
