// Tests for the client set-up files of `chantless serve`: the hosts lines, and an environment
// whose config/credentials name the transcript's fake source keys and the assume-role, web
// identity and SSO profiles its exchanges imply (with the web identity token files and the SSO
// token cache), with the CA, HOME, IMDS/container and regional-STS variables as needed.
#include "replay/client_setup.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace replay {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSts[] = R"({"format": "chantless-transcript", "version": 1, "name": "sts/x",
  "docs": "d", "recorded_at": "2024-05-01T12:00:00Z",
  "sigv4_keys": [{"access_key_id": "ASIAQEXAMPLEHANDEDOUT", "secret_access_key": "s1",
                  "session_token": "t"},
                 {"access_key_id": "AKIAIOSFODNN7EXAMPLE", "secret_access_key": "fake/EXAMPLE"}],
  "exchanges": [
    {"id": "assume", "host": "sts.us-west-2.amazonaws.com",
     "request": {"method": "POST", "path": "/",
                 "body": "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FR&RoleSessionName=s+1&ExternalId=x&Version=2011-06-15"},
     "response": {}}]})";

Transcript Load(const std::string& text) {
  StatusOr<Transcript> t = LoadTranscript(text, "test");
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? *t : Transcript{};
}

TEST(ClientSetupTest, HostsFileSendsEveryHostToTheReplay) {
  EXPECT_EQ(HostsFileText(Load(kSts), "127.0.0.1"),
            "127.0.0.1 localhost\n::1 localhost\n127.0.0.1 sts.us-west-2.amazonaws.com\n");
}

TEST(ClientSetupTest, AssumeRoleTranscriptImpliesSourceKeysAndARoleProfile) {
  ClientSetupInputs in;
  in.http_port = 8080;
  in.https_port = 443;
  in.ca_path = "/tmp/ca dir/ca.pem";
  in.config_path = "/tmp/x/config";
  in.credentials_path = "/tmp/x/credentials";
  ClientFiles f = MakeClientFiles(Load(kSts), in);
  EXPECT_EQ(f.credentials,
            "[chantless-source]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
            "aws_secret_access_key = fake/EXAMPLE\n");
  EXPECT_THAT(f.config, HasSubstr("[profile chantless-assume-role-1]\n"
                                  "role_arn = arn:aws:iam::123456789012:role/R\n"
                                  "source_profile = chantless-source\n"
                                  "role_session_name = s 1\n"
                                  "external_id = x\n"
                                  "region = us-west-2\n"
                                  "sts_regional_endpoints = regional\n"));
  EXPECT_THAT(f.env, HasSubstr("unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN"));
  EXPECT_THAT(f.env, HasSubstr("export AWS_CONFIG_FILE='/tmp/x/config'\n"));
  EXPECT_THAT(f.env, HasSubstr("export AWS_SHARED_CREDENTIALS_FILE='/tmp/x/credentials'\n"));
  EXPECT_THAT(f.env, HasSubstr("export AWS_PROFILE='chantless-assume-role-1'\n"));
  EXPECT_THAT(f.env, HasSubstr("export AWS_CA_BUNDLE='/tmp/ca dir/ca.pem'\n"));
  EXPECT_THAT(f.env, HasSubstr("export NODE_EXTRA_CA_CERTS='/tmp/ca dir/ca.pem'\n"));
  EXPECT_THAT(f.env, HasSubstr("export SSL_CERT_FILE='/tmp/ca dir/ca.pem'\n"));
  EXPECT_THAT(f.env, HasSubstr("export AWS_STS_REGIONAL_ENDPOINTS='regional'\n"));
  EXPECT_THAT(f.env, HasSubstr("export AWS_EC2_METADATA_DISABLED='true'\n"));
  EXPECT_THAT(f.env, Not(HasSubstr("AWS_ENDPOINT_URL_STS")));  // 443: the hosts file routes it
  EXPECT_THAT(f.env, Not(HasSubstr("fake/EXAMPLE")));          // secrets only in credentials
  EXPECT_THAT(f.env, Not(HasSubstr("HOME")));                  // no SSO exchange
  EXPECT_TRUE(f.web_identity_tokens.empty());
  EXPECT_TRUE(f.sso_token_cache.empty());
  in.https_port = 8443;
  EXPECT_THAT(MakeClientFiles(Load(kSts), in).env,
              HasSubstr("export AWS_ENDPOINT_URL_STS='https://127.0.0.1:8443'\n"));
}

