// Tests for the web identity provider: each test names the rule of web_identity_provider.h it
// checks.
#include "resolver/sts/web_identity_provider.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "resolver/cli_cache/cli_cache.h"
#include "resolver/cli_cache/cli_cache_store.h"
#include "resolver/core/time_util.h"
#include "resolver/sts/sts_test_bodies.h"
#include "resolver/testing/fakes.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using testing::FakeWorld;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::StsErrorBody;
using testing::StsSuccessBody;

constexpr char kConfigPath[] = "/home/u/.aws/config";
constexpr char kTokenPath[] = "/var/run/secrets/token";
constexpr char kJwt[] = "eyJhbGciOiJSUzI1NiJ9.FAKEPAYLOAD.FAKESIGNATURE";
constexpr char kRole[] = "arn:aws:iam::123456789012:role/wi";
constexpr char kCacheDir[] = "/home/u/.aws/cli/cache";

class WebIdentityProviderTest : public ::testing::Test {
 protected:
  WebIdentityProviderTest() : store_(&w_.fs, kCacheDir) {
    w_.env.Set("HOME", "/home/u");
    w_.fs.SetFile(kTokenPath, kJwt);
  }
  ProviderContext Context(bool cache = false) {
    ProviderContext ctx = w_.context();
    if (cache) ctx.cli_cache = &store_;
    return ctx;
  }
  StatusOr<Credentials> Resolve(bool cache = false) {
    return WebIdentityProvider(Context(cache)).Resolve();
  }
  std::string Body(size_t i) const { return w_.http.requests().at(i).body; }

  FakeWorld w_;
  CliCacheStore store_;
};

TEST_F(WebIdentityProviderTest, NotConfiguredWithoutATokenFile) {
  w_.env.Set("AWS_ROLE_ARN", kRole);
  StatusOr<Credentials> r = Resolve();
  EXPECT_EQ(r.status().code(), StatusCode::kNotConfigured);
  EXPECT_TRUE(w_.http.requests().empty());
}

TEST_F(WebIdentityProviderTest, FromEnvironmentUnsignedWithTheFileToken) {
  w_.env.Set("AWS_WEB_IDENTITY_TOKEN_FILE", kTokenPath);
  w_.env.Set("AWS_ROLE_ARN", kRole);
  w_.env.Set("AWS_ROLE_SESSION_NAME", "pod-session");
  w_.http.Reply(200, StsSuccessBody("ASIAFAKEWEBIDENTITY1", true));
  ASSERT_OK_AND_ASSIGN(Credentials c, Resolve());
  EXPECT_EQ(c.access_key_id, "ASIAFAKEWEBIDENTITY1");
  EXPECT_EQ(c.provider, "assume-role-with-web-identity");
  EXPECT_EQ(c.account_id, std::optional<std::string>("123456789012"));
  ASSERT_TRUE(c.expiration.has_value());
  EXPECT_THAT(Body(0), HasSubstr("Action=AssumeRoleWithWebIdentity"));
  EXPECT_THAT(Body(0), HasSubstr("RoleSessionName=pod-session"));
  EXPECT_THAT(Body(0), HasSubstr(std::string("WebIdentityToken=") + kJwt));
  EXPECT_FALSE(FindHeader(w_.http.requests()[0].headers, "Authorization").has_value());
  EXPECT_THAT(w_.TraceText(), Not(HasSubstr("FAKEPAYLOAD")));
}

TEST_F(WebIdentityProviderTest, FromProfileKeys) {
  w_.fs.SetFile(kConfigPath, std::string("[default]\nweb_identity_token_file = ") + kTokenPath +
                                 "\nrole_arn = " + kRole + "\n");
  w_.http.Reply(200, StsSuccessBody("ASIAFAKEWEBIDENTITY1", true));
  ASSERT_OK(Resolve());
  EXPECT_THAT(Body(0), HasSubstr("RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fwi"));
  EXPECT_THAT(Body(0), HasSubstr("RoleSessionName=chantless-session-"));
}

