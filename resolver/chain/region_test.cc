// Region resolution: precedence, IMDS placement/region, the availability-zone rule, errors.
#include "resolver/chain/region.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/testing/fakes.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::chantless::testing::FakeWorld;
using ::chantless::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kToken[] = "AQAEAFAKETOKEN-EXAMPLE==";

TEST(ResolveRegionTest, AwsRegionWinsOverEverything) {
  FakeWorld w;
  w.env.Set("AWS_REGION", "eu-west-1");
  w.env.Set("AWS_DEFAULT_REGION", "us-east-1");
  w.settings.Set("region", "ap-south-1");
  ImdsClient imds(w.context());
  ASSERT_OK_AND_ASSIGN(RegionResult r, ResolveRegion(w.context(), &imds));
  EXPECT_EQ(r.region, "eu-west-1");
  EXPECT_EQ(r.source, "AWS_REGION");
  EXPECT_THAT(w.http.requests(), IsEmpty());
}

TEST(ResolveRegionTest, AwsDefaultRegionBeatsProfile) {
  FakeWorld w;
  w.env.Set("AWS_REGION", "  ");
  w.env.Set("AWS_DEFAULT_REGION", "us-east-1");
  w.settings.Set("region", "ap-south-1");
  ASSERT_OK_AND_ASSIGN(RegionResult r, ResolveRegion(w.context(), nullptr));
  EXPECT_EQ(r.region, "us-east-1");
  EXPECT_EQ(r.source, "AWS_DEFAULT_REGION");
}

TEST(ResolveRegionTest, ProfileRegionNamesWhereItWasSet) {
  FakeWorld w;
  w.settings.Set("region", "ap-south-1");
  ASSERT_OK_AND_ASSIGN(RegionResult r, ResolveRegion(w.context(), nullptr));
  EXPECT_EQ(r.region, "ap-south-1");
  EXPECT_THAT(r.source, HasSubstr("fake-config:region"));
}

TEST(ResolveRegionTest, ImdsPlacementRegion) {
  FakeWorld w;
  w.http.Reply(200, kToken);
  w.http.Reply(200, "us-west-2");
  ImdsClient imds(w.context(), "region");
  ASSERT_OK_AND_ASSIGN(RegionResult r, ResolveRegion(w.context(), &imds));
  EXPECT_EQ(r.region, "us-west-2");
  EXPECT_EQ(r.source, "IMDS /latest/meta-data/placement/region");
}

TEST(ResolveRegionTest, ImdsAvailabilityZoneMinusItsLetter) {
  FakeWorld w;
  w.http.Reply(200, kToken);
  w.http.Reply(404, "");
  w.http.Reply(200, "us-east-1a");
  ImdsClient imds(w.context(), "region");
  ASSERT_OK_AND_ASSIGN(RegionResult r, ResolveRegion(w.context(), &imds));
  EXPECT_EQ(r.region, "us-east-1");
  EXPECT_EQ(r.source, "IMDS /latest/meta-data/placement/availability-zone");
  EXPECT_EQ(w.http.requests().back().path, "/latest/meta-data/placement/availability-zone");
}

TEST(ResolveRegionTest, MalformedEnvironmentRegionIsInvalidConfiguration) {
  FakeWorld w;
  w.env.Set("AWS_REGION", "us east 1");
  EXPECT_THAT(ResolveRegion(w.context(), nullptr),
              StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("AWS_REGION")));
}

TEST(ResolveRegionTest, GarbageAvailabilityZoneIsInvalidResponse) {
  FakeWorld w;
  w.http.Reply(200, kToken);
  w.http.Reply(404, "");
  w.http.Reply(200, "<html>");
  ImdsClient imds(w.context());
  EXPECT_THAT(ResolveRegion(w.context(), &imds),
              StatusIs(StatusCode::kInvalidResponse, HasSubstr("availability zone")));
}

TEST(ResolveRegionTest, NothingFoundIsNotConfiguredListingEverySource) {
  FakeWorld w;
  w.env.Set("AWS_EC2_METADATA_DISABLED", "true");
  ImdsClient imds(w.context());
  EXPECT_THAT(ResolveRegion(w.context(), &imds),
              StatusIs(StatusCode::kNotConfigured,
                       AllOf(HasSubstr("AWS_REGION"), HasSubstr("AWS_DEFAULT_REGION"),
                             HasSubstr("profile default"), HasSubstr("disabled"))));
  EXPECT_THAT(w.http.requests(), IsEmpty());
}

TEST(ResolveRegionTest, UnreachableImdsIsNotConfiguredWithTheReason) {
  FakeWorld w;
  w.http.Fail(UnavailableError("PUT http://169.254.169.254/latest/api/token: no response"));
  ImdsClient imds(w.context());
  EXPECT_THAT(ResolveRegion(w.context(), &imds),
              StatusIs(StatusCode::kNotConfigured, HasSubstr("169.254.169.254")));
}

TEST(ResolveRegionTest, BadImdsOptionIsInvalidConfiguration) {
  FakeWorld w;
  w.env.Set("AWS_METADATA_SERVICE_TIMEOUT", "soon");
  ImdsClient imds(w.context());
  EXPECT_THAT(
      ResolveRegion(w.context(), &imds),
      StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("AWS_METADATA_SERVICE_TIMEOUT")));
}

}  // namespace
}  // namespace chantless
