// Ec2CredentialsFileProvider: each rule of ec2_credentials_file_provider.h, on FakeEnvironment and
// FakeFilesystem.
#include "resolver/legacy/ec2_credentials_file_provider.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/core/trace.h"
#include "resolver/testing/fakes.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::chantless::testing::FakeEnvironment;
using ::chantless::testing::FakeFilesystem;
using ::chantless::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

class Ec2CredentialsFileProviderTest : public ::testing::Test {
 protected:
  Ec2CredentialsFileProviderTest() {
    env_.Set("HOME", "/home/u");
    ctx_.env = &env_;
    ctx_.fs = &fs_;
    ctx_.trace = &trace_;
  }
  StatusOr<Credentials> Resolve() { return Ec2CredentialsFileProvider(ctx_).Resolve(); }

  FakeEnvironment env_;
  FakeFilesystem fs_;
  CollectingTraceSink trace_;
  ProviderContext ctx_;
};

TEST_F(Ec2CredentialsFileProviderTest, NameIsBotocoresMethod) {
  EXPECT_EQ(Ec2CredentialsFileProvider(ctx_).Name(), "ec2-credentials-file");
}

TEST_F(Ec2CredentialsFileProviderTest, UnsetIsNotConfiguredWithoutReadingAnyFile) {
  fs_.SetFile("/home/u/creds", "AWSAccessKeyId=AKIDEXAMPLE\nAWSSecretKey=fake-secret\n");
  EXPECT_THAT(Resolve(), StatusIs(StatusCode::kNotConfigured, HasSubstr("AWS_CREDENTIAL_FILE")));
  env_.Set("AWS_CREDENTIAL_FILE", "  ");
  EXPECT_THAT(Resolve(), StatusIs(StatusCode::kNotConfigured, HasSubstr("AWS_CREDENTIAL_FILE")));
  EXPECT_EQ(fs_.read_count("/home/u/creds"), 0);
}

TEST_F(Ec2CredentialsFileProviderTest, ReadsTheKeyPairAndExpandsHome) {
  env_.Set("AWS_CREDENTIAL_FILE", "~/creds");
  fs_.SetFile("/home/u/creds",
              "# EC2 tools\r\n AWSAccessKeyId = AKIDEXAMPLE \r\nAWSSecretKey=fake=secret=\r\n");
  ASSERT_OK_AND_ASSIGN(Credentials creds, Resolve());
  EXPECT_EQ(creds.access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(creds.secret_access_key.reveal(), "fake=secret=");  // split at the first '='
  EXPECT_TRUE(creds.session_token.empty());
  EXPECT_FALSE(creds.expiration.has_value());
  EXPECT_EQ(creds.provider, "ec2-credentials-file");
  const auto events = trace_.events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].message, "Looking for credentials via: ec2-credentials-file");
  EXPECT_EQ(events[1].message, "Found credentials in AWS_CREDENTIAL_FILE.");
}

TEST_F(Ec2CredentialsFileProviderTest, NoAccessKeyLineIsNotConfigured) {
  env_.Set("AWS_CREDENTIAL_FILE", "/c");
  // Keys are case-sensitive, as in botocore.
  fs_.SetFile("/c", "awsaccesskeyid=AKIDEXAMPLE\nAWSSecretKey=fake-secret\n");
  EXPECT_THAT(Resolve(), StatusIs(StatusCode::kNotConfigured, HasSubstr("/c")));
}

TEST_F(Ec2CredentialsFileProviderTest, MissingSecretIsInvalidConfigurationWithFileAndLine) {
  env_.Set("AWS_CREDENTIAL_FILE", "/c");
  fs_.SetFile("/c", "\nAWSAccessKeyId=AKIDEXAMPLE\n");
  EXPECT_THAT(Resolve(), StatusIs(StatusCode::kInvalidConfiguration,
                                  AllOf(HasSubstr("/c:2:"), HasSubstr("AWSSecretKey"),
                                        Not(HasSubstr("AKIDEXAMPLE")))));
}

TEST_F(Ec2CredentialsFileProviderTest, BlankValueIsInvalidConfigurationNeverQuotingTheOther) {
  env_.Set("AWS_CREDENTIAL_FILE", "/c");
  fs_.SetFile("/c", "AWSAccessKeyId=AKIDEXAMPLE\nAWSSecretKey=  \n");
  EXPECT_THAT(Resolve(), StatusIs(StatusCode::kInvalidConfiguration,
                                  AllOf(HasSubstr("/c:2: AWSSecretKey is empty"),
                                        Not(HasSubstr("AKIDEXAMPLE")))));
}

TEST_F(Ec2CredentialsFileProviderTest, LastValueWinsAndSecretsAreNeverQuoted) {
  env_.Set("AWS_CREDENTIAL_FILE", "/c");
  fs_.SetFile("/c", "AWSAccessKeyId=OLD\nAWSSecretKey=fake-secret\nAWSAccessKeyId=AKIDNEW\n");
  ASSERT_OK_AND_ASSIGN(Credentials creds, Resolve());
  EXPECT_EQ(creds.access_key_id, "AKIDNEW");
  for (const auto& event : trace_.events()) {
    EXPECT_THAT(event.message, Not(HasSubstr("fake-secret")));
  }
}

TEST_F(Ec2CredentialsFileProviderTest, MissingFileIsInvalidConfigurationNamingVariableAndPath) {
  env_.Set("AWS_CREDENTIAL_FILE", "/nowhere/creds");
  EXPECT_THAT(Resolve(), StatusIs(StatusCode::kInvalidConfiguration,
                                  AllOf(HasSubstr("AWS_CREDENTIAL_FILE"),
                                        HasSubstr("/nowhere/creds"), HasSubstr("does not exist"))));
}

TEST_F(Ec2CredentialsFileProviderTest, UnreadableFileKeepsTheFilesystemsCode) {
  env_.Set("AWS_CREDENTIAL_FILE", "/c");
  fs_.SetError("/c", InvalidConfigurationError("/c: permission denied"));
  EXPECT_THAT(Resolve(), StatusIs(StatusCode::kInvalidConfiguration,
                                  AllOf(HasSubstr("AWS_CREDENTIAL_FILE"), HasSubstr("/c"))));
}

TEST(ParseEc2CredentialFileTest, LinesKeysAndValues) {
  const auto entries = ParseEc2CredentialFile("a=1\rno equals here\n b = 2 \r\n=x\nc=\nd==3");
  ASSERT_EQ(entries.size(), 5u);
  EXPECT_EQ(entries.at("a").value, "1");
  EXPECT_EQ(entries.at("a").line, 1);
  EXPECT_EQ(entries.at("b").value, "2");
  EXPECT_EQ(entries.at("b").line, 3);
  EXPECT_EQ(entries.at("").value, "x");
  EXPECT_EQ(entries.at("c").value, "");
  EXPECT_EQ(entries.at("d").value, "=3");
  EXPECT_EQ(entries.at("d").line, 6);
  EXPECT_TRUE(ParseEc2CredentialFile("").empty());
}

}  // namespace
}  // namespace chantless
