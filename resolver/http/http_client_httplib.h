// HttplibHttpClient: the real HttpClient (http_client.h), on Debian's cpp-httplib 0.11.4.
//
// This is the only resolver file that includes httplib.h (the .cc does; this header does not, so
// users need not compile with httplib's feature defines). What it guarantees, on top of
// http_client.h's contract:
//   - Endpoints are "http://host[:port]" or "https://host[:port]"; host may be a name, an IPv4
//     address or a bracketed IPv6 literal ("http://[fd00:ec2::254]"). Anything else, including a
//     path, user-info or an empty host, is kInvalidConfiguration.
//   - The whole exchange fits in request.timeout: connect, write and read timeouts are set from the
//     time left before a deadline taken when Send() starts, the body receiver aborts once the
//     deadline has passed, and a watchdog thread shuts the socket down 20 ms after the deadline
//     (cpp-httplib's timeouts are per recv(): without it, a server dribbling one byte just inside
//     each timeout could stretch an exchange without limit). There is one watchdog thread per
//     process (DeadlineWatchdog), shared by every client and started by the first Send():
//     constructing a client starts no thread, so a cold resolution with a new client pays no thread
//     creation. A fork()ed child starts its own on its first Send() (the parent's thread does not
//     exist there).
//   - fork(): create clients after forking. A child must not use a client its parent created: the
//     kept-alive connections would be shared by two processes.
//   - Bodies are streamed through a receiver that aborts past request.max_response_bytes (and a
//     Content-Length above it is refused before any body byte is read): a 100 MB body is never
//     allocated. Both are kInvalidResponse.
//   - A body shorter than its Content-Length (connection closed or stalled mid-body) is
//     kInvalidResponse; no response at all (refused, reset) is kUnavailable; none within the
//     timeout is kDeadlineExceeded.
//   - A path with a space or control character, or a header name or value with a control character
//     (CR/LF: header injection), is kInvalidConfiguration; the value is never quoted.
//   - Redirects are never followed: a 302 is returned as a response.
//   - https endpoints are always verified (the certificate chain and the host name): against
//     request.ca_bundle_path when it is set (that PEM file only, not the system store), else
//     against the system trust store (cpp-httplib's default). A verification failure is
//     kUnavailable saying so. A bundle that does not exist, is not a readable regular file or holds
//     no usable certificate is kInvalidConfiguration naming the path (callers add where the path
//     came from: AWS_CA_BUNDLE or the profile's `ca_bundle`).
//   - request.proxy (ParseHttpProxy below) is used only when a caller sets it: for STS, SSO and
//     SSO-OIDC, from SelectProxy (proxy.h). IMDS and the container provider never set it, and
//     cpp-httplib reads no proxy environment variable, so HTTP(S)_PROXY cannot divert link-local
//     credential traffic. An https exchange is tunnelled with CONNECT host:port (TLS and its
//     verification then run end to end with the target, through the tunnel); an http exchange is
//     sent to the proxy with the absolute URL as its request target. Proxy credentials
//     ("http://user:pass@proxy:3128") are sent as Proxy-Authorization: Basic, never shown: errors
//     name the proxy as "http://host:port" and the target. An unreachable proxy is kUnavailable;
//     a proxy that refuses the tunnel (any answer but 200 to CONNECT) is kUnavailable (cpp-httplib
//     0.11.4 does not report the proxy's status, so the message says the proxy refused or closed
//     the tunnel). The deadline and the watchdog cover the proxy's part as well.
//   - One keep-alive connection per endpoint, CA bundle and proxy, reused across calls: requests
//     that differ in any of the three never share a connection.
//   - Error messages name the method, endpoint and path; never a header value or a body.
//   - Nothing is traced here: callers (ImdsClient, the container provider) trace their requests.
#ifndef CHANTLESS_RESOLVER_HTTP_HTTP_CLIENT_HTTPLIB_H_
#define CHANTLESS_RESOLVER_HTTP_HTTP_CLIENT_HTTPLIB_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "resolver/core/status.h"
#include "resolver/http/http_client.h"
#include "resolver/http/http_endpoint.h"

namespace chantless {

// What one exchange's receivers and cpp-httplib reported.
struct HttpExchangeOutcome {
  bool answered = false;            // httplib returned a response
  bool got_headers = false;         // the response handler ran
  bool over_cap = false;            // Content-Length or the body passed max_response_bytes
  bool body_past_deadline = false;  // the deadline passed while the body was arriving
  bool timed_out = false;           // watchdog fired, deadline (nearly) reached, or connect timeout
  bool tls_refused = false;         // the server's certificate could not be verified
  bool length_mismatch = false;     // a body-bearing response's body differs from Content-Length
};

// What Send() returns for an exchange, first matching row wins:
//   over_cap                          kOverCap         kInvalidResponse (connection dropped);
//   body_past_deadline                kBodyTimeout     kDeadlineExceeded (connection dropped);
//   not answered, headers seen        kTruncated       kInvalidResponse;
//   not answered, timed_out           kTimeout         kDeadlineExceeded;
//   not answered, tls_refused         kTlsRefused      kUnavailable;
//   not answered                      kNoResponse      kUnavailable (refused, reset, closed);
//   answered, length_mismatch         kLengthMismatch  kInvalidResponse (connection dropped);
//   answered                          kResponse        the response, whatever its status.
enum class HttpExchangeVerdict {
  kResponse,
  kOverCap,
  kBodyTimeout,
  kTruncated,
  kTimeout,
  kTlsRefused,
  kNoResponse,
  kLengthMismatch
};
HttpExchangeVerdict ClassifyExchange(const HttpExchangeOutcome& outcome);

// Thread-safe: Send() may be called from several threads. Requests to the same endpoint are
// serialised on that endpoint's one connection; different endpoints proceed in parallel. Owns its
// connections; destroying it closes them (no Send() may be in flight).
class HttplibHttpClient : public HttpClient {
 public:
  HttplibHttpClient();
  ~HttplibHttpClient() override;
  HttplibHttpClient(const HttplibHttpClient&) = delete;
  HttplibHttpClient& operator=(const HttplibHttpClient&) = delete;

  StatusOr<HttpResponse> Send(const HttpRequest& request) override;

 private:
  struct Connection;  // one httplib client and the mutex guarding it
  Connection* ConnectionFor(const std::string& key, const HttpEndpoint& endpoint,
                            const std::string& ca_bundle_path, const HttpProxy* proxy);

  std::mutex mu_;  // guards connections_ (the map, not the connections)
  std::map<std::string, std::unique_ptr<Connection>> connections_;
};

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_HTTP_HTTP_CLIENT_HTTPLIB_H_