TEST(ClientSetupTest, ImdsAndContainerExchangesPointTheirVariablesAtThePlainListener) {
  ClientSetupInputs in;
  in.http_port = 8080;
  ClientFiles f = MakeClientFiles(
      Load(R"({"format": "chantless-transcript", "version": 1, "name": "x", "docs": "d",
        "recorded_at": "2024-05-01T12:00:00Z", "exchanges": [
        {"id": "t", "family": "imds-token", "request": {"method": "PUT", "path": "/latest/api/token"},
         "imds_token": "mint"},
        {"id": "c", "family": "container", "request": {"path": "/v2/credentials/abc"},
         "response": {}}]})"),
      in);
  EXPECT_THAT(f.env,
              HasSubstr("export AWS_EC2_METADATA_SERVICE_ENDPOINT='http://127.0.0.1:8080/'\n"));
  EXPECT_THAT(
      f.env,
      HasSubstr("export "
                "AWS_CONTAINER_CREDENTIALS_FULL_URI='http://127.0.0.1:8080/v2/credentials/abc'\n"));
  EXPECT_THAT(f.env, Not(HasSubstr("AWS_EC2_METADATA_DISABLED")));
  EXPECT_THAT(f.env, Not(HasSubstr("AWS_CA_BUNDLE")));
  EXPECT_THAT(f.env, Not(HasSubstr("AWS_PROFILE")));
}

TEST(ClientSetupTest, WritesTheFilesWithPrivateCredentials) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = tmp ? tmp : "/tmp";
  ClientSetupInputs in;
  in.config_path = dir + "/config";
  in.credentials_path = dir + "/credentials";
  ASSERT_OK(WriteClientFiles(Load(kSts), in, dir + "/client.env"));
  struct stat st {};
  ASSERT_EQ(stat(in.credentials_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream env(dir + "/client.env");
  std::stringstream text;
  text << env.rdbuf();
  EXPECT_THAT(text.str(), HasSubstr("AWS_PROFILE"));
  // The environment is valid shell.
  EXPECT_EQ(std::system(("sh -n " + dir + "/client.env").c_str()), 0);
}

// A transcript with an AssumeRoleWithWebIdentity exchange recorded with its form body (twice: a
// retry), one recorded without a body, and an SSO GetRoleCredentials exchange.
constexpr char kWebIdentityForm[] =
    R"({"id": "wi", "family": "sts", "host": "sts.eu-west-1.amazonaws.com",
     "request": {"method": "POST", "path": "/",
                 "body": "Action=AssumeRoleWithWebIdentity&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fweb&RoleSessionName=w+1&WebIdentityToken=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.REDACTEDJWTSIGNATURE0001&Version=2011-06-15"},
     "response": {}})";
constexpr char kWebIdentityNoBody[] =
    R"({"id": "wi-any", "family": "sts2", "host": "sts.amazonaws.com",
     "request": {"method": "POST", "path": "/"},
     "response": {"body": "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIAQEXAMPLEROLE0011</AccessKeyId><SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYSTS0011EXAMPLE</SecretAccessKey><SessionToken>EXAMPLETOKEN</SessionToken><Expiration>2024-05-01T13:00:00Z</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROAEXAMPLE:sess</AssumedRoleId><Arn>arn:aws-cn:sts::210987654321:assumed-role/irsa/sess</Arn></AssumedRoleUser></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>"}})";
