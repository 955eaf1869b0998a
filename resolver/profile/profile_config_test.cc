// Tests of ProfileConfig: file locations, profile selection, the credentials-over-config merge,
// Where() and the errors, each named for the rule it checks (rules in profile_config.h).
#include "resolver/profile/profile_config.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/testing/fakes.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::chantless::testing::FakeWorld;
using ::chantless::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kConfigPath[] = "/home/u/.aws/config";
constexpr char kCredentialsPath[] = "/home/u/.aws/credentials";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

class ProfileConfigTest : public ::testing::Test {
 protected:
  ProfileConfigTest() { world_.env.Set("HOME", "/home/u"); }

  StatusOr<std::unique_ptr<ProfileConfig>> Load(std::optional<std::string> profile = std::nullopt) {
    return LoadProfileConfig(world_.env, world_.fs, profile, &world_.trace);
  }

  FakeWorld world_;
};

TEST_F(ProfileConfigTest, ReadsDefaultLocationsUnderHome) {
  world_.fs.SetFile(kConfigPath, "[default]\nregion = eu-west-1\n");
  world_.fs.SetFile(kCredentialsPath, "[default]\naws_access_key_id = AKIDEXAMPLE\n");
  ASSERT_OK_AND_ASSIGN(auto config, Load());
  EXPECT_EQ(config->config_path(), kConfigPath);
  EXPECT_EQ(config->credentials_path(), kCredentialsPath);
  EXPECT_EQ(config->Get("region"), "eu-west-1");
  EXPECT_EQ(config->Get("aws_access_key_id"), "AKIDEXAMPLE");
}

TEST_F(ProfileConfigTest, VariablesOverrideFileLocations) {
  world_.env.Set("AWS_CONFIG_FILE", "/etc/aws/config");
  world_.env.Set("AWS_SHARED_CREDENTIALS_FILE", "/etc/aws/creds");
  world_.fs.SetFile(kConfigPath, "[default]\nregion = ignored\n");
  world_.fs.SetFile("/etc/aws/config", "[default]\nregion = us-west-2\n");
  world_.fs.SetFile("/etc/aws/creds", "[default]\noutput = json\n");
  ASSERT_OK_AND_ASSIGN(auto config, Load());
  EXPECT_EQ(config->Get("region"), "us-west-2");
  EXPECT_EQ(config->Get("output"), "json");
  EXPECT_EQ(world_.fs.read_count(kConfigPath), 0);
}

TEST_F(ProfileConfigTest, TildeInVariableIsExpanded) {
  world_.env.Set("AWS_CONFIG_FILE", "~/alt/config");
  world_.fs.SetFile("/home/u/alt/config", "[default]\nregion = ap-south-1\n");
  ASSERT_OK_AND_ASSIGN(auto config, Load());
  EXPECT_EQ(config->config_path(), "/home/u/alt/config");
  EXPECT_EQ(config->Get("region"), "ap-south-1");
}

TEST_F(ProfileConfigTest, BlankLocationVariableCountsAsUnset) {
  world_.env.Set("AWS_CONFIG_FILE", "  ");
  world_.fs.SetFile(kConfigPath, "[default]\nregion = eu-west-1\n");
  ASSERT_OK_AND_ASSIGN(auto config, Load());
  EXPECT_EQ(config->Get("region"), "eu-west-1");
}

TEST_F(ProfileConfigTest, HomeFallbackIsUsedWhenHomeIsUnset) {
  world_.env.Unset("HOME");
  world_.fs.SetHomeDirectoryFallback("/var/lib/svc");
  world_.fs.SetFile("/var/lib/svc/.aws/config", "[default]\nregion = eu-north-1\n");
  ASSERT_OK_AND_ASSIGN(auto config, Load());
  EXPECT_EQ(config->Get("region"), "eu-north-1");
}

TEST_F(ProfileConfigTest, NoHomeDirectoryMeansDefaultFilesAreAbsent) {
  world_.env.Unset("HOME");
  ASSERT_OK_AND_ASSIGN(auto config, Load());
  EXPECT_FALSE(config->ProfileExists());
  EXPECT_THAT(world_.TraceText(), HasSubstr("no home directory known"));
}

TEST_F(ProfileConfigTest, TildeInVariableWithoutHomeIsInvalidConfiguration) {
  world_.env.Unset("HOME");
  world_.env.Set("AWS_SHARED_CREDENTIALS_FILE", "~/creds");
  EXPECT_THAT(Load(), StatusIs(StatusCode::kInvalidConfiguration,
                               HasSubstr("AWS_SHARED_CREDENTIALS_FILE")));
}

TEST_F(ProfileConfigTest, MissingFilesAreEmpty) {
  ASSERT_OK_AND_ASSIGN(auto config, Load());
  EXPECT_EQ(config->ProfileName(), "default");
  EXPECT_EQ(config->profile_source(), "default");
  EXPECT_FALSE(config->ProfileExists());
  EXPECT_EQ(config->Get("region"), std::nullopt);
  EXPECT_EQ(config->Where("region"), "");
}

