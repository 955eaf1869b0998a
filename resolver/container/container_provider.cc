// ContainerProvider: the container credentials endpoint (ECS, EKS Pod Identity, CloudShell).
// The rules are listed in container_provider.h.
#include "resolver/container/container_provider.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <utility>
#include <vector>

#include "resolver/core/ascii.h"
#include "resolver/core/environment.h"
#include "resolver/core/expiry.h"
#include "resolver/http/credentials_json.h"
#include "resolver/http/http_client.h"

namespace chantless {
namespace {

constexpr char kProviderName[] = "container-role";
constexpr char kRelativeUriVar[] = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
constexpr char kFullUriVar[] = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
constexpr char kTokenVar[] = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
constexpr char kTokenFileVar[] = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
constexpr char kAllowedHostsVar[] = "CHANTLESS_CONTAINER_ALLOWED_HOSTS";
constexpr char kEcsEndpoint[] = "http://169.254.170.2";
constexpr size_t kMaxTokenFileBytes = 16 * 1024;

// A URI variable must hold neither a space nor a control character.
bool HasSpaceOrControl(std::string_view s) { return s.find(' ') != s.npos || HasControlChar(s); }

// Strips "[" "]" around an IPv6 literal.
std::string_view Unbracket(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return host.substr(1, host.size() - 2);
  }
  return host;
}

bool ParseIpv4(const std::string& host, unsigned char out[4]) {
  return inet_pton(AF_INET, host.c_str(), out) == 1;
}

bool ParseIpv6(const std::string& host, unsigned char out[16]) {
  return inet_pton(AF_INET6, host.c_str(), out) == 1;
}

bool Ipv6Equals(const unsigned char a[16], const char* literal) {
  unsigned char b[16];
  if (inet_pton(AF_INET6, literal, b) != 1) return false;
  return std::memcmp(a, b, 16) == 0;
}

// True when `host` (lower-case, unbracketed) is allowed for plain http by the built-in rules.
// `why` names the rule that matched.
bool IsBuiltinHttpHost(const std::string& host, std::string* why) {
  if (host == "localhost") {
    *why = "localhost";
    return true;
  }
  unsigned char v4[4];
  if (ParseIpv4(host, v4)) {
    if (v4[0] == 127) {
      *why = "IPv4 loopback 127.0.0.0/8";
      return true;
    }
    if (v4[0] == 169 && v4[1] == 254 && v4[2] == 170 && (v4[3] == 2 || v4[3] == 23)) {
      *why = "ECS/EKS container host";
      return true;
    }
    return false;
  }
  unsigned char v6[16];
  if (ParseIpv6(host, v6)) {
    if (Ipv6Equals(v6, "::1")) {
      *why = "IPv6 loopback ::1";
      return true;
    }
    if (Ipv6Equals(v6, "fd00:ec2::23")) {
      *why = "EKS container host";
      return true;
    }
  }
  return false;
}

bool IsAllowListed(const std::string& host, std::string_view allowed_hosts) {
  while (!allowed_hosts.empty()) {
    size_t comma = allowed_hosts.find(',');
    std::string_view item = StripAsciiWhitespace(allowed_hosts.substr(0, comma), kSpaceAndTab);
    if (!item.empty() && AsciiLower(Unbracket(item)) == host) return true;
    if (comma == std::string_view::npos) break;
    allowed_hosts.remove_prefix(comma + 1);
  }
  return false;
}

bool LooksLikeHtml(const HttpResponse& response) {
  std::optional<std::string> type = FindHeader(response.headers, "Content-Type");
  if (type && ContainsIgnoreCase(*type, "text/html")) return true;
  std::string_view body = StripAsciiWhitespace(response.body, kAsciiWhitespace);
  return !body.empty() && body.front() == '<';
}

void TraceRequest(TraceSink* sink, const HttpRequest& request, int status,
                  std::chrono::microseconds elapsed, std::string message) {
  if (sink == nullptr) return;
  TraceEvent e;
  e.kind = TraceEvent::Kind::kRequest;
  e.provider = kProviderName;
  e.step = "credentials";
  e.method = request.method;
  e.endpoint = request.endpoint;
  e.path = request.path;
  e.status = status;
  e.elapsed = elapsed;
  e.message = std::move(message);
  sink->Record(e);
}

}  // namespace

