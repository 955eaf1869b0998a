// Tests of the SSO provider: each test names the rule of sso_provider.h it checks.
#include "resolver/sso/sso_provider.h"

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/cli_cache/cli_cache.h"
#include "resolver/cli_cache/cli_cache_store.h"
#include "resolver/core/time_util.h"
#include "resolver/http/http_client.h"
#include "resolver/profile/profile_config.h"
#include "resolver/testing/fakes.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kConfigPath[] = "/home/u/.aws/config";
// sha1("my-sso") and sha1("https://d-abc.awsapps.com/start") (sts-sso-behaviour.md §3.2).
constexpr char kSessionTokenPath[] =
    "/home/u/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json";
constexpr char kLegacyTokenPath[] =
    "/home/u/.aws/sso/cache/22f00c6461897f7c3e293d9d99f86e5efed957dd.json";
constexpr char kPortal[] = "https://portal.sso.us-east-1.amazonaws.com";
constexpr char kOidc[] = "https://oidc.us-east-1.amazonaws.com";
constexpr char kRolePath[] = "/federation/credentials?role_name=ReadOnly&account_id=123456789012";

constexpr char kConfig[] = R"([profile dev]
sso_session = my-sso
sso_account_id = 123456789012
sso_role_name = ReadOnly

[profile legacy]
sso_start_url = https://d-abc.awsapps.com/start
sso_region = us-east-1
sso_account_id = 123456789012
sso_role_name = ReadOnly

[profile plain]
region = eu-west-1

[sso-session my-sso]
sso_start_url = https://d-abc.awsapps.com/start
sso_region = us-east-1
)";

// FakeClock starts at 2024-05-01T12:00:00Z; 13:00 is 1714568400000 ms.
constexpr char kRoleReply[] =
    R"({"roleCredentials":{"accessKeyId":"ASIAEXAMPLESSOROLE","secretAccessKey":"sso-EXAMPLE-secret-access-key","sessionToken":"sso-EXAMPLE-session-token","expiration":1714568400000}})";

std::string TokenFile(const std::string& access_token, const std::string& expires_at,
                      bool refreshable = true) {
  std::string text = "{\"accessToken\": \"" + access_token + "\", \"expiresAt\": \"" + expires_at +
                     "\", \"startUrl\": \"https://d-abc.awsapps.com/start\", \"region\": "
                     "\"us-east-1\", \"customKey\": \"kept\"";
  if (refreshable) {
    text +=
        ", \"refreshToken\": \"sso-EXAMPLE-refresh-token\", \"clientId\": \"EXAMPLEclientid\", "
        "\"clientSecret\": \"sso-EXAMPLE-client-secret\", \"registrationExpiresAt\": "
        "\"2024-08-01T00:00:00Z\"";
  }
  return text + "}";
}

WallTime At(const char* rfc3339) { return ParseRfc3339(rfc3339).value(); }

class SsoProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    w_.env.Set("HOME", "/home/u");
    w_.fs.SetFile(kConfigPath, kConfig);
    w_.fs.SetClock(&w_.clock);
  }

  StatusOr<Credentials> ResolveProfile(const std::string& name) {
    StatusOr<std::unique_ptr<ProfileConfig>> config =
        LoadProfileConfig(w_.env, w_.fs, name, nullptr);
    if (!config.ok()) return config.status();
    ProviderContext ctx = w_.context();
    ctx.cli_cache = cli_cache_;
    return ResolveSsoCredentials(ctx, **config);
  }

  // No secret of the fixtures in the trace or in `status`.
  void ExpectNoSecrets(const Status& status) {
    const std::string trace = w_.TraceText();
    for (const char* secret :
         {"sso-EXAMPLE-access-token", "sso-EXAMPLE-refresh-token", "sso-EXAMPLE-client-secret",
          "sso-EXAMPLE-secret-access-key", "sso-EXAMPLE-session-token", "sso-EXAMPLE-new-token",
          "sso-EXAMPLE-new-refresh"}) {
      EXPECT_THAT(trace, Not(HasSubstr(secret)));
      EXPECT_THAT(status.message(), Not(HasSubstr(secret)));
    }
  }

  testing::FakeWorld w_;
  CliCacheStore* cli_cache_ = nullptr;
};

