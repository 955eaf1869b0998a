// Tests of ProfileProvider, one per rule in profile_provider.h, plus a secret-leak sweep over every
// case. credential_process runs through FakeProcessRunner.
#include "resolver/profile/profile_provider.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/core/time_util.h"
#include "resolver/profile/profile_config.h"
#include "resolver/testing/fakes.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::chantless::testing::FakeWorld;
using ::chantless::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kConfigPath[] = "/home/u/.aws/config";
constexpr char kCredentialsPath[] = "/home/u/.aws/credentials";
constexpr char kKeyId[] = "AKIAIOSFODNN7EXAMPLE";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr char kToken[] = "IQoJb3JpZ2luX2VjEXAMPLETOKEN";
constexpr char kProcessKeyId[] = "ASIAPROCESSEXAMPLE";
constexpr char kProcessSecret[] = "processSecretEXAMPLEKEY";
constexpr char kProcessToken[] = "processTokenEXAMPLE";

std::string StaticSection(const std::string& header) {
  return header + "\naws_access_key_id = " + kKeyId + "\naws_secret_access_key = " + kSecret + "\n";
}

ProcessResult ProcessOutput() {
  ProcessResult result;
  result.stdout_data = std::string("{\"Version\": 1, \"AccessKeyId\": \"") + kProcessKeyId +
                       "\", \"SecretAccessKey\": \"" + kProcessSecret + "\", \"SessionToken\": \"" +
                       kProcessToken + "\", \"Expiration\": \"2024-05-01T13:00:00Z\"}";
  return result;
}

class ProfileProviderTest : public ::testing::Test {
 protected:
  ProfileProviderTest() {
    world_.env.Set("HOME", "/home/u");
    world_.process.SetResult(ProcessOutput());
  }
  StatusOr<Credentials> Resolve() { return ProfileProvider(world_.context()).Resolve(); }
  std::vector<std::string> Messages() const {
    std::vector<std::string> out;
    for (const TraceEvent& e : world_.trace.events()) out.push_back(e.message);
    return out;
  }

  FakeWorld world_;
};

TEST_F(ProfileProviderTest, NameIsProfile) {
  EXPECT_EQ(ProfileProvider(world_.context()).Name(), "profile");
}

TEST_F(ProfileProviderTest, MissingImplicitDefaultProfileIsNotConfigured) {
  EXPECT_THAT(Resolve(), StatusIs(StatusCode::kNotConfigured,
                                  AllOf(HasSubstr("no profile 'default'"), HasSubstr(kConfigPath),
                                        HasSubstr(kCredentialsPath))));
}

TEST_F(ProfileProviderTest, MissingExplicitProfileIsInvalidConfiguration) {
  world_.env.Set("AWS_PROFILE", "nope");
  world_.fs.SetFile(kCredentialsPath, StaticSection("[default]"));
  EXPECT_THAT(Resolve(), StatusIs(StatusCode::kInvalidConfiguration,
                                  HasSubstr("profile 'nope' (from AWS_PROFILE) not found")));
}

TEST_F(ProfileProviderTest, SyntaxErrorStopsTheChainWithFileAndLine) {
  world_.fs.SetFile(kCredentialsPath, "[default]\naws_access_key_id\n");
  EXPECT_THAT(Resolve(), StatusIs(StatusCode::kInvalidConfiguration,
                                  HasSubstr(std::string(kCredentialsPath) + ":2: ")));
}

TEST_F(ProfileProviderTest, CredentialsFileStaticKeysAreSharedCredentialsFile) {
  world_.fs.SetFile(kCredentialsPath, StaticSection("[default]"));
  ASSERT_OK_AND_ASSIGN(Credentials c, Resolve());
  EXPECT_EQ(c.access_key_id, kKeyId);
  EXPECT_EQ(c.secret_access_key.reveal(), kSecret);
  EXPECT_TRUE(c.session_token.empty());
  EXPECT_EQ(c.expiration, std::nullopt);
  EXPECT_EQ(c.provider, "shared-credentials-file");
}