constexpr char kSsoGetRoleCredentials[] =
    R"({"id": "sso", "family": "sso", "host": "portal.sso.eu-central-1.amazonaws.com",
     "request": {"method": "GET", "path": "/federation/credentials",
                 "query": "role_name=ReadOnly&account_id=123456789012",
                 "headers": {"x-amz-sso_bearer_token": "REDACTED-BEARER-TOKEN-0007"}},
     "response": {}})";

std::string TranscriptOf(const std::vector<std::string>& exchanges) {
  std::string text = R"({"format": "chantless-transcript", "version": 1, "name": "x", "docs": "d",
    "recorded_at": "2024-05-01T12:00:00Z", "exchanges": [)";
  for (size_t i = 0; i < exchanges.size(); ++i) {
    text += (i == 0 ? "" : ",") + exchanges[i];
  }
  return text + "]}";
}

ClientSetupInputs InputsIn(const std::string& dir) {
  ClientSetupInputs in;
  in.http_port = 8080;
  in.https_port = 443;
  in.config_path = dir + "/F.config";
  in.credentials_path = dir + "/F.credentials";
  in.web_identity_token_prefix = dir + "/F.web-identity-token-";
  in.home_path = dir + "/F.home";
  return in;
}

TEST(ClientSetupTest, WebIdentityFormBodyImpliesAProfileAndItsTokenFile) {
  std::string retry = kWebIdentityForm;
  retry.replace(retry.find("\"wi\""), 4, "\"wi-retry\"");
  ClientFiles f =
      MakeClientFiles(Load(TranscriptOf({kWebIdentityForm, retry})), InputsIn("/tmp/x"));
  EXPECT_EQ(f.config,
            "[profile chantless-web-identity-1]\n"
            "role_arn = arn:aws:iam::123456789012:role/web\n"
            "web_identity_token_file = /tmp/x/F.web-identity-token-1\n"
            "role_session_name = w 1\n"
            "region = eu-west-1\n"
            "sts_regional_endpoints = regional\n\n");  // the retry adds no second profile
  ASSERT_EQ(f.web_identity_tokens.size(), 1u);
  EXPECT_EQ(f.web_identity_tokens[0].path, "/tmp/x/F.web-identity-token-1");
  EXPECT_EQ(f.web_identity_tokens[0].text,
            "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.REDACTEDJWTSIGNATURE0001");
  EXPECT_THAT(f.env, HasSubstr("export AWS_PROFILE='chantless-web-identity-1'\n"));
  EXPECT_THAT(f.env, HasSubstr("unset AWS_ACCESS_KEY_ID"));
  EXPECT_THAT(f.env, HasSubstr(" AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_SESSION_NAME "));
  EXPECT_THAT(f.env, Not(HasSubstr("HOME")));
  EXPECT_TRUE(f.sso_token_cache.empty());
  ClientSetupInputs other_port = InputsIn("/tmp/x");
  other_port.https_port = 8443;
  EXPECT_THAT(MakeClientFiles(Load(TranscriptOf({kWebIdentityForm})), other_port).env,
              HasSubstr("export AWS_ENDPOINT_URL_STS='https://127.0.0.1:8443'\n"));
}

TEST(ClientSetupTest, WebIdentityWithoutABodyTakesTheRoleFromTheResponseAndInventsAToken) {
  ClientFiles f = MakeClientFiles(Load(TranscriptOf({kWebIdentityNoBody})), InputsIn("/tmp/x"));
  EXPECT_EQ(f.config,
            "[profile chantless-web-identity-1]\n"
            "role_arn = arn:aws-cn:iam::210987654321:role/irsa\n"
            "web_identity_token_file = /tmp/x/F.web-identity-token-1\n"
            "role_session_name = sess\n"
            "region = us-east-1\n\n");  // the global host: no regional endpoints
  ASSERT_EQ(f.web_identity_tokens.size(), 1u);
  const std::string& token = f.web_identity_tokens[0].text;
  EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2);  // JWT-shaped
  EXPECT_EQ(token.rfind("eyJ", 0), 0u);
  EXPECT_THAT(token, HasSubstr(".REDACTEDJWTSIGNATURE"));  // a placeholder, never a real token
}