TEST_F(SsoProviderTest, NotAnSsoProfileIsNotConfigured) {
  StatusOr<Credentials> result = ResolveProfile("plain");
  EXPECT_THAT(result.status(), testing::StatusHasCode(StatusCode::kNotConfigured));
  EXPECT_TRUE(w_.http.requests().empty());
}

TEST_F(SsoProviderTest, LegacyProfileCallsGetRoleCredentialsWithTheCachedToken) {
  w_.fs.SetFile(kLegacyTokenPath, TokenFile("sso-EXAMPLE-access-token", "2024-05-01T20:00:00Z",
                                            /*refreshable=*/false));
  w_.http.Reply(200, kRoleReply);
  ASSERT_OK_AND_ASSIGN(Credentials c, ResolveProfile("legacy"));
  EXPECT_EQ(c.provider, "sso");
  EXPECT_EQ(c.access_key_id, "ASIAEXAMPLESSOROLE");
  EXPECT_EQ(c.secret_access_key.reveal(), "sso-EXAMPLE-secret-access-key");
  EXPECT_EQ(c.session_token.reveal(), "sso-EXAMPLE-session-token");
  EXPECT_EQ(c.expiration, At("2024-05-01T13:00:00Z"));
  EXPECT_EQ(c.account_id, "123456789012");
  EXPECT_THAT(c.account_id_source, HasSubstr("config:"));

  ASSERT_EQ(w_.http.requests().size(), 1u);
  const HttpRequest r = w_.http.requests()[0];
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.endpoint, kPortal);
  EXPECT_EQ(r.path, kRolePath);
  EXPECT_EQ(FindHeader(r.headers, "x-amz-sso_bearer_token"), "sso-EXAMPLE-access-token");
  EXPECT_EQ(FindHeader(r.headers, "authorization"), std::nullopt);  // unsigned
  EXPECT_TRUE(r.proxy.empty());
  const std::string trace = w_.TraceText();
  EXPECT_THAT(trace, HasSubstr("get-role-credentials"));
  EXPECT_THAT(trace, HasSubstr(kLegacyTokenPath));
  ExpectNoSecrets(OkStatus());
}

TEST_F(SsoProviderTest, PortalRequestGoesThroughTheHttpsProxy) {
  w_.env.Set("HTTPS_PROXY", "http://proxy.corp.example:3128");
  w_.fs.SetFile(kLegacyTokenPath, TokenFile("sso-EXAMPLE-access-token", "2024-05-01T20:00:00Z",
                                            /*refreshable=*/false));
  w_.http.Reply(200, kRoleReply);
  ASSERT_OK(ResolveProfile("legacy"));
  EXPECT_EQ(w_.http.requests()[0].proxy, "http://proxy.corp.example:3128");
  EXPECT_THAT(w_.TraceText(), HasSubstr("proxy from HTTPS_PROXY"));
}

TEST_F(SsoProviderTest, SessionProfileReadsTheSessionsTokenFile) {
  w_.fs.SetFile(kSessionTokenPath, TokenFile("sso-EXAMPLE-access-token", "2024-05-01T20:00:00Z"));
  w_.http.Reply(200, kRoleReply);
  ASSERT_OK_AND_ASSIGN(Credentials c, ResolveProfile("dev"));
  EXPECT_EQ(c.access_key_id, "ASIAEXAMPLESSOROLE");
  ASSERT_EQ(w_.http.requests().size(), 1u);
  EXPECT_EQ(w_.fs.write_count(kSessionTokenPath), 0);
  // The trace says where sso_region came from: the [sso-session] section.
  EXPECT_THAT(w_.TraceText(), HasSubstr("sso_region (sso_session my-sso"));
}

