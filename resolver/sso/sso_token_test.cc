// Tests for the SSO token cache: the key vectors of sts-sso-behaviour.md §3.2, the parser (all four
// expiresAt forms, case-insensitive keys, errors naming the path but no token), the write-back
// renderer, the refresh decision table and the §3.5 error texts.
#include "resolver/sso/sso_token.h"

#include <string>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

WallTime At(const char* rfc3339) { return *ParseRfc3339(rfc3339); }

constexpr char kPath[] = "/home/u/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json";

constexpr char kFullToken[] = R"({
  "startUrl": "https://d-abc.awsapps.com/start",
  "region": "eu-west-1",
  "accessToken": "fakeAccessTokenEXAMPLE",
  "expiresAt": "2023-03-04T03:39:48Z",
  "clientId": "fakeClientIdEXAMPLE",
  "clientSecret": "fakeClientSecretEXAMPLE",
  "registrationExpiresAt": "2023-06-01T00:00:00Z",
  "refreshToken": "fakeRefreshTokenEXAMPLE",
  "somethingNew": {"kept": true}
})";

TEST(SsoTokenCacheKeyTest, LegacyStartUrlAndSessionNameVectors) {
  EXPECT_EQ(SsoTokenCacheKey("https://d-abc.awsapps.com/start"),
            "22f00c6461897f7c3e293d9d99f86e5efed957dd");
  EXPECT_EQ(SsoTokenCacheKey("my-sso"), "0ad374308c5a4e22f723adf10145eafad7c4031c");
}

TEST(SsoTokenCacheKeyTest, PathJoinsWithOrWithoutSlash) {
  EXPECT_EQ(SsoTokenCachePath("/h/.aws/sso/cache", "my-sso"),
            "/h/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json");
  EXPECT_EQ(SsoTokenCachePath("/h/.aws/sso/cache/", "my-sso"),
            "/h/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json");
}

TEST(SsoTokenParseTest, ReadsEveryField) {
  ASSERT_OK_AND_ASSIGN(SsoToken token, ParseSsoToken(kFullToken, kPath));
  EXPECT_EQ(token.access_token.reveal(), "fakeAccessTokenEXAMPLE");
  EXPECT_EQ(token.expires_at, At("2023-03-04T03:39:48Z"));
  ASSERT_TRUE(token.refresh_token.has_value());
  EXPECT_EQ(token.refresh_token->reveal(), "fakeRefreshTokenEXAMPLE");
  EXPECT_EQ(token.client_id, "fakeClientIdEXAMPLE");
  ASSERT_TRUE(token.client_secret.has_value());
  EXPECT_EQ(token.client_secret->reveal(), "fakeClientSecretEXAMPLE");
  EXPECT_EQ(token.registration_expires_at, At("2023-06-01T00:00:00Z"));
  EXPECT_EQ(token.region, "eu-west-1");
  EXPECT_EQ(token.start_url, "https://d-abc.awsapps.com/start");
}

struct ExpiresAtForm {
  const char* name;
  const char* text;
  const char* as_rfc3339;
};

void PrintTo(const ExpiresAtForm& c, std::ostream* os) { *os << c.name; }

class SsoTokenExpiresAtTest : public ::testing::TestWithParam<ExpiresAtForm> {};

TEST_P(SsoTokenExpiresAtTest, ParsesForm) {
  std::string text =
      std::string(R"({"accessToken": "fakeEXAMPLE", "expiresAt": ")") + GetParam().text + "\"}";
  ASSERT_OK_AND_ASSIGN(SsoToken token, ParseSsoToken(text, kPath));
  EXPECT_EQ(token.expires_at, At(GetParam().as_rfc3339));
  EXPECT_FALSE(token.refresh_token.has_value());
  EXPECT_FALSE(token.registration_expires_at.has_value());
}

INSTANTIATE_TEST_SUITE_P(
    Forms, SsoTokenExpiresAtTest,
    ::testing::Values(
        ExpiresAtForm{"OlderCliV2Utc", "2021-12-07T01:19:12UTC", "2021-12-07T01:19:12Z"},
        ExpiresAtForm{"PlusZeroOffset", "2022-02-23T21:56:47+00:00", "2022-02-23T21:56:47Z"},
        ExpiresAtForm{"BotocoreZ", "2023-03-04T03:39:48Z", "2023-03-04T03:39:48Z"},
        ExpiresAtForm{"JsMilliseconds", "2023-03-04T03:39:48.000Z", "2023-03-04T03:39:48Z"}),
    [](const ::testing::TestParamInfo<ExpiresAtForm>& info) { return info.param.name; });

