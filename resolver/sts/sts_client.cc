// One STS query call (rules in sts_client.h).
#include "resolver/sts/sts_client.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "resolver/core/ascii.h"
#include "resolver/core/jitter_seed.h"
#include "resolver/core/trace.h"
#include "resolver/endpoints/endpoints.h"
#include "resolver/http/proxy.h"
#include "resolver/sigv4/sigv4_signer.h"

namespace chantless {
namespace {

constexpr char kAssumeRole[] = "AssumeRole";
constexpr char kAssumeRoleWithWebIdentity[] = "AssumeRoleWithWebIdentity";

// The process-wide signer: its per-day key cache serves every role assumed with the same keys.
const SigV4Signer& Signer() {
  static const SigV4Signer* signer = new SigV4Signer();
  return *signer;
}

bool IsWebIdentityRetryable(const std::string& code) {
  return code == "IDPCommunicationError" || code == "InvalidIdentityToken";
}

bool IsThrottling(const std::string& code) {
  return code == "Throttling" || code == "ThrottlingException" || code == "RequestLimitExceeded" ||
         code == "TooManyRequestsException" || code == "RequestThrottled";
}

}  // namespace

StsClient::StsClient(const ProviderContext& ctx, const ProfileConfig* selected,
                     std::string trace_provider, uint64_t jitter_seed)
    : ctx_(ctx),
      selected_(selected),
      trace_provider_(std::move(trace_provider)),
      jitter_state_(jitter_seed != 0 ? jitter_seed : NewJitterSeed()) {}

StatusOr<StsClient::Target> StsClient::SelectTarget() {
  if (ctx_.env == nullptr || ctx_.fs == nullptr || ctx_.clock == nullptr || ctx_.http == nullptr) {
    return InternalError(
        "STS: the provider context lacks an Environment, Filesystem, Clock or "
        "HttpClient");
  }
  EndpointInputs inputs;
  inputs.env = ctx_.env;
  inputs.profile = selected_ != nullptr ? selected_ : ctx_.settings;
  if (selected_ != nullptr) {
    inputs.config_file = &selected_->config_file();
    inputs.config_path = selected_->config_path();
  }
  CHANTLESS_ASSIGN_OR_RETURN(EndpointSelection selection, SelectStsEndpoint(inputs));
  for (const std::string& warning : selection.warnings) {
    TraceWarning(ctx_.trace, trace_provider_, warning);
  }
  TraceInfo(ctx_.trace, trace_provider_,
            "STS endpoint " + selection.url + " (signing region " + selection.signing_region +
                "): " + selection.why);
  CHANTLESS_ASSIGN_OR_RETURN(std::optional<CaBundleSelection> ca,
                             SelectAndCheckCaBundle(inputs, *ctx_.fs));

  Target target;
  target.url = selection.url;
  target.signing_region = selection.signing_region;
  if (ca) {
    target.ca_bundle_path = ca->path;
    TraceInfo(ctx_.trace, trace_provider_, "CA bundle " + ca->path + " (from " + ca->source + ")");
  }
  const std::string& url = selection.url;
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    return InvalidConfigurationError("STS endpoint '" + url + "' (" + selection.why +
                                     ") has no scheme");
  }
  const std::string scheme = AsciiLower(url.substr(0, scheme_end));
  const size_t authority_start = scheme_end + 3;
  size_t authority_end = url.find_first_of("/?#", authority_start);
  if (authority_end == std::string::npos) authority_end = url.size();
  std::string authority = url.substr(authority_start, authority_end - authority_start);
  if (authority.empty()) {
    return InvalidConfigurationError("STS endpoint '" + url + "' (" + selection.why +
                                     ") has no host");
  }
  target.endpoint = scheme + "://" + authority;
  std::string path = url.substr(authority_end);
  if (const size_t cut = path.find_first_of("?#"); cut != std::string::npos) path.resize(cut);
  target.path = path.empty() ? "/" : path;
  const std::string default_port = scheme == "https" ? ":443" : ":80";
  std::string host = authority;
  if (host.size() > default_port.size() &&
      host.compare(host.size() - default_port.size(), default_port.size(), default_port) == 0) {
    host.resize(host.size() - default_port.size());
  }
  target.host = AsciiLower(host);
  target.proxy = SelectProxy(*ctx_.env, url);
  if (!target.proxy.empty()) {
    // The variable's name only: a proxy URL may hold a user and password.
    TraceInfo(ctx_.trace, trace_provider_,
              "STS through the proxy from " + SelectProxySource(*ctx_.env, url));
  }
  return target;
}