TEST_F(SsoProviderTest, MissingTokenFileNamesThePathAndTheLoginCommand) {
  StatusOr<Credentials> result = ResolveProfile("dev");
  EXPECT_THAT(result.status(),
              testing::StatusIs(StatusCode::kInvalidConfiguration, HasSubstr(kSessionTokenPath)));
  EXPECT_THAT(result.status().message(), HasSubstr("aws sso login --sso-session my-sso"));
  EXPECT_TRUE(w_.http.requests().empty());
}

TEST_F(SsoProviderTest, ExpiredLegacyTokenFailsBeforeAnyRequest) {
  w_.fs.SetFile(kLegacyTokenPath, TokenFile("sso-EXAMPLE-access-token", "2024-05-01T11:00:00Z",
                                            /*refreshable=*/false));
  StatusOr<Credentials> result = ResolveProfile("legacy");
  EXPECT_THAT(result.status(), testing::StatusIs(StatusCode::kInvalidConfiguration,
                                                 HasSubstr("aws sso login --profile legacy")));
  EXPECT_THAT(result.status().message(), HasSubstr("expiresAt 2024-05-01T11:00:00Z"));
  EXPECT_THAT(result.status().message(), HasSubstr(kLegacyTokenPath));
  EXPECT_TRUE(w_.http.requests().empty());
  ExpectNoSecrets(result.status());
}

TEST_F(SsoProviderTest, CorruptTokenFileIsInvalid) {
  w_.fs.SetFile(kSessionTokenPath, "{\"accessToken\": \"sso-EXAMPLE-access-token\"");
  StatusOr<Credentials> result = ResolveProfile("dev");
  EXPECT_THAT(result.status(),
              testing::StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("is invalid")));
  EXPECT_THAT(result.status().message(), HasSubstr("aws sso login --sso-session my-sso"));
  EXPECT_TRUE(w_.http.requests().empty());
  ExpectNoSecrets(result.status());
}

// Expires at 12:03; issued at 11:03 (the file's modification time): 3 min left is below the
// max(5 min, 10 % of 1 h) window.
class SsoRefreshTest : public SsoProviderTest {
 protected:
  void SetUp() override {
    SsoProviderTest::SetUp();
    w_.fs.SetFile(kSessionTokenPath, TokenFile("sso-EXAMPLE-access-token", "2024-05-01T12:03:00Z"));
    w_.fs.SetModificationTime(kSessionTokenPath, At("2024-05-01T11:03:00Z"));
  }
};

TEST_F(SsoRefreshTest, NearExpiryRefreshesThroughCreateTokenAndWritesBack) {
  w_.http.Reply(200,
                R"({"accessToken":"sso-EXAMPLE-new-token","expiresIn":3600,"tokenType":"Bearer"})");
  w_.http.Reply(200, kRoleReply);
  ASSERT_OK_AND_ASSIGN(Credentials c, ResolveProfile("dev"));
  EXPECT_EQ(c.access_key_id, "ASIAEXAMPLESSOROLE");

  ASSERT_EQ(w_.http.requests().size(), 2u);
  const HttpRequest create = w_.http.requests()[0];
  EXPECT_EQ(create.method, "POST");
  EXPECT_EQ(create.endpoint, kOidc);
  EXPECT_EQ(create.path, "/token");
  EXPECT_EQ(FindHeader(create.headers, "content-type"), "application/json");
  EXPECT_THAT(create.body, HasSubstr("\"grantType\":\"refresh_token\""));
  EXPECT_THAT(create.body, HasSubstr("sso-EXAMPLE-refresh-token"));
  EXPECT_EQ(FindHeader(w_.http.requests()[1].headers, "x-amz-sso_bearer_token"),
            "sso-EXAMPLE-new-token");

  EXPECT_EQ(w_.fs.lock_count(std::string(kSessionTokenPath) + ".lock"), 1);
  EXPECT_FALSE(w_.fs.locked(std::string(kSessionTokenPath) + ".lock"));
  EXPECT_EQ(w_.fs.write_count(kSessionTokenPath), 1);
  EXPECT_EQ(w_.fs.file_mode(kSessionTokenPath), 0600);
  const std::string written = w_.fs.Contents(kSessionTokenPath);
  EXPECT_THAT(written, HasSubstr("sso-EXAMPLE-new-token"));
  EXPECT_THAT(written, HasSubstr("2024-05-01T13:00:00Z"));
  EXPECT_THAT(written, HasSubstr("sso-EXAMPLE-refresh-token"));  // none returned: old one kept
  EXPECT_THAT(written, HasSubstr("\"customKey\""));              // unknown keys kept
  EXPECT_THAT(written, Not(HasSubstr("sso-EXAMPLE-access-token")));
  EXPECT_THAT(w_.TraceText(), HasSubstr("create-token"));
  ExpectNoSecrets(OkStatus());
}

