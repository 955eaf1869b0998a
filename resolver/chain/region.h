// Region resolution as the AWS CLI v2 does it, with where the answer came from.
//
// Rules, first match wins:
//   1. AWS_REGION;
//   2. AWS_DEFAULT_REGION;
//   3. the selected profile's `region` (ctx.settings; credentials file over config file);
//   4. IMDS (when an ImdsClient is given and IMDS is not disabled):
//      `GET /latest/meta-data/placement/region`, else (non-200) the availability zone
//      `GET /latest/meta-data/placement/availability-zone` minus its trailing letter ("us-east-1a"
//      → "us-east-1"), which is what botocore's InstanceMetadataRegionFetcher does. (For Local
//      Zone AZs such as "us-west-2-lax-1a" that rule is wrong; placement/region is right, which is
//      why it is asked first.)
// Blank values count as unset. A value that is not a region name (1–64 of a-z 0-9 -) is
// kInvalidConfiguration naming its source (kInvalidResponse when IMDS sent it).
// Differences from the AWS CLI, deliberate: the CLI asks only for the availability zone; chantless
// asks for placement/region first. An unreachable IMDS makes the CLI silently have no region;
// chantless answers kNotConfigured whose message carries the IMDS error.
#ifndef CHANTLESS_RESOLVER_CHAIN_REGION_H_
#define CHANTLESS_RESOLVER_CHAIN_REGION_H_

#include <string>

#include "resolver/core/provider.h"
#include "resolver/core/status.h"
#include "resolver/imds/imds_client.h"

namespace chantless {

struct RegionResult {
  std::string region;  // "us-east-1"
  // "AWS_REGION", "AWS_DEFAULT_REGION", "region (…/config:3 (profile dev))",
  // "IMDS /latest/meta-data/placement/region", "IMDS /latest/meta-data/placement/availability-zone"
  std::string source;
};

inline constexpr char kImdsRegionPath[] = "/latest/meta-data/placement/region";
inline constexpr char kImdsAvailabilityZonePath[] = "/latest/meta-data/placement/availability-zone";

// `imds` may be null (IMDS not consulted). Errors: kNotConfigured (no source has a region; the
// message lists each source and why), kInvalidConfiguration (a malformed region in the environment
// or profile, or a bad IMDS option), kInvalidResponse (IMDS answered something that is not a region
// or availability zone). Each step is traced (provider "region").
StatusOr<RegionResult> ResolveRegion(const ProviderContext& ctx, ImdsClient* imds);

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_CHAIN_REGION_H_
