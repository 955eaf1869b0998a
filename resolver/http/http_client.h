// HttpClient: the seam for every HTTP exchange chantless makes (IMDS, container endpoints, STS,
// the SSO portal and SSO-OIDC).
//
// The real implementation is DefaultHttpClient (resolver/http/default_http_client.h): every
// exchange on PosixHttpClient (http_client_posix.h: bare sockets, OpenSSL for https and CONNECT
// tunnels). HttplibHttpClient (http_client_httplib.h, cpp-httplib) honours the same contract and
// is kept for tests and tools; both share one deadline watchdog (deadline_watchdog.h). Unit tests
// use FakeHttpClient (resolver/testing/fakes.h); scenario tests, benchmarks and fuzzers use the
// replay engine's in-process transport (replay/transport.h). Only http_client_httplib.cc includes
// httplib.h.
#ifndef CHANTLESS_RESOLVER_HTTP_HTTP_CLIENT_H_
#define CHANTLESS_RESOLVER_HTTP_HTTP_CLIENT_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "resolver/core/status.h"

namespace chantless {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive header lookup; the first match.
std::optional<std::string> FindHeader(const HttpHeaders& headers, std::string_view name);

struct HttpRequest {
  std::string method = "GET";
  // "http://169.254.169.254", "http://[fd00:ec2::254]:80", "https://host:8443" — scheme, host and
  // optional port, no path. One keep-alive connection is kept per endpoint.
  std::string endpoint;
  std::string path = "/";  // path and query, e.g. "/latest/api/token"
  HttpHeaders headers;     // may hold secrets (tokens): never log header values
  std::string body;
  // The whole budget for this exchange: connect, send and receive must all fit in it.
  std::chrono::milliseconds timeout{1000};
  // Bodies larger than this are an error (kInvalidResponse), never an allocation.
  size_t max_response_bytes = 64 * 1024;
  // https only: the PEM file of CA certificates the server is verified against (AWS_CA_BUNDLE,
  // the profile's `ca_bundle`); empty means the system store. Certificates are always verified.
  std::string ca_bundle_path;
  // "http://host:port" of an HTTP proxy the exchange is tunnelled through with CONNECT (https) or
  // sent through (http); empty means a direct connection. Set only for STS, SSO and SSO-OIDC
  // (SelectProxy), never for IMDS or the container endpoint.
  std::string proxy;
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;
};

// Send() returns the response for any HTTP status (a 404 is a response, not an error). Errors:
//   kDeadlineExceeded  no response within request.timeout (connect, headers or body);
//   kUnavailable       connection refused/reset, closed without a response;
//   kInvalidResponse   a malformed response, a truncated body, a body over max_response_bytes;
//   kInvalidConfiguration an endpoint or proxy that cannot be parsed, a CA bundle that cannot be
//                      loaded.
// Messages name the method, endpoint and path, never a header value. Redirects are not followed.
// Implementations are thread-safe.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual StatusOr<HttpResponse> Send(const HttpRequest& request) = 0;
};

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_HTTP_HTTP_CLIENT_H_