TEST_F(SsoRefreshTest, FailedRefreshWithAValidTokenUsesTheTokenAndWarns) {
  w_.http.Reply(400, R"({"error":"invalid_grant","error_description":"refresh token revoked"})",
                {{"x-amzn-RequestId", "req-EXAMPLE-1"}});
  w_.http.Reply(200, kRoleReply);
  ASSERT_OK_AND_ASSIGN(Credentials c, ResolveProfile("dev"));
  EXPECT_EQ(c.access_key_id, "ASIAEXAMPLESSOROLE");
  ASSERT_EQ(w_.http.requests().size(), 2u);
  EXPECT_EQ(FindHeader(w_.http.requests()[1].headers, "x-amz-sso_bearer_token"),
            "sso-EXAMPLE-access-token");
  EXPECT_EQ(w_.fs.write_count(kSessionTokenPath), 0);
  bool warned = false;
  for (const TraceEvent& e : w_.trace.events()) {
    if (e.kind == TraceEvent::Kind::kWarning &&
        e.message.find("invalid_grant") != std::string::npos &&
        e.message.find("req-EXAMPLE-1") != std::string::npos) {
      warned = true;
    }
  }
  EXPECT_TRUE(warned) << w_.TraceText();
  ExpectNoSecrets(OkStatus());
}

TEST_F(SsoRefreshTest, FailedRefreshWithAnExpiredTokenIsAnErrorWithTheCommand) {
  w_.fs.SetFile(kSessionTokenPath, TokenFile("sso-EXAMPLE-access-token", "2024-05-01T11:59:00Z"));
  w_.fs.SetModificationTime(kSessionTokenPath, At("2024-05-01T10:59:00Z"));
  w_.http.Reply(500, R"({"message":"internal"})");
  StatusOr<Credentials> result = ResolveProfile("dev");
  EXPECT_THAT(result.status(), testing::StatusIs(StatusCode::kInvalidConfiguration,
                                                 HasSubstr("aws sso login --sso-session my-sso")));
  EXPECT_THAT(result.status().message(), HasSubstr("refresh failed"));
  EXPECT_THAT(result.status().message(), HasSubstr("HTTP 500"));
  EXPECT_EQ(w_.http.requests().size(), 1u);
  ExpectNoSecrets(result.status());
}

TEST_F(SsoRefreshTest, ExpiredTokenWithoutRegistrationFailsWithoutRequests) {
  w_.fs.SetFile(kSessionTokenPath, TokenFile("sso-EXAMPLE-access-token", "2024-05-01T11:59:00Z",
                                             /*refreshable=*/false));
  StatusOr<Credentials> result = ResolveProfile("dev");
  EXPECT_THAT(result.status(), testing::StatusIs(StatusCode::kInvalidConfiguration,
                                                 HasSubstr("aws sso login --sso-session my-sso")));
  EXPECT_TRUE(w_.http.requests().empty());
}

TEST_F(SsoRefreshTest, LockHeldElsewhereUsesTheStillValidToken) {
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<FileLock> held,
      w_.fs.LockFile(std::string(kSessionTokenPath) + ".lock", std::chrono::milliseconds(0)));
  w_.http.Reply(200, kRoleReply);
  ASSERT_OK(ResolveProfile("dev").status());
  ASSERT_EQ(w_.http.requests().size(), 1u);
  EXPECT_EQ(w_.http.requests()[0].endpoint, kPortal);
  EXPECT_THAT(w_.TraceText(), HasSubstr("refresh failed"));
}