TEST(ClientSetupTest, SsoExchangeImpliesAnSsoSessionProfileAndItsTokenCache) {
  ClientFiles f = MakeClientFiles(Load(TranscriptOf({kSsoGetRoleCredentials})), InputsIn("/tmp/x"));
  EXPECT_EQ(f.config,
            "[profile chantless-sso-1]\n"
            "sso_session = chantless-sso\n"
            "sso_account_id = 123456789012\n"
            "sso_role_name = ReadOnly\n"
            "region = eu-central-1\n\n"
            "[sso-session chantless-sso]\n"
            "sso_start_url = https://chantless-replay.awsapps.com/start\n"
            "sso_region = eu-central-1\n\n");
  ASSERT_EQ(f.sso_token_cache.size(), 1u);
  // sha1("chantless-sso"): the file botocore, the AWS CLI and the JS SDK look for.
  EXPECT_EQ(f.sso_token_cache[0].path,
            "/tmp/x/F.home/.aws/sso/cache/ce1e6ab84e3c91023e22f7de293931e55d99ea06.json");
  nlohmann::json entry = nlohmann::json::parse(f.sso_token_cache[0].text, nullptr, false);
  ASSERT_TRUE(entry.is_object());
  EXPECT_EQ(entry.value("accessToken", ""), "REDACTED-BEARER-TOKEN-0007");
  EXPECT_EQ(entry.value("startUrl", ""), "https://chantless-replay.awsapps.com/start");
  EXPECT_EQ(entry.value("region", ""), "eu-central-1");
  EXPECT_GE(entry.value("expiresAt", ""), "2090");  // far past any real clock a test runs on
  EXPECT_THAT(f.env, HasSubstr("export HOME='/tmp/x/F.home'\n"));
  EXPECT_THAT(f.env, HasSubstr("export AWS_PROFILE='chantless-sso-1'\n"));
  EXPECT_THAT(f.env, Not(HasSubstr("AWS_ENDPOINT_URL_SSO")));  // 443: the hosts file routes it
  EXPECT_THAT(f.env, Not(HasSubstr("REDACTED-BEARER-TOKEN-0007")));
  EXPECT_TRUE(f.web_identity_tokens.empty());
  ClientSetupInputs other_port = InputsIn("/tmp/x");
  other_port.https_port = 8443;
  EXPECT_THAT(MakeClientFiles(Load(TranscriptOf({kSsoGetRoleCredentials})), other_port).env,
              HasSubstr("export AWS_ENDPOINT_URL_SSO='https://127.0.0.1:8443'\n"));
}

TEST(ClientSetupTest, SsoStartUrlComesFromTheTranscriptWhenARequestNamesIt) {
  constexpr char kStartDeviceAuthorization[] =
      R"({"id": "device", "family": "oidc", "host": "oidc.eu-central-1.amazonaws.com",
       "request": {"method": "POST", "path": "/device_authorization",
                   "body": "{\"clientId\": \"c\", \"clientSecret\": \"REDACTED\", \"startUrl\": \"https://d-example.awsapps.com/start\"}"},
       "response": {}})";
  ClientFiles f = MakeClientFiles(
      Load(TranscriptOf({kStartDeviceAuthorization, kSsoGetRoleCredentials})), InputsIn("/d"));
  EXPECT_THAT(f.config, HasSubstr("sso_start_url = https://d-example.awsapps.com/start\n"));
  ASSERT_EQ(f.sso_token_cache.size(), 1u);
  EXPECT_THAT(f.sso_token_cache[0].text, HasSubstr("https://d-example.awsapps.com/start"));
}

