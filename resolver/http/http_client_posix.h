// PosixHttpClient: an HttpClient (http_client.h) for plain http:// endpoints — IMDS and the
// container endpoint — on bare POSIX sockets, with the fewest system calls an exchange needs.
// DefaultHttpClient routes each request by scheme: http:// without a proxy here, everything else
// (https, a proxy) to HttplibHttpClient.
//
// What PosixHttpClient guarantees, on top of http_client.h's contract (and as HttplibHttpClient
// does, see http_client_httplib.h):
//   - Endpoints are parsed by ParseHttpEndpoint and request heads checked by ValidateRequestHead:
//     the same kInvalidConfiguration errors. An https:// endpoint is kInvalidConfiguration here.
//   - The connection is made blocking, bounded by SO_SNDTIMEO (connect) and SO_RCVTIMEO set to
//     the request's timeout when the socket is made (and again only when a later request on it
//     has a longer timeout); the request leaves in one send(); the response is read through a
//     buffer (status line, headers, Content-Length or chunked body, or a body up to the close).
//     The process's DeadlineWatchdog shuts the socket down shortly after the deadline, and the
//     deadline is checked after every recv(): a peer dribbling bytes cannot stretch an exchange.
//   - One keep-alive connection per endpoint, reused without a liveness check: when a reused
//     connection fails before any byte of the response (the server closed it while idle), an
//     idempotent request (GET, HEAD, PUT, DELETE, OPTIONS — the IMDSv2 token PUT included) is sent
//     once more on a new connection. Before a non-idempotent request (POST) a reused connection
//     is checked first (one non-blocking peek).
//   - Bodies over request.max_response_bytes (a Content-Length above it is refused before any body
//     byte is read) are kInvalidResponse and are never allocated; a body cut short is
//     kInvalidResponse ("truncated"); no response (refused, reset, closed) is kUnavailable; none
//     within the timeout is kDeadlineExceeded; a response that is not HTTP/1.x is
//     kInvalidResponse. Redirects are returned, never followed. No proxy is ever used.
//   - A connection with an error, an unread body or "Connection: close" is never reused.
//   - Error messages name the method, endpoint and path; never a header value or a body.
//   - fork(): create clients after forking (kept-alive connections must not be shared).
#ifndef CHANTLESS_RESOLVER_HTTP_HTTP_CLIENT_POSIX_H_
#define CHANTLESS_RESOLVER_HTTP_HTTP_CLIENT_POSIX_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "resolver/core/status.h"
#include "resolver/http/http_client.h"

namespace chantless {

// Thread-safe: requests to one endpoint are serialised on its one connection; different
// endpoints proceed in parallel. Destroying it closes its connections (no Send() in flight).
class PosixHttpClient : public HttpClient {
 public:
  PosixHttpClient();
  ~PosixHttpClient() override;
  PosixHttpClient(const PosixHttpClient&) = delete;
  PosixHttpClient& operator=(const PosixHttpClient&) = delete;

  StatusOr<HttpResponse> Send(const HttpRequest& request) override;

 private:
  struct Connection;
  Connection* ConnectionFor(const std::string& key);

  std::mutex mu_;  // guards connections_ (the map, not the connections)
  std::map<std::string, std::unique_ptr<Connection>> connections_;
};

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_HTTP_HTTP_CLIENT_POSIX_H_
