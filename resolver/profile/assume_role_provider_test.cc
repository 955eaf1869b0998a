// Tests for AssumeRoleProvider: each test names the rule of assume_role_provider.h it checks.
#include "resolver/profile/assume_role_provider.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "resolver/cli_cache/cli_cache.h"
#include "resolver/cli_cache/cli_cache_store.h"
#include "resolver/core/time_util.h"
#include "resolver/sts/sts_test_bodies.h"
#include "resolver/testing/fakes.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::testing::AllOf;
using testing::FakeWorld;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::StsErrorBody;
using testing::StsSuccessBody;

constexpr char kConfigPath[] = "/home/u/.aws/config";
constexpr char kCredentialsPath[] = "/home/u/.aws/credentials";
constexpr char kCacheDir[] = "/home/u/.aws/cli/cache";
constexpr char kRole[] = "arn:aws:iam::123456789012:role/demo";
constexpr char kSourceSecret[] = "SOURCEsecretEXAMPLEkeyDONOTUSE0000000000";
constexpr char kSourceToken[] = "SOURCEsessionTOKENexampleDONOTUSE";

class FixedMfa : public MfaCodeSource {
 public:
  StatusOr<Secret> GetCode(std::string_view profile, std::string_view serial) override {
    asked.push_back(std::string(profile) + " " + std::string(serial));
    return Secret("123456");
  }
  std::vector<std::string> asked;
};

class AssumeRoleProviderTest : public ::testing::Test {
 protected:
  AssumeRoleProviderTest() : store_(&w_.fs, kCacheDir) { w_.env.Set("HOME", "/home/u"); }
  void Config(const std::string& text) { w_.fs.SetFile(kConfigPath, text); }
  void Creds(const std::string& text) { w_.fs.SetFile(kCredentialsPath, text); }
  ProviderContext Context() {
    ProviderContext ctx = w_.context();
    if (use_cache_) ctx.cli_cache = &store_;
    if (mfa_) ctx.mfa = mfa_;
    return ctx;
  }
  StatusOr<Credentials> Resolve() { return AssumeRoleProvider(Context()).Resolve(); }
  std::vector<HttpRequest> Requests() const { return w_.http.requests(); }

  static std::string StaticSection(const std::string& header, bool token = false) {
    return header +
           "\naws_access_key_id = AKIAFAKESOURCEKEY001\naws_secret_access_key = " + kSourceSecret +
           "\n" + (token ? std::string("aws_session_token = ") + kSourceToken + "\n" : "");
  }

  FakeWorld w_;
  CliCacheStore store_;
  bool use_cache_ = false;
  MfaCodeSource* mfa_ = nullptr;
};

TEST_F(AssumeRoleProviderTest, NotConfiguredWithoutRoleArn) {
  Config("[default]\nregion = eu-west-1\n");
  EXPECT_EQ(Resolve().status().code(), StatusCode::kNotConfigured);
}

TEST_F(AssumeRoleProviderTest, WebIdentityProfileIsLeftToTheWebIdentityProvider) {
  Config(std::string("[default]\nrole_arn = ") + kRole + "\nweb_identity_token_file = /t\n");
  EXPECT_EQ(Resolve().status().code(), StatusCode::kNotConfigured);
}

TEST_F(AssumeRoleProviderTest, FromStaticKeysOfASourceProfile) {
  Config(std::string("[default]\nrole_arn = ") + kRole +
         "\nsource_profile = base\nrole_session_name = s1\nexternal_id = ext-123\n"
         "region = eu-west-1\n");
  Creds(StaticSection("[base]"));
  w_.http.Reply(200, StsSuccessBody());
  ASSERT_OK_AND_ASSIGN(Credentials c, Resolve());
  EXPECT_EQ(c.access_key_id, "ASIAFAKEASSUMEDROLE01");
  EXPECT_EQ(c.provider, "assume-role");
  std::vector<HttpRequest> r = Requests();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].endpoint, "https://sts.eu-west-1.amazonaws.com");
  EXPECT_THAT(r[0].body, HasSubstr("RoleSessionName=s1&"));
  EXPECT_THAT(r[0].body, HasSubstr("ExternalId=ext-123"));
  EXPECT_THAT(*FindHeader(r[0].headers, "Authorization"),
              HasSubstr("Credential=AKIAFAKESOURCEKEY001/"));
  EXPECT_FALSE(FindHeader(r[0].headers, "X-Amz-Security-Token").has_value());
  EXPECT_THAT(w_.TraceText(), Not(HasSubstr(kSourceSecret)));
}

