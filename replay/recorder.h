// Recorder: the reverse proxy behind `chantless record`. It listens on 127.0.0.1 (port 0 by
// default), forwards every request to one upstream credential endpoint (IMDS at
// http://169.254.169.254, CloudShell's http://localhost:1338, an ECS/EKS agent, or a test server)
// and keeps each exchange in memory as a CapturedExchange, with its arrival time and upstream time.
//
// Rules:
//   - The client's request is forwarded as sent (method, path and query, headers including
//     Authorization and X-aws-ec2-metadata-token, body), minus hop-by-hop headers. No
//     X-Forwarded-For is added: IMDS answers a token PUT carrying one with 403.
//   - Redirects are not followed; the upstream's answer, whatever its status, goes back to the
//     client and is recorded (a non-2xx answer is a response).
//   - Upstream failures are recorded as faults and answered to the client with 502 (refused,
//     reset) or 504 (timeout): "refused" (connect failed), "timeout" (no answer within
//     upstream_timeout), "reset" (closed or reset without a complete response).
//   - Nothing is written to disk here and nothing is logged but method, path, status and timing:
//     captured exchanges hold secrets until the Redactor has rewritten them.
//   - Reverse mode refuses (421, not forwarded, not recorded) a SigV4-signed request whose signed
//     Host is not the upstream's: the signature covers Host, so the real endpoint would refuse it;
//     such traffic is recorded with the forward proxy mode.
//
// Forward proxy mode (`https_proxy`, `chantless record --https-proxy`): the recorder is an HTTP
// proxy for https clients (HTTPS_PROXY). It answers `CONNECT host:port` with
// "200 Connection established", intercepts the tunnel's TLS with a certificate for that host
// (subjectAltName = the CONNECT host) issued by a throwaway CA made at Start() and written to
// `ca_out` (the file the client trusts), and forwards each request read inside the tunnel
// (keep-alive) unchanged, Host header included, to host:port over TLS verified against
// `upstream_ca_bundle` (empty: the system store). Each exchange is recorded with its `host`
// ("sts.us-east-1.amazonaws.com", ":port" when not 443). Requests outside a tunnel (plain http
// through the proxy, or to the proxy itself) are answered 405 and not recorded. The CA's key and
// the leaf keys live only in memory (leaf files are written to a private directory and removed at
// once).
#ifndef CHANTLESS_REPLAY_RECORDER_H_
#define CHANTLESS_REPLAY_RECORDER_H_

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "replay/capture.h"
#include "resolver/core/status.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace chantless {
namespace replay {

struct RecorderOptions {
  // "http://host[:port]" or "https://host[:port]"; a trailing path is ignored (clients send the
  // full path to the proxy).
  std::string upstream;
  std::string bind_host = "127.0.0.1";
  int port = 0;  // 0: any free port
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds upstream_timeout{5000};
  // The server core's connection cap and idle timeout (replay/connection_server.h).
  int max_connections = 4096;
  std::chrono::milliseconds idle_timeout{2000};
  // Forward proxy mode (see above); `upstream` is then unused.
  bool https_proxy = false;
  std::string ca_out;              // PEM of the throwaway CA (required in proxy mode)
  std::string upstream_ca_bundle;  // PEM the real hosts are verified against; "" = system store
  // Test-only address overrides: "host:port" → "ip:port" (the TLS name checked stays `host`).
  std::map<std::string, std::string> connect_to;
  // Called after each exchange with a one-line summary (no header values, no bodies).
  std::function<void(const std::string&)> log;
};

// Thread-safe: requests are served on the threads of the server core shared with the replay server
// (replay/connection_server.h: idle keep-alive connections cost no thread, so a pooled client
// never stalls another); exchanges are appended under a mutex in arrival order. Owns its server;
// the destructor stops it.
class Recorder {
 public:
  explicit Recorder(RecorderOptions options);
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Binds and starts serving. Errors: kInvalidConfiguration for an unusable upstream URL,
  // kUnavailable when the address cannot be bound.
  Status Start();
  int port() const { return port_; }
  // Stops serving (idempotent) and waits for the serving threads.
  void Stop();
  // The exchanges recorded so far, in arrival order (moved out).
  std::vector<CapturedExchange> TakeExchanges();
  size_t exchange_count() const;

 private:
  struct Server;
  struct Tunnels;
  void Handle(const httplib::Request& req, httplib::Response& res);
  void HandleTunnelled(const httplib::Request& req, httplib::Response& res);
  // CONNECT and requests outside a tunnel (proxy mode); true when `res` is the answer.
  bool PreRoute(const httplib::Request& req, httplib::Response& res);
  void Keep(CapturedExchange e, const std::string& what, const std::string& outcome,
            std::chrono::milliseconds upstream);

  RecorderOptions options_;
  std::string upstream_base_;  // scheme://host[:port]
  std::string upstream_host_;  // host[:port] as a client addressing the upstream sends it
  std::unique_ptr<Tunnels> tunnels_;
  std::unique_ptr<Server> server_;
  int port_ = 0;
  std::chrono::steady_clock::time_point started_;
  mutable std::mutex mu_;
  std::vector<CapturedExchange> exchanges_;
};

}  // namespace replay
}  // namespace chantless

#endif  // CHANTLESS_REPLAY_RECORDER_H_
