// ContainerProvider: credentials from the container credentials endpoint that ECS tasks, EKS Pod
// Identity agents and AWS CloudShell expose ("container-role" in botocore's chain).
//
// Rules implemented (the map of every rule: docs/behaviour.md):
// - Applies only when AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or AWS_CONTAINER_CREDENTIALS_FULL_URI
//   is set (blank counts as unset); otherwise kNotConfigured and zero requests.
// - RELATIVE_URI → `http://169.254.170.2<uri>` (a missing leading "/" is added) and wins over
//   FULL_URI, as in botocore, aws-sdk-cpp, aws-c-auth and aws-config (Rust); when both are set a
//   trace warning says which one was used (the JS SDK and Go let FULL_URI win).
// - FULL_URI: `https` to any host; `http` only to loopback (127.0.0.0/8, ::1, localhost), the ECS
//   host 169.254.170.2, the EKS hosts 169.254.170.23 and fd00:ec2::23, or a host listed in
//   CHANTLESS_CONTAINER_ALLOWED_HOSTS (comma-separated, case-insensitive; a chantless extra, e.g.
//   `host.docker.internal`). Host names are compared as written and never resolved through DNS
//   (botocore resolves a name to check it is loopback; chantless does not, so a name other than
//   `localhost` must be allow-listed). Any other scheme or host, user-info in the URI, or a control
//   character anywhere in it is kInvalidConfiguration naming the rule that refused it.
// - Authorization header: the contents of AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (wins; re-read on
//   every Resolve() because EKS rotates it; one trailing "\n" or "\r\n" trimmed) or else
//   AWS_CONTAINER_AUTHORIZATION_TOKEN. A token holding CR, LF or any other control character (tab
//   excepted), or an empty/unreadable token file, is kInvalidConfiguration naming the variable or
//   path. The token value never appears in a trace event or an error message.
// - Request: `GET` with `Accept: application/json`, a 2 s timeout per attempt, up to 3 attempts.
//   5xx answers and transport failures (kUnavailable: refused, reset; kDeadlineExceeded: timeout)
//   are retried, attempts
//   starting at least 1 s apart (ctx.clock->SleepFor; botocore sleeps 1 s between its 3 attempts):
//   a refused connection waits 1 s, a 2 s timeout retries at once, so a hung endpoint fails in
//   attempts × timeout (6 s) rather than botocore's 8 s. 4xx answers are not retried. The final
//   non-2xx answer is kUnavailable naming the endpoint, path and status, and saying "HTML error
//   page" when the body is HTML (CloudShell/ECS 500/503 pages) instead of reporting a JSON parse
//   error.
// - Body: DecodeContainerCredentials (credentials_json.h), which accepts CloudShell's shape
//   (`"Type":""`, `"Code":"Success"`, `"LastUpdated":"1970-01-01T00:00:00Z"`) and ECS/EKS's
//   (`RoleArn`, `AccountId`). A malformed 200 body is kInvalidResponse.
// - Expiration: the expiry rule (expiry.h). Credentials the endpoint serves already expired are
//   refused with kInvalidResponse naming the endpoint, the Expiration and the local clock (not
//   retried: the endpoint answered; CredentialsCache backs off); the trace says how long accepted
//   credentials are valid. botocore 1.29 refuses them as well ("still expired" after a refresh).
// - Trace: "Looking for credentials via: container-role" (botocore's chain line), one kRequest
//   event per attempt (method, endpoint, path, status, elapsed; never a header), and
//   "Found credentials from container-role" on success (botocore logs no success line for this
//   provider; the wording follows its IAM-role line).
#ifndef CHANTLESS_RESOLVER_CONTAINER_CONTAINER_PROVIDER_H_
#define CHANTLESS_RESOLVER_CONTAINER_CONTAINER_PROVIDER_H_

#include <chrono>
#include <string>
#include <string_view>

#include "resolver/core/provider.h"

namespace chantless {

struct ContainerProviderOptions {
  std::chrono::milliseconds timeout{2000};  // per attempt
  int attempts = 3;
  std::chrono::milliseconds retry_backoff{1000};  // minimum time between attempt starts
};

// Where a container URI variable points, split for HttpRequest.
struct ContainerEndpoint {
  std::string endpoint;  // "http://169.254.170.2", "http://[fd00:ec2::23]:80", …
  std::string path;      // "/v2/credentials/…"
  std::string source;    // the variable it came from, for messages
};

// Pure helpers, exposed for tests and fuzzing.
//
// Parses `uri` from `variable` and applies the FULL_URI host rules (plus `allowed_hosts`, the raw
// CHANTLESS_CONTAINER_ALLOWED_HOSTS value). kInvalidConfiguration naming `variable` and the rule.
StatusOr<ContainerEndpoint> ParseContainerFullUri(std::string_view uri, std::string_view variable,
                                                  std::string_view allowed_hosts);
// kInvalidConfiguration (naming `source`, never the value) when `token` holds CR, LF or another
// control character other than tab.
Status ValidateAuthorizationToken(std::string_view token, std::string_view source);

// Not thread-safe: put a CredentialsCache in front for concurrent use. Holds no state between
// calls. The context's seams must outlive the provider.
class ContainerProvider : public CredentialsProvider {
 public:
  explicit ContainerProvider(const ProviderContext& ctx);
  ContainerProvider(const ProviderContext& ctx, ContainerProviderOptions options);

  std::string Name() const override;  // "container-role", also the trace's provider name

  // Errors: kNotConfigured (no URI variable set, zero requests); kInvalidConfiguration (refused
  // URI, bad token or token file); kUnavailable (transport failure or non-2xx after the retries) or
  // kDeadlineExceeded (timed out); kInvalidResponse (a 2xx body that is not valid container
  // credentials, credentials already expired (resolver/core/expiry.h), or a client-side
  // malformed/oversized response).
  StatusOr<Credentials> Resolve() override;

 private:
  StatusOr<ContainerEndpoint> FindEndpoint() const;
  // The Authorization value, "" when none is configured.
  StatusOr<std::string> AuthorizationToken() const;

  ProviderContext ctx_;
  ContainerProviderOptions options_;
};

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_CONTAINER_CONTAINER_PROVIDER_H_