TEST_F(AssumeRoleProviderTest, SourceSessionTokenIsSent) {
  Config(std::string("[default]\nrole_arn = ") + kRole + "\nsource_profile = base\n");
  Creds(StaticSection("[base]", /*token=*/true));
  w_.http.Reply(200, StsSuccessBody());
  ASSERT_OK(Resolve());
  EXPECT_EQ(FindHeader(Requests()[0].headers, "X-Amz-Security-Token"),
            std::optional<std::string>(kSourceToken));
}

TEST_F(AssumeRoleProviderTest, TwoHopChainSignsTheSecondCallWithTheFirstRolesKeys) {
  Config(std::string("[default]\nrole_arn = ") + kRole +
         "\nsource_profile = middle\n[profile middle]\nrole_arn = "
         "arn:aws:iam::123456789012:role/middle\nsource_profile = base\n");
  Creds(StaticSection("[base]"));
  w_.http.Reply(200, StsSuccessBody("ASIAFAKEMIDDLEROLE01"));
  w_.http.Reply(200, StsSuccessBody("ASIAFAKEFINALROLE001"));
  ASSERT_OK_AND_ASSIGN(Credentials c, Resolve());
  EXPECT_EQ(c.access_key_id, "ASIAFAKEFINALROLE001");
  std::vector<HttpRequest> r = Requests();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_THAT(r[0].body, HasSubstr("role%2Fmiddle"));
  EXPECT_THAT(*FindHeader(r[0].headers, "Authorization"),
              HasSubstr("Credential=AKIAFAKESOURCEKEY001/"));
  EXPECT_THAT(r[1].body, HasSubstr("role%2Fdemo"));
  EXPECT_THAT(*FindHeader(r[1].headers, "Authorization"),
              HasSubstr("Credential=ASIAFAKEMIDDLEROLE01/"));
}

TEST_F(AssumeRoleProviderTest, StaticKeysOfASourceProfileWinOverItsRole) {
  Config(std::string("[default]\nrole_arn = ") + kRole +
         "\nsource_profile = base\n[profile base]\nrole_arn = "
         "arn:aws:iam::123456789012:role/other\nsource_profile = nowhere\n");
  Creds(StaticSection("[base]"));
  w_.http.Reply(200, StsSuccessBody());
  ASSERT_OK(Resolve());
  EXPECT_EQ(Requests().size(), 1u);
}

TEST_F(AssumeRoleProviderTest, CycleShowsThePathWithFileAndLine) {
  Config(std::string("[profile a]\nrole_arn = ") + kRole + "\nsource_profile = b\n[profile b]\n" +
         "role_arn = " + kRole + "\nsource_profile = a\n");
  w_.env.Set("AWS_PROFILE", "a");
  StatusOr<Credentials> r = Resolve();
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidConfiguration);
  EXPECT_THAT(
      r.status().message(),
      AllOf(HasSubstr("Infinite loop in credential configuration detected"),
            HasSubstr("Visited profiles: ['a', 'b']"), HasSubstr(std::string(kConfigPath) + ":3"),
            HasSubstr(std::string(kConfigPath) + ":6")));
  EXPECT_TRUE(Requests().empty());
}

TEST_F(AssumeRoleProviderTest, SelfReferenceUsesTheProfilesOwnKeys) {
  Creds(StaticSection("[default]"));
  Config(std::string("[default]\nrole_arn = ") + kRole + "\nsource_profile = default\n");
  w_.http.Reply(200, StsSuccessBody());
  ASSERT_OK(Resolve());
  EXPECT_THAT(*FindHeader(Requests()[0].headers, "Authorization"),
              HasSubstr("Credential=AKIAFAKESOURCEKEY001/"));
}