// A filesystem on which another process refreshes the token while this one waits for the lock.
class RefreshedElsewhereFilesystem : public testing::FakeFilesystem {
 public:
  StatusOr<std::unique_ptr<FileLock>> LockFile(const std::string& path,
                                               std::chrono::milliseconds timeout) const override {
    const_cast<RefreshedElsewhereFilesystem*>(this)->SetFile(
        kSessionTokenPath, TokenFile("sso-EXAMPLE-new-token", "2024-05-01T13:00:00Z"));
    return FakeFilesystem::LockFile(path, timeout);
  }
};

TEST(SsoRefreshLockTest, ReReadsTheTokenAfterTakingTheLock) {
  testing::FakeEnvironment env;
  env.Set("HOME", "/home/u");
  RefreshedElsewhereFilesystem fs;
  testing::FakeClock clock;
  fs.SetClock(&clock);
  fs.SetFile(kConfigPath, kConfig);
  fs.SetFile(kSessionTokenPath, TokenFile("sso-EXAMPLE-access-token", "2024-05-01T12:03:00Z"));
  fs.SetModificationTime(kSessionTokenPath, At("2024-05-01T11:03:00Z"));
  testing::FakeHttpClient http;
  http.Reply(200, kRoleReply);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<ProfileConfig> config,
                       LoadProfileConfig(env, fs, std::string("dev"), nullptr));
  ProviderContext ctx = testing::WireContext(&env, &fs, &clock, &http);
  ASSERT_OK(ResolveSsoCredentials(ctx, *config).status());
  ASSERT_EQ(http.requests().size(), 1u);  // no CreateToken
  EXPECT_EQ(FindHeader(http.requests()[0].headers, "x-amz-sso_bearer_token"),
            "sso-EXAMPLE-new-token");
  EXPECT_EQ(fs.write_count(kSessionTokenPath), 0);
}

TEST_F(SsoRefreshTest, ProviderWaitsThirtySecondsBetweenFailedRefreshes) {
  w_.settings.SetProfileName("dev");
  ProviderContext ctx = w_.context();
  ctx.profile_override = "dev";
  SsoProvider provider(ctx);
  w_.http.Reply(500, "{}");
  w_.http.Reply(200, kRoleReply);
  ASSERT_OK(provider.Resolve().status());
  w_.clock.Advance(std::chrono::seconds(10));
  w_.http.Reply(200, kRoleReply);
  ASSERT_OK(provider.Resolve().status());
  ASSERT_EQ(w_.http.requests().size(), 3u);
  EXPECT_EQ(w_.http.requests()[2].endpoint, kPortal);  // no second CreateToken yet
  w_.clock.Advance(std::chrono::seconds(25));
  w_.http.Reply(500, "{}");
  w_.http.Reply(200, kRoleReply);
  ASSERT_OK(provider.Resolve().status());
  ASSERT_EQ(w_.http.requests().size(), 5u);
  EXPECT_EQ(w_.http.requests()[3].endpoint, kOidc);
}

TEST_F(SsoProviderTest, TheTokenFileIsReadOnEveryResolution) {
  ProviderContext ctx = w_.context();
  ctx.profile_override = "dev";
  SsoProvider provider(ctx);
  EXPECT_EQ(provider.Name(), "sso");
  w_.fs.SetFile(kSessionTokenPath, TokenFile("sso-EXAMPLE-access-token", "2024-05-01T20:00:00Z"));
  w_.http.Reply(200, kRoleReply);
  ASSERT_OK(provider.Resolve().status());
  w_.fs.SetFile(kSessionTokenPath, TokenFile("sso-EXAMPLE-new-token", "2024-05-01T20:00:00Z"));
  w_.http.Reply(200, kRoleReply);
  ASSERT_OK(provider.Resolve().status());
  ASSERT_EQ(w_.http.requests().size(), 2u);
  EXPECT_EQ(FindHeader(w_.http.requests()[1].headers, "x-amz-sso_bearer_token"),
            "sso-EXAMPLE-new-token");
}

