// ImdsProvider rules, one test per rule, through FakeHttpClient and FakeClock (2024-05-01T12:00Z).
#include "resolver/imds/imds_provider.h"

#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/core/time_util.h"
#include "resolver/testing/fakes.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::chantless::testing::FakeWorld;
using ::chantless::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kToken[] = "AQAEAFAKETOKEN-EXAMPLE==";
constexpr char kAccessKey[] = "ASIAQEXAMPLEIMDSKEY";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYIMDSEXAMPLEKEY";
constexpr char kSession[] = "IQoJb3JpZ2luX2VjEXAMPLEIMDSSESSIONTOKEN==";
constexpr char kExt[] = "/latest/meta-data/iam/security-credentials-extended/";
constexpr char kLegacy[] = "/latest/meta-data/iam/security-credentials/";

std::string Body(const std::string& expiration, bool account = false) {
  return std::string(
             R"({"Code":"Success","LastUpdated":"2024-05-01T11:55:00Z","Type":"AWS-HMAC",)") +
         R"("AccessKeyId":")" + kAccessKey + R"(","SecretAccessKey":")" + kSecret +
         R"(","Token":")" + kSession + R"(","Expiration":")" + expiration + "\"" +
         (account ? R"(,"AccountId":"123456789012")" : "") + "}";
}

WallTime T(const char* s) { return ParseRfc3339(s).value(); }

std::vector<std::string> Paths(const FakeWorld& w) {
  std::vector<std::string> out;
  for (const HttpRequest& r : w.http.requests()) out.push_back(r.method + " " + r.path);
  return out;
}

ImdsProviderOptions Seeded() {
  ImdsProviderOptions o;
  o.jitter_seed = 42;
  return o;
}

// Token, extended listing, extended credentials.
void ScriptExtendedHappyPath(FakeWorld& w, const std::string& expiration = "2024-05-01T18:00:00Z") {
  w.http.Reply(200, kToken);
  w.http.Reply(200, "TestEC2Role");
  w.http.Reply(200, Body(expiration, /*account=*/true));
}

TEST(ImdsProviderTest, NameIsBotocoresIamRole) {
  FakeWorld w;
  EXPECT_EQ(ImdsProvider(w.context()).Name(), "iam-role");
}

TEST(ImdsProviderTest, ExtendedPathFirstKeepsAccountId) {
  FakeWorld w;
  ScriptExtendedHappyPath(w);
  ImdsProvider provider(w.context(), Seeded());
  ASSERT_OK_AND_ASSIGN(Credentials c, provider.Resolve());
  EXPECT_EQ(c.access_key_id, kAccessKey);
  EXPECT_EQ(c.secret_access_key.reveal(), kSecret);
  EXPECT_EQ(c.session_token.reveal(), kSession);
  EXPECT_EQ(c.expiration, T("2024-05-01T18:00:00Z"));
  EXPECT_EQ(c.account_id, "123456789012");
  EXPECT_EQ(c.account_id_source, "iam-role response");
  EXPECT_EQ(c.provider, "iam-role");
  EXPECT_FALSE(c.extended);
  EXPECT_THAT(Paths(w), ElementsAre("PUT /latest/api/token", std::string("GET ") + kExt,
                                    std::string("GET ") + kExt + "TestEC2Role"));
}

TEST(ImdsProviderTest, LegacyPathOn404IsRemembered) {
  FakeWorld w;
  w.http.Reply(200, kToken);
  w.http.Reply(404, "");
  w.http.Reply(200, "TestEC2Role\n");
  w.http.Reply(200, Body("2024-05-01T18:00:00Z"));
  w.http.Reply(200, "TestEC2Role");
  w.http.Reply(200, Body("2024-05-01T18:00:00Z"));
  ImdsProvider provider(w.context(), Seeded());
  ASSERT_OK_AND_ASSIGN(Credentials c, provider.Resolve());
  EXPECT_FALSE(c.account_id.has_value());
  EXPECT_OK(provider.Resolve());
  const std::string legacy = std::string("GET ") + kLegacy;
  EXPECT_THAT(Paths(w), ElementsAre("PUT /latest/api/token", std::string("GET ") + kExt, legacy,
                                    legacy + "TestEC2Role", legacy, legacy + "TestEC2Role"));
}

TEST(ImdsProviderTest, RoleListingTakesFirstLineTrimmed) {
  FakeWorld w;
  w.http.Reply(200, kToken);
  w.http.Reply(200, "  FirstRole \nSecondRole");
  w.http.Reply(200, Body("2024-05-01T18:00:00Z"));
  ImdsProvider provider(w.context(), Seeded());
  EXPECT_OK(provider.Resolve());
  EXPECT_EQ(Paths(w).back(), std::string("GET ") + kExt + "FirstRole");
}

