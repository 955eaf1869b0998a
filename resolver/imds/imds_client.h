// ImdsClient: the EC2 instance metadata service (IMDS) protocol — token, retries, v1 fallback —
// apart from any use of it (credentials: imds_provider.h; region: region.h; `chantless imds`).
//
// Rules implemented (environment variable wins over the selected profile's config key):
//   endpoint   AWS_EC2_METADATA_SERVICE_ENDPOINT / ec2_metadata_service_endpoint, else by mode
//              AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE / ec2_metadata_service_endpoint_mode:
//              "IPv4" → http://169.254.169.254 (the default), "IPv6" → http://[fd00:ec2::254]
//              (case-insensitive; anything else is kInvalidConfiguration). An explicit endpoint
//              must be http:// or https://; one trailing '/' is dropped.
//   disabled   AWS_EC2_METADATA_DISABLED=true (case-insensitive) → every call is kNotConfigured
//              and no request is ever made.
//   v1         AWS_EC2_METADATA_V1_DISABLED / ec2_metadata_v1_disabled=true → no token-less
//              fallback: a token failure is the answer.
//   timeout    AWS_METADATA_SERVICE_TIMEOUT / metadata_service_timeout, seconds (decimal allowed,
//              > 0, ≤ 3600), default 1: the budget of each HTTP exchange.
//   attempts   AWS_METADATA_SERVICE_NUM_ATTEMPTS / metadata_service_num_attempts, integer 1–10,
//              default 1: tries for a transport failure or a 5xx.
//   Unparseable values are kInvalidConfiguration naming the variable or the config file line.
// Protocol:
//   - `PUT /latest/api/token` with `X-aws-ec2-metadata-token-ttl-seconds: 21600`; the token is
//     cached and shared by every call (and thread) until 60 s before its TTL (the TTL echoed by the
//     server when it is a valid number, else the one asked for), and sent as
//     `X-aws-ec2-metadata-token` on every GET. One PUT at a time (concurrent callers wait for it).
//   - Token PUT 400 → kInvalidResponse. 403/404/405 or a timeout → IMDSv1 (GETs without a token)
//     unless v1 is disabled (then kUnavailable naming the variable). 429/503 are throttling: they
//     are retried and never cause a downgrade. A refused/reset connection is kUnavailable at once
//     (a v1 GET to the same endpoint could not do better).
//   - 401 on a GET → the token (or the v1 decision) is dropped, a new token fetched, the GET
//     retried once.
//   - 429/503 on any request: up to kThrottleRetries extra tries, each after `Retry-After` seconds
//     (capped at kMaxRetryAfter) or the backoff; other 5xx and transport failures: up to
//     `attempts` tries with exponential backoff (100 ms, 200 ms, … capped at 1 s). Every wait goes
//     through ctx.clock->SleepFor.
//   - Hop-limit diagnosis: when the token PUT timed out and a v1 GET then answered, a kWarning
//   trace
//     names `http-put-response-hop-limit` (a container behind a hop limit of 1 never sees the PUT's
//     answer). With v1 disabled no probe is possible; the error then names the setting to check.
//   - Time bound: the HTTP exchanges of one call share a budget of timeout × attempts; each request
//     gets min(timeout, what is left) but at least timeout / 20, so a never-answering endpoint
//     costs at most timeout × attempts + 5 % (the last twentieth is the v1 probe after a timed-out
//     PUT, which a real IMDS behind a hop limit answers in milliseconds). Backoff waits after
//     failures count against the budget (no retry starts without budget left); Retry-After waits
//     (the endpoint is answering) do not.
//   - Every request is traced as a kRequest event (method, endpoint, path, status, elapsed); the
//     token never appears in a trace or a message.
// Differences from botocore (1.29 and latest), deliberate:
//   - botocore fetches a token per call; chantless caches and shares it (as aws-c-auth, Rust, Go).
//   - botocore treats any value but "true" as false for the boolean variables; chantless accepts
//     true/false (any case) and rejects anything else as kInvalidConfiguration.
//   - once a token PUT has been answered 403/404/405 or timed out, chantless remembers IMDSv1 for
//     the client's life (a later 401 re-enables tokens); botocore asks again on every call and pays
//     the timeout each time behind a hop limit.
//   - botocore does not retry throttling specially nor honour Retry-After; chantless does (capped).
//   - botocore falls back to IMDSv1 after any failed token PUT, a refused connection included;
//     chantless only after 403/404/405 or a timeout (a refused PUT means a refused GET).
//   - botocore's budget is per request; chantless bounds the whole call (timeout × attempts + 5 %).
// (Checked against botocore 1.43 utils.py IMDSFetcher.)
// A timeout is an HttpClient error with code kDeadlineExceeded (every HttpClient reports it so);
// the v1 fallback and the hop-limit diagnosis read the code, never the message.
#ifndef CHANTLESS_RESOLVER_IMDS_IMDS_CLIENT_H_
#define CHANTLESS_RESOLVER_IMDS_IMDS_CLIENT_H_

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "resolver/core/provider.h"
#include "resolver/core/secret.h"
#include "resolver/core/status.h"
#include "resolver/http/http_client.h"

