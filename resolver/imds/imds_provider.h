// ImdsProvider ("iam-role"): credentials of the EC2 instance's IAM role, from the instance
// metadata service, through ImdsClient (imds_client.h: endpoint, token, retries, v1 fallback).
//
// Rules implemented:
//   - AWS_EC2_METADATA_DISABLED=true → kNotConfigured, no request (ImdsClient).
//   - Role: AWS_EC2_INSTANCE_PROFILE_NAME / ec2_instance_profile_name (env wins) skips discovery;
//     otherwise `GET /latest/meta-data/iam/security-credentials-extended/` first (the extended API,
//     whose body adds AccountId), falling back to the legacy
//     `/latest/meta-data/iam/security-credentials/` on 404; which API works is remembered for the
//     provider's life. The role is the listing's first line, trimmed (imds_listing.h), and must be
//     a valid IAM role name (it goes into the URL).
//   - Credentials: `GET <base>/<role>`, decoded by DecodeImdsCredentials (credentials_json.h):
//     Code must be Success when present; AccessKeyId, SecretAccessKey, Token, Expiration required;
//     AccountId kept.
//   - No role attached (404 on the legacy listing, or an empty listing) → kNotConfigured: botocore
//     returns "no credentials" there and the chain moves on; chantless does the same (IMDS is the
//     chain's last provider, so the final error lists it as skipped with this reason).
//   - A named role (AWS_EC2_INSTANCE_PROFILE_NAME) that IMDS answers 404 for on both APIs →
//     kInvalidConfiguration naming the variable.
//   - Expiration: the expiry rule (expiry.h) — the trace says how long fresh credentials are
//     valid — with static stability as its one documented exception:
//   - Static stability (botocore, JS, Rust, Go do it too): when IMDS serves credentials that have
//     already expired, or a refresh fails (kUnavailable / kDeadlineExceeded / kInvalidResponse)
//     while credentials from an earlier call are in hand, the credentials are served with
//     `expiration` moved to now + 5–15 min (uniform jitter from a seedable RNG), `extended = true`,
//     and a kWarning trace. The extension is capped: never past the real expiry + 1 h. Past the
//     cap, credentials IMDS serves expired are refused as the expiry rule refuses them
//     (kInvalidResponse naming the endpoint, the Expiration, the local clock and the limit); a
//     failed refresh returns kUnavailable. Old credentials that are still valid are served
//     unchanged (with a warning) when a refresh fails.
//   - Trace: botocore's lines "Looking for credentials via: iam-role" and "Found credentials from
//     IAM Role: <role>" (kInfo), every request (kRequest, from ImdsClient), warnings (kWarning). No
//     key, secret or token in any event or message.
// Differences from botocore, deliberate:
//   - chantless tries the extended path first (as Go v2 does) and reports AccountId.
//   - botocore returns "no credentials" when IMDS is unreachable; chantless stops with
//     kUnavailable naming the endpoint (so `chantless resolve` says why it failed).
//   - botocore (1.43 utils.py _evaluate_expiration) extends credentials that are within 12–20 min
//     of expiry, or past it, to now + 12–20 min, again on every fetch, without limit; chantless
//     extends only expired ones (or on a failed refresh), by 5–15 min, marks them `extended` and
//     caps the total at 1 h past the real expiry.
//   - botocore (1.43) knows neither the extended path nor AWS_EC2_INSTANCE_PROFILE_NAME /
//     ec2_instance_profile_name; chantless honours both as the newer SDKs (Go v2) do.
#ifndef CHANTLESS_RESOLVER_IMDS_IMDS_PROVIDER_H_
#define CHANTLESS_RESOLVER_IMDS_IMDS_PROVIDER_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>

#include "resolver/core/credentials.h"
#include "resolver/core/provider.h"
#include "resolver/core/status.h"
#include "resolver/imds/imds_client.h"

namespace chantless {

inline constexpr char kImdsExtendedCredentialsPath[] =
    "/latest/meta-data/iam/security-credentials-extended/";
inline constexpr char kImdsLegacyCredentialsPath[] = "/latest/meta-data/iam/security-credentials/";

struct ImdsProviderOptions {
  std::optional<uint64_t> jitter_seed;  // nullopt: NewJitterSeed() (jitter_seed.h)
  std::chrono::seconds min_extension{5 * 60};
  std::chrono::seconds max_extension{15 * 60};
  std::chrono::seconds max_total_extension{60 * 60};  // past the real expiry
};

// Not thread-safe (Resolve() updates the remembered API and the last good credentials): put a
// CredentialsCache in front for concurrent use. Holds the context's seam pointers (not owned): they
// must outlive the provider.
class ImdsProvider : public CredentialsProvider {
 public:
  explicit ImdsProvider(const ProviderContext& ctx);
  ImdsProvider(const ProviderContext& ctx, ImdsProviderOptions options);

  std::string Name() const override;  // "iam-role", also the trace's provider name

  // Errors: kNotConfigured (IMDS disabled; no role attached), kInvalidConfiguration (bad IMDS
  // option; named role not found), kUnavailable (IMDS unreachable, 5xx, throttled),
  // kDeadlineExceeded (timed out), kInvalidResponse (malformed listing or credentials body) —
  // unless static stability applies.
  StatusOr<Credentials> Resolve() override;

  ImdsClient& client() { return client_; }

 private:
  enum class Api { kUnknown, kExtended, kLegacy };
  StatusOr<Credentials> FetchFresh(std::string* role_out);
  StatusOr<std::string> DiscoverRole();
  // Static stability: `credentials` served extended, or, past the cap, `why`'s code with its
  // message and the limit.
  StatusOr<Credentials> Extend(Credentials credentials, WallTime real_expiry, const Status& why);
  std::string BasePath() const;

  ProviderContext ctx_;
  ImdsClient client_;
  ImdsProviderOptions options_;
  std::mt19937_64 rng_;
  Api api_ = Api::kUnknown;
  std::optional<Credentials> last_;  // last credentials IMDS served, with their real expiry
};

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_IMDS_IMDS_PROVIDER_H_