TEST(SsoTokenParseTest, KeysMatchCaseInsensitivelyExactSpellingFirst) {
  ASSERT_OK_AND_ASSIGN(
      SsoToken token,
      ParseSsoToken(R"({"ACCESSTOKEN": "upperEXAMPLE", "ExpiresAt": "2023-03-04T03:39:48Z",
                        "accessToken": "exactEXAMPLE", "RefreshToken": "rEXAMPLE"})",
                    kPath));
  EXPECT_EQ(token.access_token.reveal(), "exactEXAMPLE");
  EXPECT_EQ(token.expires_at, At("2023-03-04T03:39:48Z"));
  EXPECT_EQ(token.refresh_token->reveal(), "rEXAMPLE");
}

TEST(SsoTokenParseTest, NullAndEmptyOptionalFieldsAreAbsent) {
  ASSERT_OK_AND_ASSIGN(SsoToken token, ParseSsoToken(R"({"accessToken": "aEXAMPLE", "expiresAt":
                         "2023-03-04T03:39:48Z", "refreshToken": null, "clientId": ""})",
                                                     kPath));
  EXPECT_FALSE(token.refresh_token.has_value());
  EXPECT_FALSE(token.client_id.has_value());
}

struct BadToken {
  const char* name;
  const char* text;
  const char* why;
};

void PrintTo(const BadToken& c, std::ostream* os) { *os << c.name; }

class SsoTokenInvalidTest : public ::testing::TestWithParam<BadToken> {};

TEST_P(SsoTokenInvalidTest, ErrorNamesPathAndFieldButNoToken) {
  StatusOr<SsoToken> token = ParseSsoToken(GetParam().text, kPath);
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status(),
            InvalidConfigurationError(std::string(kPath) +
                                      ": SSO token file is invalid: " + GetParam().why));
  EXPECT_THAT(token.status().message(), Not(HasSubstr("EXAMPLE")));
}

INSTANTIATE_TEST_SUITE_P(
    Files, SsoTokenInvalidTest,
    ::testing::Values(
        BadToken{"Empty", "", "not valid JSON"},
        BadToken{"Truncated", R"({"accessToken": "aEXAMPLE)", "not valid JSON"},
        BadToken{"Array", "[]", "expected a JSON object, got a array"},
        BadToken{
            "ClientRegistrationFile",
            R"({"clientId": "cEXAMPLE", "clientSecret": "sEXAMPLE", "expiresAt": "2023-03-04T03:39:48Z"})",
            "field \"accessToken\" is missing"},
        BadToken{"EmptyAccessToken", R"({"accessToken": "", "expiresAt": "2023-03-04T03:39:48Z"})",
                 "field \"accessToken\" is empty"},
        BadToken{"NoExpiresAt", R"({"accessToken": "aEXAMPLE"})", "field \"expiresAt\" is missing"},
        BadToken{"NumericAccessToken", R"({"accessToken": 5, "expiresAt": "2023-03-04T03:39:48Z"})",
                 "field \"accessToken\" is a number, expected a string"},
        BadToken{"BadExpiresAt", R"({"accessToken": "aEXAMPLE", "expiresAt": "tomorrowEXAMPLE"})",
                 "field \"expiresAt\" is not a timestamp (expected …Z, …UTC or +00:00 forms)"},
        BadToken{
            "BadRegistrationExpiresAt",
            R"({"accessToken": "aEXAMPLE", "expiresAt": "2023-03-04T03:39:48Z", "registrationExpiresAt": 17})",
            "field \"registrationExpiresAt\" is a number, expected a string"},
        BadToken{
            "SecretAsObject",
            R"({"accessToken": "aEXAMPLE", "expiresAt": "2023-03-04T03:39:48Z", "clientSecret": {"v": "sEXAMPLE"}})",
            "field \"clientSecret\" is a object, expected a string"}),
    [](const ::testing::TestParamInfo<BadToken>& info) { return info.param.name; });

