// DefaultHttpClient: the HttpClient chantless uses for real (SystemWorld). Every exchange — plain
// http:// (IMDS, the container endpoint), https:// (STS, SSO, SSO-OIDC) with its CA bundle, and
// proxied requests — goes to PosixHttpClient (http_client_posix.h: bare sockets, OpenSSL for TLS),
// so the resolver never maps cpp-httplib. It follows http_client.h's contract; thread-safe;
// destroying it closes every kept connection.
#ifndef CHANTLESS_RESOLVER_HTTP_DEFAULT_HTTP_CLIENT_H_
#define CHANTLESS_RESOLVER_HTTP_DEFAULT_HTTP_CLIENT_H_

#include "resolver/http/http_client.h"
#include "resolver/http/http_client_posix.h"

namespace chantless {

class DefaultHttpClient : public HttpClient {
 public:
  StatusOr<HttpResponse> Send(const HttpRequest& request) override;

 private:
  PosixHttpClient client_;
};

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_HTTP_DEFAULT_HTTP_CLIENT_H_