namespace chantless {

inline constexpr char kImdsDefaultIpv4Endpoint[] = "http://169.254.169.254";
inline constexpr char kImdsDefaultIpv6Endpoint[] = "http://[fd00:ec2::254]";
inline constexpr char kImdsTokenPath[] = "/latest/api/token";
inline constexpr char kImdsTokenTtlHeader[] = "X-aws-ec2-metadata-token-ttl-seconds";
inline constexpr char kImdsTokenHeader[] = "X-aws-ec2-metadata-token";
inline constexpr int kImdsThrottleRetries = 2;
inline constexpr std::chrono::seconds kImdsMaxRetryAfter{2};

struct ImdsOptions {
  bool disabled = false;
  std::string disabled_source;                      // the variable that disabled IMDS, for messages
  std::string endpoint = kImdsDefaultIpv4Endpoint;  // no trailing '/'
  std::string endpoint_source = "default";          // variable or config location
  bool v1_disabled = false;
  std::string v1_disabled_source;
  std::chrono::milliseconds timeout{1000};
  int num_attempts = 1;
  std::chrono::seconds token_ttl{21600};
};

// Reads the options from ctx.env and ctx.settings (either may be null: defaults). Errors:
// kInvalidConfiguration naming the variable or config location of a bad value. Never makes a
// request.
StatusOr<ImdsOptions> LoadImdsOptions(const ProviderContext& ctx);

// The decisions ImdsClient takes, one function each; each comment is its table.

// What to do with the token PUT's answer (an HTTP status):
//   200            kUseToken        keep the token until its TTL less a margin;
//   400            kBadRequest      kInvalidResponse (the request itself was refused);
//   403, 404, 405  kFallBackToV1    IMDSv1 from now on (an error when v1 is disabled);
//   429, 503       kThrottled       wait (Retry-After or backoff) and ask again, never downgrade;
//   other 5xx      kRetry           back off and ask again while attempts and budget last;
//   anything else  kFail            kUnavailable naming the status.
enum class ImdsTokenAction { kUseToken, kBadRequest, kFallBackToV1, kThrottled, kRetry, kFail };
ImdsTokenAction ClassifyTokenResponse(int status);

// What to do when the token PUT got no answer (an HttpClient error):
//   kDeadlineExceeded  kFallBackToV1  IMDSv1, watching for the hop-limit signature (an error when
//                                     v1 is disabled, saying what to check);
//   kUnavailable       kRetry         back off and ask again while attempts and budget last;
//   anything else      kFail          the error as it is.
enum class ImdsTokenFailureAction { kFallBackToV1, kRetry, kFail };
ImdsTokenFailureAction ClassifyTokenFailure(const Status& error);

// What to do with a metadata GET's answer (an HTTP status):
//   401, first time in the call    kRefreshToken  drop the token (or the v1 choice), ask again;
//   429, 503                       kThrottle      wait and ask again (kImdsThrottleRetries times);
//   other 5xx                      kRetry         back off and ask again while attempts last;
//   anything else (200, 404, …)    kReturn        the caller reads the status.
enum class ImdsResponseAction { kReturn, kRetry, kThrottle, kRefreshToken };
ImdsResponseAction ClassifyImdsResponse(int status, bool refreshed_after_401);

// A metadata path must start with '/' and hold no space or control character (it goes on the
// request line). kInvalidConfiguration otherwise.
Status ValidateImdsPath(std::string_view path);

// A metadata response with its HTTP status (after the token, retry and fallback rules).
struct ImdsResponse {
  int status = 0;
  std::string body;
};

// Thread-safe: Get()/Fetch() may be called from several threads; the token is shared. Holds the
// context's seam pointers (not owned): the context's seams must outlive the client.
class ImdsClient {
 public:
  // Options from the context (LoadImdsOptions); an options error is returned by every call.
  // `trace_provider` is the TraceEvent::provider of the client's events ("iam-role", "region",
  // "imds").
  explicit ImdsClient(const ProviderContext& ctx, std::string trace_provider = "imds");
  ImdsClient(const ProviderContext& ctx, ImdsOptions options, std::string trace_provider = "imds");
  ImdsClient(const ImdsClient&) = delete;
  ImdsClient& operator=(const ImdsClient&) = delete;