TEST(SsoTokenRenderTest, ReplacesRefreshedFieldsAndKeepsTheRest) {
  SsoTokenRefresh refresh{Secret("newAccessEXAMPLE"), At("2023-03-04T11:39:48.700Z"),
                          Secret("newRefreshEXAMPLE")};
  ASSERT_OK_AND_ASSIGN(std::string text, RenderRefreshedSsoToken(kFullToken, refresh, kPath));
  auto json = nlohmann::ordered_json::parse(text);
  EXPECT_EQ(json["accessToken"], "newAccessEXAMPLE");
  EXPECT_EQ(json["expiresAt"], "2023-03-04T11:39:48Z");
  EXPECT_EQ(json["refreshToken"], "newRefreshEXAMPLE");
  EXPECT_EQ(json["clientSecret"], "fakeClientSecretEXAMPLE");
  EXPECT_EQ(json["somethingNew"]["kept"], true);
  // Key order is the original's.
  std::vector<std::string> keys;
  for (auto it = json.begin(); it != json.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"startUrl", "region", "accessToken", "expiresAt",
                                            "clientId", "clientSecret", "registrationExpiresAt",
                                            "refreshToken", "somethingNew"}));
  ASSERT_OK_AND_ASSIGN(SsoToken back, ParseSsoToken(text, kPath));
  EXPECT_EQ(back.access_token.reveal(), "newAccessEXAMPLE");
  EXPECT_EQ(back.expires_at, At("2023-03-04T11:39:48Z"));
}

TEST(SsoTokenRenderTest, KeepsOldRefreshTokenWhenNoneReturned) {
  SsoTokenRefresh refresh{Secret("newAccessEXAMPLE"), At("2023-03-04T11:39:48Z"), std::nullopt};
  ASSERT_OK_AND_ASSIGN(std::string text, RenderRefreshedSsoToken(kFullToken, refresh, kPath));
  ASSERT_OK_AND_ASSIGN(SsoToken back, ParseSsoToken(text, kPath));
  EXPECT_EQ(back.refresh_token->reveal(), "fakeRefreshTokenEXAMPLE");
}

TEST(SsoTokenRenderTest, OtherCasingsAreReplacedByTheCanonicalKey) {
  SsoTokenRefresh refresh{Secret("newEXAMPLE"), At("2023-03-04T11:39:48Z"), std::nullopt};
  ASSERT_OK_AND_ASSIGN(
      std::string text,
      RenderRefreshedSsoToken(
          R"({"AccessToken": "oldEXAMPLE", "EXPIRESAT": "2021-12-07T01:19:12UTC"})", refresh,
          kPath));
  EXPECT_EQ(
      text,
      "{\n  \"accessToken\": \"newEXAMPLE\",\n  \"expiresAt\": \"2023-03-04T11:39:48Z\"\n}\n");
}

TEST(SsoTokenRenderTest, RefusesOriginalThatIsNotAnObjectAndInvalidUtf8) {
  SsoTokenRefresh refresh{Secret("newEXAMPLE"), At("2023-03-04T11:39:48Z"), std::nullopt};
  EXPECT_THAT(RenderRefreshedSsoToken("[1]", refresh, kPath),
              testing::StatusIs(StatusCode::kInvalidConfiguration, HasSubstr(kPath)));
  SsoTokenRefresh bad{Secret("\xff\xfe"), At("2023-03-04T11:39:48Z"), std::nullopt};
  EXPECT_THAT(RenderRefreshedSsoToken("{}", bad, kPath),
              testing::StatusHasCode(StatusCode::kInvalidResponse));
}

// --- refresh decision -----------------------------------------------------------------------

SsoToken Refreshable(WallTime expires_at, WallTime registration_expires_at) {
  SsoToken token;
  token.access_token = Secret("aEXAMPLE");
  token.expires_at = expires_at;
  token.refresh_token = Secret("rEXAMPLE");
  token.client_id = "cEXAMPLE";
  token.client_secret = Secret("sEXAMPLE");
  token.registration_expires_at = registration_expires_at;
  return token;
}

const WallTime kNow = At("2024-05-01T12:00:00Z");

