// Table-driven tests for STS, SSO and SSO-OIDC endpoint and region selection (sts-sso-behaviour.md
// §1.5 and §5). Expected URLs for the built-in endpoints were computed with botocore 1.43.11's
// endpoint rule sets; the override order follows the AWS CLI's configured-endpoint-URL cases
// (tests/functional/configured_endpoint_urls/profile-tests.json). Also the CA bundle source.
#include "resolver/endpoints/endpoints.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "resolver/profile/profile_config.h"
#include "resolver/testing/fakes.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::testing::HasSubstr;

constexpr char kConfigPath[] = "/h/.aws/config";

struct EndpointCase {
  const char* name;
  std::vector<std::pair<std::string, std::string>> env;
  const char* config;  // text of the config file; the selected profile is "p"
  EndpointService service = EndpointService::kSts;
  const char* region_flag = nullptr;
  const char* sso_region = "eu-west-1";  // for kSso / kSsoOidc
  const char* url = nullptr;             // expected URL; null: an error is expected
  const char* signing_region = nullptr;
  const char* why = "";      // a substring of `why`, or of the error message
  const char* warning = "";  // a substring of one warning; "" expects none
};

void PrintTo(const EndpointCase& c, std::ostream* os) { *os << c.name; }

class EndpointSelectionTest : public ::testing::TestWithParam<EndpointCase> {};

TEST_P(EndpointSelectionTest, SelectsEndpointRegionAndWhy) {
  const EndpointCase& c = GetParam();
  testing::FakeEnvironment env;
  for (const auto& [name, value] : c.env) env.Set(name, value);
  StatusOr<ProfileFile> config = ParseProfileFile(c.config, ProfileFileKind::kConfig, kConfigPath);
  ASSERT_OK(config);
  ProfileConfig profile("p", "default", kConfigPath, *config, "/h/.aws/credentials", ProfileFile());
  EndpointInputs in;
  in.env = &env;
  in.profile = &profile;
  in.config_file = &profile.config_file();
  in.config_path = kConfigPath;
  if (c.region_flag != nullptr) in.region_flag = c.region_flag;

  StatusOr<EndpointSelection> result =
      c.service == EndpointService::kSts
          ? SelectStsEndpoint(in)
          : SelectSsoEndpoint(in, c.service, c.sso_region, "/h/.aws/config:9 (sso-session s)");
  if (c.url == nullptr) {
    EXPECT_THAT(result, testing::StatusIs(StatusCode::kInvalidConfiguration, HasSubstr(c.why)));
    return;
  }
  ASSERT_OK(result);
  EXPECT_EQ(result->url, c.url);
  EXPECT_EQ(result->signing_region, c.signing_region);
  EXPECT_THAT(result->why, HasSubstr(c.why));
  if (*c.warning == '\0') {
    EXPECT_TRUE(result->warnings.empty()) << result->warnings.front();
  } else {
    ASSERT_EQ(result->warnings.size(), 1u);
    EXPECT_THAT(result->warnings[0], HasSubstr(c.warning));
  }
}

constexpr char kNoProfile[] = "";
constexpr char kServices[] =
    "[profile p]\nservices = local\nendpoint_url = http://127.0.0.1:4000\n"
    "[services local]\nsts =\n  endpoint_url = http://127.0.0.1:4566\n"
    "sso =\n  endpoint_url = http://127.0.0.1:4567\n"
    "sso_oidc =\n  endpoint_url = http://127.0.0.1:4568\n";