StatusOr<ContainerEndpoint> ParseContainerFullUri(std::string_view uri, std::string_view variable,
                                                  std::string_view allowed_hosts) {
  const std::string var(variable);
  if (HasSpaceOrControl(uri)) {
    return InvalidConfigurationError(var + " holds a space or control character");
  }
  size_t sep = uri.find("://");
  if (sep == std::string_view::npos) {
    return InvalidConfigurationError(var + " is not an absolute http(s) URI (no \"://\")");
  }
  const std::string scheme = AsciiLower(uri.substr(0, sep));
  if (scheme != "http" && scheme != "https") {
    return InvalidConfigurationError(var + ": scheme \"" + scheme +
                                     "\" is not allowed (only http and https)");
  }
  std::string_view rest = uri.substr(sep + 3);
  size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string path(authority_end == std::string_view::npos ? "" : rest.substr(authority_end));
  if (size_t hash = path.find('#'); hash != std::string::npos) path.resize(hash);
  if (path.empty() || path.front() != '/') path.insert(0, "/");
  if (authority.find('@') != std::string_view::npos) {
    return InvalidConfigurationError(var + ": user information in the URI is not allowed");
  }

  std::string_view host;
  std::string_view port;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return InvalidConfigurationError(var + ": unterminated IPv6 literal in the host");
    }
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return InvalidConfigurationError(var + ": unexpected text after the IPv6 host");
      }
      has_port = true;
      port = after.substr(1);
    }
  } else {
    size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      has_port = true;
      port = authority.substr(colon + 1);
    }
  }
  if (host.empty()) return InvalidConfigurationError(var + ": the URI has no host");
  if (has_port) {
    bool digits =
        !port.empty() && port.size() <= 5 &&
        std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
    int value = digits ? std::stoi(std::string(port)) : 0;
    if (value < 1 || value > 65535) {
      return InvalidConfigurationError(var + ": invalid port in the URI");
    }
  }

  const std::string lower_host = AsciiLower(host);
  if (scheme == "http") {
    std::string why;
    if (!IsBuiltinHttpHost(lower_host, &why) && !IsAllowListed(lower_host, allowed_hosts)) {
      return InvalidConfigurationError(
          var +
          ": plain http is only allowed to loopback (127.0.0.0/8, ::1, localhost), "
          "169.254.170.2, 169.254.170.23, fd00:ec2::23 or a host listed in " +
          kAllowedHostsVar + "; host \"" + std::string(host) +
          "\" is none of these (use https, or add it to " + kAllowedHostsVar + ")");
    }
  }
  ContainerEndpoint out;
  out.endpoint = scheme + "://" + std::string(authority);
  out.path = std::move(path);
  out.source = var;
  return out;
}

Status ValidateAuthorizationToken(std::string_view token, std::string_view source) {
  for (char c : token) {
    if (c == '\r' || c == '\n') {
      return InvalidConfigurationError(std::string(source) +
                                       ": the authorization token holds CR or LF (header "
                                       "injection); refusing to send it");
    }
    if (IsAsciiControl(c) && c != '\t') {
      return InvalidConfigurationError(std::string(source) +
                                       ": the authorization token holds a control character; "
                                       "refusing to send it");
    }
  }
  return OkStatus();
}

ContainerProvider::ContainerProvider(const ProviderContext& ctx)
    : ContainerProvider(ctx, ContainerProviderOptions{}) {}

ContainerProvider::ContainerProvider(const ProviderContext& ctx, ContainerProviderOptions options)
    : ctx_(ctx), options_(options) {
  if (options_.attempts < 1) options_.attempts = 1;
}

StatusOr<ContainerEndpoint> ContainerProvider::FindEndpoint() const {
  std::optional<std::string> relative = GetNonBlank(*ctx_.env, kRelativeUriVar);
  std::optional<std::string> full = GetNonBlank(*ctx_.env, kFullUriVar);
  if (relative) {
    if (full) {
      TraceWarning(ctx_.trace, kProviderName,
                   std::string("both ") + kRelativeUriVar + " and " + kFullUriVar +
                       " are set; using " + kRelativeUriVar +
                       " (as botocore does; the JS and Go SDKs would use the full URI)");
    }
    if (HasSpaceOrControl(*relative)) {
      return InvalidConfigurationError(std::string(kRelativeUriVar) +
                                       " holds a space or control character");
    }
    ContainerEndpoint out;
    out.endpoint = kEcsEndpoint;
    out.path = relative->front() == '/' ? *relative : "/" + *relative;
    out.source = kRelativeUriVar;
    return out;
  }
  if (full) {
    std::string allowed = ctx_.env->Get(kAllowedHostsVar).value_or("");
    return ParseContainerFullUri(*full, kFullUriVar, allowed);
  }
  return NotConfiguredError(std::string("neither ") + kRelativeUriVar + " nor " + kFullUriVar +
                            " is set");
}

