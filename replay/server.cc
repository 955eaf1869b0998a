// The replay server (see server.h for the rules and for how faults reach the socket).
#include "replay/server.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "httplib.h"
#include "nlohmann/json.hpp"

namespace chantless {
namespace replay {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kVerdictPath[] = "/__chantless/verdict";

int PortOf(const sockaddr_storage& addr) {
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(addr).sin_port);
  if (addr.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6&>(addr).sin6_port);
  }
  return -1;
}

// The descriptor of this process's TCP connection from `remote_port` to `local_port`, or -1.
int FindConnection(int local_port, int remote_port) {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return -1;
  int found = -1;
  while (dirent* entry = readdir(dir)) {
    char* end = nullptr;
    long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == dirfd(dir)) continue;
    sockaddr_storage local{}, peer{};
    socklen_t local_len = sizeof local, peer_len = sizeof peer;
    if (getsockname(int(fd), reinterpret_cast<sockaddr*>(&local), &local_len) != 0) continue;
    if (getpeername(int(fd), reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) continue;
    if (PortOf(local) == local_port && PortOf(peer) == remote_port) {
      found = int(fd);
      break;
    }
  }
  closedir(dir);
  return found;
}

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

// The connection the current worker thread is serving, set by Server::CountingTaskQueue around
// each connection's task: whether it has carried a counted request yet.
struct ConnectionState {
  bool carried_request = false;
};
thread_local ConnectionState* current_connection = nullptr;

}  // namespace

// httplib's default task queue (a ThreadPool of CPPHTTPLIB_THREAD_POOL_COUNT threads), counting
// accepted connections. In cpp-httplib 0.11.4 Server::listen_internal() calls enqueue() exactly
// once per socket accept() returned, with a task that serves every request of that connection on
// one worker thread and then closes it (checked in libcpp-httplib.so.0.11.4: the only call of
// TaskQueue::enqueue follows accept and the two setsockopt timeouts). The wrapper marks the
// connection for the pre-routing handler through `current_connection`.
class Server::CountingTaskQueue : public httplib::TaskQueue {
 public:
  explicit CountingTaskQueue(Server* server)
      : server_(server), pool_(CPPHTTPLIB_THREAD_POOL_COUNT) {}

  void enqueue(std::function<void()> fn) override {
    server_->accepted_connections_.fetch_add(1);
    pool_.enqueue([fn = std::move(fn)] {
      ConnectionState state;
      current_connection = &state;
      fn();
      current_connection = nullptr;
    });
  }
  void shutdown() override { pool_.shutdown(); }
  void on_idle() override { pool_.on_idle(); }

 private:
  Server* server_;
  httplib::ThreadPool pool_;
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
    : engine_(engine), options_(std::move(options)), http_(std::make_unique<httplib::Server>()) {}

Server::~Server() { Stop(); }

void Server::Log(const std::string& event, const std::string& method, const std::string& target,
                 const std::string& exchange, int status, const std::string& detail) {
  if (options_.log) {
    options_.log(FormatLogLine(options_.log_json, event, method, target, exchange, status, detail));
  }
}

StatusOr<int> Server::Start() {
  if (thread_.joinable()) return InternalError("replay server already started");
  // A client that hangs up mid-response must not kill the process.
  signal(SIGPIPE, SIG_IGN);
  http_->set_tcp_nodelay(true);
  http_->set_keep_alive_timeout(2);
  http_->set_keep_alive_max_count(1000);
  http_->set_read_timeout(5);
  http_->set_payload_max_length(1 << 20);
  http_->new_task_queue = [this] { return new CountingTaskQueue(this); };

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
    Log(event, req.method, req.target, out.exchange_id, response.status, detail);
    if (out.fault) {
      const Fault fault = *out.fault;
      switch (fault.kind) {
        case FaultKind::kDelayBeforeHeaders:
          sleep_for(fault.delay);
          break;
        case FaultKind::kReset:
        case FaultKind::kCloseWithoutResponse: {
          int fd = FindConnection(req.local_port, req.remote_port);
          if (fd >= 0) {
            if (fault.kind == FaultKind::kReset) {
              linger lg{1, 0};
              setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
              int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
              if (null_fd >= 0) {
                dup2(null_fd, fd);  // closes the socket (RST); httplib later closes /dev/null
                close(null_fd);
              } else {
                shutdown(fd, SHUT_RDWR);
              }
            } else {
              shutdown(fd, SHUT_RDWR);
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
  thread_ = std::thread([this] { http_->listen_after_bind(); });
  // listen_after_bind has no readiness signal in httplib 0.11.4: the socket is already listening
  // (connections queue in the backlog), so waiting for is_running() only bounds Stop()'s race.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!http_->is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return port_;
}

void Server::Stop() {
  stopping_ = true;
  if (thread_.joinable()) {
    http_->stop();
    thread_.join();
  }
}

}  // namespace replay
}  // namespace chantless
