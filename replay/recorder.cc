// The recording reverse proxy (rules in recorder.h), served by the server core shared with the
// replay server (connection_server.h). Includes httplib.h for its upstream client.
#include "replay/recorder.h"

#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "httplib.h"
#include "replay/connection_server.h"
#include "replay/tls_setup.h"
#include "resolver/core/ascii.h"
#include "resolver/testing/throwaway_pki.h"

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

// "host:port" → {host, port}; port 443 when absent; {"", 0} when malformed. "[v6]:port" too.
std::pair<std::string, int> SplitHostPort(const std::string& target) {
  std::string host = target;
  std::string port = "443";
  size_t colon = target.rfind(':');
  if (!target.empty() && target[0] == '[') {
    size_t close = target.find(']');
    if (close == std::string::npos) return {"", 0};
    host = target.substr(1, close - 1);
    if (close + 1 < target.size()) {
      if (target[close + 1] != ':') return {"", 0};
      port = target.substr(close + 2);
    }
  } else if (colon != std::string::npos) {
    host = target.substr(0, colon);
    port = target.substr(colon + 1);
  }
  if (host.empty() || port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos) {
    return {"", 0};
  }
  for (char c : host) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == ':')) {
      return {"", 0};
    }
  }
  int n = std::stoi(port);
  if (n <= 0 || n > 65535) return {"", 0};
  return {AsciiLower(host), n};
}

bool IsIpLiteral(const std::string& host) {
  if (host.find(':') != std::string::npos) return true;
  return host.find_first_not_of("0123456789.") == std::string::npos;
}

// "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=a;host;b, …": whether `host` is signed.
bool SignsHost(const std::string& authorization) {
  if (authorization.rfind("AWS4-HMAC-SHA256", 0) != 0) return false;
  size_t at = authorization.find("SignedHeaders=");
  if (at == std::string::npos) return false;
  std::string list = authorization.substr(at + 14);
  list = list.substr(0, list.find_first_of(", "));
  return (";" + AsciiLower(list) + ";").find(";host;") != std::string::npos;
}

template <typename Set>
void SetTimeouts(const RecorderOptions& options, Set&& client) {
  auto split = [](std::chrono::milliseconds ms) {
    return std::make_pair(static_cast<time_t>(ms.count() / 1000),
                          static_cast<time_t>((ms.count() % 1000) * 1000));
  };
  auto c = split(options.connect_timeout);
  auto u = split(options.upstream_timeout);
  client.set_connection_timeout(c.first, c.second);
  client.set_read_timeout(u.first, u.second);
  client.set_write_timeout(u.first, u.second);
}

// Sends `up` with `client`, fills the response (or fault) into `e` and `res`; returns the outcome
// for the log line.
template <typename Client>
std::string SendAndCapture(Client& client, const httplib::Request& up,
                           const RecorderOptions& options, CapturedExchange& e,
                           httplib::Response& res) {
  auto sent = std::chrono::steady_clock::now();
  httplib::Result result = client.send(up);
  e.upstream_elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - sent);
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
    return std::to_string(e.status);
  }
  httplib::Error error = result.error();
  if (error == httplib::Error::Connection || error == httplib::Error::ConnectionTimeout ||
      error == httplib::Error::BindIPAddress || error == httplib::Error::SSLConnection ||
      error == httplib::Error::SSLServerVerification) {
    e.fault = error == httplib::Error::ConnectionTimeout ? "timeout" : "refused";
  } else if (e.upstream_elapsed >= options.upstream_timeout - std::chrono::milliseconds(50)) {
    e.fault = "timeout";
  } else {
    e.fault = "reset";
  }
  res.status = e.fault == "timeout" ? 504 : 502;
  res.set_content(
      "chantless record: upstream " + e.fault + " (" + httplib::to_string(error) + ")\n",
      "text/plain");
  return "fault " + e.fault;
}

}  // namespace

// Proxy mode: the throwaway CA and one server context per CONNECT host, made on first use.
struct Recorder::Tunnels {
  std::unique_ptr<testing::ThrowawayCa> ca;
  std::mutex mu;
  std::map<std::string, std::unique_ptr<ServerTlsContext>> contexts;  // by host

