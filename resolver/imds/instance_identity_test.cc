// Instance identity document decoder: the real document's shape and every rejection rule.
#include "resolver/imds/instance_identity.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/core/time_util.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::chantless::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kDocument[] = R"({
  "accountId" : "123456789012",
  "architecture" : "x86_64",
  "availabilityZone" : "us-east-1a",
  "billingProducts" : null,
  "devpayProductCodes" : null,
  "marketplaceProductCodes" : [ "1abc2defghijklm3nopqrs4tu" ],
  "imageId" : "ami-0abcdef1234567890",
  "instanceId" : "i-1234567890abcdef0",
  "instanceType" : "t3.micro",
  "kernelId" : null,
  "pendingTime" : "2024-04-30T09:00:00Z",
  "privateIp" : "172.31.0.10",
  "ramdiskId" : null,
  "region" : "us-east-1",
  "version" : "2017-09-30"
})";

TEST(InstanceIdentityTest, DecodesTheRealDocumentShape) {
  ASSERT_OK_AND_ASSIGN(InstanceIdentity id, DecodeInstanceIdentity(kDocument));
  EXPECT_EQ(id.account_id, "123456789012");
  EXPECT_EQ(id.instance_id, "i-1234567890abcdef0");
  EXPECT_EQ(id.region, "us-east-1");
  EXPECT_EQ(id.availability_zone, "us-east-1a");
  EXPECT_EQ(id.architecture, "x86_64");
  EXPECT_EQ(id.image_id, "ami-0abcdef1234567890");
  EXPECT_EQ(id.instance_type, "t3.micro");
  EXPECT_EQ(id.private_ip, "172.31.0.10");
  EXPECT_EQ(id.version, "2017-09-30");
  EXPECT_FALSE(id.kernel_id.has_value());
  EXPECT_EQ(id.pending_time, ParseRfc3339("2024-04-30T09:00:00Z").value());
  EXPECT_THAT(id.marketplace_product_codes, ElementsAre("1abc2defghijklm3nopqrs4tu"));
  EXPECT_TRUE(id.billing_products.empty());
}

TEST(InstanceIdentityTest, RequiredFieldsMustBePresent) {
  for (const char* key : {"accountId", "instanceId", "region"}) {
    std::string doc = std::string(R"({"accountId":"1","instanceId":"i-1","region":"r"})");
    doc.insert(doc.find(key), "x");  // renames the key to "x<key>"
    EXPECT_THAT(DecodeInstanceIdentity(doc), StatusIs(StatusCode::kInvalidResponse, HasSubstr(key)))
        << doc;
  }
}

TEST(InstanceIdentityTest, WrongTypeNamesFieldNotValue) {
  auto r = DecodeInstanceIdentity(
      R"({"accountId":"1","instanceId":"i-1","region":"r","privateIp":{"v":"SECRETISH"}})");
  EXPECT_THAT(r, StatusIs(StatusCode::kInvalidResponse,
                          AllOf(HasSubstr("privateIp"), HasSubstr("object"))));
  EXPECT_THAT(r.status().message(), Not(HasSubstr("SECRETISH")));
}

TEST(InstanceIdentityTest, BadPendingTimeIsRejectedWithoutEcho) {
  auto r = DecodeInstanceIdentity(
      R"({"accountId":"1","instanceId":"i-1","region":"r","pendingTime":"yesterday-ish"})");
  EXPECT_THAT(r, StatusIs(StatusCode::kInvalidResponse, HasSubstr("pendingTime")));
  EXPECT_THAT(r.status().message(), Not(HasSubstr("yesterday-ish")));
}

TEST(InstanceIdentityTest, ProductCodesMustBeStrings) {
  EXPECT_THAT(DecodeInstanceIdentity(
                  R"({"accountId":"1","instanceId":"i-1","region":"r","billingProducts":[1]})"),
              StatusIs(StatusCode::kInvalidResponse, HasSubstr("billingProducts")));
}

TEST(InstanceIdentityTest, NotJsonOrNotObjectIsInvalidResponse) {
  for (const char* bad : {"", "<html>", "[1,2]", "\"str\"", "{\"accountId\":", "\xff\xfe"}) {
    EXPECT_THAT(DecodeInstanceIdentity(bad),
                StatusIs(StatusCode::kInvalidResponse, HasSubstr("instance identity document")))
        << bad;
  }
}

}  // namespace
}  // namespace chantless