const EndpointCase kCases[] = {
    // --- region precedence ------------------------------------------------------------------
    {"AwsRegionRegional",
     {{"AWS_REGION", "eu-west-1"}},
     kNoProfile,
     EndpointService::kSts,
     nullptr,
     nullptr,
     "https://sts.eu-west-1.amazonaws.com",
     "eu-west-1",
     "STS regional endpoint (partition aws) https://sts.eu-west-1.amazonaws.com "
     "(sts_regional_endpoints regional, default); region eu-west-1 from AWS_REGION"},
    {"AwsDefaultRegion",
     {{"AWS_DEFAULT_REGION", "ap-east-1"}},
     kNoProfile,
     EndpointService::kSts,
     nullptr,
     nullptr,
     "https://sts.ap-east-1.amazonaws.com",
     "ap-east-1",
     "region ap-east-1 from AWS_DEFAULT_REGION"},
    {"AwsRegionBeatsAwsDefaultRegion",
     {{"AWS_REGION", "eu-west-2"}, {"AWS_DEFAULT_REGION", "eu-west-3"}},
     kNoProfile,
     EndpointService::kSts,
     nullptr,
     nullptr,
     "https://sts.eu-west-2.amazonaws.com",
     "eu-west-2",
     "from AWS_REGION"},
    {"RegionFlagBeatsEnv",
     {{"AWS_REGION", "eu-west-2"}},
     kNoProfile,
     EndpointService::kSts,
     "sa-east-1",
     nullptr,
     "https://sts.sa-east-1.amazonaws.com",
     "sa-east-1",
     "region sa-east-1 from --region"},
    {"ProfileRegion",
     {},
     "[profile p]\nregion = ca-central-1\n",
     EndpointService::kSts,
     nullptr,
     nullptr,
     "https://sts.ca-central-1.amazonaws.com",
     "ca-central-1",
     "region ca-central-1 from region (/h/.aws/config:2 (profile p))"},
    {"EnvRegionBeatsProfile",
     {{"AWS_DEFAULT_REGION", "us-west-2"}},
     "[profile p]\nregion = ca-central-1\n",
     EndpointService::kSts,
     nullptr,
     nullptr,
     "https://sts.us-west-2.amazonaws.com",
     "us-west-2",
     "from AWS_DEFAULT_REGION"},
    {"BlankEnvRegionIsUnset",
     {{"AWS_REGION", "  "}},
     "[profile p]\nregion = eu-north-1\n",
     EndpointService::kSts,
     nullptr,
     nullptr,
     "https://sts.eu-north-1.amazonaws.com",
     "eu-north-1",
     "from region ("},
    {"NoRegionGoesGlobal",
     {},
     kNoProfile,
     EndpointService::kSts,
     nullptr,
     nullptr,
     "https://sts.amazonaws.com",
     "us-east-1",
     "STS global endpoint https://sts.amazonaws.com, signed for us-east-1: no region in"},
    {"InvalidRegionNamesSource",
     {{"AWS_REGION", "eu west 1"}},
     kNoProfile,
     EndpointService::kSts,
     nullptr,
     nullptr,
     nullptr,
     nullptr,
     "region from AWS_REGION is not a valid region name"},
    // --- sts_regional_endpoints -------------------------------------------------------------
    {"LegacyEnvUsEast1Global",
     {{"AWS_REGION", "us-east-1"}, {"AWS_STS_REGIONAL_ENDPOINTS", "legacy"}},
     kNoProfile,
     EndpointService::kSts,
     nullptr,
     nullptr,
     "https://sts.amazonaws.com",
     "us-east-1",
     "sts_regional_endpoints is legacy (AWS_STS_REGIONAL_ENDPOINTS) and us-east-1 is one of its "
     "global regions"},
    {"LegacyProfileEuWest1Global",
     {{"AWS_REGION", "eu-west-1"}},
     "[profile p]\nsts_regional_endpoints = legacy\n",
     EndpointService::kSts,
     nullptr,
     nullptr,
     "https://sts.amazonaws.com",
     "us-east-1",
     "sts_regional_endpoints is legacy ("},
    {"LegacyOptInRegionStaysRegional",
     {{"AWS_REGION", "ap-east-1"}, {"AWS_STS_REGIONAL_ENDPOINTS", "legacy"}},
     kNoProfile,
     EndpointService::kSts,
     nullptr,
     nullptr,
     "https://sts.ap-east-1.amazonaws.com",
     "ap-east-1",
     "(sts_regional_endpoints legacy, AWS_STS_REGIONAL_ENDPOINTS)"},
    {"LegacyGovCloudStaysRegional",
     {{"AWS_REGION", "us-gov-west-1"}, {"AWS_STS_REGIONAL_ENDPOINTS", "legacy"}},
     kNoProfile,
     EndpointService::kSts,
     nullptr,
     nullptr,
     "https://sts.us-gov-west-1.amazonaws.com",
     "us-gov-west-1",
     "partition aws-us-gov"},
    {"RegionalEnvBeatsLegacyProfile",
     {{"AWS_REGION", "eu-west-1"}, {"AWS_STS_REGIONAL_ENDPOINTS", "regional"}},
     "[profile p]\nsts_regional_endpoints = legacy\n",
     EndpointService::kSts,
     nullptr,
     nullptr,
     "https://sts.eu-west-1.amazonaws.com",
     "eu-west-1",
     "sts_regional_endpoints regional, AWS_STS_REGIONAL_ENDPOINTS"},
    {"LegacyAwsGlobal",
     {{"AWS_REGION", "aws-global"}, {"AWS_STS_REGIONAL_ENDPOINTS", "legacy"}},
     kNoProfile,
     EndpointService::kSts,
     nullptr,
     nullptr,
     "https://sts.amazonaws.com",
     "us-east-1",
     "aws-global is one of its global regions"},
    {"RegionalAwsGlobal",
     {{"AWS_REGION", "aws-global"}},
     kNoProfile,
     EndpointService::kSts,
     nullptr,
     nullptr,
     "https://sts.amazonaws.com",
     "us-east-1",
     "region aws-global"},
    {"InvalidRegionalEndpointsValue",
     {{"AWS_REGION", "eu-west-1"}, {"AWS_STS_REGIONAL_ENDPOINTS", "Legacy"}},
     kNoProfile,
     EndpointService::kSts,
     nullptr,
     nullptr,
     nullptr,
     nullptr,
     "STS regional endpoints option Legacy is invalid. Valid values are: legacy, regional "
     "(AWS_STS_REGIONAL_ENDPOINTS)"},
    {"InvalidRegionalEndpointsInProfile",
     {{"AWS_REGION", "eu-west-1"}},
     "[profile p]\nsts_regional_endpoints = global\n",
     EndpointService::kSts,
     nullptr,
     nullptr,
     nullptr,
     nullptr,
     "option global is invalid. Valid values are: legacy, regional "
     "(sts_regional_endpoints (/h/.aws/config:2 (profile p)))"},
    {"LegacyWithFipsIsRegionalFips",
     {{"AWS_REGION", "eu-west-1"},
      {"AWS_STS_REGIONAL_ENDPOINTS", "legacy"},
      {"AWS_USE_FIPS_ENDPOINT", "true"}},
     kNoProfile,
     EndpointService::kSts,
     nullptr,
     nullptr,
     "https://sts-fips.eu-west-1.amazonaws.com",
     "eu-west-1",
     "STS FIPS endpoint"},
    {"LegacyWithDualStackIsRegionalDualStack",
     {{"AWS_REGION", "us-east-1"},
      {"AWS_STS_REGIONAL_ENDPOINTS", "legacy"},
      {"AWS_USE_DUALSTACK_ENDPOINT", "true"}},
     kNoProfile,
     EndpointService::kSts,
     nullptr,
     nullptr,
     "https://sts.us-east-1.api.aws",
     "us-east-1",
     "dual-stack from AWS_USE_DUALSTACK_ENDPOINT"},
    {"LegacyFipsAwsGlobal",
     {{"AWS_REGION", "aws-global"},
      {"AWS_STS_REGIONAL_ENDPOINTS", "legacy"},
      {"AWS_USE_FIPS_ENDPOINT", "true"}},
     kNoProfile,
     EndpointService::kSts,
     nullptr,
     nullptr,
     "https://sts-fips.aws-global.amazonaws.com",
     "aws-global",
     "FIPS"},
    // --- FIPS, dual-stack, partitions -------------------------------------------------------
    {"Fips",
     {{"AWS_REGION", "eu-west-1"}, {"AWS_USE_FIPS_ENDPOINT", "TRUE"}},
     kNoProfile,
     EndpointService::kSts,
     nullptr,
     nullptr,
     "https://sts-fips.eu-west-1.amazonaws.com",
     "eu-west-1",
     "FIPS from AWS_USE_FIPS_ENDPOINT"},
    {"DualStack",
     {{"AWS_REGION", "eu-west-1"}, {"AWS_USE_DUALSTACK_ENDPOINT", "true"}},
     kNoProfile,
     EndpointService::kSts,
     nullptr,
     nullptr,
     "https://sts.eu-west-1.api.aws",
     "eu-west-1",
     "STS dual-stack endpoint"},
    {"FipsAndDualStack",
     {{"AWS_REGION", "eu-west-1"},
      {"AWS_USE_FIPS_ENDPOINT", "true"},
      {"AWS_USE_DUALSTACK_ENDPOINT", "true"}},
     kNoProfile,
     EndpointService::kSts,
     nullptr,
     nullptr,
     "https://sts-fips.eu-west-1.api.aws",
     "eu-west-1",
     "STS FIPS dual-stack endpoint"},
    {"GovCloudFipsKeepsStsHost",
     {{"AWS_REGION", "us-gov-west-1"}, {"AWS_USE_FIPS_ENDPOINT", "true"}},
     kNoProfile,
     EndpointService::kSts,
     nullptr,
     nullptr,
     "https://sts.us-gov-west-1.amazonaws.com",
     "us-gov-west-1",
     "GovCloud's regular endpoint"},
    {"GovCloudFipsDualStack",
     {{"AWS_REGION", "us-gov-east-1"},
      {"AWS_USE_FIPS_ENDPOINT", "true"},
      {"AWS_USE_DUALSTACK_ENDPOINT", "true"}},
     kNoProfile,
     EndpointService::kSts,
     nullptr,
     nullptr,
     "https://sts-fips.us-gov-east-1.api.aws",
     "us-gov-east-1",
     "FIPS dual-stack"},
    {"China",
     {{"AWS_REGION", "cn-north-1"}},
     kNoProfile,
     EndpointService::kSts,
     nullptr,
     nullptr,
     "https://sts.cn-north-1.amazonaws.com.cn",
     "cn-north-1",
     "partition aws-cn"},
    {"ChinaDualStack",
     {{"AWS_REGION", "cn-northwest-1"}, {"AWS_USE_DUALSTACK_ENDPOINT", "true"}},
     kNoProfile,
     EndpointService::kSts,
     nullptr,
     nullptr,
     "https://sts.cn-northwest-1.api.amazonwebservices.com.cn",
     "cn-northwest-1",
     "dual-stack"},
    {"IsoPartition",
     {{"AWS_REGION", "us-iso-east-1"}},
     kNoProfile,
     EndpointService::kSts,
     nullptr,
     nullptr,
     "https://sts.us-iso-east-1.c2s.ic.gov",
     "us-iso-east-1",
     "partition aws-iso"},
    {"FipsFromProfile",
     {{"AWS_REGION", "us-east-2"}},
     "[profile p]\nuse_fips_endpoint = true\n",
     EndpointService::kSts,
     nullptr,
     nullptr,
     "https://sts-fips.us-east-2.amazonaws.com",
     "us-east-2",
     "FIPS from use_fips_endpoint (/h/.aws/config:2 (profile p))"},
    {"FipsEnvFalseBeatsProfileTrue",
     {{"AWS_REGION", "us-east-2"}, {"AWS_USE_FIPS_ENDPOINT", "false"}},
     "[profile p]\nuse_fips_endpoint = true\n",
     EndpointService::kSts,
     nullptr,
     nullptr,
     "https://sts.us-east-2.amazonaws.com",
     "us-east-2",
     "regional endpoint"},
    {"FipsOtherValueIsAnError",
     {{"AWS_REGION", "us-east-2"}, {"AWS_USE_FIPS_ENDPOINT", "yes"}},
     kNoProfile,
     EndpointService::kSts,
     nullptr,
     nullptr,
     nullptr,
     nullptr,
     "AWS_USE_FIPS_ENDPOINT must be true or false"},
    {"DualStackTypoInProfileIsAnError",
     {{"AWS_REGION", "us-east-2"}},
     "[profile p]\nuse_dualstack_endpoint = ture\n",
     EndpointService::kSts,
     nullptr,
     nullptr,
     nullptr,
     nullptr,
     "use_dualstack_endpoint (/h/.aws/config:2 (profile p)) must be true or false"},
    {"IgnoreConfiguredTypoIsAnError",
     {{"AWS_REGION", "us-east-2"}, {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "1"}},
     kNoProfile,
     EndpointService::kSts,
     nullptr,
     nullptr,
     nullptr,
     nullptr,
     "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS must be true or false"},
    {"FipsWithoutRegionIsAnError",
     {{"AWS_USE_FIPS_ENDPOINT", "true"}},
     kNoProfile,
     EndpointService::kSts,
     nullptr,
     nullptr,
     nullptr,
     nullptr,
     "use_fips_endpoint (AWS_USE_FIPS_ENDPOINT) needs a region for STS"},
    // --- overrides --------------------------------------------------------------------------
    {"ServiceEnvOverride",
     {{"AWS_REGION", "eu-west-1"}, {"AWS_ENDPOINT_URL_STS", "http://127.0.0.1:4566"}},
     kServices,
     EndpointService::kSts,
     nullptr,
     nullptr,
     "http://127.0.0.1:4566",
     "eu-west-1",
     "STS endpoint http://127.0.0.1:4566 from AWS_ENDPOINT_URL_STS; signed for region eu-west-1 "
     "from AWS_REGION"},
    {"ServiceEnvBeatsGlobalEnv",
     {{"AWS_REGION", "eu-west-1"},
      {"AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1"},
      {"AWS_ENDPOINT_URL", "http://127.0.0.1:2"}},
     kNoProfile,
     EndpointService::kSts,
     nullptr,
     nullptr,
     "http://127.0.0.1:1",
     "eu-west-1",
     "from AWS_ENDPOINT_URL_STS"},
    {"GlobalEnvBeatsServicesSection",
     {{"AWS_REGION", "eu-west-1"}, {"AWS_ENDPOINT_URL", "http://127.0.0.1:2"}},
     kServices,
     EndpointService::kSts,
     nullptr,
     nullptr,
     "http://127.0.0.1:2",
     "eu-west-1",
     "from AWS_ENDPOINT_URL;"},
    {"ServicesSection",
     {{"AWS_REGION", "eu-west-1"}},
     kServices,
     EndpointService::kSts,
     nullptr,
     nullptr,
     "http://127.0.0.1:4566",
     "eu-west-1",
     "from endpoint_url of sts in [services local] (/h/.aws/config:5)"},
    {"ServicesSectionWithoutStsFallsToProfileEndpointUrl",
     {{"AWS_REGION", "eu-west-1"}},
     "[profile p]\nservices = s3only\nendpoint_url = http://127.0.0.1:4000\n"
     "[services s3only]\ns3 =\n  endpoint_url = http://127.0.0.1:9000\n",
     EndpointService::kSts,
     nullptr,
     nullptr,
     "http://127.0.0.1:4000",
     "eu-west-1",
     "from endpoint_url (/h/.aws/config:3 (profile p))"},
    {"ProfileEndpointUrl",
     {{"AWS_REGION", "eu-west-1"}},
     "[profile p]\nendpoint_url = https://sts.example.test\n",
     EndpointService::kSts,
     nullptr,
     nullptr,
     "https://sts.example.test",
     "eu-west-1",
     "from endpoint_url ("},
    {"MissingServicesSection",
     {{"AWS_REGION", "eu-west-1"}},
     "[profile p]\nservices = nope\n",
     EndpointService::kSts,
     nullptr,
     nullptr,
     nullptr,
     nullptr,
     "The profile is configured to use the services section but the \"nope\" services "
     "configuration does not exist. (services (/h/.aws/config:2 (profile p)))"},
    {"ServiceEnvSkipsMissingServicesSection",
     {{"AWS_REGION", "eu-west-1"}, {"AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1"}},
     "[profile p]\nservices = nope\n",
     EndpointService::kSts,
     nullptr,
     nullptr,
     "http://127.0.0.1:1",
     "eu-west-1",
     "from AWS_ENDPOINT_URL_STS"},
    {"IgnoreConfiguredEndpointUrlsEnv",
     {{"AWS_REGION", "eu-west-1"},
      {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"},
      {"AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1"}},
     kServices,
     EndpointService::kSts,
     nullptr,
     nullptr,
     "https://sts.eu-west-1.amazonaws.com",
     "eu-west-1",
     "configured endpoint URLs ignored (AWS_IGNORE_CONFIGURED_ENDPOINT_URLS)"},
    {"IgnoreConfiguredEndpointUrlsProfile",
     {{"AWS_REGION", "eu-west-1"}},
     "[profile p]\nignore_configured_endpoint_urls = true\nendpoint_url = http://127.0.0.1:4000\n",
     EndpointService::kSts,
     nullptr,
     nullptr,
     "https://sts.eu-west-1.amazonaws.com",
     "eu-west-1",
     "configured endpoint URLs ignored (ignore_configured_endpoint_urls ("},
    {"IgnoreEnvFalseBeatsProfileTrue",
     {{"AWS_REGION", "eu-west-1"}, {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false"}},
     "[profile p]\nignore_configured_endpoint_urls = true\nendpoint_url = http://127.0.0.1:4000\n",
     EndpointService::kSts,
     nullptr,
     nullptr,
     "http://127.0.0.1:4000",
     "eu-west-1",
     "from endpoint_url ("},
    {"OverrideWithoutRegionSignsUsEast1",
     {{"AWS_ENDPOINT_URL", "http://127.0.0.1:2"}},
     kNoProfile,
     EndpointService::kSts,
     nullptr,
     nullptr,
     "http://127.0.0.1:2",
     "us-east-1",
     "signed for us-east-1 (no region in",
     "STS endpoint override with no region"},
    {"OverrideBeatsLegacy",
     {{"AWS_REGION", "us-east-1"},
      {"AWS_STS_REGIONAL_ENDPOINTS", "legacy"},
      {"AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1"}},
     kNoProfile,
     EndpointService::kSts,
     nullptr,
     nullptr,
     "http://127.0.0.1:1",
     "us-east-1",
     "from AWS_ENDPOINT_URL_STS"},
    {"OverrideBeatsFipsWithWarning",
     {{"AWS_REGION", "eu-west-1"},
      {"AWS_USE_FIPS_ENDPOINT", "true"},
      {"AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1"}},
     kNoProfile,
     EndpointService::kSts,
     nullptr,
     nullptr,
     "http://127.0.0.1:1",
     "eu-west-1",
     "from AWS_ENDPOINT_URL_STS",
     "FIPS is not applied to it"},
    {"OverrideWithoutSchemeIsAnError",
     {{"AWS_REGION", "eu-west-1"}, {"AWS_ENDPOINT_URL_STS", "127.0.0.1:1"}},
     kNoProfile,
     EndpointService::kSts,
     nullptr,
     nullptr,
     nullptr,
     nullptr,
     "endpoint URL from AWS_ENDPOINT_URL_STS must start with http:// or https://"},
    {"OverrideWithoutHostIsAnError",
     {{"AWS_REGION", "eu-west-1"}},
     "[profile p]\nendpoint_url = https:///x\n",
     EndpointService::kSts,
     nullptr,
     nullptr,
     nullptr,
     nullptr,
     "endpoint URL from endpoint_url (/h/.aws/config:2 (profile p)) has no host name"},
    // --- SSO and SSO-OIDC -------------------------------------------------------------------
    {"SsoPortal",
     {},
     kNoProfile,
     EndpointService::kSso,
     nullptr,
     "eu-west-1",
     "https://portal.sso.eu-west-1.amazonaws.com",
     "eu-west-1",
     "SSO regional endpoint (partition aws) https://portal.sso.eu-west-1.amazonaws.com; region "
     "eu-west-1 from sso_region (/h/.aws/config:9 (sso-session s))"},
    {"SsoOidc",
     {},
     kNoProfile,
     EndpointService::kSsoOidc,
     nullptr,
     "us-east-2",
     "https://oidc.us-east-2.amazonaws.com",
     "us-east-2",
     "SSO-OIDC regional endpoint"},
    {"SsoIgnoresClientRegion",
     {{"AWS_REGION", "us-west-2"}},
     "[profile p]\nregion = ap-south-1\n",
     EndpointService::kSso,
     "sa-east-1",
     "eu-central-1",
     "https://portal.sso.eu-central-1.amazonaws.com",
     "eu-central-1",
     "from sso_region"},
    {"SsoFips",
     {{"AWS_USE_FIPS_ENDPOINT", "true"}},
     kNoProfile,
     EndpointService::kSso,
     nullptr,
     "us-east-1",
     "https://portal.sso-fips.us-east-1.amazonaws.com",
     "us-east-1",
     "FIPS"},
    {"SsoDualStack",
     {{"AWS_USE_DUALSTACK_ENDPOINT", "true"}},
     kNoProfile,
     EndpointService::kSso,
     nullptr,
     "eu-west-1",
     "https://portal.sso.eu-west-1.api.aws",
     "eu-west-1",
     "dual-stack"},
    {"OidcGovCloudFips",
     {{"AWS_USE_FIPS_ENDPOINT", "true"}},
     kNoProfile,
     EndpointService::kSsoOidc,
     nullptr,
     "us-gov-west-1",
     "https://oidc.us-gov-west-1.amazonaws.com",
     "us-gov-west-1",
     "GovCloud"},
    {"OidcChinaFipsDualStack",
     {{"AWS_USE_FIPS_ENDPOINT", "true"}, {"AWS_USE_DUALSTACK_ENDPOINT", "true"}},
     kNoProfile,
     EndpointService::kSsoOidc,
     nullptr,
     "cn-north-1",
     "https://oidc-fips.cn-north-1.api.amazonwebservices.com.cn",
     "cn-north-1",
     "FIPS dual-stack"},
    {"SsoServiceEnvOverride",
     {{"AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:7"}},
     kNoProfile,
     EndpointService::kSso,
     nullptr,
     "eu-west-1",
     "http://127.0.0.1:7",
     "eu-west-1",
     "SSO endpoint http://127.0.0.1:7 from AWS_ENDPOINT_URL_SSO; region eu-west-1"},
    {"SsoOverrideDoesNotApplyToOidc",
     {{"AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:7"}},
     kNoProfile,
     EndpointService::kSsoOidc,
     nullptr,
     "eu-west-1",
     "https://oidc.eu-west-1.amazonaws.com",
     "eu-west-1",
     "regional endpoint"},
    {"OidcServiceEnvOverride",
     {{"AWS_ENDPOINT_URL_SSO_OIDC", "http://127.0.0.1:8"}},
     kNoProfile,
     EndpointService::kSsoOidc,
     nullptr,
     "eu-west-1",
     "http://127.0.0.1:8",
     "eu-west-1",
     "from AWS_ENDPOINT_URL_SSO_OIDC"},
    {"SsoServicesSection",
     {},
     kServices,
     EndpointService::kSso,
     nullptr,
     "eu-west-1",
     "http://127.0.0.1:4567",
     "eu-west-1",
     "endpoint_url of sso in [services local]"},
    {"OidcServicesSection",
     {},
     kServices,
     EndpointService::kSsoOidc,
     nullptr,
     "eu-west-1",
     "http://127.0.0.1:4568",
     "eu-west-1",
     "endpoint_url of sso_oidc in [services local]"},
    {"GlobalEnvOverrideAppliesToSso",
     {{"AWS_ENDPOINT_URL", "http://127.0.0.1:2"}},
     kNoProfile,
     EndpointService::kSso,
     nullptr,
     "eu-west-1",
     "http://127.0.0.1:2",
     "eu-west-1",
     "from AWS_ENDPOINT_URL;"},
    {"InvalidSsoRegion",
     {},
     kNoProfile,
     EndpointService::kSso,
     nullptr,
     "eu_west/1",
     nullptr,
     nullptr,
     "region from sso_region (/h/.aws/config:9 (sso-session s)) is not a valid region"},
};

INSTANTIATE_TEST_SUITE_P(Cases, EndpointSelectionTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<EndpointCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(LegacyGlobalStsRegionsTest, MatchesBotocoresList) {
  EXPECT_EQ(std::size(kLegacyGlobalStsRegions), 16u);
}

TEST(SelectRegionTest, NoRegionSaysWhereItLooked) {
  testing::FakeEnvironment env;
  EndpointInputs in;
  in.env = &env;
  ASSERT_OK_AND_ASSIGN(RegionSelection r, SelectRegion(in));
  EXPECT_FALSE(r.region.has_value());
  EXPECT_EQ(r.source,
            "no region in --region, AWS_REGION, AWS_DEFAULT_REGION or the profile's region");
}

// --- CA bundle --------------------------------------------------------------------------------

struct CaFixture {
  testing::FakeEnvironment env;
  testing::FakeFilesystem fs;
  std::unique_ptr<ProfileConfig> profile;
  EndpointInputs in;

  explicit CaFixture(const char* config_text) {
    StatusOr<ProfileFile> config =
        ParseProfileFile(config_text, ProfileFileKind::kConfig, kConfigPath);
    profile = std::make_unique<ProfileConfig>("p", "default", kConfigPath, *config,
                                              "/h/.aws/credentials", ProfileFile());
    in.env = &env;
    in.profile = profile.get();
    in.config_file = &profile->config_file();
    in.config_path = kConfigPath;
  }
};

TEST(CaBundleTest, NoneConfigured) {
  CaFixture f("");
  EXPECT_FALSE(SelectCaBundle(f.in).has_value());
  ASSERT_OK_AND_ASSIGN(auto bundle, SelectAndCheckCaBundle(f.in, f.fs));
  EXPECT_FALSE(bundle.has_value());
}

TEST(CaBundleTest, EnvBeatsProfile) {
  CaFixture f("[profile p]\nca_bundle = /etc/profile-ca.pem\n");
  f.env.Set("AWS_CA_BUNDLE", "/etc/env-ca.pem");
  f.fs.SetFile("/etc/env-ca.pem", "-----BEGIN CERTIFICATE-----\n");
  ASSERT_OK_AND_ASSIGN(auto bundle, SelectAndCheckCaBundle(f.in, f.fs));
  ASSERT_TRUE(bundle.has_value());
  EXPECT_EQ(bundle->path, "/etc/env-ca.pem");
  EXPECT_EQ(bundle->source, "AWS_CA_BUNDLE");
}

TEST(CaBundleTest, ProfileCaBundleWithFileLine) {
  CaFixture f("[profile p]\nregion = eu-west-1\nca_bundle = /etc/profile-ca.pem\n");
  f.fs.SetFile("/etc/profile-ca.pem", "pem");
  ASSERT_OK_AND_ASSIGN(auto bundle, SelectAndCheckCaBundle(f.in, f.fs));
  EXPECT_EQ(bundle->source, "ca_bundle (/h/.aws/config:3 (profile p))");
}

TEST(CaBundleTest, MissingFileIsAConfigErrorNamingTheSource) {
  CaFixture f("[profile p]\nca_bundle = /etc/missing.pem\n");
  EXPECT_THAT(SelectAndCheckCaBundle(f.in, f.fs),
              testing::StatusIs(StatusCode::kInvalidConfiguration,
                                "CA bundle /etc/missing.pem (from ca_bundle (/h/.aws/config:2 "
                                "(profile p))) does not exist"));
  f.env.Set("AWS_CA_BUNDLE", "/etc/env-missing.pem");
  EXPECT_THAT(
      SelectAndCheckCaBundle(f.in, f.fs),
      testing::StatusIs(StatusCode::kInvalidConfiguration,
                        "CA bundle /etc/env-missing.pem (from AWS_CA_BUNDLE) does not exist"));
}

TEST(CaBundleTest, UnreadableFileIsAConfigError) {
  CaFixture f("");
  f.env.Set("AWS_CA_BUNDLE", "/etc/ca.pem");
  f.fs.SetError("/etc/ca.pem", InvalidConfigurationError("/etc/ca.pem: permission denied"));
  EXPECT_THAT(SelectAndCheckCaBundle(f.in, f.fs),
              testing::StatusIs(StatusCode::kInvalidConfiguration,
                                "CA bundle /etc/ca.pem (from AWS_CA_BUNDLE) cannot be read: "
                                "/etc/ca.pem: permission denied"));
}

}  // namespace
}  // namespace chantless
