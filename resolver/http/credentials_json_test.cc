// Tests for the IMDS and container credential decoders: each rule of credentials_json.h by name,
// and that no error message ever quotes a value of the body.
#include "resolver/http/credentials_json.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/core/time_util.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::chantless::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kImdsBody[] = R"({
  "Code" : "Success",
  "LastUpdated" : "2024-05-01T11:55:00Z",
  "Type" : "AWS-HMAC",
  "AccessKeyId" : "ASIAQEXAMPLEDECODER1",
  "SecretAccessKey" : "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  "Token" : "IQoJb3JpZ2luX2VjEXAMPLETOKEN",
  "Expiration" : "2024-05-01T18:00:00Z"
})";

TEST(CredentialsJsonTest, DecodesTheImdsShape) {
  ASSERT_OK_AND_ASSIGN(DecodedCredentials d, DecodeImdsCredentials(kImdsBody));
  EXPECT_EQ(d.access_key_id, "ASIAQEXAMPLEDECODER1");
  EXPECT_EQ(d.secret_access_key.reveal(), "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  EXPECT_EQ(d.token.reveal(), "IQoJb3JpZ2luX2VjEXAMPLETOKEN");
  ASSERT_TRUE(d.expiration.has_value());
  EXPECT_EQ(FormatRfc3339(*d.expiration), "2024-05-01T18:00:00Z");
  EXPECT_EQ(d.type, "AWS-HMAC");
  Credentials c = d.ToCredentials("iam-role");
  EXPECT_EQ(c.provider, "iam-role");
  EXPECT_EQ(c.access_key_id, "ASIAQEXAMPLEDECODER1");
}

TEST(CredentialsJsonTest, KeepsAccountIdFromTheExtendedPath) {
  std::string body =
      R"({"Code":"Success","AccessKeyId":"ASIAQEXAMPLEDECODER1","SecretAccessKey":"s",)"
      R"("Token":"t","Expiration":"2024-05-01T18:00:00Z","AccountId":"123456789012"})";
  ASSERT_OK_AND_ASSIGN(DecodedCredentials d, DecodeImdsCredentials(body));
  EXPECT_EQ(d.account_id, "123456789012");
}

TEST(CredentialsJsonTest, ImdsRequiresTokenAndExpiration) {
  EXPECT_THAT(
      DecodeImdsCredentials(
          R"({"AccessKeyId":"A","SecretAccessKey":"s","Expiration":"2024-05-01T18:00:00Z"})"),
      StatusIs(StatusCode::kInvalidResponse, HasSubstr("Token")));
  EXPECT_THAT(DecodeImdsCredentials(R"({"AccessKeyId":"A","SecretAccessKey":"s","Token":"t"})"),
              StatusIs(StatusCode::kInvalidResponse, HasSubstr("Expiration")));
}

TEST(CredentialsJsonTest, ContainerAllowsLongTermKeysWithoutTokenOrExpiration) {
  ASSERT_OK_AND_ASSIGN(
      DecodedCredentials d,
      DecodeContainerCredentials(R"({"AccessKeyId":"AKIAEXAMPLE","SecretAccessKey":"s"})"));
  EXPECT_FALSE(d.expiration.has_value());
  EXPECT_TRUE(d.token.reveal().empty());
}

TEST(CredentialsJsonTest, ContainerAcceptsTheCloudShellShape) {
  ASSERT_OK_AND_ASSIGN(
      DecodedCredentials d,
      DecodeContainerCredentials(
          R"({"Type":"","AccessKeyId":"ASIAQEXAMPLECLOUDSH1","SecretAccessKey":"s",)"
          R"("Token":"t","Expiration":"2024-05-01T12:10:00Z","Code":"Success",)"
          R"("LastUpdated":"1970-01-01T00:00:00Z"})"));
  EXPECT_EQ(d.access_key_id, "ASIAQEXAMPLECLOUDSH1");
  ASSERT_TRUE(d.last_updated.has_value());
  EXPECT_EQ(FormatRfc3339(*d.last_updated), "1970-01-01T00:00:00Z");
}

TEST(CredentialsJsonTest, RequiredFieldsMustBeNonEmptyStrings) {
  EXPECT_THAT(DecodeContainerCredentials(R"({"AccessKeyId":"","SecretAccessKey":"s"})"),
              StatusIs(StatusCode::kInvalidResponse, HasSubstr("AccessKeyId")));
  EXPECT_THAT(DecodeContainerCredentials(R"({"AccessKeyId":7,"SecretAccessKey":"s"})"),
              StatusIs(StatusCode::kInvalidResponse, HasSubstr("AccessKeyId")));
  EXPECT_THAT(DecodeContainerCredentials(R"({"AccessKeyId":"A"})"),
              StatusIs(StatusCode::kInvalidResponse, HasSubstr("SecretAccessKey")));
}

TEST(CredentialsJsonTest, NullOptionalFieldsCountAsAbsent) {
  ASSERT_OK_AND_ASSIGN(
      DecodedCredentials d,
      DecodeContainerCredentials(
          R"({"AccessKeyId":"A","SecretAccessKey":"s","Token":null,"RoleArn":null})"));
  EXPECT_FALSE(d.role_arn.has_value());
}

TEST(CredentialsJsonTest, ExpirationIsStrictRfc3339) {
  EXPECT_THAT(
      DecodeImdsCredentials(
          R"({"AccessKeyId":"A","SecretAccessKey":"s","Token":"t","Expiration":"2024-05-01 18:00:00"})"),
      StatusIs(StatusCode::kInvalidResponse, HasSubstr("Expiration")));
  ASSERT_OK_AND_ASSIGN(
      DecodedCredentials d,
      DecodeImdsCredentials(
          R"({"AccessKeyId":"A","SecretAccessKey":"s","Token":"t","Expiration":"2024-05-01T20:00:00+02:00"})"));
  EXPECT_EQ(FormatRfc3339(*d.expiration), "2024-05-01T18:00:00Z");
}

TEST(CredentialsJsonTest, BodyMustBeOneJsonObject) {
  EXPECT_THAT(DecodeImdsCredentials("[]"),
              StatusIs(StatusCode::kInvalidResponse, HasSubstr("object")));
  EXPECT_THAT(DecodeImdsCredentials("<html>503</html>"),
              StatusIs(StatusCode::kInvalidResponse, ::testing::_));
  EXPECT_THAT(DecodeImdsCredentials(""), StatusIs(StatusCode::kInvalidResponse, ::testing::_));
}

TEST(CredentialsJsonTest, CodeOtherThanSuccessIsQuotedWhenItIsAnErrorCode) {
  EXPECT_THAT(
      DecodeImdsCredentials(
          R"({"Code":"AssumeRoleUnauthorizedAccess","Message":"EC2 cannot assume the role"})"),
      StatusIs(StatusCode::kInvalidResponse, HasSubstr("AssumeRoleUnauthorizedAccess")));
}

// Fuzz finding (imds_client_fuzzer): an endpoint put the secret key in Code, and the error quoted
// it.
TEST(CredentialsJsonTest, NeverQuotesACodeThatCouldBeASecret) {
  const std::string secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  const std::string letters_secret = "SecretLookingLettersOnlyValue";
  for (const std::string& body :
       {R"({"Code":")" + secret + R"(","AccessKeyId":"A","SecretAccessKey":")" + secret + R"("})",
        R"({"Code":")" + letters_secret + R"(","SecretAccessKey":")" + letters_secret + R"("})",
        R"({"Code":"x","Message":")" + secret + R"("})"}) {
    auto result = DecodeImdsCredentials(body);
    ASSERT_FALSE(result.ok());
    EXPECT_THAT(result.status().message(), Not(HasSubstr(secret)));
    EXPECT_THAT(result.status().message(), Not(HasSubstr(letters_secret)));
  }
}

TEST(CredentialsJsonTest, ParseErrorsNeverEchoTheBody) {
  const std::string secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  auto result = DecodeImdsCredentials(R"({"SecretAccessKey":")" + secret + R"(" "AccessKeyId":1})");
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(), Not(HasSubstr("wJalr")));
}

}  // namespace
}  // namespace chantless
