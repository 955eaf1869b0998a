// Tests for NewDefaultChain: botocore's order (env → assume-role → web identity → sso → profile →
// ec2-credentials-file → boto-config → container → IMDS), a failing role profile stopping the
// chain, "container decides", the "no credentials" message naming every provider, zero requests
// when nothing is configured, and no secret in the trace or explanation. Runs over FakeWorld (no
// process, file or socket).
#include "resolver/chain/default_chain.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/chain/credentials_cache.h"
#include "resolver/cli_cache/cli_cache_store.h"
#include "resolver/sts/sts_test_bodies.h"
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

constexpr char kEnvSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYENVIRONKEY";
constexpr char kFileSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYPROFILEKEY";
constexpr char kProcessSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYPROCESSKEY";

struct World : FakeWorld {
  World() {
    env.Set("HOME", "/home/u");
    env.Set("AWS_EC2_METADATA_DISABLED", "true");
  }
  void ExpectNoSecrets(const ChainExplanation& explain) {
    for (const char* s : {kEnvSecret, kFileSecret, kProcessSecret}) {
      EXPECT_THAT(TraceText(), Not(HasSubstr(s)));
      EXPECT_THAT(explain.ToJson(), Not(HasSubstr(s)));
    }
  }
};

TEST(DefaultChainTest, LinksAreInBotocoresOrder) {
  World world;
  auto chain = NewDefaultChain(world.context());
  EXPECT_THAT(chain->LinkNames(),
              ElementsAre("env", "assume-role", "assume-role-with-web-identity", "sso", "profile",
                          "ec2-credentials-file", "boto-config", "container-role", "iam-role"));
}

TEST(DefaultChainTest, FailingRoleProfileStopsTheChainBeforeContainerAndImds) {
  World world;
  world.env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1/creds");
  world.fs.SetFile("/home/u/.aws/config",
                   "[default]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = "
                   "nothere\n");
  auto chain = NewDefaultChain(world.context());
  ChainExplanation explain;
  StatusOr<Credentials> c = chain->Resolve(&explain);
  EXPECT_THAT(c, StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("nothere")));
  EXPECT_THAT(world.http.requests(), IsEmpty());
  EXPECT_EQ(explain.attempts.back().name, "assume-role");
}

TEST(DefaultChainTest, RoleProfileResolvesThroughSts) {
  World world;
  world.fs.SetFile("/home/u/.aws/config",
                   "[default]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = "
                   "base\n");
  world.fs.SetFile("/home/u/.aws/credentials",
                   std::string("[base]\naws_access_key_id = AKIAFAKEFILEEXAMPLE\n"
                               "aws_secret_access_key = ") +
                       kFileSecret + "\n");
  world.http.Reply(200, testing::StsSuccessBody());
  auto chain = NewDefaultChain(world.context());
  ChainExplanation explain;
  ASSERT_OK_AND_ASSIGN(Credentials c, chain->Resolve(&explain));
  EXPECT_EQ(c.provider, "assume-role");
  EXPECT_EQ(explain.attempts.back().requests, 1);
  world.ExpectNoSecrets(explain);
}

