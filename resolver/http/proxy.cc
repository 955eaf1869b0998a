// SelectProxy (proxy.h): urllib's proxy variables and no_proxy rules, as botocore applies them.
#include "resolver/http/proxy.h"

#include <optional>
#include <utility>

#include "resolver/core/ascii.h"

namespace chantless {
namespace {

// The URL's scheme (lower case) and its host[:port] (lower case, user-info dropped, brackets kept
// on an IPv6 literal), or nullopt when it has no "scheme://".
struct UrlHost {
  std::string scheme;
  std::string host;       // "sts.amazonaws.com", "[::1]"
  std::string host_port;  // "sts.amazonaws.com:8443" when the URL names a port, else host
};

std::optional<UrlHost> SplitUrl(std::string_view url) {
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0) return std::nullopt;
  UrlHost out;
  out.scheme = AsciiLower(url.substr(0, sep));
  std::string_view netloc = url.substr(sep + 3);
  netloc = netloc.substr(0, netloc.find_first_of("/?#"));
  const size_t at = netloc.rfind('@');
  if (at != std::string_view::npos) netloc.remove_prefix(at + 1);
  out.host_port = AsciiLower(netloc);
  std::string_view host = netloc;
  if (!host.empty() && host.front() == '[') {
    const size_t close = host.find(']');
    if (close != std::string_view::npos) host = host.substr(0, close + 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  out.host = AsciiLower(host);
  return out;
}

// urllib's two passes for one name: the lower-case variable when set (empty means "none"), else a
// non-empty upper-case one. Returns the value and the variable it came from.
std::optional<std::pair<std::string, std::string>> ReadProxyVariable(const Environment& env,
                                                                     const std::string& lower,
                                                                     const std::string& upper,
                                                                     bool upper_allowed) {
  if (std::optional<std::string> value = env.Get(lower)) {
    if (value->empty()) return std::nullopt;
    return std::make_pair(*value, lower);
  }
  if (!upper_allowed) return std::nullopt;
  std::optional<std::string> value = env.Get(upper);
  if (!value || value->empty()) return std::nullopt;
  return std::make_pair(*value, upper);
}

bool SuffixMatches(const std::string& candidate, const std::string& name) {
  if (candidate == name) return true;
  return candidate.size() > name.size() + 1 &&
         candidate.compare(candidate.size() - name.size(), name.size(), name) == 0 &&
         candidate[candidate.size() - name.size() - 1] == '.';
}

bool Bypassed(const Environment& env, const UrlHost& url) {
  std::optional<std::pair<std::string, std::string>> no_proxy =
      ReadProxyVariable(env, "no_proxy", "NO_PROXY", /*upper_allowed=*/true);
  if (!no_proxy) return false;
  const std::string_view value = StripAsciiWhitespace(no_proxy->first);
  if (value == "*") return true;
  std::string_view rest = value;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    std::string_view entry = StripAsciiWhitespace(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    while (!entry.empty() && entry.front() == '.') entry.remove_prefix(1);
    if (entry.empty()) continue;
    const std::string name = AsciiLower(entry);
    if (SuffixMatches(url.host, name) || SuffixMatches(url.host_port, name)) return true;
  }
  return false;
}

// The chosen variable's value and name, or nullopt for a direct connection.
std::optional<std::pair<std::string, std::string>> Select(const Environment& env,
                                                          std::string_view url) {
  std::optional<UrlHost> parsed = SplitUrl(url);
  if (!parsed || parsed->host.empty()) return std::nullopt;
  std::optional<std::pair<std::string, std::string>> proxy;
  if (parsed->scheme == "https") {
    proxy = ReadProxyVariable(env, "https_proxy", "HTTPS_PROXY", /*upper_allowed=*/true);
  } else if (parsed->scheme == "http") {
    const bool cgi = env.Get("REQUEST_METHOD").has_value();
    proxy = ReadProxyVariable(env, "http_proxy", "HTTP_PROXY", /*upper_allowed=*/!cgi);
  }
  if (!proxy || Bypassed(env, *parsed)) return std::nullopt;
  return proxy;
}

}  // namespace

std::string SelectProxy(const Environment& env, std::string_view url) {
  std::optional<std::pair<std::string, std::string>> selected = Select(env, url);
  return selected ? std::move(selected->first) : std::string();
}

std::string SelectProxySource(const Environment& env, std::string_view url) {
  std::optional<std::pair<std::string, std::string>> selected = Select(env, url);
  return selected ? std::move(selected->second) : std::string();
}

}  // namespace chantless
