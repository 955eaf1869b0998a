// Tests for the GetRoleCredentials and CreateToken request builders and reply decoders.
#include "resolver/sso/sso_api.h"

#include <string>

#include "gtest/gtest.h"
#include "resolver/core/time_util.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(GetRoleCredentialsRequestTest, PathAndQueryArePercentEncoded) {
  EXPECT_EQ(GetRoleCredentialsPathAndQuery("ReadOnly", "123456789012"),
            "/federation/credentials?role_name=ReadOnly&account_id=123456789012");
  EXPECT_EQ(GetRoleCredentialsPathAndQuery("a b+c&d=e/f", "1"),
            "/federation/credentials?role_name=a%20b%2Bc%26d%3De%2Ff&account_id=1");
  EXPECT_EQ(PercentEncodeQueryValue("AZaz09-_.~\xc3\xa9%"), "AZaz09-_.~%C3%A9%25");
  EXPECT_STREQ(kSsoBearerTokenHeader, "x-amz-sso_bearer_token");
}

TEST(GetRoleCredentialsResponseTest, DecodesAllFourFields) {
  ASSERT_OK_AND_ASSIGN(
      SsoRoleCredentials c,
      DecodeGetRoleCredentialsResponse(
          R"({"roleCredentials":{"accessKeyId":"ASIAEXAMPLESSO","secretAccessKey":"fakeSecretEXAMPLE",)"
          R"("sessionToken":"fakeTokenEXAMPLE","expiration":1719999999000}})"));
  EXPECT_EQ(c.access_key_id, "ASIAEXAMPLESSO");
  EXPECT_EQ(c.secret_access_key.reveal(), "fakeSecretEXAMPLE");
  EXPECT_EQ(c.session_token.reveal(), "fakeTokenEXAMPLE");
  EXPECT_EQ(FormatRfc3339(c.expiration), "2024-07-03T09:46:39Z");
  Credentials creds = c.ToCredentials("123456789012", "sso");
  EXPECT_EQ(creds.account_id, "123456789012");
  EXPECT_EQ(creds.provider, "sso");
  EXPECT_EQ(creds.expiration, c.expiration);
}

TEST(GetRoleCredentialsResponseTest, KeepsMillisecondsAndAcceptsWholeFloat) {
  ASSERT_OK_AND_ASSIGN(
      SsoRoleCredentials c,
      DecodeGetRoleCredentialsResponse(
          R"({"roleCredentials":{"accessKeyId":"A","secretAccessKey":"s","sessionToken":"t","expiration":1.5e3}})"));
  EXPECT_EQ(c.expiration, WallTime(std::chrono::milliseconds(1500)));
}

struct BadReply {
  const char* name;
  const char* body;
  const char* message;
};

void PrintTo(const BadReply& c, std::ostream* os) { *os << c.name; }

class GetRoleCredentialsInvalidTest : public ::testing::TestWithParam<BadReply> {};

TEST_P(GetRoleCredentialsInvalidTest, IsInvalidResponseWithoutSecrets) {
  auto result = DecodeGetRoleCredentialsResponse(GetParam().body);
  EXPECT_THAT(result, testing::StatusIs(StatusCode::kInvalidResponse, GetParam().message));
  EXPECT_THAT(result.status().message(), Not(HasSubstr("EXAMPLE")));
}

INSTANTIATE_TEST_SUITE_P(
    Replies, GetRoleCredentialsInvalidTest,
    ::testing::Values(
        BadReply{"NotJson", "<html>", "SSO GetRoleCredentials response: not valid JSON"},
        BadReply{"NoRoleCredentials", R"({"message":"EXAMPLE"})",
                 "SSO GetRoleCredentials response: field \"roleCredentials\" is missing"},
        BadReply{"RoleCredentialsArray", R"({"roleCredentials":[]})",
                 "SSO GetRoleCredentials response: field \"roleCredentials\" is a array, expected "
                 "an object"},
        BadReply{
            "NoSessionToken",
            R"({"roleCredentials":{"accessKeyId":"A","secretAccessKey":"sEXAMPLE","expiration":1}})",
            "SSO GetRoleCredentials response, roleCredentials: field \"sessionToken\" is "
            "missing"},
        BadReply{
            "EmptySecret",
            R"({"roleCredentials":{"accessKeyId":"A","secretAccessKey":"","sessionToken":"tEXAMPLE","expiration":1}})",
            "SSO GetRoleCredentials response, roleCredentials: field \"secretAccessKey\" is "
            "empty"},
        BadReply{
            "StringExpiration",
            R"({"roleCredentials":{"accessKeyId":"A","secretAccessKey":"sEXAMPLE","sessionToken":"tEXAMPLE","expiration":"2030-01-01T00:00:00Z"}})",
            "SSO GetRoleCredentials response, roleCredentials: field \"expiration\" is a "
            "string, expected a number"},
        BadReply{
            "NegativeExpiration",
            R"({"roleCredentials":{"accessKeyId":"A","secretAccessKey":"sEXAMPLE","sessionToken":"tEXAMPLE","expiration":-1}})",
            "SSO GetRoleCredentials response, roleCredentials: field \"expiration\" is "
            "outside [0, 9223372036853]"},
        BadReply{
            "HugeExpiration",
            R"({"roleCredentials":{"accessKeyId":"A","secretAccessKey":"sEXAMPLE","sessionToken":"tEXAMPLE","expiration":18446744073709551615}})",
            "SSO GetRoleCredentials response, roleCredentials: field \"expiration\" is "
            "outside [0, 9223372036853]"},
        BadReply{
            "FractionalExpiration",
            R"({"roleCredentials":{"accessKeyId":"A","secretAccessKey":"sEXAMPLE","sessionToken":"tEXAMPLE","expiration":1.5}})",
            "SSO GetRoleCredentials response, roleCredentials: field \"expiration\" is not a "
            "whole number"}),
    [](const ::testing::TestParamInfo<BadReply>& info) { return info.param.name; });