TEST(SsoRefreshDecisionTest, LegacyProfilesNeverRefresh) {
  SsoRefreshVerdict v = DecideSsoRefresh(Refreshable(kNow + minutes(1), kNow + hours(24)),
                                         SsoRefreshInputs{false, std::nullopt, std::nullopt}, kNow);
  EXPECT_EQ(v.decision, SsoRefreshDecision::kLegacyProfile);
  EXPECT_TRUE(v.usable);
  EXPECT_THAT(v.why, HasSubstr("legacy SSO profile"));
}

TEST(SsoRefreshDecisionTest, FreshAboveFiveMinutes) {
  SsoRefreshVerdict v = DecideSsoRefresh(Refreshable(kNow + minutes(5), kNow + hours(24)),
                                         SsoRefreshInputs{true, std::nullopt, std::nullopt}, kNow);
  EXPECT_EQ(v.decision, SsoRefreshDecision::kFresh);
  EXPECT_EQ(v.why,
            "token expires in 5 min, not below the 5 min refresh window (the 5 min minimum)");
}

TEST(SsoRefreshDecisionTest, RefreshBelowFiveMinutes) {
  SsoRefreshVerdict v =
      DecideSsoRefresh(Refreshable(kNow + minutes(5) - seconds(1), kNow + hours(24)),
                       SsoRefreshInputs{true, std::nullopt, std::nullopt}, kNow);
  EXPECT_EQ(v.decision, SsoRefreshDecision::kRefresh);
  EXPECT_TRUE(v.usable);
}

TEST(SsoRefreshDecisionTest, TenPercentOfLifetimeWhenLonger) {
  // Issued 8 h before expiry: the window is 48 min.
  WallTime expires = kNow + minutes(40);
  SsoRefreshVerdict v =
      DecideSsoRefresh(Refreshable(expires, kNow + hours(24)),
                       SsoRefreshInputs{true, expires - hours(8), std::nullopt}, kNow);
  EXPECT_EQ(v.decision, SsoRefreshDecision::kRefresh);
  EXPECT_THAT(v.why, HasSubstr("48 min refresh window (10 % of the token's lifetime)"));
  // Issued 1 h before expiry: 10 % is 6 min, still above 5.
  v = DecideSsoRefresh(Refreshable(kNow + minutes(7), kNow + hours(24)),
                       SsoRefreshInputs{true, kNow + minutes(7) - hours(1), std::nullopt}, kNow);
  EXPECT_EQ(v.decision, SsoRefreshDecision::kFresh);
}

TEST(SsoRefreshDecisionTest, ExpiredTokenIsRefreshedAndNotUsable) {
  SsoRefreshVerdict v = DecideSsoRefresh(Refreshable(kNow - minutes(3), kNow + hours(24)),
                                         SsoRefreshInputs{true, std::nullopt, std::nullopt}, kNow);
  EXPECT_EQ(v.decision, SsoRefreshDecision::kRefresh);
  EXPECT_FALSE(v.usable);
  EXPECT_THAT(v.why, HasSubstr("token expired 3 min ago"));
}

TEST(SsoRefreshDecisionTest, NeedsRefreshTokenClientIdAndSecret) {
  SsoToken token = Refreshable(kNow + minutes(1), kNow + hours(24));
  token.refresh_token.reset();
  token.client_secret.reset();
  SsoRefreshVerdict v =
      DecideSsoRefresh(token, SsoRefreshInputs{true, std::nullopt, std::nullopt}, kNow);
  EXPECT_EQ(v.decision, SsoRefreshDecision::kMissingRegistration);
  EXPECT_THAT(v.why, HasSubstr("the token file has no refreshToken, clientSecret"));
}

TEST(SsoRefreshDecisionTest, NeedsRegistrationInTheFuture) {
  SsoRefreshVerdict v = DecideSsoRefresh(Refreshable(kNow + minutes(1), kNow),
                                         SsoRefreshInputs{true, std::nullopt, std::nullopt}, kNow);
  EXPECT_EQ(v.decision, SsoRefreshDecision::kRegistrationExpired);
  SsoToken token = Refreshable(kNow + minutes(1), kNow + hours(1));
  token.registration_expires_at.reset();
  v = DecideSsoRefresh(token, SsoRefreshInputs{true, std::nullopt, std::nullopt}, kNow);
  EXPECT_EQ(v.decision, SsoRefreshDecision::kRegistrationExpired);
}

