// Tests for ResolveSsoSettings: botocore's applicability rule, legacy and sso-session profiles,
// and the three configuration errors of sts-sso-behaviour.md §3.1 with file:line.
#include "resolver/sso/sso_config.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::testing::HasSubstr;

constexpr char kConfigPath[] = "/h/.aws/config";

std::unique_ptr<ProfileConfig> Load(const std::string& profile, const std::string& config_text,
                                    const std::string& credentials_text = "") {
  StatusOr<ProfileFile> config =
      ParseProfileFile(config_text, ProfileFileKind::kConfig, kConfigPath);
  StatusOr<ProfileFile> credentials =
      ParseProfileFile(credentials_text, ProfileFileKind::kCredentials, "/h/.aws/credentials");
  EXPECT_OK(config);
  EXPECT_OK(credentials);
  return std::make_unique<ProfileConfig>(profile, "--profile", kConfigPath, *config,
                                         "/h/.aws/credentials", *credentials);
}

TEST(SsoConfigTest, NotSsoWithoutAccountIdOrRoleName) {
  auto config =
      Load("dev", "[profile dev]\nsso_start_url = https://x/start\nsso_region = us-east-1\n");
  EXPECT_THAT(ResolveSsoSettings(*config), testing::StatusHasCode(StatusCode::kNotConfigured));
}

TEST(SsoConfigTest, LegacyProfile) {
  auto config = Load("dev",
                     "[profile dev]\n"
                     "sso_start_url = https://d-abc.awsapps.com/start\n"
                     "sso_region = eu-west-1\n"
                     "sso_account_id = 123456789012\n"
                     "sso_role_name = ReadOnly\n");
  ASSERT_OK_AND_ASSIGN(SsoSettings s, ResolveSsoSettings(*config));
  EXPECT_EQ(s.profile_name, "dev");
  EXPECT_FALSE(s.session_name.has_value());
  EXPECT_EQ(s.start_url, "https://d-abc.awsapps.com/start");
  EXPECT_EQ(s.region, "eu-west-1");
  EXPECT_EQ(s.account_id, "123456789012");
  EXPECT_EQ(s.role_name, "ReadOnly");
  EXPECT_EQ(s.token_cache_key_source(), "https://d-abc.awsapps.com/start");
  EXPECT_EQ(s.where, "legacy SSO profile (/h/.aws/config:4 (profile dev))");
}

TEST(SsoConfigTest, SessionProfile) {
  auto config = Load("dev",
                     "[profile dev]\n"
                     "sso_session = my-sso\n"
                     "sso_account_id = 123456789012\n"
                     "sso_role_name = ReadOnly\n"
                     "[sso-session my-sso]\n"
                     "sso_start_url = https://d-abc.awsapps.com/start\n"
                     "sso_region = eu-west-1\n"
                     "sso_registration_scopes = sso:account:access\n");
  ASSERT_OK_AND_ASSIGN(SsoSettings s, ResolveSsoSettings(*config));
  EXPECT_EQ(s.session_name, "my-sso");
  EXPECT_EQ(s.start_url, "https://d-abc.awsapps.com/start");
  EXPECT_EQ(s.region, "eu-west-1");
  EXPECT_EQ(s.registration_scopes, "sso:account:access");
  EXPECT_EQ(s.token_cache_key_source(), "my-sso");
  EXPECT_EQ(s.where,
            "sso_session my-sso (/h/.aws/config:2 (profile dev)), [sso-session my-sso] at "
            "/h/.aws/config:5");
}

TEST(SsoConfigTest, SameValueInProfileAndSessionIsFine) {
  auto config = Load("dev",
                     "[profile dev]\nsso_session = s\nsso_region = eu-west-1\n"
                     "sso_account_id = 1\nsso_role_name = r\n"
                     "[sso-session s]\nsso_start_url = https://x/start\nsso_region = eu-west-1\n");
  EXPECT_OK(ResolveSsoSettings(*config));
}

TEST(SsoConfigTest, RoleNameAloneIsEnoughToApplyAndListsMissingKeysInBotocoreOrder) {
  auto config = Load("p", "[profile p]\nsso_role_name = r\n");
  EXPECT_THAT(
      ResolveSsoSettings(*config),
      testing::StatusIs(StatusCode::kInvalidConfiguration,
                        "The profile \"p\" is configured to use SSO but is missing required "
                        "configuration: sso_account_id, sso_start_url, sso_region (profile "
                        "at /h/.aws/config:2 (profile p))"));
}

TEST(SsoConfigTest, MissingFromSessionToo) {
  auto config = Load("p",
                     "[profile p]\nsso_session = s\nsso_account_id = 1\nsso_role_name = r\n"
                     "[sso-session s]\nsso_region = us-east-1\n");
  EXPECT_THAT(
      ResolveSsoSettings(*config),
      testing::StatusIs(StatusCode::kInvalidConfiguration,
                        HasSubstr("is missing required configuration: sso_start_url ("
                                  "profile at /h/.aws/config:2 (profile p), [sso-session s] "
                                  "at /h/.aws/config:5)")));
}

TEST(SsoConfigTest, BlankValueCountsAsMissing) {
  auto config = Load("p",
                     "[profile p]\nsso_start_url =\nsso_region = us-east-1\nsso_account_id = 1\n"
                     "sso_role_name = r\n");
  EXPECT_THAT(ResolveSsoSettings(*config),
              testing::StatusIs(StatusCode::kInvalidConfiguration,
                                HasSubstr("missing required configuration: sso_start_url (")));
}

TEST(SsoConfigTest, UnknownSession) {
  auto config = Load("p", "[profile p]\nsso_session = nope\nsso_account_id = 1\n");
  EXPECT_THAT(
      ResolveSsoSettings(*config),
      testing::StatusIs(StatusCode::kInvalidConfiguration,
                        "The specified sso-session does not exist: \"nope\" (sso_session set "
                        "at /h/.aws/config:2 (profile p); no [sso-session nope] section in "
                        "/h/.aws/config)"));
}

TEST(SsoConfigTest, InconsistentValues) {
  auto config = Load("p",
                     "[profile p]\nsso_session = s\nsso_region = us-east-1\nsso_account_id = 1\n"
                     "sso_role_name = r\n"
                     "[sso-session s]\nsso_start_url = https://x/start\nsso_region = eu-west-1\n");
  EXPECT_THAT(ResolveSsoSettings(*config),
              testing::StatusIs(StatusCode::kInvalidConfiguration,
                                "The value for sso_region is inconsistent between profile "
                                "(us-east-1) and sso-session (eu-west-1). (profile: "
                                "/h/.aws/config:3 (profile p); sso-session: /h/.aws/config:8)"));
}

TEST(SsoConfigTest, CredentialsFileKeysCountAsProfileKeys) {
  auto config = Load("p", "[profile p]\nsso_start_url = https://x/start\nsso_region = us-east-1\n",
                     "[p]\nsso_account_id = 1\nsso_role_name = r\n");
  ASSERT_OK_AND_ASSIGN(SsoSettings s, ResolveSsoSettings(*config));
  EXPECT_EQ(s.account_id, "1");
}

}  // namespace
}  // namespace chantless
