// DefaultHttpClient: the HttpClient chantless uses for real (SystemWorld). One dispatch by scheme:
//   - http:// without a proxy (IMDS, the container endpoint): PosixHttpClient, plain HTTP on bare
//     sockets (http_client_posix.h);
//   - everything else (https://, or a proxy): HttplibHttpClient (http_client_httplib.h: TLS, CA
//     bundles, proxies).
// Both follow http_client.h's contract with the same error codes and messages; both share the
// process's DeadlineWatchdog. Thread-safe; destroying it closes every kept connection.
#ifndef CHANTLESS_RESOLVER_HTTP_DEFAULT_HTTP_CLIENT_H_
#define CHANTLESS_RESOLVER_HTTP_DEFAULT_HTTP_CLIENT_H_

#include "resolver/http/http_client.h"
#include "resolver/http/http_client_httplib.h"
#include "resolver/http/http_client_posix.h"

namespace chantless {

class DefaultHttpClient : public HttpClient {
 public:
  StatusOr<HttpResponse> Send(const HttpRequest& request) override;

 private:
  PosixHttpClient plain_;
  HttplibHttpClient httplib_;
};

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_HTTP_DEFAULT_HTTP_CLIENT_H_