TEST_F(SsoProviderTest, ProviderOnANonSsoProfileIsNotConfigured) {
  ProviderContext ctx = w_.context();
  ctx.profile_override = "plain";
  SsoProvider provider(ctx);
  EXPECT_THAT(provider.Resolve().status(), testing::StatusHasCode(StatusCode::kNotConfigured));
}

TEST_F(SsoProviderTest, UnauthorizedAsksForANewLogin) {
  w_.fs.SetFile(kSessionTokenPath, TokenFile("sso-EXAMPLE-access-token", "2024-05-01T20:00:00Z"));
  w_.http.Reply(401, R"({"message":"Session token not found or invalid"})",
                {{"x-amzn-ErrorType", "UnauthorizedException:http://internal.amazon.com/"},
                 {"x-amzn-RequestId", "req-EXAMPLE-401"}});
  StatusOr<Credentials> result = ResolveProfile("dev");
  EXPECT_THAT(result.status(), testing::StatusIs(StatusCode::kInvalidConfiguration,
                                                 HasSubstr("aws sso login --sso-session my-sso")));
  EXPECT_THAT(result.status().message(), HasSubstr("UnauthorizedException"));
  EXPECT_THAT(result.status().message(), HasSubstr("req-EXAMPLE-401"));
  EXPECT_THAT(result.status().message(), HasSubstr(kPortal));
  ExpectNoSecrets(result.status());
}

TEST_F(SsoProviderTest, ForbiddenAsksForANewLogin) {
  w_.fs.SetFile(kLegacyTokenPath, TokenFile("sso-EXAMPLE-access-token", "2024-05-01T20:00:00Z",
                                            /*refreshable=*/false));
  w_.http.Reply(403, R"({"message":"No access"})", {{"x-amzn-ErrorType", "ForbiddenException"}});
  StatusOr<Credentials> result = ResolveProfile("legacy");
  EXPECT_THAT(result.status(), testing::StatusIs(StatusCode::kInvalidConfiguration,
                                                 HasSubstr("aws sso login --profile legacy")));
  EXPECT_THAT(result.status().message(), HasSubstr("HTTP 403 ForbiddenException: No access"));
}

TEST_F(SsoProviderTest, ServerErrorsAreUnavailableWithStatusMessageAndRequestId) {
  w_.fs.SetFile(kSessionTokenPath, TokenFile("sso-EXAMPLE-access-token", "2024-05-01T20:00:00Z"));
  w_.http.Reply(503, R"({"message":"slow down"})", {{"x-amzn-RequestId", "req-EXAMPLE-503"}});
  StatusOr<Credentials> result = ResolveProfile("dev");
  EXPECT_THAT(result.status(),
              testing::StatusIs(StatusCode::kUnavailable, HasSubstr("HTTP 503: slow down")));
  EXPECT_THAT(result.status().message(), HasSubstr("req-EXAMPLE-503"));
  EXPECT_THAT(result.status().message(), HasSubstr(std::string(kPortal) + kRolePath));
}

TEST_F(SsoProviderTest, ResourceNotFoundIsAConfigurationError) {
  w_.fs.SetFile(kSessionTokenPath, TokenFile("sso-EXAMPLE-access-token", "2024-05-01T20:00:00Z"));
  w_.http.Reply(404, R"({"message":"No access"})",
                {{"x-amzn-ErrorType", "ResourceNotFoundException"}});
  EXPECT_THAT(ResolveProfile("dev").status(),
              testing::StatusIs(StatusCode::kInvalidConfiguration,
                                HasSubstr("HTTP 404 ResourceNotFoundException: No access")));
}