StatusOr<std::string> ContainerProvider::AuthorizationToken() const {
  if (std::optional<std::string> path = GetNonBlank(*ctx_.env, kTokenFileVar)) {
    if (ctx_.fs == nullptr) return InternalError("container-role: no filesystem in the context");
    StatusOr<std::string> contents = ctx_.fs->ReadFile(*path, kMaxTokenFileBytes);
    if (!contents.ok()) {
      return InvalidConfigurationError(std::string(kTokenFileVar) + " names \"" + *path +
                                       "\", which cannot be read: " + contents.status().message());
    }
    std::string token = std::move(contents).value();
    if (!token.empty() && token.back() == '\n') {
      token.pop_back();
      if (!token.empty() && token.back() == '\r') token.pop_back();
    }
    if (token.empty()) {
      return InvalidConfigurationError(std::string(kTokenFileVar) + " names \"" + *path +
                                       "\", which is empty");
    }
    CHANTLESS_RETURN_IF_ERROR(
        ValidateAuthorizationToken(token, std::string(kTokenFileVar) + " (" + *path + ")"));
    return token;
  }
  std::optional<std::string> token = ctx_.env->Get(kTokenVar);
  if (!token || token->empty()) return std::string();
  CHANTLESS_RETURN_IF_ERROR(ValidateAuthorizationToken(*token, kTokenVar));
  return std::move(*token);
}

std::string ContainerProvider::Name() const { return kProviderName; }

// Long on purpose: the attempt loop reads top to bottom as the header's request rules (backoff,
// retry on transport failure and 5xx, decode on 2xx, no retry on 4xx).
StatusOr<Credentials> ContainerProvider::Resolve() {
  TraceInfo(ctx_.trace, kProviderName,
            std::string("Looking for credentials via: ") + kProviderName);
  CHANTLESS_ASSIGN_OR_RETURN(ContainerEndpoint where, FindEndpoint());
  // Re-read on every fetch: EKS rotates the token file.
  CHANTLESS_ASSIGN_OR_RETURN(std::string token, AuthorizationToken());

  HttpRequest request;
  request.method = "GET";
  request.endpoint = where.endpoint;
  request.path = where.path;
  request.headers.emplace_back("Accept", "application/json");
  if (!token.empty()) request.headers.emplace_back("Authorization", std::move(token));
  request.timeout = options_.timeout;

  const std::string target = request.endpoint + request.path + " (from " + where.source + ")";
  Status last;
  MonoTime previous_start;
  for (int attempt = 1; attempt <= options_.attempts; ++attempt) {
    if (attempt > 1) {
      // Attempts start at least retry_backoff apart: a refused connection waits the full backoff,
      // a timed-out attempt has already waited longer and retries at once, so a hung endpoint
      // costs attempts × timeout, not more.
      const Duration waited = ctx_.clock->MonotonicNow() - previous_start;
      if (waited < options_.retry_backoff) ctx_.clock->SleepFor(options_.retry_backoff - waited);
    }
    const MonoTime start = ctx_.clock->MonotonicNow();
    previous_start = start;
    StatusOr<HttpResponse> sent = ctx_.http->Send(request);
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::microseconds>(ctx_.clock->MonotonicNow() - start);
    const std::string attempt_text =
        "attempt " + std::to_string(attempt) + "/" + std::to_string(options_.attempts);
    if (!sent.ok()) {
      TraceRequest(ctx_.trace, request, 0, elapsed, attempt_text + ": " + sent.status().message());
      last = sent.status().WithContext("container-role: GET " + target);
      // Refused, reset or timed out: retried.
      if (IsUnavailableOrDeadlineExceeded(sent.status())) continue;
      return last;
    }
    const HttpResponse& response = sent.value();
    TraceRequest(ctx_.trace, request, response.status, elapsed, attempt_text);
    if (response.status >= 200 && response.status < 300) {
      StatusOr<DecodedCredentials> decoded = DecodeContainerCredentials(response.body);
      if (!decoded.ok()) {
        if (LooksLikeHtml(response)) {
          return InvalidResponseError("container-role: GET " + target + " answered " +
                                      std::to_string(response.status) +
                                      " with an HTML page, not credentials JSON");
        }
        return decoded.status().WithContext("container-role: GET " + target + " answered " +
                                            std::to_string(response.status));
      }
      Credentials credentials = decoded->ToCredentials(kProviderName);
      CHANTLESS_RETURN_IF_ERROR(CheckExpiry(credentials.expiration, ctx_.clock->Now(),
                                            "container-role: GET " + target, ctx_.trace,
                                            kProviderName));
      TraceInfo(ctx_.trace, kProviderName, std::string("Found credentials from ") + kProviderName);
      return credentials;
    }
    std::string message =
        "container-role: GET " + target + " answered " + std::to_string(response.status);
    if (LooksLikeHtml(response)) message += " (HTML error page)";
    last = UnavailableError(message);
    if (response.status >= 500) continue;  // 5xx: retried
    return last;                           // 4xx (and 1xx/3xx): not retried
  }
  // The last attempt's code: kUnavailable, or kDeadlineExceeded when it timed out.
  return Status(last.code(),
                last.message() + " after " + std::to_string(options_.attempts) + " attempts");
}

}  // namespace chantless
