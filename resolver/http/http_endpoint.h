// The pure parts every real HttpClient shares: endpoint and proxy URLs, the request-head rule,
// and the CA bundle check. No third-party dependency.
#ifndef CHANTLESS_RESOLVER_HTTP_HTTP_ENDPOINT_H_
#define CHANTLESS_RESOLVER_HTTP_HTTP_ENDPOINT_H_

#include <optional>
#include <string>
#include <string_view>

#include "resolver/core/status.h"
#include "resolver/http/http_client.h"

namespace chantless {

// A parsed endpoint. `host` holds an IPv6 literal without brackets.
struct HttpEndpoint {
  bool https = false;
  std::string host;
  int port = 80;
  bool ipv6_literal = false;
};

// Pure: "http://[fd00:ec2::254]:8080" → {false, "fd00:ec2::254", 8080, true}. A trailing "/" is
// accepted (AWS_EC2_METADATA_SERVICE_ENDPOINT is often written that way); any other path is not.
// Errors: kInvalidConfiguration naming the endpoint and what is wrong with it.
StatusOr<HttpEndpoint> ParseHttpEndpoint(std::string_view endpoint);

// A parsed HttpRequest::proxy: "http://[user[:password]@]host[:port][/]", or the same without
// "http://" (botocore adds it, as requests does). The port defaults to 80; user and password are
// percent-decoded. `display` is "http://host:port", for messages (never the credentials).
struct HttpProxy {
  std::string host;  // an IPv6 literal without brackets
  int port = 80;
  std::string username;
  std::string password;  // a secret: never in a message
  std::string display;
};

// Pure. Errors: kInvalidConfiguration naming the proxy by scheme, host and port only (never the
// user-info): an https:// proxy (TLS to the proxy itself is not supported), another scheme, a
// path, an empty or invalid host, an invalid port.
StatusOr<HttpProxy> ParseHttpProxy(std::string_view proxy);

// The request's proxy (`request.proxy`), parsed; nullopt when it names none. Errors as
// ParseHttpProxy's, prefixed with DescribeRequest(request).
StatusOr<std::optional<HttpProxy>> RequestProxy(const HttpRequest& request);

// The request line and headers may carry nothing that could inject or split a line:
//   path not starting with '/'                           kInvalidConfiguration;
//   path with a space or a control character             kInvalidConfiguration (path not quoted);
//   header name empty, or with a space, ':' or a control  kInvalidConfiguration;
//   header value with a control character (tab allowed)  kInvalidConfiguration (value never
//                                                        quoted: it may be a token);
//   otherwise                                            OK.
Status ValidateRequestHead(const HttpRequest& request);

// Empty when the CA bundle at `path` can be read; otherwise why not ("does not exist", "is not a
// regular file", "cannot be read"). Whether it holds a certificate is the TLS library's to say.
std::string CaBundleProblem(const std::string& path);

// "GET https://host/path": how error messages name an exchange (never a header value).
std::string DescribeRequest(const HttpRequest& request);

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_HTTP_HTTP_ENDPOINT_H_