  // The options, or why they could not be loaded (kInvalidConfiguration).
  const StatusOr<ImdsOptions>& options() const { return options_; }

  // The body of `path` ("/latest/meta-data/instance-id") when IMDS answers 200. Errors:
  //   kNotConfigured         IMDS disabled (no request made);
  //   kInvalidConfiguration  a bad option (no request made);
  //   kUnavailable           transport failure, non-200 status (the message names the
  //                          endpoint, path and status), token refused with v1 disabled;
  //   kDeadlineExceeded      the last exchange timed out (the HttpClient's error);
  //   kInvalidResponse       token PUT answered 400, or an unusable token, or a bad body.
  StatusOr<std::string> Get(std::string_view path);

  // Like Get() but any final HTTP status is a response (404 is how IMDS says "no such entry").
  StatusOr<ImdsResponse> Fetch(std::string_view path);

  // The endpoint used ("http://169.254.169.254"), or "" when options failed to load.
  std::string endpoint() const;

 private:
  struct TokenResult {
    std::optional<Secret> token;  // nullopt (and nothing below set): use IMDSv1
    bool throttled = false;       // 429/503 answered: retry, never downgrade
    HttpResponse throttle_response;
    std::optional<Status> retryable_error;  // transport failure or 5xx: retry within attempts
  };
  // One Fetch() call's progress against its budget (timeout × attempts).
  struct CallState {
    Duration spent{0};  // time in HTTP exchanges and failure backoff during this call
    int failures = 0;   // transport failures and 5xx so far
    int throttles = 0;  // 429/503 answers waited out so far
    bool refreshed_after_401 = false;
  };
  // `spent` accumulates the time spent in HTTP exchanges during the current call.
  StatusOr<TokenResult> GetToken(Duration* spent);  // locks mu_
  // IMDSv1 from now on ("why" is traced), or kUnavailable when v1 is disabled. Requires mu_.
  StatusOr<TokenResult> FallBackToV1(const std::string& why);
  // The token PUT got no answer: v1 after a timeout, a retry, or the error (ClassifyTokenFailure).
  // Requires mu_.
  StatusOr<TokenResult> OnTokenFailure(const Status& error);
  // Stores a token answered 200 (TTL from its header, refresh margin). Requires mu_.
  StatusOr<TokenResult> KeepToken(const HttpResponse& response, MonoTime now);
  // After a transport failure or 5xx: waits and returns true when attempts and budget are left.
  bool BackoffAndRetry(CallState* call);
  // After a 429/503: waits (Retry-After or backoff) and returns true while throttle retries last.
  bool WaitOutThrottle(const HttpResponse& response, CallState* call);
  // Forgets the token a GET was answered 401 with (or the v1 choice) so the next loop asks anew.
  void DropTokenAfter401(const TokenResult& used, const std::string& path);
  // A failed v1 GET after a timed-out token PUT says so.
  Status ExplainV1Failure(const Status& error, const TokenResult& used);
  // A v1 GET answered 200 after a timed-out token PUT: the hop-limit signature, warned once.
  void MaybeWarnHopLimit(int status, const TokenResult& used);
  StatusOr<HttpResponse> SendTraced(const HttpRequest& request, std::string_view step,
                                    Duration* spent);
  std::chrono::milliseconds NextTimeout(Duration spent) const;
  std::chrono::milliseconds Backoff(int retry) const;
  std::chrono::milliseconds RetryAfterOrBackoff(const HttpResponse& response, int retry) const;

  const ProviderContext ctx_;
  const StatusOr<ImdsOptions> options_;
  const std::string trace_provider_;

  std::mutex mu_;  // guards everything below; held across the token PUT (single flight)
  std::optional<Secret> token_;
  MonoTime token_refresh_at_{};
  bool use_v1_ = false;
  bool put_timed_out_ = false;
  bool hop_limit_warned_ = false;
};

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_IMDS_IMDS_CLIENT_H_