TEST_F(WebIdentityProviderTest, PerKeyPrecedenceEnvFirstAndAWarningWhenMixed) {
  w_.fs.SetFile(kConfigPath, "[default]\nweb_identity_token_file = /nope\nrole_arn = " +
                                 std::string(kRole) + "\nrole_session_name = from-profile\n");
  w_.env.Set("AWS_WEB_IDENTITY_TOKEN_FILE", kTokenPath);
  w_.http.Reply(200, StsSuccessBody("ASIAFAKEWEBIDENTITY1", true));
  ASSERT_OK(Resolve());
  EXPECT_THAT(Body(0), HasSubstr("RoleSessionName=from-profile"));
  EXPECT_THAT(w_.TraceText(), HasSubstr("mix the environment and the profile"));
}

TEST_F(WebIdentityProviderTest, ExplicitProfileIgnoresTheVariables) {
  w_.fs.SetFile(kConfigPath, "[profile p]\nregion = eu-west-1\n");
  w_.env.Set("AWS_WEB_IDENTITY_TOKEN_FILE", kTokenPath);
  w_.env.Set("AWS_ROLE_ARN", kRole);
  ProviderContext ctx = Context();
  ctx.profile_override = "p";
  StatusOr<Credentials> r = WebIdentityProvider(ctx).Resolve();
  EXPECT_EQ(r.status().code(), StatusCode::kNotConfigured);
}

TEST_F(WebIdentityProviderTest, TokenFileWithoutRoleIsAConfigurationError) {
  w_.env.Set("AWS_WEB_IDENTITY_TOKEN_FILE", kTokenPath);
  StatusOr<Credentials> r = Resolve();
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidConfiguration);
  EXPECT_THAT(r.status().message(), HasSubstr("has no role ARN configured"));
  EXPECT_THAT(r.status().message(), HasSubstr("AWS_WEB_IDENTITY_TOKEN_FILE"));
}

TEST_F(WebIdentityProviderTest, UnreadableTokenFileNamesThePathAndItsSource) {
  w_.env.Set("AWS_WEB_IDENTITY_TOKEN_FILE", "/missing/token");
  w_.env.Set("AWS_ROLE_ARN", kRole);
  StatusOr<Credentials> r = Resolve();
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidConfiguration);
  EXPECT_THAT(r.status().message(), HasSubstr("/missing/token (from AWS_WEB_IDENTITY_TOKEN_FILE)"));
  EXPECT_TRUE(w_.http.requests().empty());
}

TEST_F(WebIdentityProviderTest, TokenFileIsReadAgainOnEveryCall) {
  w_.env.Set("AWS_WEB_IDENTITY_TOKEN_FILE", kTokenPath);
  w_.env.Set("AWS_ROLE_ARN", kRole);
  w_.http.Reply(200, StsSuccessBody("ASIAFAKEWEBIDENTITY1", true));
  w_.http.Reply(200, StsSuccessBody("ASIAFAKEWEBIDENTITY2", true));
  ASSERT_OK(Resolve());
  w_.fs.SetFile(kTokenPath, "eyJROTATED.TOKEN.VALUE");
  ASSERT_OK(Resolve());
  EXPECT_THAT(Body(1), HasSubstr("WebIdentityToken=eyJROTATED.TOKEN.VALUE"));
  EXPECT_EQ(w_.fs.read_count(kTokenPath), 2);
}

TEST_F(WebIdentityProviderTest, IdpCommunicationErrorIsRetriedThenSucceeds) {
  w_.env.Set("AWS_WEB_IDENTITY_TOKEN_FILE", kTokenPath);
  w_.env.Set("AWS_ROLE_ARN", kRole);
  w_.http.Reply(400, StsErrorBody("IDPCommunicationError", "IdP unreachable"));
  w_.http.Reply(200, StsSuccessBody("ASIAFAKEWEBIDENTITY1", true));
  ASSERT_OK(Resolve());
  EXPECT_EQ(w_.http.requests().size(), 2u);
}

