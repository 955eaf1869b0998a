// The bundled example profile directory (examples/profile, fake keys) resolves as the README says:
// read through the real filesystem, with its credential_process run by the real process runner.
// The test runs from the runfiles root, where the example's relative credential_process path
// (examples/profile/fake-credential-process.sh) resolves as it does from the repository root.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/core/clock.h"
#include "resolver/core/filesystem.h"
#include "resolver/process/process_runner_posix.h"
#include "resolver/profile/profile_config.h"
#include "resolver/profile/profile_provider.h"
#include "resolver/testing/fakes.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::chantless::testing::FakeEnvironment;
using ::testing::HasSubstr;
using ::testing::Not;

class ProfileExampleTest : public ::testing::Test {
 protected:
  ProfileExampleTest() { env_.Set("HOME", "examples/profile"); }

  StatusOr<Credentials> Resolve(const std::string& profile) {
    ProviderContext ctx =
        testing::WireContext(&env_, &fs_, &clock_, /*http=*/nullptr, &process_, &trace_);
    ctx.profile_override = profile;
    return ProfileProvider(ctx).Resolve();
  }

  FakeEnvironment env_;
  SystemFilesystem fs_;
  SystemClock clock_;
  PosixProcessRunner process_;
  CollectingTraceSink trace_;
};

TEST_F(ProfileExampleTest, ExampleFilesParseWithoutWarnings) {
  ASSERT_OK_AND_ASSIGN(auto config, LoadProfileConfig(env_, fs_, "tuned", &trace_));
  EXPECT_TRUE(config->config_file().warnings.empty());
  EXPECT_TRUE(config->credentials_file().warnings.empty());
  EXPECT_EQ(config->config_file().profiles.size(), 4u);
  EXPECT_EQ(config->credentials_file().profiles.size(), 2u);
  const ProfileProperty* s3 = config->config_profile()->Find("s3");
  ASSERT_NE(s3, nullptr);
  ASSERT_NE(s3->SubProperty("max_concurrent_requests"), nullptr);
  EXPECT_EQ(*s3->SubProperty("max_concurrent_requests"), "20");
}

TEST_F(ProfileExampleTest, DefaultProfileResolvesStaticKeysFromCredentialsFile) {
  ASSERT_OK_AND_ASSIGN(Credentials c, Resolve("default"));
  EXPECT_EQ(c.provider, "shared-credentials-file");
  EXPECT_EQ(c.access_key_id, "AKIAIOSFODNN7EXAMPLE");
}

TEST_F(ProfileExampleTest, SessionProfileHasAToken) {
  ASSERT_OK_AND_ASSIGN(Credentials c, Resolve("session"));
  EXPECT_FALSE(c.session_token.empty());
}

TEST_F(ProfileExampleTest, ConfigKeysProfileResolvesFromConfigFile) {
  ASSERT_OK_AND_ASSIGN(Credentials c, Resolve("config-keys"));
  EXPECT_EQ(c.provider, "config-file");
}

TEST_F(ProfileExampleTest, ProcessProfileRunsTheFakeCredentialProcess) {
  ASSERT_OK_AND_ASSIGN(Credentials c, Resolve("process"));
  EXPECT_EQ(c.provider, "custom-process");
  EXPECT_EQ(c.access_key_id, "ASIAPROCESSEXAMPLE");
  ASSERT_TRUE(c.expiration.has_value());
  EXPECT_GT(*c.expiration, clock_.Now());
  std::string trace = chantless::testing::TraceToText(trace_.events());
  EXPECT_THAT(trace, Not(HasSubstr("processSecretAccessKeyEXAMPLEKEY")));
  EXPECT_THAT(trace, Not(HasSubstr("processSessionTokenEXAMPLE")));
}

}  // namespace
}  // namespace chantless