StatusOr<std::string> StsClient::Exchange(const Target& target, const std::string& action,
                                          HttpRequest request, Outcome* outcome) {
  *outcome = Outcome{};
  request.method = "POST";
  request.endpoint = target.endpoint;
  request.path = target.path;
  request.timeout = kRequestTimeout;
  request.max_response_bytes = kMaxResponseBytes;
  request.ca_bundle_path = target.ca_bundle_path;
  request.proxy = target.proxy;

  const MonoTime start = ctx_.clock->MonotonicNow();
  StatusOr<HttpResponse> res = ctx_.http->Send(request);
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::microseconds>(ctx_.clock->MonotonicNow() - start);
  if (ctx_.trace != nullptr) {
    TraceEvent e;
    e.kind = TraceEvent::Kind::kRequest;
    e.provider = trace_provider_;
    e.step = action;
    e.action = action;
    e.method = request.method;
    e.endpoint = request.endpoint;
    e.path = request.path;
    e.elapsed = elapsed;
    if (res.ok()) {
      e.status = res->status;
      e.message = "STS " + action;
    } else {
      e.message = res.status().message();
    }
    ctx_.trace->Record(e);
  }
  if (!res.ok()) {
    return res.status().WithContext("STS " + action + " at " + target.url);
  }
  outcome->http_status = res->status;
  if (res->status == 200) return std::move(res->body);

  std::string message =
      "STS " + action + " at " + target.url + " failed: HTTP " + std::to_string(res->status);
  StatusOr<StsError> error = ParseStsErrorResponse(res->body);
  if (error.ok()) {
    outcome->sts_code = error->code;
    message += " " + error->code;
    if (error->message) message += ": " + *error->message;
    if (error->request_id) message += " (request id " + *error->request_id + ")";
  } else {
    message += " (the body is not an STS ErrorResponse)";
    if (std::optional<std::string> id = FindHeader(res->headers, "x-amzn-RequestId")) {
      message += " (request id " + *id + ")";
    }
  }
  return UnavailableError(std::move(message));
}

StatusOr<StsAssumedRole> StsClient::AssumeRole(const AssumeRoleParams& params,
                                               const Credentials& source, bool chained) {
  CHANTLESS_ASSIGN_OR_RETURN(std::string body, AssumeRoleRequestBody(params));
  CHANTLESS_ASSIGN_OR_RETURN(Target target, SelectTarget());

  Outcome outcome;
  StatusOr<std::string> answer = InternalError("STS AssumeRole was not sent");
  for (int attempt = 1;; ++attempt) {
    SigningInput input;
    input.method = "POST";
    input.host = target.host;
    input.path = target.path;
    input.headers = {{"Content-Type", kStsFormContentType}};
    input.body = body;
    input.region = target.signing_region;
    input.service = "sts";
    input.time = ctx_.clock->Now();
    SigningKeys keys{source.access_key_id, source.secret_access_key, source.session_token};
    StatusOr<SignedRequest> signed_request = Signer().Sign(input, keys);
    if (!signed_request.ok()) {
      return signed_request.status().WithContext("signing STS AssumeRole with the " +
                                                 source.provider + " credentials");
    }
    HttpRequest request;
    request.headers = {{"Content-Type", kStsFormContentType}};
    for (const auto& header : signed_request->headers) request.headers.push_back(header);
    request.body = body;
    answer = Exchange(target, kAssumeRole, std::move(request), &outcome);
    if (answer.ok() || !Retryable(answer.status(), outcome, /*web_identity=*/false)) break;
    if (attempt >= kMaxAttempts) {
      answer = Status(answer.status().code(), answer.status().message() + " (after " +
                                                  std::to_string(attempt) + " attempts)");
      break;
    }
    Backoff(
        attempt, kAssumeRole,
        outcome.sts_code.empty()
            ? std::string(outcome.http_status == 0 ? "no answer"
                                                   : "HTTP " + std::to_string(outcome.http_status))
            : outcome.sts_code);
  }
  const std::string& sts_code = outcome.sts_code;
  if (!answer.ok()) {
    if (chained && sts_code == "ValidationError" && params.duration_seconds &&
        *params.duration_seconds > 3600) {
      return Status(answer.status().code(),
                    answer.status().message() + "; role " + params.role_arn +
                        " is assumed with credentials that are themselves from an assumed role "
                        "(role chaining), and STS limits such sessions to 1 hour: set "
                        "duration_seconds to 3600 or less");
    }
    if (sts_code == "InvalidClientTokenId" || sts_code == "UnrecognizedClientException" ||
        sts_code == "ExpiredToken" || sts_code == "SignatureDoesNotMatch") {
      return Status(answer.status().code(),
                    answer.status().message() + "; STS refused the source credentials (from " +
                        source.provider +
                        "): expired, a wrong secret key, a clock far off, or a token from the "
                        "global endpoint used in an opt-in region (regional STS avoids that)");
    }
    return answer.status();
  }
  StatusOr<StsAssumedRole> role = ParseAssumeRoleResponse(*answer);
  if (!role.ok()) return role.status().WithContext(target.url);
  role->credentials.provider = "assume-role";
  return role;
}