TEST(DefaultChainTest, ExplanationNamesTheStsActionAndEveryCacheFileReadOrWritten) {
  World world;
  world.fs.SetFile("/home/u/.aws/config",
                   "[default]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = "
                   "base\n");
  world.fs.SetFile("/home/u/.aws/credentials",
                   std::string("[base]\naws_access_key_id = AKIAFAKEFILEEXAMPLE\n"
                               "aws_secret_access_key = ") +
                       kFileSecret + "\n");
  world.http.Reply(200, testing::StsSuccessBody());
  CliCacheStore store(&world.fs, "/home/u/.aws/cli/cache");
  ProviderContext ctx = world.context();
  ctx.cli_cache = &store;

  // First resolution: a miss, one AssumeRole, the entry written.
  ChainExplanation first;
  ASSERT_OK(NewDefaultChain(ctx)->Resolve(&first));
  const ProviderAttempt& called = first.attempts.back();
  ASSERT_EQ(called.request_log.size(), 1u);
  EXPECT_EQ(called.request_log[0].action, "AssumeRole");
  ASSERT_EQ(called.cache_log.size(), 2u);
  EXPECT_EQ(called.cache_log[0].cache, "aws-cli");
  EXPECT_EQ(called.cache_log[0].step, "read");
  EXPECT_EQ(called.cache_log[0].result, "miss");
  EXPECT_EQ(called.cache_log[1].step, "write");
  EXPECT_EQ(called.cache_log[1].result, "written");
  const std::string path = called.cache_log[0].path;
  EXPECT_THAT(path, HasSubstr("/home/u/.aws/cli/cache/"));
  EXPECT_EQ(called.cache_log[1].path, path);
  const std::string json = first.ToJson();
  EXPECT_THAT(json, HasSubstr(R"("path":"/","action":"AssumeRole","status":200)"));
  EXPECT_THAT(json,
              HasSubstr(R"("cache_log":[{"cache":"aws-cli","operation":"read","path":")" + path +
                        R"(","result":"miss"},{"cache":"aws-cli","operation":"write")"));
  world.ExpectNoSecrets(first);

  // Second resolution: a hit, no request.
  ChainExplanation second;
  ASSERT_OK(NewDefaultChain(ctx)->Resolve(&second));
  EXPECT_EQ(second.attempts.back().requests, 0);
  ASSERT_EQ(second.attempts.back().cache_log.size(), 1u);
  EXPECT_EQ(second.attempts.back().cache_log[0].result, "hit");
  EXPECT_THAT(second.ToJson(), HasSubstr(R"(","result":"hit"}])"));
  EXPECT_EQ(world.http.requests().size(), 1u);
  world.ExpectNoSecrets(second);
}

TEST(DefaultChainTest, EnvironmentKeysBeatARoleProfileSelectedByAwsProfile) {
  World world;
  world.env.Set("AWS_ACCESS_KEY_ID", "AKIAFAKEENVEXAMPLE");
  world.env.Set("AWS_SECRET_ACCESS_KEY", kEnvSecret);
  world.env.Set("AWS_PROFILE", "role");
  world.fs.SetFile("/home/u/.aws/config",
                   "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/r\n"
                   "credential_source = Environment\n");
  auto chain = NewDefaultChain(world.context());
  ASSERT_OK_AND_ASSIGN(Credentials c, chain->Resolve(nullptr));
  EXPECT_EQ(c.provider, "env");
  EXPECT_THAT(world.http.requests(), IsEmpty());
}

TEST(DefaultChainTest, WebIdentityCredentialsAreRefreshedAheadOfExpiryWithTheRotatedToken) {
  World world;
  world.env.Set("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token");
  world.env.Set("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/wi");
  world.fs.SetFile("/var/run/token", "eyJFAKE.FIRST.JWT");
  world.http.Reply(200, testing::StsSuccessBody("ASIAFAKEWEBIDENTITY1", true));
  world.http.Reply(200,
                   testing::StsSuccessBody("ASIAFAKEWEBIDENTITY2", true, "2024-05-01T14:00:00Z"));
  CredentialsCacheOptions options;
  options.background_refresh = false;
  options.jitter_seed = 7;
  CredentialsCache cache(NewDefaultChain(world.context()), &world.clock, options);
  ASSERT_OK_AND_ASSIGN(const Credentials* first, cache.Get());
  EXPECT_EQ(first->access_key_id, "ASIAFAKEWEBIDENTITY1");
  world.fs.SetFile("/var/run/token", "eyJFAKE.ROTATED.JWT");
  world.clock.Advance(std::chrono::minutes(55));  // 5 minutes left: past the refresh windows
  cache.Tick();
  ASSERT_OK_AND_ASSIGN(const Credentials* second, cache.Get());
  EXPECT_EQ(second->access_key_id, "ASIAFAKEWEBIDENTITY2");
  ASSERT_EQ(world.http.requests().size(), 2u);
  EXPECT_THAT(world.http.requests()[1].body, HasSubstr("WebIdentityToken=eyJFAKE.ROTATED.JWT"));
}