TEST_F(ProfileConfigTest, UnreadableFileIsAnError) {
  world_.fs.SetError(kCredentialsPath, InvalidConfigurationError(std::string(kCredentialsPath) +
                                                                 ": permission denied"));
  EXPECT_THAT(Load(), StatusIs(StatusCode::kInvalidConfiguration,
                               HasSubstr(std::string(kCredentialsPath) + ": permission denied")));
}

TEST_F(ProfileConfigTest, SyntaxErrorNamesPathAndLine) {
  world_.fs.SetFile(kConfigPath, "[default]\nregion = eu-west-1\naws_secret_access_key ");
  EXPECT_THAT(Load(), StatusIs(StatusCode::kInvalidConfiguration,
                               HasSubstr(std::string(kConfigPath) + ":3: ")));
}

TEST_F(ProfileConfigTest, ParserWarningsAreTraced) {
  world_.fs.SetFile(kConfigPath, "[dev]\nregion = eu-west-1\n");
  ASSERT_OK(Load());
  EXPECT_THAT(world_.TraceText(),
              HasSubstr(std::string(kConfigPath) + ":1: section [dev] ignored"));
}

TEST_F(ProfileConfigTest, ProfileOverrideWinsOverVariables) {
  world_.env.Set("AWS_PROFILE", "a");
  world_.env.Set("AWS_DEFAULT_PROFILE", "b");
  world_.fs.SetFile(kConfigPath, "[profile c]\nregion = r\n");
  ASSERT_OK_AND_ASSIGN(auto config, Load("c"));
  EXPECT_EQ(config->ProfileName(), "c");
  EXPECT_EQ(config->profile_source(), "--profile");
}

TEST_F(ProfileConfigTest, AwsProfileWinsOverAwsDefaultProfileAsInAwsCliV2) {
  world_.env.Set("AWS_PROFILE", "a");
  world_.env.Set("AWS_DEFAULT_PROFILE", "b");
  world_.fs.SetFile(kConfigPath, "[profile a]\n[profile b]\n");
  ASSERT_OK_AND_ASSIGN(auto config, Load());
  EXPECT_EQ(config->ProfileName(), "a");
  EXPECT_EQ(config->profile_source(), "AWS_PROFILE");
}

TEST_F(ProfileConfigTest, AwsDefaultProfileAloneSelectsTheProfile) {
  world_.env.Set("AWS_DEFAULT_PROFILE", "b");
  world_.fs.SetFile(kConfigPath, "[profile a]\n[profile b]\n");
  ASSERT_OK_AND_ASSIGN(auto config, Load());
  EXPECT_EQ(config->ProfileName(), "b");
  EXPECT_EQ(config->profile_source(), "AWS_DEFAULT_PROFILE");
}

TEST_F(ProfileConfigTest, DifferingProfileVariablesAreTracedAsWarning) {
  world_.env.Set("AWS_PROFILE", "a");
  world_.env.Set("AWS_DEFAULT_PROFILE", "b");
  world_.fs.SetFile(kConfigPath, "[profile a]\n[profile b]\n");
  ASSERT_OK(Load());
  auto events = world_.trace.events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().kind, TraceEvent::Kind::kWarning);
  EXPECT_THAT(events.back().message,
              AllOf(HasSubstr("AWS_DEFAULT_PROFILE ('b')"), HasSubstr("AWS_PROFILE ('a')"),
                    HasSubstr("using AWS_PROFILE")));
}

TEST_F(ProfileConfigTest, WarningsAreKeptInTheConfig) {
  world_.env.Set("AWS_PROFILE", "a");
  world_.env.Set("AWS_DEFAULT_PROFILE", "b");
  world_.fs.SetFile(kConfigPath, "[profile a]\n[profile b]\n[x]\n");
  ASSERT_OK_AND_ASSIGN(auto config, Load());
  ASSERT_EQ(config->warnings().size(), 2u);
  EXPECT_THAT(config->warnings()[0], HasSubstr("section [x] ignored"));
  EXPECT_THAT(config->warnings()[1], HasSubstr("AWS_DEFAULT_PROFILE"));
  EXPECT_EQ(world_.trace.events().size(), 2u);
}

TEST_F(ProfileConfigTest, EqualProfileVariablesAreNotAWarning) {
  world_.env.Set("AWS_PROFILE", "a");
  world_.env.Set("AWS_DEFAULT_PROFILE", "a");
  world_.fs.SetFile(kConfigPath, "[profile a]\n");
  ASSERT_OK(Load());
  EXPECT_TRUE(world_.trace.events().empty()) << world_.TraceText();
}

TEST_F(ProfileConfigTest, AwsProfileAloneSelectsTheProfile) {
  world_.env.Set("AWS_PROFILE", "dev");
  world_.fs.SetFile(kCredentialsPath, "[dev]\naws_access_key_id = AKIDEXAMPLE\n");
  ASSERT_OK_AND_ASSIGN(auto config, Load());
  EXPECT_EQ(config->ProfileName(), "dev");
  EXPECT_EQ(config->profile_source(), "AWS_PROFILE");
  EXPECT_TRUE(config->ProfileExists());
}