TEST_F(ProfileProviderTest, ConfigFileStaticKeysAreConfigFile) {
  world_.fs.SetFile(kConfigPath, StaticSection("[profile dev]"));
  ASSERT_OK_AND_ASSIGN(Credentials c, ProfileProvider([&] {
                                        ProviderContext ctx = world_.context();
                                        ctx.profile_override = "dev";
                                        return ctx;
                                      }())
                                          .Resolve());
  EXPECT_EQ(c.access_key_id, kKeyId);
  EXPECT_EQ(c.provider, "config-file");
}

TEST_F(ProfileProviderTest, SessionTokenAndAccountIdAreRead) {
  world_.fs.SetFile(kCredentialsPath, StaticSection("[default]") + "aws_session_token = " + kToken +
                                          "\naws_account_id = 123456789012\n");
  ASSERT_OK_AND_ASSIGN(Credentials c, Resolve());
  EXPECT_EQ(c.session_token.reveal(), kToken);
  EXPECT_EQ(c.account_id, "123456789012");
  EXPECT_EQ(c.account_id_source, "/home/u/.aws/credentials:5 (profile default)");
}

TEST_F(ProfileProviderTest, CredentialProcessWithoutAccountIdTakesTheProfilesAwsAccountId) {
  world_.fs.SetFile(kConfigPath,
                    "[profile dev]\naws_account_id = 111122223333\n"
                    "credential_process = /bin/creds\n");
  world_.env.Set("AWS_PROFILE", "dev");
  ASSERT_OK_AND_ASSIGN(Credentials c, Resolve());
  EXPECT_EQ(c.provider, "custom-process");
  EXPECT_EQ(c.account_id, "111122223333");
  EXPECT_EQ(c.account_id_source, "/home/u/.aws/config:2 (profile dev)");
}

TEST_F(ProfileProviderTest, CredentialProcessAccountIdWinsOverTheProfilesAwsAccountId) {
  world_.fs.SetFile(kConfigPath,
                    "[default]\naws_account_id = 111122223333\n"
                    "credential_process = /bin/creds\n");
  ProcessResult result = ProcessOutput();
  result.stdout_data.insert(result.stdout_data.size() - 1, ", \"AccountId\": \"444455556666\"");
  world_.process.SetResult(result);
  ASSERT_OK_AND_ASSIGN(Credentials c, Resolve());
  EXPECT_EQ(c.account_id, "444455556666");
  EXPECT_EQ(c.account_id_source, "credential_process output");
}

TEST_F(ProfileProviderTest, CredentialProcessWithoutAnyAccountIdHasNone) {
  world_.fs.SetFile(kConfigPath, "[default]\ncredential_process = /bin/creds\n");
  ASSERT_OK_AND_ASSIGN(Credentials c, Resolve());
  EXPECT_FALSE(c.account_id.has_value());
  EXPECT_EQ(c.account_id_source, "");
}

TEST_F(ProfileProviderTest, SecurityTokenIsTheLegacySessionTokenKey) {
  world_.fs.SetFile(kCredentialsPath,
                    StaticSection("[default]") + "aws_security_token = " + kToken + "\n");
  ASSERT_OK_AND_ASSIGN(Credentials c, Resolve());
  EXPECT_EQ(c.session_token.reveal(), kToken);
}

TEST_F(ProfileProviderTest, SessionTokenWinsOverDifferingSecurityTokenWithWarning) {
  world_.fs.SetFile(kCredentialsPath, StaticSection("[default]") +
                                          "aws_security_token = OLDEXAMPLE" +
                                          "\naws_session_token = " + kToken + "\n");
  ASSERT_OK_AND_ASSIGN(Credentials c, Resolve());
  EXPECT_EQ(c.session_token.reveal(), kToken);
  EXPECT_THAT(world_.TraceText(),
              AllOf(HasSubstr(std::string(kCredentialsPath) +
                              ":5 (profile default): aws_session_token and aws_security_token "
                              "differ"),
                    Not(HasSubstr(kToken)), Not(HasSubstr("OLDEXAMPLE"))));
}