TEST(DefaultChainTest, WebIdentityFromEnvironmentBeatsAStaticDefaultProfile) {
  World world;
  world.env.Set("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token");
  world.env.Set("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/wi");
  world.fs.SetFile("/var/run/token", "eyJFAKE.CHAIN.JWT");
  world.fs.SetFile("/home/u/.aws/credentials",
                   std::string("[default]\naws_access_key_id = AKIAFAKEFILEEXAMPLE\n"
                               "aws_secret_access_key = ") +
                       kFileSecret + "\n");
  world.http.Reply(200, testing::StsSuccessBody("ASIAFAKEWEBIDENTITY1", true));
  auto chain = NewDefaultChain(world.context());
  ASSERT_OK_AND_ASSIGN(Credentials c, chain->Resolve(nullptr));
  EXPECT_EQ(c.provider, "assume-role-with-web-identity");
}

TEST(DefaultChainTest, NothingConfiguredListsEveryProviderWithZeroRequests) {
  World world;
  auto chain = NewDefaultChain(world.context());
  ChainExplanation explain;
  StatusOr<Credentials> c = chain->Resolve(&explain);
  EXPECT_THAT(c, StatusIs(StatusCode::kNotConfigured,
                          AllOf(HasSubstr("Unable to locate credentials"), HasSubstr("env: "),
                                HasSubstr("profile: "), HasSubstr("ec2-credentials-file: "),
                                HasSubstr("boto-config: "), HasSubstr("container-role: "),
                                HasSubstr("iam-role: "))));
  EXPECT_THAT(world.http.requests(), IsEmpty());
  EXPECT_THAT(world.process.calls(), IsEmpty());
  for (const ProviderAttempt& a : explain.attempts) {
    EXPECT_EQ(a.outcome, ProviderAttempt::kSkipped) << a.name;
    EXPECT_EQ(a.requests, 0) << a.name;
  }
}

TEST(DefaultChainTest, EnvironmentWinsOverProfile) {
  World world;
  world.env.Set("AWS_ACCESS_KEY_ID", "AKIAFAKEENVEXAMPLE");
  world.env.Set("AWS_SECRET_ACCESS_KEY", kEnvSecret);
  world.fs.SetFile("/home/u/.aws/credentials",
                   std::string("[default]\naws_access_key_id = AKIAFAKEFILEEXAMPLE\n"
                               "aws_secret_access_key = ") +
                       kFileSecret + "\n");
  auto chain = NewDefaultChain(world.context());
  ChainExplanation explain;
  ASSERT_OK_AND_ASSIGN(Credentials c, chain->Resolve(&explain));
  EXPECT_EQ(c.provider, "env");
  EXPECT_EQ(c.access_key_id, "AKIAFAKEENVEXAMPLE");
  EXPECT_EQ(explain.attempts.size(), 1u);
  world.ExpectNoSecrets(explain);
}

TEST(DefaultChainTest, ExplicitProfileSkipsTheEnvironmentAsBotocoreDoes) {
  World world;
  world.env.Set("AWS_ACCESS_KEY_ID", "AKIAFAKEENVEXAMPLE");
  world.env.Set("AWS_SECRET_ACCESS_KEY", kEnvSecret);
  world.fs.SetFile("/home/u/.aws/credentials",
                   std::string("[dev]\naws_access_key_id = AKIAFAKEFILEEXAMPLE\n"
                               "aws_secret_access_key = ") +
                       kFileSecret + "\n");
  ProviderContext ctx = world.context();
  ctx.profile_override = "dev";
  auto chain = NewDefaultChain(ctx);
  ChainExplanation explain;
  ASSERT_OK_AND_ASSIGN(Credentials c, chain->Resolve(&explain));
  EXPECT_EQ(c.access_key_id, "AKIAFAKEFILEEXAMPLE");
  EXPECT_EQ(explain.attempts[0].name, "env");
  EXPECT_THAT(explain.attempts[0].status,
              StatusIs(StatusCode::kNotConfigured, HasSubstr("--profile")));
  EXPECT_THAT(world.TraceText(), HasSubstr("profile name was explicitly set"));
}

