// The replay server (see server.h for the rules).
#include "replay/server.h"

#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "httplib.h"
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

bool IsPseudoHeader(const std::string& name) {
  return name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" ||
         name == "LOCAL_PORT";
}

std::string ContentTypeOf(const HttpHeaders& headers) {
  std::optional<std::string> type = FindHeader(headers, "Content-Type");
  return type ? *type : "text/plain";
}

// The connection the handler is serving.
ConnectionStream* CurrentConnection() { return ConnectionServer::CurrentConnection(); }

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

// Whatever httplib writes after a connection fault fails, and it drops the connection.
void AnswerNothing(httplib::Response& res) {
  res.status = 500;
  res.set_content_provider(1, "text/plain",
                           [](size_t, size_t, httplib::DataSink&) { return false; });
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
  http_->set_tcp_nodelay(true);
  http_->set_keep_alive_max_count(1000);
  http_->set_read_timeout(5);
  http_->set_payload_max_length(1 << 20);
  // One catch-all route per method rather than a pre-routing handler: httplib runs the
  // pre-routing handler before it reads the request body, and the engine matches bodies (an STS
  // form, an SSO JSON document); unread, a body would also be taken for the next request on the
  // connection. (HEAD goes to the GET route.)
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    if (req.path == kVerdictPath && req.method == "GET") {
      ServeVerdict(req, res);
    } else {
      Handle(req, res);
    }
  };
  const std::string any = ".*";
  http_->Get(any, handler);
  http_->Post(any, handler);
  http_->Put(any, handler);
  http_->Patch(any, handler);
  http_->Delete(any, handler);
  http_->Options(any, handler);
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

void Server::ServeVerdict(const httplib::Request& req, httplib::Response& res) {
  if (!IsLoopback(req.remote_addr)) {
    res.status = 403;
    res.set_content("the verdict is served to loopback clients only\n", "text/plain");
    return;
  }
  Verdict verdict = engine_->GetVerdict();
  res.status = 200;
  res.set_content(verdict.ToJson() + "\n", "application/json");
}

void Server::Handle(const httplib::Request& req, httplib::Response& res) {
  ConnectionStream* connection = CurrentConnection();
  if (connection != nullptr && !connection->carried_request) {
    connection->carried_request = true;
    connections_.fetch_add(1);
  }
  requests_.fetch_add(1);

  ReplayRequest request;
  request.host = req.get_header_value("Host");
  if (request.host.empty() && connection != nullptr) request.host = connection->sni();
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
    return;
  }
  if (out.kind == OutcomeKind::kTokenRejected) {
    Log(event, req.method, req.target, out.exchange_id, out.response.status, out.reason);
    res.status = out.response.status;
    res.set_content("", "text/plain");
    return;
  }
  if (out.kind == OutcomeKind::kSignatureRejected) {
    // The log line keeps to the first line of the reason (the canonical request follows).
    Log(event, req.method, req.target, out.exchange_id, out.response.status,
        out.reason.substr(0, out.reason.find('\n')));
    res.status = out.response.status;
    res.set_content(out.response.body, "text/xml");
    return;
  }
  Respond(req, out, res);
}

void Server::Respond(const httplib::Request& req, const Outcome& out, httplib::Response& res) {
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
    SleepFor(out.fault->delay);
    Log(event, req.method, req.target, out.exchange_id, response.status, detail);
  }
  if (out.fault && (kind == FaultKind::kReset || kind == FaultKind::kCloseWithoutResponse)) {
    // The handler runs on the thread serving the connection: CurrentConnection() is this
    // request's connection.
    if (ConnectionStream* connection = CurrentConnection()) {
      if (kind == FaultKind::kReset) {
        connection->ResetOnClose();  // closed with SO_LINGER 0: RST, no FIN
      } else {
        shutdown(connection->socket(), SHUT_RDWR);  // FIN now
        connection->Kill();
      }
    }
    AnswerNothing(res);
    return;
  }
  res.status = response.status;
  for (const auto& [name, value] : response.headers) {
    if (!EqualsIgnoreCase(name, "Content-Type")) res.set_header(name, value);
  }
  const std::string content_type = ContentTypeOf(response.headers);
  if (!out.fault || delayed) {
    res.set_content(response.body, content_type);
    return;
  }
  SetBodyFault(*out.fault, response.body, content_type, res);
}

// Body faults: a content provider that pauses, stops early or lies about the length, then
// (returning false) makes httplib drop the connection.
void Server::SetBodyFault(const Fault& fault, const std::string& body,
                          const std::string& content_type, httplib::Response& res) {
  size_t declared =
      fault.kind == FaultKind::kWrongContentLength ? size_t(fault.content_length) : body.size();
  res.set_content_provider(
      declared, content_type, [this, fault, body](size_t offset, size_t, httplib::DataSink& sink) {
        if (offset != 0) return false;
        switch (fault.kind) {
          case FaultKind::kDelayMidBody:
            if (!sink.write(body.data(), size_t(fault.after_bytes))) return false;
            // The first part must reach the client before the pause.
            if (CurrentConnection() != nullptr && !CurrentConnection()->Flush()) return false;
            if (!SleepFor(fault.delay)) return false;
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
}

}  // namespace replay
}  // namespace chantless