TEST_F(ProfileProviderTest, KeysAreCaseInsensitive) {
  world_.fs.SetFile(kCredentialsPath, std::string("[default]\nAWS_ACCESS_KEY_ID = ") + kKeyId +
                                          "\nAws_Secret_Access_Key = " + kSecret + "\n");
  ASSERT_OK_AND_ASSIGN(Credentials c, Resolve());
  EXPECT_EQ(c.access_key_id, kKeyId);
}

TEST_F(ProfileProviderTest, CredentialsFileKeysWinOverConfigFileKeys) {
  world_.fs.SetFile(
      kConfigPath, "[default]\naws_access_key_id = AKIDCONFIGEXAMPLE\naws_secret_access_key = x\n");
  world_.fs.SetFile(kCredentialsPath, StaticSection("[default]"));
  ASSERT_OK_AND_ASSIGN(Credentials c, Resolve());
  EXPECT_EQ(c.access_key_id, kKeyId);
  EXPECT_EQ(c.provider, "shared-credentials-file");
}

TEST_F(ProfileProviderTest, CredentialsFileKeysWinOverCredentialProcess) {
  world_.fs.SetFile(kConfigPath, "[default]\ncredential_process = /bin/creds\n");
  world_.fs.SetFile(kCredentialsPath, StaticSection("[default]"));
  ASSERT_OK_AND_ASSIGN(Credentials c, Resolve());
  EXPECT_EQ(c.provider, "shared-credentials-file");
  EXPECT_THAT(world_.process.calls(), IsEmpty());
}

TEST_F(ProfileProviderTest, CredentialProcessWinsOverConfigFileKeys) {
  world_.fs.SetFile(kConfigPath,
                    StaticSection("[default]") + "credential_process = /bin/creds --json\n");
  ASSERT_OK_AND_ASSIGN(Credentials c, Resolve());
  EXPECT_EQ(c.provider, "custom-process");
  EXPECT_EQ(c.access_key_id, kProcessKeyId);
  EXPECT_EQ(c.session_token.reveal(), kProcessToken);
  ASSERT_TRUE(c.expiration.has_value());
  EXPECT_EQ(FormatRfc3339(*c.expiration), "2024-05-01T13:00:00Z");
}

TEST_F(ProfileProviderTest, CredentialProcessCommandIsSplitWithoutAShell) {
  world_.fs.SetFile(kConfigPath,
                    "[default]\ncredential_process = /opt/bin/creds --profile \"dev team\"\n");
  ASSERT_OK(Resolve());
  EXPECT_THAT(world_.process.calls(),
              ElementsAre(ElementsAre("/opt/bin/creds", "--profile", "dev team")));
}

TEST_F(ProfileProviderTest, CredentialProcessInCredentialsFileIsUsed) {
  world_.fs.SetFile(kConfigPath, "[default]\ncredential_process = /bin/from-config\n");
  world_.fs.SetFile(kCredentialsPath, "[default]\ncredential_process = /bin/from-credentials\n");
  ASSERT_OK(Resolve());
  EXPECT_THAT(world_.process.calls(), ElementsAre(ElementsAre("/bin/from-credentials")));
}

TEST_F(ProfileProviderTest, CredentialProcessFailureStopsTheChainNamingFileAndLine) {
  world_.fs.SetFile(kConfigPath,
                    "[profile dev]\nregion = eu-west-1\ncredential_process = /bin/c\n");
  world_.env.Set("AWS_PROFILE", "dev");
  ProcessResult failed;
  failed.exit_code = 3;
  failed.stderr_data = "token expired, run login";
  world_.process.SetResult(failed);
  EXPECT_THAT(Resolve(), StatusIs(StatusCode::kUnavailable,
                                  AllOf(HasSubstr(std::string(kConfigPath) + ":3 (profile dev)"),
                                        HasSubstr("exited with code 3"))));
}