TEST(DefaultChainTest, ProfileVariableDoesNotSkipTheEnvironment) {
  World world;
  world.env.Set("AWS_ACCESS_KEY_ID", "AKIAFAKEENVEXAMPLE");
  world.env.Set("AWS_SECRET_ACCESS_KEY", kEnvSecret);
  world.env.Set("AWS_PROFILE", "dev");
  world.fs.SetFile("/home/u/.aws/credentials",
                   std::string("[dev]\naws_access_key_id = AKIAFAKEFILEEXAMPLE\n"
                               "aws_secret_access_key = ") +
                       kFileSecret + "\n");
  auto chain = NewDefaultChain(world.context());
  ASSERT_OK_AND_ASSIGN(Credentials c, chain->Resolve(nullptr));
  EXPECT_EQ(c.access_key_id, "AKIAFAKEENVEXAMPLE");
}

TEST(DefaultChainTest, ProfileStaticKeysResolveWhenEnvIsEmpty) {
  World world;
  world.fs.SetFile("/home/u/.aws/credentials",
                   std::string("[default]\naws_access_key_id = AKIAFAKEFILEEXAMPLE\n"
                               "aws_secret_access_key = ") +
                       kFileSecret + "\n");
  auto chain = NewDefaultChain(world.context());
  ChainExplanation explain;
  ASSERT_OK_AND_ASSIGN(Credentials c, chain->Resolve(&explain));
  EXPECT_EQ(c.provider, "shared-credentials-file");
  EXPECT_EQ(c.secret_access_key.reveal(), kFileSecret);
  ASSERT_EQ(explain.attempts.size(), 5u);  // env, assume-role, web identity, sso, profile
  EXPECT_EQ(explain.attempts[0].outcome, ProviderAttempt::kSkipped);
  EXPECT_EQ(explain.attempts[1].outcome, ProviderAttempt::kSkipped);
  EXPECT_EQ(explain.attempts[2].outcome, ProviderAttempt::kSkipped);
  EXPECT_EQ(explain.attempts[3].outcome, ProviderAttempt::kSkipped);  // sso: not an SSO profile
  EXPECT_EQ(explain.attempts[4].method, "shared-credentials-file");
  world.ExpectNoSecrets(explain);
}

TEST(DefaultChainTest, ProfileCredentialProcessResolves) {
  World world;
  world.fs.SetFile("/home/u/.aws/config", "[profile dev]\ncredential_process = /opt/helper ok\n");
  world.env.Set("AWS_PROFILE", "dev");
  ProcessResult result;
  result.stdout_data = std::string(
                           "{\"Version\":1,\"AccessKeyId\":\"ASIAFAKEPROCESSEXAMPLE\","
                           "\"SecretAccessKey\":\"") +
                       kProcessSecret + "\"}";
  world.process.SetResult(result);
  auto chain = NewDefaultChain(world.context());
  ChainExplanation explain;
  ASSERT_OK_AND_ASSIGN(Credentials c, chain->Resolve(&explain));
  EXPECT_EQ(c.provider, "custom-process");
  EXPECT_THAT(world.process.calls(), ElementsAre(std::vector<std::string>{"/opt/helper", "ok"}));
  world.ExpectNoSecrets(explain);
}