TEST_F(SsoProviderTest, MalformedReplyIsInvalidResponse) {
  w_.fs.SetFile(kSessionTokenPath, TokenFile("sso-EXAMPLE-access-token", "2024-05-01T20:00:00Z"));
  w_.http.Reply(200, R"({"roleCredentials":{}})");
  EXPECT_THAT(ResolveProfile("dev").status(),
              testing::StatusIs(StatusCode::kInvalidResponse, HasSubstr(kPortal)));
}

TEST_F(SsoProviderTest, ExpiredRoleCredentialsAreRefusedByTheExpiryRule) {
  w_.fs.SetFile(kSessionTokenPath, TokenFile("sso-EXAMPLE-access-token", "2024-05-01T20:00:00Z"));
  // 1714561200000 ms is 2024-05-01T11:00:00Z, an hour before the clock.
  w_.http.Reply(200,
                R"({"roleCredentials":{"accessKeyId":"ASIAEXAMPLESSOROLE","secretAccessKey":"x",)"
                R"("sessionToken":"y","expiration":1714561200000}})");
  EXPECT_THAT(ResolveProfile("dev").status(),
              testing::StatusIs(StatusCode::kInvalidResponse, HasSubstr("2024-05-01T11:00:00Z")));
}

TEST_F(SsoProviderTest, PortalEndpointOverrideKeepsItsPath) {
  w_.env.Set("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:8080/base/");
  w_.fs.SetFile(kSessionTokenPath, TokenFile("sso-EXAMPLE-access-token", "2024-05-01T20:00:00Z"));
  w_.http.Reply(200, kRoleReply);
  ASSERT_OK(ResolveProfile("dev").status());
  ASSERT_EQ(w_.http.requests().size(), 1u);
  EXPECT_EQ(w_.http.requests()[0].endpoint, "http://127.0.0.1:8080");
  EXPECT_EQ(w_.http.requests()[0].path, std::string("/base") + kRolePath);
  EXPECT_THAT(w_.TraceText(), HasSubstr("AWS_ENDPOINT_URL_SSO"));
}

TEST_F(SsoProviderTest, CaBundleIsPassedToTheRequest) {
  w_.env.Set("AWS_CA_BUNDLE", "/etc/fake-ca.pem");
  w_.fs.SetFile("/etc/fake-ca.pem", "-----BEGIN CERTIFICATE-----\n");
  w_.fs.SetFile(kSessionTokenPath, TokenFile("sso-EXAMPLE-access-token", "2024-05-01T20:00:00Z"));
  w_.http.Reply(200, kRoleReply);
  ASSERT_OK(ResolveProfile("dev").status());
  EXPECT_EQ(w_.http.requests()[0].ca_bundle_path, "/etc/fake-ca.pem");
}

TEST_F(SsoProviderTest, MissingCaBundleIsAConfigurationError) {
  w_.env.Set("AWS_CA_BUNDLE", "/etc/missing.pem");
  w_.fs.SetFile(kSessionTokenPath, TokenFile("sso-EXAMPLE-access-token", "2024-05-01T20:00:00Z"));
  EXPECT_THAT(ResolveProfile("dev").status(),
              testing::StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("AWS_CA_BUNDLE")));
  EXPECT_TRUE(w_.http.requests().empty());
}

class SsoCliCacheTest : public SsoProviderTest {
 protected:
  void SetUp() override {
    SsoProviderTest::SetUp();
    store_ = std::make_unique<CliCacheStore>(&w_.fs, "/home/u/.aws/cli/cache");
    cli_cache_ = store_.get();
  }
  // SsoCliCacheFileName("123456789012", "ReadOnly", "my-sso", …), python3-checked in sso_api_test.
  const std::string entry_path_ =
      "/home/u/.aws/cli/cache/31b260dab331b2af063485cea75f7b8b3cf54c71.json";
  std::unique_ptr<CliCacheStore> store_;

  bool HasCacheEvent(const std::string& cache, const std::string& step, const std::string& path,
                     const std::string& result) const {
    for (const TraceEvent& e : w_.trace.events()) {
      if (e.kind == TraceEvent::Kind::kCache && e.cache == cache && e.step == step &&
          e.path == path && e.result == result) {
        return true;
      }
    }
    return false;
  }
};