TEST_F(AssumeRoleProviderTest, SelfReferenceWithoutKeysIsALoop) {
  Config(std::string("[default]\nrole_arn = ") + kRole + "\nsource_profile = default\n");
  EXPECT_THAT(Resolve(),
              testing::StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("Infinite loop")));
}

TEST_F(AssumeRoleProviderTest, SourceChainsLongerThanTheCapAreRefused) {
  std::string config = std::string("[default]\nrole_arn = ") + kRole + "\nsource_profile = p1\n";
  for (int i = 1; i <= AssumeRoleProvider::kMaxSourceDepth + 2; ++i) {
    config += "[profile p" + std::to_string(i) + "]\nrole_arn = " + kRole + "\nsource_profile = p" +
              std::to_string(i + 1) + "\n";
  }
  Config(config);
  EXPECT_THAT(Resolve(), testing::StatusIs(StatusCode::kInvalidConfiguration,
                                           HasSubstr("source_profile chain longer than 32")));
  EXPECT_TRUE(Requests().empty());
}

TEST_F(AssumeRoleProviderTest, BothSourcesAreAConfigurationError) {
  Config(std::string("[default]\nrole_arn = ") + kRole +
         "\nsource_profile = base\ncredential_source = Environment\n");
  EXPECT_THAT(Resolve(), testing::StatusIs(StatusCode::kInvalidConfiguration,
                                           HasSubstr("contains both source_profile and "
                                                     "credential_source")));
}

TEST_F(AssumeRoleProviderTest, NeitherSourceIsAConfigurationError) {
  Config(std::string("[default]\nrole_arn = ") + kRole + "\n");
  EXPECT_THAT(Resolve(),
              testing::StatusIs(StatusCode::kInvalidConfiguration,
                                AllOf(HasSubstr("missing: source_profile or credential_source"),
                                      HasSubstr(std::string(kConfigPath) + ":2"))));
}

TEST_F(AssumeRoleProviderTest, UnknownCredentialSourceIsCaseSensitive) {
  Config(std::string("[default]\nrole_arn = ") + kRole + "\ncredential_source = environment\n");
  EXPECT_THAT(Resolve(), testing::StatusIs(StatusCode::kInvalidConfiguration,
                                           HasSubstr("The credential source \"environment\" "
                                                     "referenced in profile \"default\" is not "
                                                     "valid.")));
}

TEST_F(AssumeRoleProviderTest, CredentialSourceEnvironment) {
  Config(std::string("[default]\nrole_arn = ") + kRole + "\ncredential_source = Environment\n");
  w_.env.Set("AWS_ACCESS_KEY_ID", "AKIAFAKEENVSOURCE001");
  w_.env.Set("AWS_SECRET_ACCESS_KEY", kSourceSecret);
  w_.http.Reply(200, StsSuccessBody());
  ASSERT_OK(Resolve());
  EXPECT_THAT(*FindHeader(Requests()[0].headers, "Authorization"),
              HasSubstr("Credential=AKIAFAKEENVSOURCE001/"));
}

TEST_F(AssumeRoleProviderTest, CredentialSourceEnvironmentWithNothingSet) {
  Config(std::string("[default]\nrole_arn = ") + kRole + "\ncredential_source = Environment\n");
  EXPECT_THAT(Resolve(), testing::StatusIs(StatusCode::kInvalidConfiguration,
                                           HasSubstr("No credentials found in credential_source "
                                                     "referenced in profile default")));
}