TEST(DefaultChainTest, LegacyLinksComeAfterTheProfileAndBeforeTheContainer) {
  World world;
  world.env.Set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/x");
  world.env.Set("AWS_CREDENTIAL_FILE", "/home/u/ec2.creds");
  world.fs.SetFile(
      "/home/u/ec2.creds",
      std::string("AWSAccessKeyId=AKIAFAKEEC2EXAMPLE\nAWSSecretKey=") + kFileSecret + "\n");
  world.fs.SetFile("/home/u/.boto",
                   std::string("[Credentials]\naws_access_key_id = AKIAFAKEBOTOEXAMPLE\n"
                               "aws_secret_access_key = ") +
                       kFileSecret + "\n");
  {
    auto chain = NewDefaultChain(world.context());
    ChainExplanation explain;
    ASSERT_OK_AND_ASSIGN(Credentials c, chain->Resolve(&explain));
    EXPECT_EQ(c.provider, "ec2-credentials-file");
    EXPECT_EQ(c.access_key_id, "AKIAFAKEEC2EXAMPLE");
    // env, assume-role, web identity, sso, profile, ec2-credentials-file
    ASSERT_EQ(explain.attempts.size(), 6u);
    world.ExpectNoSecrets(explain);
  }
  world.env.Unset("AWS_CREDENTIAL_FILE");
  {
    auto chain = NewDefaultChain(world.context());
    ChainExplanation explain;
    ASSERT_OK_AND_ASSIGN(Credentials c, chain->Resolve(&explain));
    EXPECT_EQ(c.provider, "boto-config");
    EXPECT_EQ(c.access_key_id, "AKIAFAKEBOTOEXAMPLE");
    ASSERT_EQ(explain.attempts.size(), 7u);
  }
  EXPECT_THAT(world.http.requests(), IsEmpty());  // the container link was never reached
  // The profile still wins over both.
  world.fs.SetFile("/home/u/.aws/credentials",
                   std::string("[default]\naws_access_key_id = AKIAFAKEFILEEXAMPLE\n"
                               "aws_secret_access_key = ") +
                       kFileSecret + "\n");
  auto chain = NewDefaultChain(world.context());
  ASSERT_OK_AND_ASSIGN(Credentials c, chain->Resolve(nullptr));
  EXPECT_EQ(c.provider, "shared-credentials-file");
}

TEST(DefaultChainTest, BrokenEnvironmentStopsTheChainNamingEnv) {
  World world;
  world.env.Set("AWS_ACCESS_KEY_ID", "AKIAFAKEENVEXAMPLE");
  world.fs.SetFile("/home/u/.aws/credentials",
                   std::string("[default]\naws_access_key_id = AKIAFAKEFILEEXAMPLE\n"
                               "aws_secret_access_key = ") +
                       kFileSecret + "\n");
  auto chain = NewDefaultChain(world.context());
  EXPECT_THAT(chain->Resolve(nullptr),
              StatusIs(StatusCode::kInvalidConfiguration,
                       AllOf(HasSubstr("env: "), HasSubstr("AWS_SECRET_ACCESS_KEY"))));
}

TEST(DefaultChainTest, ContainerDecidesWhenItsVariableIsSet) {
  World world;
  world.env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/creds");
  world.env.Unset("AWS_EC2_METADATA_DISABLED");
  for (int i = 0; i < 3; ++i) world.http.Reply(503, "<html>down</html>");
  auto chain = NewDefaultChain(world.context());
  ChainExplanation explain;
  StatusOr<Credentials> c = chain->Resolve(&explain);
  EXPECT_THAT(c, StatusIs(StatusCode::kUnavailable, HasSubstr("container-role: ")));
  ASSERT_FALSE(explain.attempts.empty());
  EXPECT_EQ(explain.attempts.back().name, "container-role");
  EXPECT_EQ(explain.attempts.back().outcome, ProviderAttempt::kFailed);
  EXPECT_EQ(explain.attempts.back().requests, static_cast<int>(world.http.requests().size()));
  EXPECT_GT(explain.attempts.back().requests, 0);
}

