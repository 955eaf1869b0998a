// Endpoint and region selection for the STS, SSO and SSO-OIDC calls of the STS-backed providers,
// and the CA bundle they use (sts-sso-behaviour.md §1.5 and §5). Pure functions over an
// environment view and the selected profile; every answer carries a "why" for the trace.
//
// Region (SelectRegion), first match wins: `--region` > AWS_REGION > AWS_DEFAULT_REGION > the
// selected profile's `region`. Blank values count as unset; a value that is not a host label
// (1–63 of A-Z a-z 0-9 -, not starting with -) is kInvalidConfiguration naming its source.
// botocore reads AWS_DEFAULT_REGION only and JS AWS_REGION only; chantless reads both, as
// resolver/region.h does.
//
// Endpoint override, per service (ID STS / SSO / SSO_OIDC, services key sts / sso / sso_oidc),
// first match wins:
//   1. AWS_ENDPOINT_URL_<ID>;
//   2. AWS_ENDPOINT_URL;
//   3. the `endpoint_url` sub-property of `<key> =` in the `[services NAME]` section named by the
//      profile's `services = NAME` (a NAME with no section is kInvalidConfiguration: `The profile
//      is configured to use the services section but the "NAME" services configuration does not
//      exist.`);
//   4. the profile's `endpoint_url`.
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS, else the profile's `ignore_configured_endpoint_urls`, when
// "true" turns all four off. An override must start with http:// or https:// and name a
// host, else kInvalidConfiguration naming its source. An override beats FIPS, dual-stack and
// `sts_regional_endpoints` (botocore ignores them silently; chantless warns).
//
// Built-in endpoints (botocore 1.43's endpoint rule sets; partitions by region name):
//   | partition     | regions        | DNS suffix      | dual-stack suffix              |
//   | aws           | us-east-1, …   | amazonaws.com   | api.aws                        |
//   | aws-cn        | cn-*           | amazonaws.com.cn| api.amazonwebservices.com.cn   |
//   | aws-us-gov    | us-gov-*       | amazonaws.com   | api.aws                        |
//   | aws-iso       | us-iso-*       | c2s.ic.gov      | api.aws.ic.gov                 |
//   | aws-iso-b     | us-isob-*      | sc2s.sgov.gov   | api.aws.scloud                 |
//   | aws-iso-e     | eu-isoe-*      | cloud.adc-e.uk  | api.cloud-aws.adc-e.uk         |
//   | aws-iso-f     | us-isof-*      | csp.hci.ic.gov  | api.aws.hci.ic.gov             |
//   | aws-eusc      | eusc-de-*      | amazonaws.eu    | api.amazonwebservices.eu       |
//   plain `https://<svc>.<region>.<dns>`; FIPS `https://<svc>-fips.<region>.<dns>` except
//   aws-us-gov, which keeps `<svc>.<region>.<dns>`; dual-stack `https://<svc>.<region>.<dual>`;
//   both `https://<svc>-fips.<region>.<dual>`. <svc> is `sts`, `portal.sso` and `oidc` (FIPS:
//   `sts-fips`, `portal.sso-fips`, `oidc-fips`).
// FIPS: AWS_USE_FIPS_ENDPOINT, else the profile's `use_fips_endpoint`; dual-stack:
// AWS_USE_DUALSTACK_ENDPOINT, else `use_dualstack_endpoint`. "true"/"false" in any case; another
// value is kInvalidConfiguration naming its source (botocore reads it as false; chantless refuses
// typos in every boolean setting). The same holds for ignore_configured_endpoint_urls.
//
// STS only:
// - `sts_regional_endpoints` (AWS_STS_REGIONAL_ENDPOINTS wins over the profile key): "regional"
//   (the default) or "legacy"; another value is kInvalidConfiguration `STS regional endpoints
//   option X is invalid. Valid values are: legacy, regional`. With "legacy", no FIPS and no
//   dual-stack, a region in kLegacyGlobalStsRegions goes to `https://sts.amazonaws.com`, signed
//   us-east-1 (botocore args.py LEGACY_GLOBAL_STS_REGIONS).
// - Region "aws-global" (with neither FIPS nor dual-stack) is the global endpoint, signed
//   us-east-1, whatever the setting.
// - No region at all: the global endpoint, signed us-east-1 (botocore does the same); FIPS or
//   dual-stack without a region is kInvalidConfiguration. An override with no region is signed
//   us-east-1 with a warning (botocore fails: "NoRegionError: You must specify a region.").
// SSO and SSO-OIDC use the profile's `sso_region`, never the client region.
//
// CA bundle: AWS_CA_BUNDLE > the profile's `ca_bundle`, for all three calls; JS ignores both.
//
// Thread-safe: the functions keep no state.
#ifndef CHANTLESS_RESOLVER_ENDPOINTS_ENDPOINTS_H_
#define CHANTLESS_RESOLVER_ENDPOINTS_ENDPOINTS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "resolver/core/environment.h"
#include "resolver/core/filesystem.h"
#include "resolver/core/provider.h"
#include "resolver/core/status.h"
#include "resolver/profile/profile_file_parser.h"