TEST_F(WebIdentityProviderTest, CliCacheMissThenWriteThenHit) {
  w_.env.Set("AWS_WEB_IDENTITY_TOKEN_FILE", kTokenPath);
  w_.env.Set("AWS_ROLE_ARN", kRole);
  w_.http.Reply(200, StsSuccessBody("ASIAFAKEWEBIDENTITY1", true, "2024-05-01T14:00:00Z"));
  ASSERT_OK(Resolve(/*cache=*/true));
  // Key vector from sts-sso-behaviour.md §1.7 ({"RoleArn": …/wi}).
  const std::string path =
      std::string(kCacheDir) + "/358ef18c54f6f4b723f0383e48a49f5cec693ec3.json";
  ASSERT_TRUE(w_.fs.Exists(path));
  EXPECT_EQ(w_.fs.file_mode(path), std::optional<int>(0600));
  EXPECT_THAT(w_.fs.Contents(path), HasSubstr("\"Expiration\": \"2024-05-01T14:00:00UTC\""));
  ASSERT_OK_AND_ASSIGN(Credentials c, Resolve(/*cache=*/true));
  EXPECT_EQ(c.access_key_id, "ASIAFAKEWEBIDENTITY1");
  EXPECT_EQ(w_.http.requests().size(), 1u);
  EXPECT_THAT(w_.TraceText(), HasSubstr("hit"));
}

TEST_F(WebIdentityProviderTest, CorruptCacheEntryIsAMissAndOverwritten) {
  w_.env.Set("AWS_WEB_IDENTITY_TOKEN_FILE", kTokenPath);
  w_.env.Set("AWS_ROLE_ARN", kRole);
  const std::string path =
      std::string(kCacheDir) + "/358ef18c54f6f4b723f0383e48a49f5cec693ec3.json";
  w_.fs.SetFile(path, "");
  w_.http.Reply(200, StsSuccessBody("ASIAFAKEWEBIDENTITY1", true, "2024-05-01T14:00:00Z"));
  ASSERT_OK(Resolve(/*cache=*/true));
  EXPECT_THAT(w_.fs.Contents(path), HasSubstr("ASIAFAKEWEBIDENTITY1"));
  bool warned = false;
  for (const TraceEvent& e : w_.trace.events()) {
    if (IsCacheProblem(e) && e.cache == "aws-cli" && e.step == "read" && e.path == path &&
        e.message.find("bad entry") != std::string::npos) {
      warned = true;
    }
  }
  EXPECT_TRUE(warned);
}

TEST_F(WebIdentityProviderTest, CacheEntryCloseToExpiryIsNotReused) {
  w_.env.Set("AWS_WEB_IDENTITY_TOKEN_FILE", kTokenPath);
  w_.env.Set("AWS_ROLE_ARN", kRole);
  w_.http.Reply(200, StsSuccessBody("ASIAFAKEWEBIDENTITY1", true, "2024-05-01T12:10:00Z"));
  w_.http.Reply(200, StsSuccessBody("ASIAFAKEWEBIDENTITY2", true, "2024-05-01T14:00:00Z"));
  ASSERT_OK(Resolve(/*cache=*/true));
  ASSERT_OK_AND_ASSIGN(Credentials c, Resolve(/*cache=*/true));
  EXPECT_EQ(c.access_key_id, "ASIAFAKEWEBIDENTITY2");
}

TEST_F(WebIdentityProviderTest, NoCacheNeitherReadsNorWrites) {
  w_.env.Set("AWS_WEB_IDENTITY_TOKEN_FILE", kTokenPath);
  w_.env.Set("AWS_ROLE_ARN", kRole);
  w_.http.Reply(200, StsSuccessBody("ASIAFAKEWEBIDENTITY1", true));
  ASSERT_OK(Resolve(/*cache=*/false));
  EXPECT_FALSE(
      w_.fs.Exists(std::string(kCacheDir) + "/358ef18c54f6f4b723f0383e48a49f5cec693ec3.json"));
}

}  // namespace
}  // namespace chantless