TEST(CreateTokenRequestTest, BodyIsTheRefreshGrant) {
  EXPECT_EQ(CreateTokenRefreshRequestBody("cid", Secret("cs\"EXAMPLE"), Secret("rEXAMPLE")),
            R"({"grantType":"refresh_token","clientId":"cid","clientSecret":"cs\"EXAMPLE",)"
            R"("refreshToken":"rEXAMPLE"})");
}

TEST(CreateTokenResponseTest, DecodesRequiredAndOptionalFields) {
  ASSERT_OK_AND_ASSIGN(SsoOidcToken t,
                       DecodeCreateTokenResponse(
                           R"({"accessToken":"aEXAMPLE","expiresIn":28800,"tokenType":"Bearer",)"
                           R"("refreshToken":"rEXAMPLE","idToken":"iEXAMPLE"})"));
  EXPECT_EQ(t.access_token.reveal(), "aEXAMPLE");
  EXPECT_EQ(t.expires_in, std::chrono::seconds(28800));
  EXPECT_EQ(t.token_type, "Bearer");
  EXPECT_EQ(t.refresh_token->reveal(), "rEXAMPLE");
  EXPECT_EQ(t.id_token->reveal(), "iEXAMPLE");

  ASSERT_OK_AND_ASSIGN(SsoOidcToken minimal,
                       DecodeCreateTokenResponse(
                           R"({"accessToken":"aEXAMPLE","expiresIn":3600,"tokenType":"Bearer"})"));
  EXPECT_FALSE(minimal.refresh_token.has_value());
  EXPECT_FALSE(minimal.id_token.has_value());
}

class CreateTokenInvalidTest : public ::testing::TestWithParam<BadReply> {};

TEST_P(CreateTokenInvalidTest, IsInvalidResponseWithoutSecrets) {
  auto result = DecodeCreateTokenResponse(GetParam().body);
  EXPECT_THAT(result, testing::StatusIs(StatusCode::kInvalidResponse, GetParam().message));
  EXPECT_THAT(result.status().message(), Not(HasSubstr("EXAMPLE")));
}

INSTANTIATE_TEST_SUITE_P(
    Replies, CreateTokenInvalidTest,
    ::testing::Values(
        BadReply{"Array", "[]",
                 "SSO-OIDC CreateToken response: expected a JSON object, got a array"},
        BadReply{"NoAccessToken", R"({"expiresIn":1,"tokenType":"Bearer"})",
                 "SSO-OIDC CreateToken response: field \"accessToken\" is missing"},
        BadReply{"ZeroExpiresIn",
                 R"({"accessToken":"aEXAMPLE","expiresIn":0,"tokenType":"Bearer"})",
                 "SSO-OIDC CreateToken response: field \"expiresIn\" is outside [1, 316224000]"},
        BadReply{"NoTokenType", R"({"accessToken":"aEXAMPLE","expiresIn":10})",
                 "SSO-OIDC CreateToken response: field \"tokenType\" is missing"},
        BadReply{
            "EmptyRefreshToken",
            R"({"accessToken":"aEXAMPLE","expiresIn":10,"tokenType":"Bearer","refreshToken":""})",
            "SSO-OIDC CreateToken response: field \"refreshToken\" is empty"},
        BadReply{
            "NumericIdToken",
            R"({"accessToken":"aEXAMPLE","expiresIn":10,"tokenType":"Bearer","idToken":7})",
            "SSO-OIDC CreateToken response: field \"idToken\" is a number, expected a string"}),
    [](const ::testing::TestParamInfo<BadReply>& info) { return info.param.name; });

// Vectors computed by python3 with the AWS CLI v2's SSOCredentialFetcher._create_cache_key:
// sha1(json.dumps(args, sort_keys=True, separators=(',', ':')).encode('utf-8')).hexdigest().
TEST(SsoCliCacheFileNameTest, MatchesTheAwsCliV2KeyForSessionProfiles) {
  EXPECT_EQ(SsoCliCacheFileName("123456789012", "ReadOnly", "my-sso", "https://ignored/start"),
            "31b260dab331b2af063485cea75f7b8b3cf54c71.json");
}

TEST(SsoCliCacheFileNameTest, MatchesTheAwsCliV2KeyForLegacyProfiles) {
  EXPECT_EQ(SsoCliCacheFileName("123456789012", "ReadOnly", "", "https://d-abc.awsapps.com/start"),
            "3890165ffddea9e83b2f4055ff0ff1cc108ba63a.json");
}

TEST(SsoCliCacheFileNameTest, EscapesAsPythonDoes) {
  EXPECT_EQ(SsoCliCacheFileName("123456789012", "R\xc3\xb4le", "s\"1", ""),
            "54dc7b3587271aeb88fc0fd681aebf7d084e6d70.json");
}

}  // namespace
}  // namespace chantless
