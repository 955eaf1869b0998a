// IMDS listing parsers: role listing rules and directory listings.
#include "resolver/imds/imds_listing.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::chantless::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(ParseRoleListingTest, TakesTheFirstLineTrimmed) {
  ASSERT_OK_AND_ASSIGN(auto role, ParseRoleListing("  TestEC2Role \r\nOtherRole\n"));
  EXPECT_EQ(role, "TestEC2Role");
}

TEST(ParseRoleListingTest, SkipsLeadingBlankLines) {
  ASSERT_OK_AND_ASSIGN(auto role, ParseRoleListing("\n\n  \nRole+=,.@_-1"));
  EXPECT_EQ(role, "Role+=,.@_-1");
}

TEST(ParseRoleListingTest, BlankBodyMeansNoRole) {
  ASSERT_OK_AND_ASSIGN(auto role, ParseRoleListing(" \n\t\r\n"));
  EXPECT_FALSE(role.has_value());
}

TEST(ParseRoleListingTest, PathCharactersAreRejectedWithoutEchoingThem) {
  for (const char* bad :
       {"../../latest/api/token", "a/b", "role?x=1", "role#x", "ro le", "r\x01ole"}) {
    auto r = ParseRoleListing(bad);
    EXPECT_THAT(r, StatusIs(StatusCode::kInvalidResponse, HasSubstr("not a valid IAM role name")))
        << bad;
    if (!r.ok()) {
      EXPECT_THAT(r.status().message(), Not(HasSubstr(bad)));
    }
  }
}

TEST(ParseRoleListingTest, OverlongNameIsRejected) {
  EXPECT_THAT(ParseRoleListing(std::string(129, 'a')),
              StatusIs(StatusCode::kInvalidResponse, HasSubstr("129 bytes")));
  EXPECT_OK(ParseRoleListing(std::string(128, 'a')));
}

TEST(ParseMetadataListingTest, DirectoriesEndWithSlash) {
  EXPECT_THAT(ParseMetadataListing("ami-id\ninstance-id\nplacement/\r\n\niam/"),
              ElementsAre(MetadataEntry{"ami-id", false}, MetadataEntry{"instance-id", false},
                          MetadataEntry{"placement", true}, MetadataEntry{"iam", true}));
}

TEST(ParseMetadataListingTest, EmptyBodyIsEmptyListing) {
  EXPECT_TRUE(ParseMetadataListing("").empty());
  EXPECT_TRUE(ParseMetadataListing("\n \n").empty());
}

TEST(ParseMetadataListingTest, LoneSlashIsAFileNamedSlash) {
  EXPECT_THAT(ParseMetadataListing("/"), ElementsAre(MetadataEntry{"/", false}));
}

}  // namespace
}  // namespace chantless
