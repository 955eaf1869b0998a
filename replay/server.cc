// The replay server (see server.h for the rules).
#include "replay/server.h"

#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "nlohmann/json.hpp"
#include "replay/connection_server.h"
#include "resolver/core/ascii.h"

namespace chantless {
namespace replay {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kVerdictPath[] = "/__chantless/verdict";

bool IsLoopback(const std::string& addr) {
  return addr.rfind("127.", 0) == 0 || addr == "::1" || addr.rfind("::ffff:127.", 0) == 0;
}

std::string ContentTypeOf(const HttpHeaders& headers) {
  std::optional<std::string> type = FindHeader(headers, "Content-Type");
  return type ? *type : "text/plain";
}

// A response's head: `headers` with their Content-Type, if any, replaced by `content_type`.
std::string ResponseHead(int status, const HttpHeaders& headers, const std::string& content_type,
                         size_t content_length, bool keep_alive) {
  HttpHeaders sent;
  sent.reserve(headers.size() + 1);
  for (const auto& [name, value] : headers) {
    if (!EqualsIgnoreCase(name, "Content-Type")) sent.emplace_back(name, value);
  }
  sent.emplace_back("Content-Type", content_type);
  return WireResponseHead(status, sent, content_length, keep_alive);
}

}  // namespace

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
  line.resize(std::max<size_t>(line.size() + 1, 15), ' ');
  line += method + " " + target + " -> " + (status ? std::to_string(status) : "no response");
  if (!exchange.empty()) line += " [" + exchange + "]";
  if (!detail.empty()) line += " " + detail;
  return line;
}

namespace {

std::unique_ptr<ConnectionServer> MakeCore(const ServerOptions& options) {
  ConnectionServerOptions core;
  core.bind = options.bind;
  core.port = options.port;
  core.max_connections = options.max_connections;
  core.idle_timeout = options.idle_timeout;
  core.tls_context = options.tls_context;
  return std::make_unique<ConnectionServer>(core);
}

}  // namespace

Server::Server(Engine* engine, ServerOptions options)
    : engine_(engine), options_(std::move(options)), http_(MakeCore(options_)) {}

Server::~Server() { Stop(); }

void Server::Log(const std::string& event, const std::string& method, const std::string& target,
                 const std::string& exchange, int status, const std::string& detail) {
  if (options_.log) {
    options_.log(FormatLogLine(options_.log_json, event, method, target, exchange, status, detail));
  }
}

bool Server::SleepFor(std::chrono::milliseconds d) const {
  auto until = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < until) {
    if (stopping_) return false;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        until - std::chrono::steady_clock::now(), std::chrono::milliseconds(10)));
  }
  return true;
}

StatusOr<int> Server::Start() {
  if (started_) return InternalError("replay server already started");
  http_->set_keep_alive_max_count(1000);
  http_->set_read_timeout(5);
  http_->set_payload_max_length(1 << 20);
  // The core's own HTTP/1.1 reader (no httplib parsing, routing or response writing): each
  // request, body read, comes here whole.
  http_->SetWireHandler([this](const WireRequest& req, bool keep_alive, ConnectionStream& stream) {
    const std::string_view path = std::string_view(req.target).substr(0, req.target.find('?'));
    if (path == kVerdictPath && req.method == "GET") return ServeVerdict(req, keep_alive, stream);
    return Handle(req, keep_alive, stream);
  });
  StatusOr<int> port = http_->Start();
  if (!port.ok()) {
    return UnavailableError(
        "replay server: cannot bind " + options_.bind +
        (options_.port == 0 ? " on any port" : ":" + std::to_string(options_.port)));
  }
  started_ = true;
  port_ = *port;
  return port_;
}

void Server::Stop() {
  stopping_ = true;
  if (!started_) return;
  http_->Stop();
}

int64_t Server::accepted_connections() const { return http_->accepted_connections(); }

bool Server::ServeVerdict(const WireRequest& req, bool keep_alive, ConnectionStream& stream) {
  if (!IsLoopback(req.remote_ip)) {
    Write(stream, 403, {}, "text/plain", "the verdict is served to loopback clients only\n",
          /*head_only=*/false, keep_alive);
    return true;
  }
  Verdict verdict = engine_->GetVerdict();
  Write(stream, 200, {}, "application/json", verdict.ToJson() + "\n", /*head_only=*/false,
        keep_alive);
  return true;
}

void Server::Write(ConnectionStream& stream, int status, const HttpHeaders& headers,
                   const std::string& content_type, std::string_view body, bool head_only,
                   bool keep_alive) {
  std::string response = ResponseHead(status, headers, content_type, body.size(), keep_alive);
  if (!head_only) response += body;
  stream.write(response.data(), response.size());
}