TEST_F(AssumeRoleProviderTest, CredentialSourceEcsContainerIsChained) {
  Config(std::string("[default]\nrole_arn = ") + kRole +
         "\ncredential_source = EcsContainer\nduration_seconds = 7200\n");
  w_.env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1/creds");
  w_.http.Reply(200,
                "{\"AccessKeyId\": \"ASIAFAKECONTAINER001\", \"SecretAccessKey\": \"csecret\", "
                "\"Token\": \"ctoken\", \"Expiration\": \"2024-05-01T18:00:00Z\"}");
  w_.http.Reply(400, StsErrorBody("ValidationError",
                                  "The requested DurationSeconds exceeds the 1 hour session "
                                  "limit for roles assumed by role chaining."));
  StatusOr<Credentials> r = Resolve();
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("set duration_seconds to 3600 or less"));
  std::vector<HttpRequest> reqs = Requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].endpoint, "http://127.0.0.1");
  EXPECT_THAT(*FindHeader(reqs[1].headers, "Authorization"),
              HasSubstr("Credential=ASIAFAKECONTAINER001/"));
}

TEST_F(AssumeRoleProviderTest, BadDurationFailsBeforeAnyRequest) {
  Config(std::string("[default]\nrole_arn = ") + kRole +
         "\ncredential_source = Environment\nduration_seconds = 1h\n");
  EXPECT_THAT(Resolve(), testing::StatusIs(StatusCode::kInvalidConfiguration,
                                           AllOf(HasSubstr("duration_seconds"),
                                                 HasSubstr(std::string(kConfigPath) + ":4"))));
  Config(std::string("[default]\nrole_arn = ") + kRole +
         "\ncredential_source = Environment\nduration_seconds = 60\n");
  EXPECT_EQ(Resolve().status().code(), StatusCode::kInvalidConfiguration);
  EXPECT_TRUE(Requests().empty());
}

TEST_F(AssumeRoleProviderTest, BadSessionNameFailsBeforeAnyRequest) {
  Config(std::string("[default]\nrole_arn = ") + kRole +
         "\ncredential_source = Environment\nrole_session_name = has space\n");
  EXPECT_EQ(Resolve().status().code(), StatusCode::kInvalidConfiguration);
}

TEST_F(AssumeRoleProviderTest, MfaWithoutACodeSourceNamesTheWayOut) {
  Config(std::string("[default]\nrole_arn = ") + kRole +
         "\nsource_profile = base\nmfa_serial = arn:aws:iam::123456789012:mfa/u\n");
  Creds(StaticSection("[base]"));
  EXPECT_THAT(Resolve(),
              testing::StatusIs(StatusCode::kInvalidConfiguration,
                                AllOf(HasSubstr("profile \"default\""), HasSubstr("mfa_serial"),
                                      HasSubstr("--mfa-code"))));
  EXPECT_TRUE(Requests().empty());
}

TEST_F(AssumeRoleProviderTest, MfaCodeFromTheSourceIsSent) {
  FixedMfa mfa;
  mfa_ = &mfa;
  Config(std::string("[default]\nrole_arn = ") + kRole +
         "\nsource_profile = base\nmfa_serial = arn:aws:iam::123456789012:mfa/u\n");
  Creds(StaticSection("[base]"));
  w_.http.Reply(200, StsSuccessBody());
  ASSERT_OK(Resolve());
  EXPECT_THAT(Requests()[0].body,
              HasSubstr("SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Fu"));
  EXPECT_THAT(Requests()[0].body, HasSubstr("TokenCode=123456"));
  ASSERT_EQ(mfa.asked.size(), 1u);
  EXPECT_EQ(mfa.asked[0], "default arn:aws:iam::123456789012:mfa/u");
  EXPECT_THAT(w_.TraceText(), Not(HasSubstr("123456\n")));
}