TEST(ImdsProviderTest, InstanceProfileNameSkipsDiscovery) {
  FakeWorld w;
  w.env.Set("AWS_EC2_INSTANCE_PROFILE_NAME", "NamedRole");
  w.http.Reply(200, kToken);
  w.http.Reply(200, Body("2024-05-01T18:00:00Z"));
  ImdsProvider provider(w.context(), Seeded());
  EXPECT_OK(provider.Resolve());
  EXPECT_THAT(Paths(w),
              ElementsAre("PUT /latest/api/token", std::string("GET ") + kExt + "NamedRole"));
}

TEST(ImdsProviderTest, InstanceProfileNameFromConfigFallsBackToLegacy) {
  FakeWorld w;
  w.settings.Set("ec2_instance_profile_name", "NamedRole");
  w.http.Reply(200, kToken);
  w.http.Reply(404, "");
  w.http.Reply(200, Body("2024-05-01T18:00:00Z"));
  ImdsProvider provider(w.context(), Seeded());
  EXPECT_OK(provider.Resolve());
  EXPECT_THAT(Paths(w),
              ElementsAre("PUT /latest/api/token", std::string("GET ") + kExt + "NamedRole",
                          std::string("GET ") + kLegacy + "NamedRole"));
}

TEST(ImdsProviderTest, UnknownNamedRoleIsInvalidConfiguration) {
  FakeWorld w;
  w.env.Set("AWS_EC2_INSTANCE_PROFILE_NAME", "NoSuchRole");
  w.http.Reply(200, kToken);
  w.http.Reply(404, "");
  w.http.Reply(404, "");
  ImdsProvider provider(w.context(), Seeded());
  EXPECT_THAT(provider.Resolve(), StatusIs(StatusCode::kInvalidConfiguration,
                                           HasSubstr("AWS_EC2_INSTANCE_PROFILE_NAME")));
}

TEST(ImdsProviderTest, NamedRoleWithPathCharactersIsRejectedBeforeAnyRequest) {
  FakeWorld w;
  w.env.Set("AWS_EC2_INSTANCE_PROFILE_NAME", "../../api/token");
  ImdsProvider provider(w.context(), Seeded());
  EXPECT_THAT(provider.Resolve(), StatusIs(StatusCode::kInvalidConfiguration,
                                           HasSubstr("AWS_EC2_INSTANCE_PROFILE_NAME")));
  EXPECT_THAT(w.http.requests(), IsEmpty());
}

TEST(ImdsProviderTest, NoRoleAttachedIsNotConfigured) {
  FakeWorld w;
  w.http.Reply(200, kToken);
  w.http.Reply(404, "");
  w.http.Reply(404, "");
  ImdsProvider provider(w.context(), Seeded());
  EXPECT_THAT(provider.Resolve(),
              StatusIs(StatusCode::kNotConfigured, HasSubstr("no IAM role is attached")));
}

TEST(ImdsProviderTest, EmptyRoleListingIsNotConfigured) {
  FakeWorld w;
  w.http.Reply(200, kToken);
  w.http.Reply(200, "\n");
  ImdsProvider provider(w.context(), Seeded());
  EXPECT_THAT(provider.Resolve(), StatusIs(StatusCode::kNotConfigured, HasSubstr("empty listing")));
}

TEST(ImdsProviderTest, DisabledIsNotConfiguredWithZeroRequests) {
  FakeWorld w;
  w.env.Set("AWS_EC2_METADATA_DISABLED", "true");
  ImdsProvider provider(w.context(), Seeded());
  EXPECT_THAT(provider.Resolve(), StatusIs(StatusCode::kNotConfigured, HasSubstr("disabled")));
  EXPECT_THAT(w.http.requests(), IsEmpty());
}

TEST(ImdsProviderTest, CodeOtherThanSuccessIsInvalidResponse) {
  FakeWorld w;
  w.http.Reply(200, kToken);
  w.http.Reply(200, "TestEC2Role");
  w.http.Reply(200, R"({"Code":"AssumeRoleUnauthorizedAccess","Message":"denied"})");
  ImdsProvider provider(w.context(), Seeded());
  EXPECT_THAT(provider.Resolve(), StatusIs(StatusCode::kInvalidResponse, HasSubstr("TestEC2Role")));
}