TEST_F(ProfileConfigTest, BlankProfileVariablesCountAsUnset) {
  world_.env.Set("AWS_PROFILE", "");
  world_.env.Set("AWS_DEFAULT_PROFILE", " \t");
  ASSERT_OK_AND_ASSIGN(auto config, Load());
  EXPECT_EQ(config->ProfileName(), "default");
}

TEST_F(ProfileConfigTest, ExplicitProfileMissingFromBothFilesIsInvalidConfiguration) {
  world_.env.Set("AWS_PROFILE", "nope");
  world_.fs.SetFile(kConfigPath, "[profile dev]\n");
  EXPECT_THAT(Load(), StatusIs(StatusCode::kInvalidConfiguration,
                               AllOf(HasSubstr("profile 'nope' (from AWS_PROFILE) not found in"),
                                     HasSubstr(kConfigPath), HasSubstr(kCredentialsPath))));
}

TEST_F(ProfileConfigTest, ExplicitDefaultProfileMustExist) {
  EXPECT_THAT(Load("default"), StatusIs(StatusCode::kInvalidConfiguration,
                                        HasSubstr("profile 'default' (from --profile)")));
}

TEST_F(ProfileConfigTest, ImplicitDefaultProfileMayBeMissing) {
  world_.fs.SetFile(kConfigPath, "[profile dev]\n");
  ASSERT_OK_AND_ASSIGN(auto config, Load());
  EXPECT_FALSE(config->ProfileExists());
}

TEST_F(ProfileConfigTest, ConfigFileProfilesNeedThePrefix) {
  world_.fs.SetFile(kConfigPath, "[dev]\nregion = eu-west-1\n");
  EXPECT_THAT(Load("dev"), StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("'dev'")));
}

TEST_F(ProfileConfigTest, CredentialsFileKeysWinOverConfigFileKeys) {
  world_.fs.SetFile(kConfigPath, "[profile dev]\nregion = eu-west-1\noutput = text\n");
  world_.fs.SetFile(kCredentialsPath, "[dev]\n\nREGION = us-east-2\n");
  ASSERT_OK_AND_ASSIGN(auto config, Load("dev"));
  EXPECT_EQ(config->Get("region"), "us-east-2");
  EXPECT_EQ(config->Where("region"), std::string(kCredentialsPath) + ":3 (profile dev)");
  EXPECT_EQ(config->Get("output"), "text");
  EXPECT_EQ(config->Where("output"), std::string(kConfigPath) + ":3 (profile dev)");
  ASSERT_TRUE(config->LookupIn(ProfileFileKind::kConfig, "region").has_value());
  EXPECT_EQ(config->LookupIn(ProfileFileKind::kConfig, "region")->value, "eu-west-1");
}

TEST_F(ProfileConfigTest, KeysAreLookedUpCaseInsensitively) {
  world_.fs.SetFile(kConfigPath, "[default]\nRegion = eu-west-1\n");
  ASSERT_OK_AND_ASSIGN(auto config, Load());
  EXPECT_EQ(config->Get("REGION"), "eu-west-1");
}

TEST_F(ProfileConfigTest, MergedProfileOverlaysCredentialsOnConfig) {
  world_.fs.SetFile(kConfigPath, "[profile dev]\nregion = eu-west-1\noutput = text\n");
  world_.fs.SetFile(kCredentialsPath, "[dev]\nREGION = us-east-2\naws_access_key_id = AKID\n");
  ASSERT_OK_AND_ASSIGN(auto config, Load("dev"));
  ProfileSection merged = config->MergedProfile();
  EXPECT_EQ(merged.name, "dev");
  ASSERT_EQ(merged.properties.size(), 3u);
  EXPECT_EQ(merged.Find("region")->value, "us-east-2");
  EXPECT_EQ(merged.Find("output")->value, "text");
  EXPECT_EQ(merged.Find("aws_access_key_id")->value, "AKID");
}

TEST_F(ProfileConfigTest, NoSecretValueInTraceOrErrors) {
  std::string secret = kSecret;
  world_.env.Set("AWS_PROFILE", "b");
  world_.env.Set("AWS_DEFAULT_PROFILE", "a");
  world_.fs.SetFile(kConfigPath, "[b]\naws_secret_access_key = " + secret +
                                     "\n[profile b]\nbad key = " + secret + "\n");
  world_.fs.SetFile(kCredentialsPath, "[profile x]\naws_secret_access_key = " + secret + "\n");
  ASSERT_OK(Load());
  EXPECT_THAT(world_.TraceText(), Not(HasSubstr(secret)));
  world_.fs.SetFile(kCredentialsPath, "[b]\naws_secret_access_key " + secret + "\n");
  auto failed = Load();
  EXPECT_THAT(failed, StatusIs(StatusCode::kInvalidConfiguration, Not(HasSubstr(secret))));
  EXPECT_THAT(world_.TraceText(), Not(HasSubstr(secret)));
}

}  // namespace
}  // namespace chantless
