// DefaultHttpClient (see the header).
#include "resolver/http/default_http_client.h"

namespace chantless {

StatusOr<HttpResponse> DefaultHttpClient::Send(const HttpRequest& request) {
  return client_.Send(request);
}

}  // namespace chantless
