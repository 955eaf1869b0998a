// The expiry rule: the one place that decides whether credentials a provider received may be
// returned, given their Expiration and the local clock. Every provider that receives an Expiration
// calls CheckExpiry where it accepts credentials: env (AWS_CREDENTIAL_EXPIRATION),
// credential_process (its output), the container endpoint, IMDS, and CredentialsCache as a backstop
// for any provider.
//
// The rule (docs/behaviour.md, "Expiration"):
// - No Expiration: long-term credentials, accepted, nothing to say.
// - Expiration at or before the local clock (Clock::Now()): expired. Refused with kInvalidResponse
//   whatever the source (`chantless resolve` exits 1), the message naming the source (endpoint,
//   command or variable), the Expiration seen and the local clock. No clock-skew allowance in
//   either direction: the local clock is the only one chantless has; accepting credentials some
//   seconds past their Expiration hands out credentials AWS rejects (ExpiredToken) whenever the
//   clocks agree, and refusing credentials some seconds before it is the refresh windows' job
//   (CredentialsCache refreshes ahead), not the validity rule's.
// - Otherwise accepted. The trace says how long they are valid ("valid for 4m 10s, until …") and,
//   when less than kExpiryRefreshWindow remains, that they are inside the refresh window.
// - The one exception is IMDS static stability (imds_provider.h): credentials this rule refuses
//   may be served extended (capped, marked `extended`, traced) by the IMDS provider alone.
//
// Pure functions of their arguments (plus the trace sink); thread-safe.
#ifndef CHANTLESS_RESOLVER_EXPIRY_H_
#define CHANTLESS_RESOLVER_EXPIRY_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "resolver/core/status.h"
#include "resolver/core/time_util.h"
#include "resolver/core/trace.h"

namespace chantless {

// Credentials with less than this left are "inside the refresh window" in the trace: botocore's
// advisory window and CredentialsCacheOptions::max_advisory_window.
inline constexpr std::chrono::minutes kExpiryRefreshWindow{15};

// The rule. `source` names where the credentials came from, e.g. "AWS_CREDENTIAL_EXPIRATION",
// "container-role: GET http://127.0.0.1:8080/creds (from AWS_CONTAINER_CREDENTIALS_FULL_URI)"; it
// starts the error message. When `trace` is not null and the credentials are accepted with an
// expiration, TraceValidity() records how long they are valid (provider `trace_provider`).
// Errors: kInvalidResponse when `expiration` is at or before `now`.
Status CheckExpiry(std::optional<WallTime> expiration, WallTime now, std::string_view source,
                   TraceSink* trace = nullptr, std::string_view trace_provider = {});

// A kInfo event (provider `trace_provider`): "credentials from SOURCE are valid for 14m 59s (until
// 2024-05-01T12:15:00Z)", plus ", inside the 15-minute refresh window" when less than
// kExpiryRefreshWindow remains. For callers that checked the rule without a sink at hand (a pure
// parser) and trace once they have one. Null `trace`: nothing.
void TraceValidity(TraceSink* trace, std::string_view trace_provider, std::string_view source,
                   WallTime expiration, WallTime now);

// "3h 0m 5s", "14m 59s", "42s", "less than 1s": a non-negative duration for messages.
std::string FormatExpiryDuration(std::chrono::nanoseconds d);

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_EXPIRY_H_