  StatusOr<SSL_CTX*> ContextFor(const std::string& host) {
    std::lock_guard<std::mutex> lock(mu);
    auto it = contexts.find(host);
    if (it != contexts.end()) return it->second->get();
    testing::LeafSpec spec;
    spec.common_name = "chantless record interception";
    if (IsIpLiteral(host)) {
      spec.ip_addresses = {host};
    } else {
      spec.dns_names = {host};
    }
    spec.not_after = std::chrono::hours(24 * 7);
    const char* tmp = std::getenv("TMPDIR");
    std::string dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/chantless-record-XXXXXX";
    if (mkdtemp(dir.data()) == nullptr) {
      return InternalError("TLS: cannot create a private directory under " +
                           dir.substr(0, dir.rfind('/')));
    }
    StatusOr<testing::PemFiles> leaf = ca->Issue(spec, dir, "leaf");
    StatusOr<std::unique_ptr<ServerTlsContext>> context =
        leaf.ok() ? ServerTlsContext::FromFiles(leaf->cert_path, leaf->key_path)
                  : StatusOr<std::unique_ptr<ServerTlsContext>>(leaf.status());
    std::remove((dir + "/leaf.key").c_str());  // the key lives on only in memory
    std::remove((dir + "/leaf.crt").c_str());
    rmdir(dir.c_str());
    if (!context.ok()) return context.status();
    SSL_CTX* raw = (*context)->get();
    contexts.emplace(host, std::move(*context));
    return raw;
  }
};

struct Recorder::Server {
  explicit Server(const ConnectionServerOptions& options) : http(options) {}
  ConnectionServer http;
};

Recorder::Recorder(RecorderOptions options) : options_(std::move(options)) {}

Recorder::~Recorder() { Stop(); }

Status Recorder::Start() {
  if (options_.https_proxy) {
    if (options_.ca_out.empty()) {
      return InvalidConfigurationError("--https-proxy needs --ca-out (the CA file clients trust)");
    }
    StatusOr<std::unique_ptr<testing::ThrowawayCa>> ca =
        testing::ThrowawayCa::Create("chantless record throwaway CA");
    if (!ca.ok()) return ca.status();
    CHANTLESS_RETURN_IF_ERROR((*ca)->WriteCertificate(options_.ca_out));
    tunnels_ = std::make_unique<Tunnels>();
    tunnels_->ca = std::move(*ca);
  } else {
    upstream_base_ = UpstreamBase(options_.upstream);
    if (upstream_base_.empty()) {
      return InvalidConfigurationError("--upstream \"" + options_.upstream +
                                       "\": expected http://host[:port] or https://host[:port]");
    }
    upstream_host_ = AsciiLower(upstream_base_.substr(upstream_base_.find("://") + 3));
    const bool https = upstream_base_.rfind("https", 0) == 0;
    const std::string default_port = https ? ":443" : ":80";
    if (upstream_host_.size() > default_port.size() &&
        upstream_host_.compare(upstream_host_.size() - default_port.size(), default_port.size(),
                               default_port) == 0) {
      upstream_host_.resize(upstream_host_.size() - default_port.size());
    }
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
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    if (options_.https_proxy) {
      HandleTunnelled(req, res);
    } else {
      Handle(req, res);
    }
  };
  if (options_.https_proxy) {
    http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      return PreRoute(req, res) ? httplib::Server::HandlerResponse::Handled
                                : httplib::Server::HandlerResponse::Unhandled;
    });
  }
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

  const std::string authorization = req.get_header_value("Authorization");
  const std::string host = AsciiLower(req.get_header_value("Host"));
  if (SignsHost(authorization) && host != upstream_host_) {
    res.status = 421;
    res.set_content("chantless record: this request is SigV4-signed for Host \"" + host +
                        "\", not the upstream's \"" + upstream_host_ +
                        "\": the signature covers Host, so " + upstream_host_ +
                        " would refuse it. Not forwarded. Record signed traffic with "
                        "`chantless record --https-proxy` (an HTTPS_PROXY for the client) instead "
                        "of a reverse proxy.\n",
                    "text/plain");
    if (options_.log) {
      options_.log(req.method + " " + req.path + " -> refused (signed for Host " + host +
                   ", not the upstream's; use --https-proxy)");
    }
    return;
  }

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
  SetTimeouts(options_, client);

  httplib::Request up;
  up.method = e.method;
  up.path = e.path;
  for (const auto& [name, value] : e.request_headers) up.headers.emplace(name, value);
  // httplib adds these when absent; keep the client's own (or none) rather than httplib's.
  if (!up.has_header("Accept")) up.headers.emplace("Accept", "*/*");
  if (!up.has_header("User-Agent")) up.headers.emplace("User-Agent", "chantless-record");
  up.body = e.request_body;

  std::string outcome = SendAndCapture(client, up, options_, e, res);
  const auto upstream = e.upstream_elapsed;
  Keep(std::move(e), req.method + " " + req.path, outcome, upstream);
}