namespace chantless {

// What the selection functions read. Non-owning; the pointees outlive the call.
struct EndpointInputs {
  const Environment* env = nullptr;          // required
  const ProfileSettings* profile = nullptr;  // the selected profile; null: no profile keys
  const ProfileFile* config_file = nullptr;  // for [services NAME]; null: no such sections
  std::string config_path;                   // for messages about [services NAME]
  std::optional<std::string> region_flag;    // `--region`
};

enum class EndpointService { kSts, kSso, kSsoOidc };

// The regions that botocore's "legacy" sts_regional_endpoints sends to the global endpoint.
inline constexpr const char* kLegacyGlobalStsRegions[] = {
    "ap-northeast-1", "ap-south-1",   "ap-southeast-1", "ap-southeast-2",
    "aws-global",     "ca-central-1", "eu-central-1",   "eu-north-1",
    "eu-west-1",      "eu-west-2",    "eu-west-3",      "sa-east-1",
    "us-east-1",      "us-east-2",    "us-west-1",      "us-west-2"};

struct RegionSelection {
  std::optional<std::string> region;  // absent: no source has one
  std::string source;  // "--region", "AWS_REGION", "AWS_DEFAULT_REGION", "region (PATH:LINE …)"
};

struct EndpointSelection {
  std::string url;             // "https://sts.eu-west-1.amazonaws.com", an override as written
  std::string signing_region;  // the SigV4 region (STS); the service region for SSO and OIDC
  // For the trace: which rule chose the URL and where the region came from.
  std::string why;
  std::vector<std::string> warnings;  // to trace as warnings
};

struct CaBundleSelection {
  std::string path;
  std::string source;  // "AWS_CA_BUNDLE" or "ca_bundle (PATH:LINE (profile p))"
};

// Errors: kInvalidConfiguration for a malformed region, naming its source.
StatusOr<RegionSelection> SelectRegion(const EndpointInputs& inputs);

// The STS endpoint for the client region (SelectRegion). Errors: kInvalidConfiguration (a bad
// region, sts_regional_endpoints value, override URL or services section; FIPS or dual-stack
// without a region).
StatusOr<EndpointSelection> SelectStsEndpoint(const EndpointInputs& inputs);

// The SSO portal (kSso) or SSO-OIDC (kSsoOidc) endpoint for `sso_region` (from SsoSettings;
// `sso_region_where` says where it was set). Errors as SelectStsEndpoint; `service` kSts is
// kInternal.
StatusOr<EndpointSelection> SelectSsoEndpoint(const EndpointInputs& inputs, EndpointService service,
                                              std::string_view sso_region,
                                              std::string_view sso_region_where);

// The CA bundle to trust, or nullopt when neither source sets one (the system store).
std::optional<CaBundleSelection> SelectCaBundle(const EndpointInputs& inputs);

// SelectCaBundle, then checks through `fs` that the file can be read. kInvalidConfiguration
// "CA bundle /x.pem (from AWS_CA_BUNDLE) does not exist" (or "cannot be read: …"), naming the
// variable or PATH:LINE.
StatusOr<std::optional<CaBundleSelection>> SelectAndCheckCaBundle(const EndpointInputs& inputs,
                                                                  const Filesystem& fs);

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_ENDPOINTS_ENDPOINTS_H_
