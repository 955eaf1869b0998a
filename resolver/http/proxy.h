// SelectProxy: which HTTP proxy, if any, an STS, SSO or SSO-OIDC request goes through, read from
// the environment as botocore reads it (botocore.utils.get_environ_proxies, which is urllib's
// getproxies_environment and proxy_bypass_environment). IMDS and the container endpoint never ask:
// their link-local traffic is always direct.
//
// Variables, by the URL's scheme:
//   https://…  https_proxy, else HTTPS_PROXY;
//   http://…   http_proxy, else HTTP_PROXY (HTTP_PROXY is ignored when REQUEST_METHOD is set: a
//              CGI request can set it through a "Proxy:" header, httpoxy, CVE-2016-1000110).
// The lower-case name wins when both are set, and a set but empty lower-case variable turns the
// proxy off even when the upper-case one is set (urllib reads the environment twice, the second
// pass lower-case only). An empty upper-case variable is ignored. ALL_PROXY is not read (botocore
// looks up the scheme's entry only).
//
// no_proxy, else NO_PROXY (the lower-case one wins, as above), bypasses the proxy when:
//   the whole value is "*";
//   an entry (comma separated, blanks trimmed, leading dots dropped, case-insensitive) equals the
//   URL's host, or its "host:port", or is a dot-separated suffix of either ("example.com" and
//   ".example.com" both match "sts.example.com" and "example.com", never "badexample.com");
//   IP addresses match as text (no CIDR ranges, as in botocore; requests' CIDR support is not
//   botocore's). An IPv6 host is compared with its brackets, "[::1]".
//
// The value is returned as set ("http://user:pass@proxy:3128", "proxy:3128"): the HttpClient
// parses it (ParseHttpProxy, http_endpoint.h) and reports a malformed one. Pure; thread-safe.
#ifndef CHANTLESS_RESOLVER_HTTP_PROXY_H_
#define CHANTLESS_RESOLVER_HTTP_PROXY_H_

#include <string>
#include <string_view>

#include "resolver/core/environment.h"

namespace chantless {

// The proxy for `url` ("https://sts.eu-west-1.amazonaws.com/…"), or "" for a direct connection
// (no proxy variable, the host bypassed by no_proxy, or a URL without an http/https scheme).
std::string SelectProxy(const Environment& env, std::string_view url);

// The environment variable SelectProxy would take the proxy for `url` from ("https_proxy",
// "HTTPS_PROXY", …), or "" when it would return "": for traces ("proxy from HTTPS_PROXY").
std::string SelectProxySource(const Environment& env, std::string_view url);

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_HTTP_PROXY_H_