TEST(SsoRefreshDecisionTest, AtMostOnceEveryThirtySeconds) {
  SsoToken token = Refreshable(kNow + minutes(1), kNow + hours(24));
  EXPECT_EQ(DecideSsoRefresh(token, SsoRefreshInputs{true, std::nullopt, kNow - seconds(29)}, kNow)
                .decision,
            SsoRefreshDecision::kTooSoon);
  EXPECT_EQ(DecideSsoRefresh(token, SsoRefreshInputs{true, std::nullopt, kNow - seconds(30)}, kNow)
                .decision,
            SsoRefreshDecision::kRefresh);
}

// --- error texts ----------------------------------------------------------------------------

SsoLoginHint SessionHint() {
  SsoLoginHint hint;
  hint.profile_name = "dev";
  hint.session_name = "s1";
  hint.start_url = "https://d-abc.awsapps.com/start";
  hint.cache_path = "/h/.aws/sso/cache/x.json";
  return hint;
}

SsoLoginHint LegacyHint() {
  SsoLoginHint hint = SessionHint();
  hint.session_name.reset();
  return hint;
}

TEST(SsoTokenErrorMessageTest, MissingSessionToken) {
  EXPECT_EQ(SsoTokenErrorMessage(SsoTokenProblem::kMissing, SessionHint()),
            "Error loading SSO Token: Token for s1 does not exist (no file "
            "/h/.aws/sso/cache/x.json). To refresh this SSO session run: aws sso login "
            "--sso-session s1");
}

TEST(SsoTokenErrorMessageTest, MissingLegacyTokenSteersToSsoSession) {
  std::string message = SsoTokenErrorMessage(SsoTokenProblem::kMissing, LegacyHint());
  EXPECT_THAT(message, HasSubstr("Error loading SSO Token: Token for "
                                 "https://d-abc.awsapps.com/start does not exist"));
  EXPECT_THAT(message, HasSubstr("aws sso login --profile dev (this profile uses the legacy SSO "
                                 "configuration"));
  EXPECT_THAT(message, HasSubstr("only profiles with an sso_session"));
}

TEST(SsoTokenErrorMessageTest, ExpiredLegacyTokenNamesExpiresAt) {
  SsoLoginHint hint = LegacyHint();
  hint.expires_at_seen = "2021-12-07T01:19:12UTC";
  EXPECT_THAT(SsoTokenErrorMessage(SsoTokenProblem::kExpired, hint),
              HasSubstr("The SSO session associated with this profile has expired or is "
                        "otherwise invalid (token file /h/.aws/sso/cache/x.json, expiresAt "
                        "2021-12-07T01:19:12UTC). To refresh this SSO session run: aws sso login "
                        "--profile dev"));
}

TEST(SsoTokenErrorMessageTest, SessionRefreshFailed) {
  SsoLoginHint hint = SessionHint();
  hint.expires_at_seen = "2023-03-04T03:39:48Z";
  hint.detail = "CreateToken: HTTP 400 InvalidGrantException";
  EXPECT_EQ(SsoTokenErrorMessage(SsoTokenProblem::kRefreshFailed, hint),
            "Error when retrieving token from sso: Token has expired and refresh failed (token "
            "file /h/.aws/sso/cache/x.json, expiresAt 2023-03-04T03:39:48Z; CreateToken: HTTP 400 "
            "InvalidGrantException). To refresh this SSO session run: aws sso login --sso-session "
            "s1");
}

TEST(SsoTokenErrorMessageTest, UnauthorizedAndInvalid) {
  EXPECT_THAT(SsoTokenErrorMessage(SsoTokenProblem::kUnauthorized, SessionHint()),
              HasSubstr("has expired or is otherwise invalid (token file /h/.aws/sso/cache/x.json; "
                        "the SSO portal answered 401 to GetRoleCredentials)"));
  SsoLoginHint hint = SessionHint();
  hint.detail = "field \"accessToken\" is missing";
  EXPECT_EQ(SsoTokenErrorMessage(SsoTokenProblem::kInvalid, hint),
            "Error loading SSO Token: Token for s1 is invalid (/h/.aws/sso/cache/x.json: field "
            "\"accessToken\" is missing). To refresh this SSO session run: aws sso login "
            "--sso-session s1");
}

}  // namespace
}  // namespace chantless