bool Server::Handle(const WireRequest& req, bool keep_alive, ConnectionStream& stream) {
  if (!stream.carried_request) {
    stream.carried_request = true;
    connections_.fetch_add(1);
  }
  requests_.fetch_add(1);

  ReplayRequest request;
  std::optional<std::string> host = FindHeader(req.headers, "Host");
  request.host = host ? *host : stream.sni();
  request.method = req.method;
  request.target = req.target;
  request.body = req.body;
  request.headers = req.headers;

  const bool head_only = req.method == "HEAD";
  Outcome out = engine_->Handle(request);
  const std::string event(OutcomeKindName(out.kind));
  if (out.kind == OutcomeKind::kUnmatched) {
    int status = options_.strict ? 599 : 404;
    Log(event, req.method, req.target, out.miss.nearest_id, status,
        out.miss.diff.empty() ? "" : "(" + out.miss.diff.front() + ")");
    Write(stream, status, {}, "text/plain", out.response.body, head_only, keep_alive);
    return true;
  }
  if (out.kind == OutcomeKind::kTokenRejected) {
    Log(event, req.method, req.target, out.exchange_id, out.response.status, out.reason);
    Write(stream, out.response.status, {}, "text/plain", "", head_only, keep_alive);
    return true;
  }
  if (out.kind == OutcomeKind::kSignatureRejected) {
    // The log line keeps to the first line of the reason (the canonical request follows).
    Log(event, req.method, req.target, out.exchange_id, out.response.status,
        out.reason.substr(0, out.reason.find('\n')));
    Write(stream, out.response.status, {}, "text/xml", out.response.body, head_only, keep_alive);
    return true;
  }
  return Respond(req, out, keep_alive, stream);
}

bool Server::Respond(const WireRequest& req, const Outcome& out, bool keep_alive,
                     ConnectionStream& stream) {
  const std::string event(OutcomeKindName(out.kind));
  const HttpResponse& response = out.response;
  const std::string detail =
      out.fault ? "fault " + std::string(FaultKindName(out.fault->kind)) : "";
  // A delayed response is logged when its delay is over, as the client sees it; the rest when
  // matched.
  const FaultKind kind = out.fault ? out.fault->kind : FaultKind::kDelayBeforeHeaders;
  const bool delayed = out.fault && kind == FaultKind::kDelayBeforeHeaders;
  if (!delayed) Log(event, req.method, req.target, out.exchange_id, response.status, detail);
  if (delayed) {
    if (!SleepFor(out.fault->delay)) return false;
    Log(event, req.method, req.target, out.exchange_id, response.status, detail);
  }
  if (out.fault && kind == FaultKind::kReset) {
    stream.ResetOnClose();  // closed with SO_LINGER 0: RST, no FIN
    return false;
  }
  if (out.fault && kind == FaultKind::kCloseWithoutResponse) {
    shutdown(stream.socket(), SHUT_RDWR);  // FIN now
    stream.Kill();
    return false;
  }
  const std::string content_type = ContentTypeOf(response.headers);
  const bool head_only = req.method == "HEAD";
  if (!out.fault || delayed) {
    Write(stream, response.status, response.headers, content_type, response.body, head_only,
          keep_alive);
    return true;
  }
  // Body faults: the head declares the whole body (or the recorded wrong length), then the body
  // pauses, stops early or is sent whole, and the connection is dropped after all but the pause.
  const Fault& fault = *out.fault;
  const std::string& body = response.body;
  const size_t declared =
      kind == FaultKind::kWrongContentLength ? size_t(fault.content_length) : body.size();
  const bool survives = kind == FaultKind::kDelayMidBody;
  const std::string head = ResponseHead(response.status, response.headers, content_type, declared,
                                        survives && keep_alive);
  stream.write(head.data(), head.size());
  switch (kind) {
    case FaultKind::kDelayMidBody: {
      const size_t first = std::min(body.size(), size_t(fault.after_bytes));
      stream.write(body.data(), first);
      // The first part must reach the client before the pause.
      if (!stream.Flush() || !SleepFor(fault.delay)) return false;
      stream.write(body.data() + first, body.size() - first);
      return true;
    }
    case FaultKind::kTruncatedBody:
      stream.write(body.data(), std::min(body.size(), size_t(fault.after_bytes)));
      return false;
    case FaultKind::kWrongContentLength:
      stream.write(body.data(), body.size());
      return false;
    default:
      return false;
  }
}

}  // namespace replay
}  // namespace chantless