TEST(ClientSetupTest, AnotherBearerTokenGetsAnotherSsoSession) {
  std::string other_role = kSsoGetRoleCredentials;
  other_role.replace(other_role.find("\"sso\""), 5, "\"sso-2\"");
  other_role.replace(other_role.find("ReadOnly"), 8, "Admin");
  std::string other_token = kSsoGetRoleCredentials;
  other_token.replace(other_token.find("\"sso\""), 5, "\"sso-3\"");
  other_token.replace(other_token.find("0007"), 4, "0008");
  ClientFiles f = MakeClientFiles(
      Load(TranscriptOf({kSsoGetRoleCredentials, other_role, other_token})), InputsIn("/d"));
  EXPECT_THAT(f.config, HasSubstr("[profile chantless-sso-2]\nsso_session = chantless-sso\n"
                                  "sso_account_id = 123456789012\nsso_role_name = Admin\n"));
  EXPECT_THAT(f.config, HasSubstr("[profile chantless-sso-3]\nsso_session = chantless-sso-2\n"));
  EXPECT_THAT(f.config, HasSubstr("[sso-session chantless-sso-2]\n"));
  ASSERT_EQ(f.sso_token_cache.size(), 2u);
  EXPECT_THAT(f.sso_token_cache[1].text, HasSubstr("REDACTED-BEARER-TOKEN-0008"));
}

TEST(ClientSetupTest, ProfileChoiceIsAssumeRoleThenWebIdentityThenSsoThenSource) {
  constexpr char kAssumeRole[] =
      R"({"id": "assume", "family": "ar", "host": "sts.us-west-2.amazonaws.com",
       "request": {"method": "POST", "path": "/",
                   "body": "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FR&RoleSessionName=s&Version=2011-06-15"},
       "response": {}})";
  const ClientSetupInputs in = InputsIn("/d");
  EXPECT_THAT(MakeClientFiles(
                  Load(TranscriptOf({kSsoGetRoleCredentials, kWebIdentityForm, kAssumeRole})), in)
                  .env,
              HasSubstr("export AWS_PROFILE='chantless-assume-role-1'\n"));
  ClientFiles f =
      MakeClientFiles(Load(TranscriptOf({kSsoGetRoleCredentials, kWebIdentityForm})), in);
  EXPECT_THAT(f.env, HasSubstr("export AWS_PROFILE='chantless-web-identity-1'\n"));
  EXPECT_THAT(f.env, HasSubstr("export HOME='/d/F.home'\n"));  // SSO is still set up
  EXPECT_THAT(f.config, HasSubstr("[profile chantless-sso-1]\n"));
}

TEST(ClientSetupTest, WritesTheTokenFileAndTheSsoCachePrivately) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = std::string(tmp ? tmp : "/tmp") + "/written";
  ASSERT_EQ(std::system(("rm -rf '" + dir + "' && mkdir -p '" + dir + "'").c_str()), 0);
  const ClientSetupInputs in = InputsIn(dir);
  ASSERT_OK(WriteClientFiles(Load(TranscriptOf({kWebIdentityForm, kSsoGetRoleCredentials})), in,
                             dir + "/F"));
  auto read = [](const std::string& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
  };
  struct stat st {};
  ASSERT_EQ(stat((dir + "/F.web-identity-token-1").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(read(dir + "/F.web-identity-token-1"),
            "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.REDACTEDJWTSIGNATURE0001");
  const std::string cache =
      dir + "/F.home/.aws/sso/cache/ce1e6ab84e3c91023e22f7de293931e55d99ea06.json";
  ASSERT_EQ(stat(cache.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_THAT(read(cache), HasSubstr("\"accessToken\": \"REDACTED-BEARER-TOKEN-0007\""));
  ASSERT_EQ(stat((dir + "/F.home/.aws").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ(std::system(("sh -n " + dir + "/F").c_str()), 0);
  // Written again over the first files (serve restarted with the same F).
  ASSERT_OK(WriteClientFiles(Load(TranscriptOf({kSsoGetRoleCredentials})), in, dir + "/F"));
}

}  // namespace
}  // namespace replay
}  // namespace chantless