TEST_F(AssumeRoleProviderTest, MfaCachedEntryNeedsNoCode) {
  use_cache_ = true;
  Config(std::string("[default]\nrole_arn = ") + kRole +
         "\nsource_profile = base\nrole_session_name = s1\nmfa_serial = "
         "arn:aws:iam::123456789012:mfa/u\n");
  Creds(StaticSection("[base]"));
  CliCacheEntry entry;
  entry.access_key_id = "ASIAFAKECACHEDROLE01";
  entry.secret_access_key = Secret("cachedsecret");
  entry.session_token = Secret("cachedtoken");
  entry.expiration = ParseRfc3339("2024-05-01T13:00:00Z").value();
  CliCacheArgs args;
  args["RoleArn"] = kRole;
  args["RoleSessionName"] = "s1";
  args["SerialNumber"] = "arn:aws:iam::123456789012:mfa/u";
  ASSERT_OK(store_.Store(CliCacheFileName(args), entry));
  ASSERT_OK_AND_ASSIGN(Credentials c, Resolve());
  EXPECT_EQ(c.access_key_id, "ASIAFAKECACHEDROLE01");
  EXPECT_EQ(c.provider, "assume-role");
  EXPECT_TRUE(Requests().empty());
}

TEST_F(AssumeRoleProviderTest, CliCacheKeyAndWriteMatchTheAwsCli) {
  use_cache_ = true;
  Config(std::string("[default]\nrole_arn = ") + kRole +
         "\nsource_profile = base\nexternal_id = ext-123\nduration_seconds = 3600\n");
  Creds(StaticSection("[base]"));
  w_.http.Reply(200, StsSuccessBody("ASIAFAKEASSUMEDROLE01", false, "2024-05-01T13:00:00Z"));
  ASSERT_OK(Resolve());
  const std::string path =
      std::string(kCacheDir) + "/eb9ae81c19dedf04ae699ed0748901990c21007f.json";
  ASSERT_TRUE(w_.fs.Exists(path));
  EXPECT_EQ(w_.fs.file_mode(path), std::optional<int>(0600));
  EXPECT_THAT(Requests()[0].body, HasSubstr("DurationSeconds=3600"));
  ASSERT_OK(Resolve());
  EXPECT_EQ(Requests().size(), 1u);  // the second came from the cache
}

TEST_F(AssumeRoleProviderTest, MissingSourceProfile) {
  Config(std::string("[default]\nrole_arn = ") + kRole + "\nsource_profile = nothere\n");
  EXPECT_THAT(Resolve(),
              testing::StatusIs(StatusCode::kInvalidConfiguration,
                                HasSubstr("The source_profile \"nothere\" referenced "
                                          "in the profile \"default\" does not exist.")));
}

TEST_F(AssumeRoleProviderTest, SourceProfileWithoutCredentials) {
  Config(std::string("[default]\nrole_arn = ") + kRole +
         "\nsource_profile = empty\n[profile empty]\nregion = eu-west-1\n");
  EXPECT_THAT(Resolve(), testing::StatusIs(StatusCode::kInvalidConfiguration,
                                           HasSubstr("The source profile \"empty\" must have "
                                                     "credentials.")));
}

TEST_F(AssumeRoleProviderTest, SourceProfileWithCredentialProcess) {
  Config(std::string("[default]\nrole_arn = ") + kRole +
         "\nsource_profile = proc\n[profile proc]\ncredential_process = /bin/creds\n");
  ProcessResult out;
  out.stdout_data =
      "{\"Version\": 1, \"AccessKeyId\": \"AKIAFAKEPROCESS00001\", \"SecretAccessKey\": \"ps\"}";
  w_.process.SetResult(out);
  w_.http.Reply(200, StsSuccessBody());
  ASSERT_OK(Resolve());
  EXPECT_THAT(*FindHeader(Requests()[0].headers, "Authorization"),
              HasSubstr("Credential=AKIAFAKEPROCESS00001/"));
}

TEST_F(AssumeRoleProviderTest, SourceProfileWithWebIdentityIgnoresTheVariables) {
  w_.fs.SetFile("/t/token", "eyJFAKE.SOURCE.JWT");
  w_.env.Set("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/fromenv");
  Config(std::string("[default]\nrole_arn = ") + kRole +
         "\nsource_profile = wi\n[profile wi]\nrole_arn = arn:aws:iam::123456789012:role/wi\n"
         "web_identity_token_file = /t/token\n");
  w_.http.Reply(200, StsSuccessBody("ASIAFAKEWEBIDENTITY1", true));
  w_.http.Reply(200, StsSuccessBody());
  ASSERT_OK(Resolve());
  std::vector<HttpRequest> r = Requests();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_THAT(r[0].body, HasSubstr("role%2Fwi&"));
  EXPECT_THAT(*FindHeader(r[1].headers, "Authorization"),
              HasSubstr("Credential=ASIAFAKEWEBIDENTITY1/"));
}