StatusOr<StsAssumedRole> StsClient::AssumeRoleWithWebIdentity(
    AssumeRoleWithWebIdentityParams params, const WebIdentityTokenLoader& load_token) {
  CHANTLESS_ASSIGN_OR_RETURN(Target target, SelectTarget());
  for (int attempt = 1;; ++attempt) {
    CHANTLESS_ASSIGN_OR_RETURN(params.web_identity_token, load_token());
    CHANTLESS_ASSIGN_OR_RETURN(std::string body, AssumeRoleWithWebIdentityRequestBody(params));
    HttpRequest request;
    request.headers = {{"Content-Type", kStsFormContentType}};
    request.body = std::move(body);
    Outcome outcome;
    StatusOr<std::string> answer =
        Exchange(target, kAssumeRoleWithWebIdentity, std::move(request), &outcome);
    if (answer.ok()) {
      StatusOr<StsAssumedRole> role = ParseAssumeRoleWithWebIdentityResponse(*answer);
      if (!role.ok()) return role.status().WithContext(target.url);
      role->credentials.provider = "assume-role-with-web-identity";
      return role;
    }
    if (!Retryable(answer.status(), outcome, /*web_identity=*/true)) return answer.status();
    if (attempt >= kMaxAttempts) {
      return Status(answer.status().code(), answer.status().message() + " (after " +
                                                std::to_string(attempt) + " attempts)");
    }
    Backoff(
        attempt, kAssumeRoleWithWebIdentity,
        outcome.sts_code.empty()
            ? std::string(outcome.http_status == 0 ? "no answer"
                                                   : "HTTP " + std::to_string(outcome.http_status))
            : outcome.sts_code);
  }
}

bool StsClient::Retryable(const Status& answer, const Outcome& outcome, bool web_identity) {
  if (web_identity && IsWebIdentityRetryable(outcome.sts_code)) return true;
  if (IsThrottling(outcome.sts_code)) return true;
  if (outcome.http_status >= 500) return true;
  return outcome.http_status == 0 && answer.code() == StatusCode::kUnavailable;
}

void StsClient::Backoff(int attempt, const std::string& action, const std::string& why) {
  // Full jitter: uniform in [0, min(max, base * 2^(attempt-1))].
  jitter_state_ = SplitMix64(jitter_state_ + 0x9e3779b97f4a7c15ULL);
  const auto cap = std::min<std::chrono::milliseconds>(
      kRetryMaxDelay, kRetryBaseDelay * (int64_t{1} << (attempt - 1)));
  const auto delay = std::chrono::milliseconds(
      static_cast<int64_t>(jitter_state_ % static_cast<uint64_t>(cap.count() + 1)));
  TraceInfo(ctx_.trace, trace_provider_,
            "STS " + action + " answered " + why + " (attempt " + std::to_string(attempt) + " of " +
                std::to_string(kMaxAttempts) + "); retrying in " + std::to_string(delay.count()) +
                " ms");
  ctx_.clock->SleepFor(delay);
}

}  // namespace chantless
