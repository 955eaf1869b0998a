// ImdsClient: options, token cache, v1 fallback, throttling and retries (rules in imds_client.h).
#include "resolver/imds/imds_client.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <utility>

#include "resolver/core/ascii.h"

namespace chantless {
namespace {

using std::chrono::milliseconds;

struct Setting {
  std::string value;
  std::string source;  // "AWS_METADATA_SERVICE_TIMEOUT" or "metadata_service_timeout (file:line)"
};

// Configuration values are not secrets, but they may be long: quote at most 40 characters.
std::string Quote(std::string_view value) {
  std::string out = "\"" + std::string(value.substr(0, 40));
  if (value.size() > 40) out += "…";
  return out + "\"";
}

// The environment variable wins over the profile's config key. Blank values count as unset.
std::optional<Setting> Lookup(const ProviderContext& ctx, std::string_view var,
                              std::string_view key) {
  if (ctx.env != nullptr) {
    if (std::optional<std::string> v = GetNonBlank(*ctx.env, var)) {
      return Setting{*v, std::string(var)};
    }
  }
  if (ctx.settings != nullptr) {
    if (std::optional<std::string> v = ctx.settings->Get(key)) {
      std::string trimmed(StripAsciiWhitespace(*v, kBlanksAndLineBreaks));
      if (!trimmed.empty()) {
        std::string where = ctx.settings->Where(key);
        return Setting{trimmed, std::string(key) + (where.empty() ? "" : " (" + where + ")")};
      }
    }
  }
  return std::nullopt;
}

StatusOr<bool> ParseBool(const Setting& s) {
  const std::string v = AsciiLower(s.value);
  if (v == "true") return true;
  if (v == "false") return false;
  return InvalidConfigurationError(s.source + ": " + Quote(s.value) +
                                   " is not a boolean (expected true or false)");
}

// A usable token is 1–1024 visible ASCII characters: anything else could inject a header.
bool IsUsableToken(std::string_view token) {
  return !token.empty() && token.size() <= 1024 &&
         std::all_of(token.begin(), token.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

// "21600" → 21600 s; nullopt unless 1–21600 digits-only.
std::optional<std::chrono::seconds> ParseTtl(const std::optional<std::string>& text) {
  if (!text || text->empty() || text->size() > 5 ||
      !std::all_of(text->begin(), text->end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  int v = std::atoi(text->c_str());
  if (v < 1 || v > 21600) return std::nullopt;
  return std::chrono::seconds(v);
}

}  // namespace

// Long on purpose: one block per option, in the header's order, each with its own check.
StatusOr<ImdsOptions> LoadImdsOptions(const ProviderContext& ctx) {
  ImdsOptions o;
  if (ctx.env != nullptr) {
    if (std::optional<std::string> v = GetNonBlank(*ctx.env, "AWS_EC2_METADATA_DISABLED")) {
      CHANTLESS_ASSIGN_OR_RETURN(o.disabled, ParseBool(Setting{*v, "AWS_EC2_METADATA_DISABLED"}));
      if (o.disabled) {
        o.disabled_source = "AWS_EC2_METADATA_DISABLED";
        return o;  // nothing else matters: no request will be made
      }
    }
  }
  if (auto endpoint =
          Lookup(ctx, "AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint")) {
    std::string e = endpoint->value;
    const std::string lower = AsciiLower(e);
    if (lower.rfind("http://", 0) != 0 && lower.rfind("https://", 0) != 0) {
      return InvalidConfigurationError(endpoint->source + ": " + Quote(e) +
                                       " must start with http:// or https://");
    }
    if (!e.empty() && e.back() == '/') e.pop_back();
    o.endpoint = e;
    o.endpoint_source = endpoint->source;
  } else if (auto mode = Lookup(ctx, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
                                "ec2_metadata_service_endpoint_mode")) {
    const std::string m = AsciiLower(mode->value);
    if (m == "ipv4") {
      o.endpoint = kImdsDefaultIpv4Endpoint;
    } else if (m == "ipv6") {
      o.endpoint = kImdsDefaultIpv6Endpoint;
    } else {
      return InvalidConfigurationError(mode->source + ": " + Quote(mode->value) +
                                       " is not an endpoint mode (expected IPv4 or IPv6)");
    }
    o.endpoint_source = mode->source;
  }
  if (auto v1 = Lookup(ctx, "AWS_EC2_METADATA_V1_DISABLED", "ec2_metadata_v1_disabled")) {
    CHANTLESS_ASSIGN_OR_RETURN(o.v1_disabled, ParseBool(*v1));
    o.v1_disabled_source = v1->source;
  }
  if (auto t = Lookup(ctx, "AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout")) {
    const std::string& v = t->value;
    const bool shape_ok = !v.empty() && v.size() <= 12 &&
                          std::all_of(v.begin(), v.end(),
                                      [](char c) { return (c >= '0' && c <= '9') || c == '.'; }) &&
                          std::count(v.begin(), v.end(), '.') <= 1 && v != ".";
    const double seconds = shape_ok ? std::strtod(v.c_str(), nullptr) : 0;
    if (!shape_ok || seconds <= 0 || seconds > 3600) {
      return InvalidConfigurationError(t->source + ": " + Quote(v) +
                                       " is not a timeout in seconds (a number > 0 and <= 3600)");
    }
    o.timeout = milliseconds(std::max<int64_t>(1, static_cast<int64_t>(seconds * 1000 + 0.5)));
  }
  if (auto n = Lookup(ctx, "AWS_METADATA_SERVICE_NUM_ATTEMPTS", "metadata_service_num_attempts")) {
    const std::string& v = n->value;
    const bool digits = !v.empty() && v.size() <= 2 && std::all_of(v.begin(), v.end(), [](char c) {
      return c >= '0' && c <= '9';
    });
    const int attempts = digits ? std::atoi(v.c_str()) : 0;
    if (attempts < 1 || attempts > 10) {
      return InvalidConfigurationError(n->source + ": " + Quote(v) +
                                       " is not a number of attempts (an integer from 1 to 10)");
    }
    o.num_attempts = attempts;
  }
  return o;
}

ImdsClient::ImdsClient(const ProviderContext& ctx, std::string trace_provider)
    : ctx_(ctx), options_(LoadImdsOptions(ctx)), trace_provider_(std::move(trace_provider)) {}

ImdsClient::ImdsClient(const ProviderContext& ctx, ImdsOptions options, std::string trace_provider)
    : ctx_(ctx), options_(std::move(options)), trace_provider_(std::move(trace_provider)) {}

std::string ImdsClient::endpoint() const { return options_.ok() ? options_->endpoint : ""; }

milliseconds ImdsClient::NextTimeout(Duration spent) const {
  // A call's exchanges share timeout × attempts; a request never gets more than `timeout`, and
  // never less than a twentieth of it (the v1 probe after a timed-out token PUT: enough for an
  // IMDS that answers in milliseconds, and the whole call stays within timeout × attempts + 5 %).
  const milliseconds timeout = options_->timeout;
  const Duration budget = timeout * options_->num_attempts;
  const Duration floor = std::max<Duration>(timeout / 20, milliseconds(1));
  const Duration left = std::max(budget - spent, floor);
  return std::chrono::duration_cast<milliseconds>(std::min<Duration>(left, timeout));
}

milliseconds ImdsClient::Backoff(int retry) const {
  // 100 ms, 200 ms, 400 ms, … capped at 1 s. Deterministic: one client, one endpoint, no herd.
  int64_t ms = 100LL << std::min(retry - 1, 4);
  return milliseconds(std::min<int64_t>(ms, 1000));
}

milliseconds ImdsClient::RetryAfterOrBackoff(const HttpResponse& response, int retry) const {
  std::optional<std::string> ra = FindHeader(response.headers, "Retry-After");
  if (ra) {
    std::string v(StripAsciiWhitespace(*ra, kBlanksAndLineBreaks));
    if (!v.empty() && v.size() <= 9 &&
        std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::min<milliseconds>(milliseconds(std::atoll(v.c_str()) * 1000), kImdsMaxRetryAfter);
    }
  }
  return Backoff(retry);
}

StatusOr<HttpResponse> ImdsClient::SendTraced(const HttpRequest& request, std::string_view step,
                                              Duration* spent) {
  const MonoTime start = ctx_.clock->MonotonicNow();
  StatusOr<HttpResponse> res = ctx_.http->Send(request);
  *spent += ctx_.clock->MonotonicNow() - start;
  if (ctx_.trace != nullptr) {
    TraceEvent e;
    e.kind = TraceEvent::Kind::kRequest;
    e.provider = trace_provider_;
    e.step = std::string(step);
    e.method = request.method;
    e.endpoint = request.endpoint;
    e.path = request.path;
    e.elapsed =
        std::chrono::duration_cast<std::chrono::microseconds>(ctx_.clock->MonotonicNow() - start);
    if (res.ok()) {
      e.status = res->status;
    } else {
      e.message = res.status().message();  // names method, endpoint and path; never a header
    }
    ctx_.trace->Record(e);
  }
  return res;
}

ImdsTokenAction ClassifyTokenResponse(int status) {
  if (status == 200) return ImdsTokenAction::kUseToken;
  if (status == 400) return ImdsTokenAction::kBadRequest;
  if (status == 403 || status == 404 || status == 405) return ImdsTokenAction::kFallBackToV1;
  if (status == 429 || status == 503) return ImdsTokenAction::kThrottled;
  if (status >= 500) return ImdsTokenAction::kRetry;
  return ImdsTokenAction::kFail;
}

ImdsTokenFailureAction ClassifyTokenFailure(const Status& error) {
  if (IsDeadlineExceeded(error)) return ImdsTokenFailureAction::kFallBackToV1;
  if (IsUnavailable(error)) return ImdsTokenFailureAction::kRetry;
  return ImdsTokenFailureAction::kFail;
}

ImdsResponseAction ClassifyImdsResponse(int status, bool refreshed_after_401) {
  if (status == 401 && !refreshed_after_401) return ImdsResponseAction::kRefreshToken;
  if (status == 429 || status == 503) return ImdsResponseAction::kThrottle;
  if (status >= 500) return ImdsResponseAction::kRetry;
  return ImdsResponseAction::kReturn;
}

Status ValidateImdsPath(std::string_view path) {
  if (path.empty() || path.front() != '/') {
    return InvalidConfigurationError("IMDS path " + Quote(path) + " must start with '/'");
  }
  if (path.find(' ') != std::string_view::npos || HasControlChar(path)) {
    return InvalidConfigurationError("IMDS path holds a space or control character");
  }
  return OkStatus();
}

StatusOr<ImdsClient::TokenResult> ImdsClient::KeepToken(const HttpResponse& response,
                                                        MonoTime now) {
  const ImdsOptions& o = *options_;
  std::string token(StripAsciiWhitespace(response.body, kBlanksAndLineBreaks));
  if (!IsUsableToken(token)) {
    return InvalidResponseError(
        "PUT " + o.endpoint + kImdsTokenPath + ": HTTP 200 with an unusable token (" +
        std::to_string(response.body.size()) + " bytes; expected 1-1024 visible ASCII characters)");
  }
  const std::chrono::seconds ttl =
      ParseTtl(FindHeader(response.headers, kImdsTokenTtlHeader)).value_or(o.token_ttl);
  const Duration margin =
      ttl > std::chrono::seconds(120) ? Duration(std::chrono::seconds(60)) : Duration(ttl) / 2;
  token_ = Secret(std::move(token));
  token_refresh_at_ = now + ttl - margin;
  TokenResult out;
  out.token = token_;
  return out;
}

StatusOr<ImdsClient::TokenResult> ImdsClient::FallBackToV1(const std::string& why) {
  const ImdsOptions& o = *options_;
  if (o.v1_disabled) {
    return UnavailableError("PUT " + o.endpoint + kImdsTokenPath + ": " + why +
                            "; IMDSv1 fallback is disabled by " + o.v1_disabled_source);
  }
  use_v1_ = true;
  TraceInfo(ctx_.trace, trace_provider_, "IMDS token request: " + why + "; using IMDSv1");
  return TokenResult{};
}

StatusOr<ImdsClient::TokenResult> ImdsClient::OnTokenFailure(const Status& error) {
  const ImdsOptions& o = *options_;
  TokenResult out;
  switch (ClassifyTokenFailure(error)) {
    case ImdsTokenFailureAction::kFallBackToV1:
      put_timed_out_ = true;
      if (o.v1_disabled) {
        // No v1 probe can confirm it, but this is the hop-limit signature: say what to check.
        return UnavailableError(error.message() + "; IMDSv1 fallback is disabled by " +
                                o.v1_disabled_source +
                                " (in a container on EC2, a token PUT that times out usually "
                                "means http-put-response-hop-limit is 1)");
      }
      return FallBackToV1("timed out");
    case ImdsTokenFailureAction::kRetry:
      out.retryable_error = error;
      return out;
    case ImdsTokenFailureAction::kFail:
      break;
  }
  return error;
}

StatusOr<ImdsClient::TokenResult> ImdsClient::GetToken(Duration* spent) {
  const ImdsOptions& o = *options_;
  std::lock_guard<std::mutex> lock(mu_);
  TokenResult out;
  if (use_v1_) return out;
  const MonoTime now = ctx_.clock->MonotonicNow();
  if (token_ && now < token_refresh_at_) {
    out.token = token_;
    return out;
  }
  token_.reset();
  HttpRequest put;
  put.method = "PUT";
  put.endpoint = o.endpoint;
  put.path = kImdsTokenPath;
  put.headers.emplace_back(kImdsTokenTtlHeader, std::to_string(o.token_ttl.count()));
  put.timeout = NextTimeout(*spent);
  const std::string what = "PUT " + o.endpoint + kImdsTokenPath;
  StatusOr<HttpResponse> res = SendTraced(put, "token", spent);
  if (!res.ok()) return OnTokenFailure(res.status());
  const int status = res->status;
  switch (ClassifyTokenResponse(status)) {
    case ImdsTokenAction::kUseToken:
      return KeepToken(*res, now);
    case ImdsTokenAction::kBadRequest:
      return InvalidResponseError(what + ": HTTP 400 (the token request was refused as malformed)");
    case ImdsTokenAction::kFallBackToV1:
      return FallBackToV1("HTTP " + std::to_string(status));
    case ImdsTokenAction::kThrottled:
      out.throttled = true;
      out.throttle_response = std::move(res).value();
      return out;
    case ImdsTokenAction::kRetry:
      out.retryable_error = UnavailableError(what + ": HTTP " + std::to_string(status));
      return out;
    case ImdsTokenAction::kFail:
      break;
  }
  return UnavailableError(what + ": unexpected HTTP " + std::to_string(status));
}

bool ImdsClient::BackoffAndRetry(CallState* call) {
  const ImdsOptions& o = *options_;
  if (++call->failures >= o.num_attempts) return false;
  const Duration wait = Backoff(call->failures);
  if (call->spent + wait >= o.timeout * o.num_attempts) return false;  // no time left for a try
  call->spent += wait;
  ctx_.clock->SleepFor(wait);
  return true;
}

bool ImdsClient::WaitOutThrottle(const HttpResponse& response, CallState* call) {
  if (call->throttles >= kImdsThrottleRetries) return false;
  ++call->throttles;
  ctx_.clock->SleepFor(RetryAfterOrBackoff(response, call->throttles));
  return true;
}

void ImdsClient::DropTokenAfter401(const TokenResult& used, const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  // Drop the token we used (another thread may already have replaced it) or the v1 choice.
  if (!used.token || (token_ && *token_ == *used.token)) token_.reset();
  use_v1_ = false;
  TraceInfo(ctx_.trace, trace_provider_,
            "IMDS answered 401 to GET " + path + ": fetching a new token");
}

Status ImdsClient::ExplainV1Failure(const Status& error, const TokenResult& used) {
  if (used.token) return error;
  std::lock_guard<std::mutex> lock(mu_);
  if (!put_timed_out_) return error;
  return Status(error.code(), error.message() + " (IMDSv1 fallback after the token PUT to " +
                                  options_->endpoint + " timed out)");
}

void ImdsClient::MaybeWarnHopLimit(int status, const TokenResult& used) {
  if (status != 200 || used.token) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (!put_timed_out_ || hop_limit_warned_) return;
  hop_limit_warned_ = true;
  TraceWarning(ctx_.trace, trace_provider_,
               "the IMDS token PUT to " + options_->endpoint +
                   " timed out but an IMDSv1 GET answered: this looks like a container "
                   "behind an instance metadata hop limit of 1; raise "
                   "http-put-response-hop-limit to 2 (aws ec2 modify-instance-metadata-"
                   "options --http-put-response-hop-limit 2)");
}

StatusOr<ImdsResponse> ImdsClient::Fetch(std::string_view path) {
  if (!options_.ok()) return options_.status();
  const ImdsOptions& o = *options_;
  if (o.disabled) {
    return NotConfiguredError("IMDS is disabled by " + o.disabled_source + "=true");
  }
  CHANTLESS_RETURN_IF_ERROR(ValidateImdsPath(path));
  CallState call;
  while (true) {
    CHANTLESS_ASSIGN_OR_RETURN(TokenResult token, GetToken(&call.spent));
    if (token.throttled) {
      if (WaitOutThrottle(token.throttle_response, &call)) continue;
      return UnavailableError("PUT " + o.endpoint + kImdsTokenPath + ": throttled (HTTP " +
                              std::to_string(token.throttle_response.status) + ") after " +
                              std::to_string(call.throttles + 1) + " tries");
    }
    if (token.retryable_error) {
      if (BackoffAndRetry(&call)) continue;
      return *token.retryable_error;
    }
    HttpRequest get;
    get.method = "GET";
    get.endpoint = o.endpoint;
    get.path = std::string(path);
    get.timeout = NextTimeout(call.spent);
    if (token.token) get.headers.emplace_back(kImdsTokenHeader, token.token->reveal());
    StatusOr<HttpResponse> res = SendTraced(get, "metadata", &call.spent);
    if (!res.ok()) {
      if (IsUnavailableOrDeadlineExceeded(res.status()) && BackoffAndRetry(&call)) continue;
      return ExplainV1Failure(res.status(), token);
    }
    switch (ClassifyImdsResponse(res->status, call.refreshed_after_401)) {
      case ImdsResponseAction::kRefreshToken:
        call.refreshed_after_401 = true;
        DropTokenAfter401(token, get.path);
        continue;
      case ImdsResponseAction::kThrottle:
        if (WaitOutThrottle(*res, &call)) continue;
        break;
      case ImdsResponseAction::kRetry:
        if (BackoffAndRetry(&call)) continue;
        break;
      case ImdsResponseAction::kReturn:
        break;
    }
    MaybeWarnHopLimit(res->status, token);
    return ImdsResponse{res->status, std::move(res->body)};
  }
}

StatusOr<std::string> ImdsClient::Get(std::string_view path) {
  CHANTLESS_ASSIGN_OR_RETURN(ImdsResponse res, Fetch(path));
  if (res.status != 200) {
    return UnavailableError("GET " + options_->endpoint + std::string(path) + ": HTTP " +
                            std::to_string(res.status) +
                            (res.status == 404 ? " (no such metadata path)" : ""));
  }
  return std::move(res.body);
}

}  // namespace chantless