TEST_F(AssumeRoleProviderTest, SourceProfileWithCredentialSourceWithoutRoleIsAccepted) {
  Config(std::string("[default]\nrole_arn = ") + kRole +
         "\nsource_profile = src\n[profile src]\ncredential_source = Environment\n");
  w_.env.Set("AWS_ACCESS_KEY_ID", "AKIAFAKEENVSOURCE001");
  w_.env.Set("AWS_SECRET_ACCESS_KEY", kSourceSecret);
  w_.http.Reply(200, StsSuccessBody());
  ASSERT_OK(Resolve());
  EXPECT_THAT(w_.TraceText(), HasSubstr("botocore would reject it"));
}

// SSO as a source profile: the portal's role credentials sign the AssumeRole call.
TEST_F(AssumeRoleProviderTest, SourceProfileWithSso) {
  Config(std::string("[default]\nrole_arn = ") + kRole +
         "\nsource_profile = sso\n[profile sso]\nsso_start_url = https://d-abc.awsapps.com/start\n"
         "sso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = Dev\n");
  w_.fs.SetFile("/home/u/.aws/sso/cache/22f00c6461897f7c3e293d9d99f86e5efed957dd.json",
                "{\"accessToken\": \"fake-sso-access-token\", \"expiresAt\": "
                "\"2024-05-01T20:00:00Z\"}");
  w_.http.Reply(200,
                "{\"roleCredentials\": {\"accessKeyId\": \"ASIAFAKESSOROLE00001\", "
                "\"secretAccessKey\": \"ssosecret\", \"sessionToken\": \"ssotoken\", "
                "\"expiration\": 1714579200000}}");
  w_.http.Reply(200, StsSuccessBody());
  ASSERT_OK_AND_ASSIGN(Credentials c, Resolve());
  EXPECT_EQ(c.access_key_id, "ASIAFAKEASSUMEDROLE01");
  std::vector<HttpRequest> r = Requests();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].endpoint, "https://portal.sso.us-east-1.amazonaws.com");
  EXPECT_THAT(*FindHeader(r[1].headers, "Authorization"),
              HasSubstr("Credential=ASIAFAKESSOROLE00001/"));
}

TEST_F(AssumeRoleProviderTest, SsoSourceProfileWithoutATokenFailsWithTheLoginCommand) {
  Config(std::string("[default]\nrole_arn = ") + kRole +
         "\nsource_profile = sso\n[profile sso]\nsso_start_url = https://d-abc.awsapps.com/start\n"
         "sso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = Dev\n");
  StatusOr<Credentials> r = Resolve();
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("aws sso login --profile sso"));
  EXPECT_TRUE(Requests().empty());
}

TEST_F(AssumeRoleProviderTest, AccessDeniedIsAServiceErrorWithoutSecrets) {
  Config(std::string("[default]\nrole_arn = ") + kRole + "\nsource_profile = base\n");
  Creds(StaticSection("[base]", true));
  w_.http.Reply(403, StsErrorBody("AccessDenied", "not authorized", "req-77"));
  StatusOr<Credentials> r = Resolve();
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), AllOf(HasSubstr("AccessDenied"), HasSubstr("req-77")));
  EXPECT_THAT(r.status().message(), Not(HasSubstr(kSourceSecret)));
  EXPECT_THAT(r.status().message(), Not(HasSubstr(kSourceToken)));
  EXPECT_THAT(w_.TraceText(), Not(HasSubstr(kSourceToken)));
}

}  // namespace
}  // namespace chantless