TEST_F(ProfileProviderTest, BadCredentialProcessOutputIsInvalidResponse) {
  world_.fs.SetFile(kConfigPath, "[default]\ncredential_process = /bin/c\n");
  ProcessResult garbage;
  garbage.stdout_data = "{\"Version\": 2}";
  world_.process.SetResult(garbage);
  EXPECT_THAT(Resolve(), StatusIs(StatusCode::kInvalidResponse, HasSubstr(kConfigPath)));
}

TEST_F(ProfileProviderTest, KeyIdWithoutSecretNamesFileAndLine) {
  world_.fs.SetFile(kCredentialsPath,
                    std::string("[default]\n# comment\naws_access_key_id = ") + kKeyId + "\n");
  EXPECT_THAT(Resolve(), StatusIs(StatusCode::kInvalidConfiguration,
                                  HasSubstr(std::string(kCredentialsPath) +
                                            ":3 (profile default): aws_access_key_id is set but "
                                            "aws_secret_access_key is not")));
}

TEST_F(ProfileProviderTest, SecretWithoutKeyIdInConfigFileNamesFileAndLine) {
  world_.fs.SetFile(kConfigPath,
                    std::string("[profile dev]\naws_secret_access_key = ") + kSecret + "\n");
  world_.env.Set("AWS_DEFAULT_PROFILE", "dev");
  EXPECT_THAT(Resolve(), StatusIs(StatusCode::kInvalidConfiguration,
                                  HasSubstr(std::string(kConfigPath) +
                                            ":2 (profile dev): aws_secret_access_key is set but "
                                            "aws_access_key_id is not")));
}

TEST_F(ProfileProviderTest, HalfPairSplitAcrossFilesIsInvalidConfiguration) {
  world_.fs.SetFile(kConfigPath, std::string("[default]\naws_secret_access_key = ") + kSecret);
  world_.fs.SetFile(kCredentialsPath, std::string("[default]\naws_access_key_id = ") + kKeyId);
  EXPECT_THAT(Resolve(), StatusIs(StatusCode::kInvalidConfiguration,
                                  HasSubstr("aws_secret_access_key is not")));
}

TEST_F(ProfileProviderTest, KeyContinuedOnAnIndentedLineIsInvalidConfiguration) {
  world_.fs.SetFile(kCredentialsPath,
                    std::string("[default]\naws_access_key_id = ") + kKeyId +
                        "\n    # rotated in May\naws_secret_access_key = " + kSecret + "\n");
  EXPECT_THAT(
      Resolve(),
      StatusIs(StatusCode::kInvalidConfiguration,
               AllOf(HasSubstr(std::string(kCredentialsPath) + ":2 (profile "
                                                               "default): the value continues"),
                     Not(HasSubstr(kKeyId)), Not(HasSubstr("rotated")))));
}

TEST_F(ProfileProviderTest, TokenContinuedOnAnIndentedLineIsInvalidConfiguration) {
  world_.fs.SetFile(kConfigPath,
                    StaticSection("[default]") + "aws_session_token = " + kToken + "\n  more\n");
  EXPECT_THAT(Resolve(), StatusIs(StatusCode::kInvalidConfiguration,
                                  HasSubstr(std::string(kConfigPath) + ":4 (profile default)")));
}

TEST_F(ProfileProviderTest, BlankKeysCountAsUnset) {
  world_.fs.SetFile(kCredentialsPath, "[default]\naws_access_key_id =\naws_secret_access_key = \n");
  EXPECT_THAT(Resolve(),
              StatusIs(StatusCode::kNotConfigured, HasSubstr("has no aws_access_key_id")));
}

TEST_F(ProfileProviderTest, ProfileWithoutCredentialsIsNotConfigured) {
  world_.fs.SetFile(kConfigPath, "[default]\nregion = eu-west-1\n");
  EXPECT_THAT(Resolve(),
              StatusIs(StatusCode::kNotConfigured, AllOf(HasSubstr("profile 'default' has no"),
                                                         HasSubstr("credential_process"))));
}

