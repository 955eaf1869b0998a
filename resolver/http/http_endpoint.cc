// Endpoint and proxy parsing, the request-head rule, the CA bundle check (see http_endpoint.h).
#include "resolver/http/http_endpoint.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "resolver/core/ascii.h"

namespace chantless {
namespace {

bool IsHostNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

bool IsIpv6Char(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
}

std::string Describe(const HttpRequest& request) { return DescribeRequest(request); }

}  // namespace

std::string DescribeRequest(const HttpRequest& request) {
  return request.method + " " + request.endpoint + request.path;
}

// Opening it (not only stat()) catches permissions; the TLS library then parses it and reports one
// without certificates.
std::string CaBundleProblem(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return "does not exist";
  if (!S_ISREG(st.st_mode)) return "is not a regular file";
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return "cannot be read";
  std::fclose(file);
  return "";
}

StatusOr<HttpProxy> ParseHttpProxy(std::string_view proxy) {
  std::string_view rest = proxy;
  std::string_view scheme = "http://";
  if (StartsWithIgnoreCase(rest, "http://")) {
    rest.remove_prefix(7);
  } else if (StartsWithIgnoreCase(rest, "//")) {
    rest.remove_prefix(2);
  } else if (rest.find("://") != std::string_view::npos) {
    scheme = rest.substr(0, rest.find("://") + 3);
    rest.remove_prefix(scheme.size());
  }
  // User-info ends at the last '@' before the first '/' (a password may hold '@' only encoded,
  // but be lenient as urllib is).
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  const std::string_view after_authority = rest.substr(authority.size());
  std::string_view userinfo;
  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    userinfo = authority.substr(0, at);
    authority.remove_prefix(at + 1);
  }
  // Shown in messages: scheme, host and port only; never the user-info.
  const std::string shown = std::string(scheme) + std::string(authority.substr(0, 120));
  if (!EqualsIgnoreCase(scheme, "http://")) {
    return InvalidConfigurationError(
        "proxy \"" + shown + "\": only http:// proxies are supported (CONNECT is used for https)");
  }
  if (!after_authority.empty() && after_authority != "/") {
    return InvalidConfigurationError("proxy \"" + shown +
                                     "\" must be scheme, host and port only (no path)");
  }
  StatusOr<HttpEndpoint> endpoint = ParseHttpEndpoint("http://" + std::string(authority));
  if (!endpoint.ok()) {
    return InvalidConfigurationError("proxy \"" + shown +
                                     "\" is invalid: " + endpoint.status().message());
  }
  HttpProxy out;
  out.host = endpoint->host;
  out.port = endpoint->port;
  out.display = "http://" + (endpoint->ipv6_literal ? "[" + out.host + "]" : out.host) + ":" +
                std::to_string(out.port);
  if (at != std::string_view::npos) {
    const size_t colon = userinfo.find(':');
    out.username = PercentDecode(userinfo.substr(0, colon));
    if (colon != std::string_view::npos) out.password = PercentDecode(userinfo.substr(colon + 1));
  }
  return out;
}

// Long on purpose: one pass over the endpoint (scheme, host or [IPv6], port, optional "/").
StatusOr<HttpEndpoint> ParseHttpEndpoint(std::string_view endpoint) {
  auto bad = [&](std::string_view why) {
    // The endpoint comes from configuration, not from a secret; cap its length in the message.
    std::string shown(endpoint.substr(0, 120));
    return InvalidConfigurationError("endpoint \"" + shown + "\" " + std::string(why));
  };
  HttpEndpoint out;
  std::string_view rest = endpoint;
  if (StartsWithIgnoreCase(rest, "http://")) {
    rest.remove_prefix(7);
    out.port = 80;
  } else if (StartsWithIgnoreCase(rest, "https://")) {
    rest.remove_prefix(8);
    out.https = true;
    out.port = 443;
  } else {
    return bad("must start with http:// or https://");
  }
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty()) return bad("has no host");
  if (rest.find_first_of("/?#@") != std::string_view::npos) {
    return bad("must be scheme, host and port only (no path, query or user-info)");
  }
  std::string_view port_text;
  if (rest.front() == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return bad("has an unclosed '[' in its IPv6 host");
    std::string_view host = rest.substr(1, close - 1);
    if (host.empty() || host.find(':') == std::string_view::npos ||
        !std::all_of(host.begin(), host.end(), IsIpv6Char)) {
      return bad("has an invalid IPv6 literal");
    }
    out.host = std::string(host);
    out.ipv6_literal = true;
    rest.remove_prefix(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return bad("has characters after its IPv6 host");
      port_text = rest.substr(1);
      if (port_text.empty()) return bad("has an empty port");
    }
  } else {
    size_t colon = rest.find(':');
    std::string_view host = rest.substr(0, colon);
    if (host.empty() || !std::all_of(host.begin(), host.end(), IsHostNameChar)) {
      return bad("has an invalid host (IPv6 literals must be in brackets)");
    }
    out.host = std::string(host);
    if (colon != std::string_view::npos) {
      port_text = rest.substr(colon + 1);
      if (port_text.empty()) return bad("has an empty port");
    }
  }
  if (!port_text.empty()) {
    if (port_text.size() > 5 || !std::all_of(port_text.begin(), port_text.end(),
                                             [](char c) { return c >= '0' && c <= '9'; })) {
      return bad("has an invalid port");
    }
    int port = std::stoi(std::string(port_text));  // ≤ 5 digits: cannot throw
    if (port < 1 || port > 65535) return bad("has a port out of range");
    out.port = port;
  }
  return out;
}

Status ValidateRequestHead(const HttpRequest& request) {
  if (request.path.empty() || request.path.front() != '/') {
    return InvalidConfigurationError(Describe(request) + ": the path must start with '/'");
  }
  auto is_ctl_or_space = [](char c) { return c == ' ' || IsAsciiControl(c); };
  if (std::any_of(request.path.begin(), request.path.end(), is_ctl_or_space)) {
    // Not Describe(): the path itself is what is malformed.
    return InvalidConfigurationError(request.method + " " + request.endpoint +
                                     ": the path holds a space or control character");
  }
  for (const auto& [name, value] : request.headers) {
    const bool bad_name = name.empty() || std::any_of(name.begin(), name.end(), [&](char c) {
                            return is_ctl_or_space(c) || c == ':';
                          });
    const bool bad_value = std::any_of(value.begin(), value.end(),
                                       [](char c) { return c != '\t' && IsAsciiControl(c); });
    if (bad_name || bad_value) {
      // Header injection guard. The value is never quoted (it may be a token).
      return InvalidConfigurationError(Describe(request) + ": header \"" +
                                       (bad_name ? std::string("(invalid name)") : name) +
                                       "\" has a control character");
    }
  }
  return OkStatus();
}

StatusOr<std::optional<HttpProxy>> RequestProxy(const HttpRequest& request) {
  if (request.proxy.empty()) return std::optional<HttpProxy>();
  StatusOr<HttpProxy> parsed = ParseHttpProxy(request.proxy);
  if (!parsed.ok()) {
    return InvalidConfigurationError(DescribeRequest(request) + ": " + parsed.status().message());
  }
  return std::optional<HttpProxy>(std::move(parsed).value());
}

}  // namespace chantless
