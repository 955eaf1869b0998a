// Tests for the client set-up files of `chantless serve`: the hosts lines, and an environment
// whose config/credentials name the transcript's fake source keys and the assume-role profile its
// AssumeRole exchange implies, with the CA, IMDS/container and regional-STS variables as needed.
#include "replay/client_setup.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
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

}  // namespace
}  // namespace replay
}  // namespace chantless