TEST(DefaultChainTest, ContainerCredentialsResolve) {
  World world;
  world.env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/creds");
  world.http.Reply(200, "{\"AccessKeyId\":\"ASIAFAKECONTAINEREXAMPLE\",\"SecretAccessKey\":\"" +
                            std::string(kProcessSecret) +
                            "\",\"Token\":\"FAKETOKEN\",\"Expiration\":\"2024-05-01T18:00:00Z\"}");
  auto chain = NewDefaultChain(world.context());
  ChainExplanation explain;
  ASSERT_OK_AND_ASSIGN(Credentials c, chain->Resolve(&explain));
  EXPECT_EQ(c.provider, "container-role");
  EXPECT_EQ(explain.attempts.back().requests, 1);
  world.ExpectNoSecrets(explain);
}

// Four links read the profile files (assume-role, web identity, sso, profile): one resolution
// reads each file once, and the next resolution reads them again, so an edit is seen.
TEST(DefaultChainTest, OneResolutionReadsEachProfileFileOnceAndTheNextReadsThemAgain) {
  World world;
  const std::string credentials = "/home/u/.aws/credentials";
  const std::string keys = std::string("aws_secret_access_key = ") + kFileSecret + "\n";
  world.fs.SetFile(credentials, "[default]\naws_access_key_id = AKIAFAKEFIRSTEXAMPLE\n" + keys);
  auto chain = NewDefaultChain(world.context());

  ASSERT_OK_AND_ASSIGN(Credentials first, chain->Resolve());
  EXPECT_EQ(first.access_key_id, "AKIAFAKEFIRSTEXAMPLE");
  EXPECT_EQ(world.fs.read_count(credentials), 1);
  EXPECT_EQ(world.fs.read_count("/home/u/.aws/config"), 1);

  world.fs.SetFile(credentials, "[default]\naws_access_key_id = AKIAFAKEEDITEDEXAMPLE\n" + keys);
  ASSERT_OK_AND_ASSIGN(Credentials second, chain->Resolve());
  EXPECT_EQ(second.access_key_id, "AKIAFAKEEDITEDEXAMPLE");
  EXPECT_EQ(world.fs.read_count(credentials), 2);
  EXPECT_EQ(world.fs.read_count("/home/u/.aws/config"), 2);
}

// A file that cannot be loaded is loaded once too, and its error stops the chain at the first
// link that reads it, as before.
TEST(DefaultChainTest, AProfileFileErrorIsReadOnceAndStopsTheChain) {
  World world;
  world.fs.SetError("/home/u/.aws/config", InvalidConfigurationError("permission denied"));
  auto chain = NewDefaultChain(world.context());
  ChainExplanation explain;
  EXPECT_THAT(chain->Resolve(&explain),
              StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("permission denied")));
  EXPECT_EQ(explain.attempts.back().name, "assume-role");
  EXPECT_EQ(world.fs.read_count("/home/u/.aws/config"), 1);
}

// A parser warning is traced once per resolution, however many links read the file (the sso and
// profile links each traced it before they shared one load).
TEST(DefaultChainTest, AProfileFileWarningIsTracedOncePerResolution) {
  World world;
  world.fs.SetFile("/home/u/.aws/config", "[dev]\nregion = eu-west-1\n");
  auto chain = NewDefaultChain(world.context());
  auto warnings = [&world] {
    int n = 0;
    for (const TraceEvent& e : world.trace.events()) {
      if (e.kind == TraceEvent::Kind::kWarning &&
          e.message.find("section [dev] ignored") != std::string::npos) {
        ++n;
      }
    }
    return n;
  };
  EXPECT_THAT(chain->Resolve(), StatusIs(StatusCode::kNotConfigured, ::testing::_));
  EXPECT_EQ(warnings(), 1);
  EXPECT_THAT(chain->Resolve(), StatusIs(StatusCode::kNotConfigured, ::testing::_));
  EXPECT_EQ(warnings(), 2);
}

}  // namespace
}  // namespace chantless
