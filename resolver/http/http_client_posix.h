// PosixHttpClient: the HttpClient (http_client.h) chantless resolves with — plain http:// (IMDS,
// the container endpoint) on bare POSIX sockets, and https:// (STS, SSO, SSO-OIDC) on the same
// blocking socket through OpenSSL, with the fewest system calls an exchange needs. It never uses
// cpp-httplib; DefaultHttpClient sends every request here.
//
// What PosixHttpClient guarantees, on top of http_client.h's contract (and as HttplibHttpClient
// does, see http_client_httplib.h):
//   - Endpoints are parsed by ParseHttpEndpoint and request heads checked by ValidateRequestHead
//     (http_endpoint.h): the same kInvalidConfiguration errors.
//   - The connection is made blocking, bounded by SO_SNDTIMEO (connect) and SO_RCVTIMEO set to
//     the time left when the socket is made, and set again only when a call started now could
//     end more than 20 ms after the deadline or before it (a kept connection's next request, a
//     peer dribbling bytes for longer than that); the request leaves in one send(); the response
//     is read through a buffer (status line, headers, Content-Length or chunked body, or a body
//     up to the close), and the deadline is checked after every recv(). On a plain connection
//     every recv() and send() is the client's own, so that bounds the exchange: no thread is
//     started. Inside OpenSSL (the TLS handshake, SSL_read()/SSL_write()) the calls are
//     OpenSSL's, so the process's DeadlineWatchdog (its one thread, started by the first https
//     exchange) shuts the socket down 20 ms after the deadline.
//   - https: TLS 1.2 or later; the peer is always verified — its chain against
//     request.ca_bundle_path when set (that PEM file only), else the system store
//     (SSL_CTX_set_default_verify_paths, which honours SSL_CERT_FILE/SSL_CERT_DIR), and its host
//     name (SNI sent, SSL_set1_host) or IP address (X509_VERIFY_PARAM_set1_ip_asc). A refused
//     certificate is kUnavailable ("TLS certificate could not be verified"); a bundle that does not
//     exist, is not a readable regular file or holds no certificate is kInvalidConfiguration
//     naming the path. One TLS context per CA bundle, made on the first https request that needs
//     it: OpenSSL is initialised only then.
//   - request.proxy (ParseHttpProxy): https is tunnelled with CONNECT host:port on the plain
//     connection to the proxy (any 2xx opens the tunnel; TLS and its verification then run end to
//     end with the target); http is sent to the proxy with the absolute URL as request target.
//     Proxy credentials go in Proxy-Authorization: Basic to the proxy only (on CONNECT for https,
//     never inside the tunnel), never into a message: errors name the proxy as "http://host:port".
//     An unreachable or refusing proxy is kUnavailable naming it ("refused CONNECT … with HTTP
//     403"); a stalled one kDeadlineExceeded.
//   - One keep-alive connection per scheme, endpoint, CA bundle and proxy, reused without a
//     liveness check: when a reused connection fails before any byte of the response (the server
//     closed it while idle), an idempotent request (GET, HEAD, PUT, DELETE, OPTIONS — the IMDSv2
//     token PUT included) is sent once more on a new connection. Before a non-idempotent request
//     (POST) a reused connection is checked first (one non-blocking peek).
//   - Bodies over request.max_response_bytes (a Content-Length above it is refused before any body
//     byte is read) are kInvalidResponse and are never allocated; a body cut short is
//     kInvalidResponse ("truncated"); no response (refused, reset, closed) is kUnavailable; none
//     within the timeout is kDeadlineExceeded; a response that is not HTTP/1.x is
//     kInvalidResponse. Redirects are returned, never followed.
//   - A connection with an error, an unread body or "Connection: close" is never reused.
//   - Error messages name the method, endpoint and path (and the proxy); never a header value or a
//     body.
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
  // The SSL_CTX (as void*: this header names no OpenSSL type) for a CA bundle path.
  StatusOr<void*> TlsContextFor(const std::string& ca_bundle_path, const std::string& what);

  std::mutex mu_;  // guards connections_ and tls_contexts_ (the maps, not the connections)
  std::map<std::string, std::unique_ptr<Connection>> connections_;
  std::map<std::string, void*> tls_contexts_;  // CA bundle path ("" = system store) → SSL_CTX
};

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_HTTP_HTTP_CLIENT_POSIX_H_