TEST(ImdsProviderTest, UnreachableImdsIsUnavailableNamingTheEndpoint) {
  FakeWorld w;
  w.http.Fail(
      UnavailableError("PUT http://169.254.169.254/latest/api/token: no response (Connection)"));
  ImdsProvider provider(w.context(), Seeded());
  EXPECT_THAT(provider.Resolve(),
              StatusIs(StatusCode::kUnavailable, HasSubstr("http://169.254.169.254")));
}

TEST(ImdsProviderTest, TraceHasBotocoreLinesAndNoSecrets) {
  FakeWorld w;
  ScriptExtendedHappyPath(w);
  ImdsProvider provider(w.context(), Seeded());
  EXPECT_OK(provider.Resolve());
  std::vector<std::string> info;
  for (const TraceEvent& e : w.trace.events()) {
    if (e.kind == TraceEvent::Kind::kInfo) info.push_back(e.message);
  }
  EXPECT_THAT(info, ElementsAre("Looking for credentials via: iam-role",
                                "credentials from iam-role: GET http://169.254.169.254/latest/"
                                "meta-data/iam/security-credentials-extended/TestEC2Role are "
                                "valid for 6h 0m 0s (until 2024-05-01T18:00:00Z)",
                                "Found credentials from IAM Role: TestEC2Role"));
  const std::string text = w.TraceText();
  for (const char* secret : {kToken, kAccessKey, kSecret, kSession}) {
    EXPECT_THAT(text, Not(HasSubstr(secret)));
  }
}

TEST(ImdsProviderTest, ExpiredCredentialsFromImdsAreExtendedFiveToFifteenMinutes) {
  FakeWorld w;
  ScriptExtendedHappyPath(w, "2024-05-01T11:50:00Z");
  ImdsProvider provider(w.context(), Seeded());
  ASSERT_OK_AND_ASSIGN(Credentials c, provider.Resolve());
  EXPECT_TRUE(c.extended);
  ASSERT_TRUE(c.expiration.has_value());
  EXPECT_GE(*c.expiration, T("2024-05-01T12:05:00Z"));
  EXPECT_LE(*c.expiration, T("2024-05-01T12:15:00Z"));
  int warnings = 0;
  for (const TraceEvent& e : w.trace.events()) warnings += e.kind == TraceEvent::Kind::kWarning;
  EXPECT_EQ(warnings, 1);
  EXPECT_THAT(w.TraceText(), HasSubstr("extension"));
}

// Interop finding: a fake clock with sub-second time must not leak ".497677" into Expiration.
TEST(ImdsProviderTest, ExtendedExpirationIsInWholeSeconds) {
  FakeWorld w;
  w.clock.Advance(std::chrono::microseconds(497677));
  ScriptExtendedHappyPath(w, "2024-05-01T11:50:00Z");
  ImdsProvider provider(w.context(), Seeded());
  ASSERT_OK_AND_ASSIGN(Credentials c, provider.Resolve());
  ASSERT_TRUE(c.extended);
  EXPECT_EQ(c.expiration->time_since_epoch() % std::chrono::seconds(1), WallTime::duration::zero());
}

TEST(ImdsProviderTest, JitterIsDeterministicForASeed) {
  std::vector<WallTime> seen;
  for (int i = 0; i < 2; ++i) {
    FakeWorld w;
    ScriptExtendedHappyPath(w, "2024-05-01T11:50:00Z");
    ImdsProvider provider(w.context(), Seeded());
    ASSERT_OK_AND_ASSIGN(Credentials c, provider.Resolve());
    seen.push_back(*c.expiration);
  }
  EXPECT_EQ(seen[0], seen[1]);
}

TEST(ImdsProviderTest, JitterSpreadsAcrossSeeds) {
  std::set<WallTime> seen;
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    FakeWorld w;
    ScriptExtendedHappyPath(w, "2024-05-01T11:50:00Z");
    ImdsProviderOptions o;
    o.jitter_seed = seed;
    ImdsProvider provider(w.context(), o);
    ASSERT_OK_AND_ASSIGN(Credentials c, provider.Resolve());
    seen.insert(*c.expiration);
  }
  EXPECT_GT(seen.size(), 1u);
}

TEST(ImdsProviderTest, ExtensionIsCappedAnHourPastTheRealExpiry) {
  FakeWorld w;
  ScriptExtendedHappyPath(w, "2024-05-01T11:05:00Z");  // cap at 12:05, now is 12:00
  ImdsProvider provider(w.context(), Seeded());
  ASSERT_OK_AND_ASSIGN(Credentials c, provider.Resolve());
  EXPECT_TRUE(c.extended);
  EXPECT_EQ(*c.expiration, T("2024-05-01T12:05:00Z"));
}