TEST_F(ProfileProviderTest, AssumeRoleProfileIsNotConfiguredAndTraced) {
  world_.fs.SetFile(kConfigPath,
                    "[default]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = b\n");
  world_.fs.SetFile(kCredentialsPath, StaticSection("[default]"));
  EXPECT_THAT(Resolve(), StatusIs(StatusCode::kNotConfigured,
                                  AllOf(HasSubstr("uses assume-role"),
                                        HasSubstr(std::string(kConfigPath) + ":2"),
                                        HasSubstr("left to the assume-role provider"))));
  EXPECT_THAT(world_.TraceText(), HasSubstr("left to the assume-role provider"));
}

TEST_F(ProfileProviderTest, WebIdentityProfileIsNotConfigured) {
  world_.fs.SetFile(kConfigPath,
                    "[default]\nrole_arn = arn:aws:iam::123456789012:role/r\n"
                    "web_identity_token_file = /var/run/token\n");
  EXPECT_THAT(Resolve(), StatusIs(StatusCode::kNotConfigured,
                                  HasSubstr("uses assume-role-with-web-identity")));
}

TEST_F(ProfileProviderTest, SsoProfileIsNotConfigured) {
  world_.fs.SetFile(kConfigPath,
                    "[default]\nsso_session = corp\nsso_account_id = 123456789012\n"
                    "sso_role_name = Admin\n[sso-session corp]\nsso_region = us-east-1\n");
  EXPECT_THAT(Resolve(),
              StatusIs(StatusCode::kNotConfigured,
                       AllOf(HasSubstr("uses sso"), HasSubstr("resolved by the sso provider"))));
}

TEST_F(ProfileProviderTest, ProfileOverrideSelectsTheProfile) {
  world_.fs.SetFile(kCredentialsPath,
                    "[default]\naws_access_key_id = AKIDDEFAULT\n"
                    "aws_secret_access_key = s\n" +
                        StaticSection("[ci]"));
  ProviderContext ctx = world_.context();
  ctx.profile_override = "ci";
  ASSERT_OK_AND_ASSIGN(Credentials c, ProfileProvider(ctx).Resolve());
  EXPECT_EQ(c.access_key_id, kKeyId);
}

TEST_F(ProfileProviderTest, FilesAreReReadOnEveryResolve) {
  ProfileProvider provider(world_.context());
  EXPECT_THAT(provider.Resolve(), StatusIs(StatusCode::kNotConfigured, ::testing::_));
  world_.fs.SetFile(kCredentialsPath, StaticSection("[default]"));
  EXPECT_OK(provider.Resolve());
  EXPECT_EQ(world_.fs.read_count(kCredentialsPath), 2);
}

TEST_F(ProfileProviderTest, TracesBotocoreLinesForSharedCredentialsFile) {
  world_.fs.SetFile(kCredentialsPath, StaticSection("[default]"));
  ASSERT_OK(Resolve());
  EXPECT_THAT(Messages(),
              ElementsAre("Looking for credentials via: shared-credentials-file",
                          std::string("Found credentials in shared credentials file: ") +
                              kCredentialsPath));
}

TEST_F(ProfileProviderTest, TracesEachStepTriedForConfigFile) {
  world_.fs.SetFile(kConfigPath, StaticSection("[default]"));
  ASSERT_OK(Resolve());
  EXPECT_THAT(Messages(),
              ElementsAre("Looking for credentials via: shared-credentials-file",
                          "Looking for credentials via: custom-process",
                          "Looking for credentials via: config-file",
                          std::string("Credentials found in config file: ") + kConfigPath));
}

TEST_F(ProfileProviderTest, LoadWarningsAreTracedWithoutLoadedSettings) {
  world_.fs.SetFile(kConfigPath, "[dev]\nregion = eu-west-1\n" + StaticSection("[default]"));
  ASSERT_OK(Resolve());
  std::string text = world_.TraceText();
  EXPECT_THAT(text, HasSubstr("section [dev] ignored"));
}