TEST_F(SsoCliCacheTest, AFreshEntryIsUsedWithoutAnyRequestOrToken) {
  w_.fs.SetFile(entry_path_,
                R"({"ProviderType": "sso", "Credentials": {"AccessKeyId": "ASIAEXAMPLECLICACHE", )"
                R"("SecretAccessKey": "cli-EXAMPLE-secret", "SessionToken": "cli-EXAMPLE-token", )"
                R"("Expiration": "2024-05-01T14:00:00Z"}})");
  ASSERT_OK_AND_ASSIGN(Credentials c, ResolveProfile("dev"));
  EXPECT_EQ(c.access_key_id, "ASIAEXAMPLECLICACHE");
  EXPECT_EQ(c.provider, "sso");
  EXPECT_EQ(c.account_id, "123456789012");
  EXPECT_TRUE(w_.http.requests().empty());
  EXPECT_TRUE(HasCacheEvent("aws-cli", "read", entry_path_, "hit")) << w_.TraceText();
  EXPECT_FALSE(HasCacheEvent("sso-token", "read", kSessionTokenPath, "hit"));
}

TEST_F(SsoCliCacheTest, AnEntryWithLessThanFifteenMinutesLeftIsNotReused) {
  w_.fs.SetFile(entry_path_,
                R"({"ProviderType": "sso", "Credentials": {"AccessKeyId": "ASIAEXAMPLECLICACHE", )"
                R"("SecretAccessKey": "cli-EXAMPLE-secret", "SessionToken": "cli-EXAMPLE-token", )"
                R"("Expiration": "2024-05-01T12:10:00Z"}})");
  w_.fs.SetFile(kSessionTokenPath, TokenFile("sso-EXAMPLE-access-token", "2024-05-01T20:00:00Z"));
  w_.http.Reply(200, kRoleReply);
  ASSERT_OK_AND_ASSIGN(Credentials c, ResolveProfile("dev"));
  EXPECT_EQ(c.access_key_id, "ASIAEXAMPLESSOROLE");
  // …and the entry is replaced by the new credentials, in the AWS CLI's SSO shape, at 0600.
  EXPECT_EQ(w_.fs.write_count(entry_path_), 1);
  EXPECT_EQ(w_.fs.file_mode(entry_path_), 0600);
  CliCacheLookup stored = ParseCliCacheEntry(w_.fs.Contents(entry_path_));
  ASSERT_TRUE(stored.hit()) << stored.miss_reason;
  EXPECT_EQ(stored.entry->kind, CliCacheEntryKind::kSso);
  EXPECT_EQ(stored.entry->access_key_id, "ASIAEXAMPLESSOROLE");
  EXPECT_EQ(stored.entry->expiration, At("2024-05-01T13:00:00Z"));
  EXPECT_TRUE(HasCacheEvent("aws-cli", "read", entry_path_, "expired")) << w_.TraceText();
  EXPECT_TRUE(HasCacheEvent("sso-token", "read", kSessionTokenPath, "hit"));
  EXPECT_TRUE(HasCacheEvent("aws-cli", "write", entry_path_, "written"));
}

TEST_F(SsoCliCacheTest, AFailedCacheWriteIsAWarning) {
  w_.fs.SetWriteError(entry_path_, UnavailableError(entry_path_ + ": read-only"));
  w_.fs.SetFile(kSessionTokenPath, TokenFile("sso-EXAMPLE-access-token", "2024-05-01T20:00:00Z"));
  w_.http.Reply(200, kRoleReply);
  ASSERT_OK(ResolveProfile("dev").status());
  EXPECT_THAT(w_.TraceText(), HasSubstr("could not write the AWS CLI cache entry"));
  EXPECT_TRUE(HasCacheEvent("aws-cli", "write", entry_path_, "not written"));
}

}  // namespace
}  // namespace chantless