bool Recorder::PreRoute(const httplib::Request& req, httplib::Response& res) {
  ConnectionStream* stream = ConnectionServer::CurrentConnection();
  if (req.method == "CONNECT") {
    auto [host, port] = SplitHostPort(req.target);
    if (stream == nullptr || !stream->tunnel_host().empty()) {
      res.status = 400;
      res.set_content("chantless record: CONNECT inside a tunnel is not supported\n", "text/plain");
      return true;
    }
    if (host.empty()) {
      res.status = 400;
      res.set_content("chantless record: CONNECT needs host:port\n", "text/plain");
      return true;
    }
    StatusOr<SSL_CTX*> context = tunnels_->ContextFor(host);
    if (!context.ok()) {
      res.status = 502;
      res.set_content("chantless record: " + context.status().message() + "\n", "text/plain");
      return true;
    }
    std::string target = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                         std::to_string(port);
    stream->TunnelTlsAfterThisRequest("HTTP/1.1 200 Connection established\r\n\r\n", *context,
                                      target);
    res.status = 200;
    if (options_.log) options_.log("CONNECT " + target);
    return true;
  }
  if (stream == nullptr || stream->tunnel_host().empty()) {
    res.status = 405;
    res.set_content(
        "chantless record --https-proxy: only CONNECT tunnels to https hosts are recorded; \"" +
            req.method + " " + req.target +
            "\" is not (plain http through the proxy, or a request to the proxy itself). Point "
            "the client's HTTPS_PROXY at this proxy; for IMDS or a container endpoint use "
            "`chantless record --upstream URL`.\n",
        "text/plain");
    return true;
  }
  return false;
}

void Recorder::HandleTunnelled(const httplib::Request& req, httplib::Response& res) {
  auto arrived = std::chrono::steady_clock::now();
  const std::string target = ConnectionServer::CurrentConnection()->tunnel_host();
  auto [host, port] = SplitHostPort(target);

  CapturedExchange e;
  e.host = port == 443 ? target.substr(0, target.rfind(':')) : target;
  e.method = req.method;
  e.path = req.target.empty() ? req.path : req.target;
  for (const auto& [name, value] : req.headers) {
    if (!IsHopByHop(name)) e.request_headers.emplace_back(name, value);
  }
  e.request_body = req.body;
  e.started = std::chrono::duration_cast<std::chrono::milliseconds>(arrived - started_);

  int connect_port = port;
  auto over = options_.connect_to.find(target);
  std::map<std::string, std::string> addresses;
  if (over != options_.connect_to.end()) {
    auto [ip, ip_port] = SplitHostPort(over->second);
    connect_port = ip_port;
    addresses[host] = ip;
  }
  httplib::SSLClient client(host, connect_port);
  if (!addresses.empty()) client.set_hostname_addr_map(addresses);
  if (!options_.upstream_ca_bundle.empty()) client.set_ca_cert_path(options_.upstream_ca_bundle);
  client.enable_server_certificate_verification(true);
  client.set_follow_location(false);
  client.set_keep_alive(false);
  client.set_decompress(true);
  SetTimeouts(options_, client);

  httplib::Request up;
  up.method = e.method;
  up.path = e.path;
  for (const auto& [name, value] : e.request_headers) up.headers.emplace(name, value);
  // Forwarded unchanged: the client's own Host (the signature covers it).
  std::string client_host = req.get_header_value("Host");
  up.headers.emplace("Host", client_host.empty() ? e.host : client_host);
  if (!up.has_header("Accept")) up.headers.emplace("Accept", "*/*");
  if (!up.has_header("User-Agent")) up.headers.emplace("User-Agent", "chantless-record");
  up.body = e.request_body;

  std::string outcome = SendAndCapture(client, up, options_, e, res);
  const auto upstream = e.upstream_elapsed;
  const std::string where = "https://" + e.host + req.path;
  Keep(std::move(e), req.method + " " + where, outcome, upstream);
}

void Recorder::Keep(CapturedExchange e, const std::string& what, const std::string& outcome,
                    std::chrono::milliseconds upstream) {
  size_t index;
  {
    std::lock_guard<std::mutex> lock(mu_);
    exchanges_.push_back(std::move(e));
    index = exchanges_.size();
  }
  if (options_.log) {
    char line[64];
    std::snprintf(line, sizeof(line), "%3zu ", index);
    options_.log(std::string(line) + what + " -> " + outcome + " (" +
                 std::to_string(upstream.count()) + " ms upstream)");
  }
}

}  // namespace replay
}  // namespace chantless