TEST(ImdsProviderTest, CredentialsExpiredBeyondTheCapAreRefusedByTheExpiryRule) {
  FakeWorld w;
  ScriptExtendedHappyPath(w, "2024-05-01T10:00:00Z");
  ImdsProvider provider(w.context(), Seeded());
  EXPECT_THAT(provider.Resolve(),
              StatusIs(StatusCode::kInvalidResponse,
                       ::testing::AllOf(HasSubstr("iam-role: GET http://169.254.169.254"),
                                        HasSubstr("expired at 2024-05-01T10:00:00Z"),
                                        HasSubstr("local clock 2024-05-01T12:00:00Z"),
                                        HasSubstr("static-stability limit of 60 minutes"))));
}

TEST(ImdsProviderTest, ValidCredentialsAreReturnedAndTheTraceSaysHowLong) {
  FakeWorld w;
  ScriptExtendedHappyPath(w, "2024-05-01T12:10:00Z");
  ImdsProvider provider(w.context(), Seeded());
  ASSERT_OK_AND_ASSIGN(Credentials c, provider.Resolve());
  EXPECT_FALSE(c.extended);
  EXPECT_THAT(w.TraceText(), HasSubstr("valid for 10m 0s (until 2024-05-01T12:10:00Z), inside "
                                       "the 15-minute refresh window"));
}

TEST(ImdsProviderTest, FailedRefreshWithValidOldCredentialsServesThemUnchanged) {
  FakeWorld w;
  ScriptExtendedHappyPath(w);
  w.http.Reply(500, "");
  ImdsProvider provider(w.context(), Seeded());
  ASSERT_OK_AND_ASSIGN(Credentials first, provider.Resolve());
  w.clock.Advance(std::chrono::minutes(10));
  ASSERT_OK_AND_ASSIGN(Credentials second, provider.Resolve());
  EXPECT_EQ(second, first);
  EXPECT_FALSE(second.extended);
}

TEST(ImdsProviderTest, FailedRefreshAfterExpiryExtendsOldCredentials) {
  FakeWorld w;
  ScriptExtendedHappyPath(w, "2024-05-01T12:30:00Z");
  w.http.Fail(UnavailableError("GET http://169.254.169.254/…: no response (Connection)"));
  ImdsProvider provider(w.context(), Seeded());
  EXPECT_OK(provider.Resolve());
  w.clock.Advance(std::chrono::minutes(40));  // 12:40, real expiry 12:30
  ASSERT_OK_AND_ASSIGN(Credentials c, provider.Resolve());
  EXPECT_TRUE(c.extended);
  EXPECT_EQ(c.access_key_id, kAccessKey);
  EXPECT_GE(*c.expiration, T("2024-05-01T12:45:00Z"));
  EXPECT_LE(*c.expiration, T("2024-05-01T12:55:00Z"));
  EXPECT_THAT(w.TraceText(), HasSubstr("refreshing credentials from IMDS failed"));
}

TEST(ImdsProviderTest, FailedRefreshLongAfterExpiryIsTheError) {
  FakeWorld w;
  ScriptExtendedHappyPath(w, "2024-05-01T12:30:00Z");
  w.http.Fail(UnavailableError("GET http://169.254.169.254/…: no response (Connection)"));
  ImdsProvider provider(w.context(), Seeded());
  EXPECT_OK(provider.Resolve());
  w.clock.Advance(std::chrono::minutes(95));  // 13:35, cap 13:30
  EXPECT_THAT(provider.Resolve(), StatusIs(StatusCode::kUnavailable, HasSubstr("no response")));
}

TEST(ImdsProviderTest, FailedRefreshWithoutOldCredentialsIsTheError) {
  FakeWorld w;
  w.http.Reply(200, kToken);
  w.http.Reply(503, "");
  w.http.Reply(503, "");
  w.http.Reply(503, "");
  ImdsProvider provider(w.context(), Seeded());
  EXPECT_THAT(provider.Resolve(), StatusIs(StatusCode::kUnavailable, HasSubstr("HTTP 503")));
}

TEST(ImdsProviderTest, NoRoleAfterSuccessIsNotMaskedByStaticStability) {
  FakeWorld w;
  ScriptExtendedHappyPath(w);
  w.http.Reply(404, "");
  w.http.Reply(404, "");
  ImdsProvider provider(w.context(), Seeded());
  EXPECT_OK(provider.Resolve());
  EXPECT_THAT(provider.Resolve(), StatusIs(StatusCode::kNotConfigured, HasSubstr("no IAM role")));
}

}  // namespace
}  // namespace chantless
