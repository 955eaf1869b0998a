// StsClient: one STS query call — AssumeRole (SigV4-signed with the source credentials) or
// AssumeRoleWithWebIdentity (unsigned) — from endpoint selection to decoded credentials.
//
// Rules implemented (sts-sso-behaviour.md §1.4, §1.5, §2, §4, §5):
// - Endpoint and signing region: SelectStsEndpoint (resolver/endpoints/endpoints.h) over ctx.env
//   and the selected profile (its `region`, `sts_regional_endpoints`, `endpoint_url`, `services`);
//   never a source profile's. The rule that chose them is traced, with its warnings.
// - CA bundle: SelectAndCheckCaBundle (AWS_CA_BUNDLE > `ca_bundle`); a missing file is
//   kInvalidConfiguration before any request. No proxy is set here.
// - Request: `POST /` (plus the override URL's path), Content-Type
//   "application/x-www-form-urlencoded; charset=utf-8", the body of sts_request.h. AssumeRole is
//   signed with SigV4 (service "sts", the endpoint's signing region, X-Amz-Security-Token when the
//   source has a session token); AssumeRoleWithWebIdentity carries no signature at all.
// - Bounds: kRequestTimeout per exchange, kMaxResponseBytes per body.
// - Answers: 200 → the decoded XML (sts_response.h). Any other status → kUnavailable
//   "STS AssumeRole at <url> failed: HTTP 403 AccessDenied: <STS's Message> (request id …)"; a
//   body that is not an ErrorResponse is reported by status alone. STS errors are service
//   failures (exit 1), not configuration errors: the request was valid enough to send.
// - Role chaining: when the source credentials were themselves assumed (`chained`), and STS
//   refuses a DurationSeconds over 3600 with ValidationError, the message explains the one-hour
//   limit of role chaining and names `duration_seconds`. InvalidClientTokenId,
//   UnrecognizedClientException, ExpiredToken and SignatureDoesNotMatch name the source
//   credentials' provider and the usual causes (a global-endpoint token in an opt-in region among
//   them).
// - Retries (kMaxAttempts in all, after a full-jitter backoff of kRetryBaseDelay × 2^attempt, at
//   most kRetryMaxDelay, drawn from a NewJitterSeed() seed and slept through ctx.clock), as
//   botocore's standard retry mode and the design's table: transient answers for both calls —
//   Throttling, ThrottlingException, RequestLimitExceeded, TooManyRequestsException, any 5xx, a
//   connection refused or reset before an answer (kUnavailable from the HttpClient; a timeout is
//   not retried, so the worst case stays one request timeout plus the backoff) — and, for
//   AssumeRoleWithWebIdentity only, IDPCommunicationError and InvalidIdentityToken (the IdP's
//   keys were unreachable). AssumeRole is signed again and the web identity token read again
//   before every attempt. Nothing else is retried: AccessDenied, ValidationError, ExpiredToken…
// - Trace (provider as given): one kRequest event per exchange (method, endpoint, path, status,
//   elapsed, the Action in `step`), the endpoint choice, every retry. Never a header value, a body,
//   a token or a signature.
// Not thread-safe per instance (cheap to build: one per provider call).
#ifndef CHANTLESS_RESOLVER_STS_STS_CLIENT_H_
#define CHANTLESS_RESOLVER_STS_STS_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "resolver/core/credentials.h"
#include "resolver/core/provider.h"
#include "resolver/core/secret.h"
#include "resolver/core/status.h"
#include "resolver/http/http_client.h"
#include "resolver/profile/profile_config.h"
#include "resolver/sts/sts_request.h"
#include "resolver/sts/sts_response.h"

namespace chantless {

// Reads the web identity token afresh (the file may have been rotated). Errors name the file.
using WebIdentityTokenLoader = std::function<StatusOr<Secret>()>;

class StsClient {
 public:
  static constexpr std::chrono::milliseconds kRequestTimeout{10000};
  static constexpr size_t kMaxResponseBytes = 64 * 1024;
  static constexpr int kMaxAttempts = 3;
  static constexpr std::chrono::milliseconds kRetryBaseDelay{200};
  static constexpr std::chrono::milliseconds kRetryMaxDelay{2000};

  // `selected`: the selected profile (endpoint, region and CA bundle settings); may be null, then
  // ctx.settings is read and no [services] section is known. `trace_provider` names the trace
  // events ("assume-role", "assume-role-with-web-identity"). `jitter_seed` 0 draws one.
  StsClient(const ProviderContext& ctx, const ProfileConfig* selected, std::string trace_provider,
            uint64_t jitter_seed = 0);

  // Signs with `source`. `chained`: `source` came from another AssumeRole (role chaining).
  // Errors: kInvalidConfiguration (parameters, endpoint settings, CA bundle, unsignable keys);
  // kUnavailable / kDeadlineExceeded (transport, STS error answers); kInvalidResponse (bodies).
  StatusOr<StsAssumedRole> AssumeRole(const AssumeRoleParams& params, const Credentials& source,
                                      bool chained);

  // `params.web_identity_token` is ignored: `load_token` supplies it before every attempt.
  StatusOr<StsAssumedRole> AssumeRoleWithWebIdentity(AssumeRoleWithWebIdentityParams params,
                                                     const WebIdentityTokenLoader& load_token);

 private:
  struct Target {
    std::string endpoint;  // scheme://host[:port]
    std::string path;      // "/" or the override's path
    std::string host;      // for signing: host[:port] without a default port
    std::string url;       // for messages
    std::string signing_region;
    std::string ca_bundle_path;
    std::string proxy;  // SelectProxy: HTTPS_PROXY / NO_PROXY and their lower-case forms
  };
  StatusOr<Target> SelectTarget();
  // What one exchange ended with, for the retry decision.
  struct Outcome {
    std::string sts_code;  // STS's Code of an error answer, else ""
    int http_status = 0;   // 0: no answer (transport failure)
  };
  // One exchange; on an error answer, `*outcome` says what STS answered.
  StatusOr<std::string> Exchange(const Target& target, const std::string& action,
                                 HttpRequest request, Outcome* outcome);
  // True when the failure `answer` with `outcome` is worth another attempt (rules above).
  static bool Retryable(const Status& answer, const Outcome& outcome, bool web_identity);
  // Traces the retry and sleeps the jittered backoff before attempt `attempt + 1`.
  void Backoff(int attempt, const std::string& action, const std::string& why);

  ProviderContext ctx_;
  const ProfileConfig* selected_;
  std::string trace_provider_;
  uint64_t jitter_state_;
};

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_STS_STS_CLIENT_H_