TEST_F(ProfileProviderTest, WarningsAlreadyTracedWhenSettingsWereLoadedAreNotRepeated) {
  world_.fs.SetFile(kConfigPath, "[dev]\nregion = eu-west-1\n" + StaticSection("[default]"));
  world_.env.Set("AWS_PROFILE", "default");
  world_.env.Set("AWS_DEFAULT_PROFILE", "default ");  // trimmed: equal, no warning
  ASSERT_OK_AND_ASSIGN(auto settings,
                       LoadProfileConfig(world_.env, world_.fs, std::nullopt, &world_.trace));
  ProviderContext ctx = world_.context();
  ctx.settings = settings.get();
  ASSERT_OK(ProfileProvider(ctx).Resolve());
  ASSERT_OK(ProfileProvider(ctx).Resolve());
  int count = 0;
  for (const TraceEvent& e : world_.trace.events()) {
    if (e.message.find("section [dev] ignored") != std::string::npos) ++count;
  }
  EXPECT_EQ(count, 1);
}

TEST_F(ProfileProviderTest, MissingSeamsAreInternal) {
  ProviderContext ctx = world_.context();
  ctx.fs = nullptr;
  EXPECT_THAT(ProfileProvider(ctx).Resolve(), StatusIs(StatusCode::kInternal, ::testing::_));
}

// Every shape of configuration above, again: no key id, secret, token or process output in the
// trace or in an error message.
TEST(ProfileProviderSecretsTest, NoSecretInTraceOrErrorInAnyCase) {
  struct Case {
    std::string config;
    std::string credentials;
    bool process_fails;
  };
  const std::string keys = std::string("aws_access_key_id = ") + kKeyId +
                           "\naws_secret_access_key = " + kSecret +
                           "\naws_session_token = " + kToken + "\n";
  const std::vector<Case> cases = {
      {"", "[default]\n" + keys, false},
      {"[default]\n" + keys, "", false},
      {"[default]\ncredential_process = /bin/c\n", "", false},
      {"[default]\ncredential_process = /bin/c\n", "", true},
      {"[default]\n" + keys + "credential_process = /bin/c\n", "", false},
      {"", std::string("[default]\naws_access_key_id = ") + kKeyId + "\n", false},
      {"", std::string("[default]\naws_secret_access_key = ") + kSecret + "\n", false},
      {"", std::string("[default]\naws_secret_access_key ") + kSecret + "\n", false},
      {"", std::string("[default]\naws_secret_access_key : ") + kSecret + "\n", false},
      {"[default]\nrole_arn = arn\n" + keys, "", false},
      {"[profile x y]\n" + keys, "[profile z]\n" + keys + "bad key " + kSecret + " = 1\n", false},
      {"[default]\ncredential_process = \"/bin/unterminated " + std::string(kSecret) + "\n", "",
       false},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    FakeWorld world;
    world.env.Set("HOME", "/home/u");
    if (!cases[i].config.empty()) world.fs.SetFile(kConfigPath, cases[i].config);
    if (!cases[i].credentials.empty()) world.fs.SetFile(kCredentialsPath, cases[i].credentials);
    ProcessResult result = ProcessOutput();
    if (cases[i].process_fails) {
      result.exit_code = 1;
      result.stderr_data = "failed";
    }
    world.process.SetResult(result);
    StatusOr<Credentials> resolved = ProfileProvider(world.context()).Resolve();
    std::string text = world.TraceText();
    text += resolved.ok() ? DebugString(*resolved) : resolved.status().ToString();
    for (const char* secret :
         {kKeyId, kSecret, kToken, kProcessKeyId, kProcessSecret, kProcessToken}) {
      EXPECT_THAT(text, Not(HasSubstr(secret))) << "case " << i << ": " << text;
    }
  }
}

}  // namespace
}  // namespace chantless
