// DefaultHttpClient (see the header).
#include "resolver/http/default_http_client.h"

#include "resolver/core/ascii.h"

namespace chantless {

StatusOr<HttpResponse> DefaultHttpClient::Send(const HttpRequest& request) {
  if (request.proxy.empty() && StartsWithIgnoreCase(request.endpoint, "http://")) {
    return plain_.Send(request);
  }
  return httplib_.Send(request);
}

}  // namespace chantless
