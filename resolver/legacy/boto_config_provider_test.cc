// BotoConfigProvider: each rule of boto_config_provider.h, on FakeEnvironment and FakeFilesystem.
#include "resolver/legacy/boto_config_provider.h"

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

constexpr char kEtc[] = "/etc/boto.cfg";
constexpr char kHome[] = "/home/u/.boto";

std::string BotoFile(const std::string& key_id) {
  return "[Boto]\nnum_retries = 3\n\n[Credentials]\naws_access_key_id = " + key_id +
         "\naws_secret_access_key = fake-boto-secret\n";
}

class BotoConfigProviderTest : public ::testing::Test {
 protected:
  BotoConfigProviderTest() {
    env_.Set("HOME", "/home/u");
    ctx_.env = &env_;
    ctx_.fs = &fs_;
    ctx_.trace = &trace_;
  }
  StatusOr<Credentials> Resolve() { return BotoConfigProvider(ctx_).Resolve(); }

  FakeEnvironment env_;
  FakeFilesystem fs_;
  CollectingTraceSink trace_;
  ProviderContext ctx_;
};

TEST_F(BotoConfigProviderTest, NameIsBotocoresMethod) {
  EXPECT_EQ(BotoConfigProvider(ctx_).Name(), "boto-config");
}

TEST_F(BotoConfigProviderTest, NoFilesIsNotConfiguredNamingBothDefaults) {
  EXPECT_THAT(Resolve(), StatusIs(StatusCode::kNotConfigured,
                                  AllOf(HasSubstr("/etc/boto.cfg"), HasSubstr("~/.boto"))));
  EXPECT_EQ(fs_.read_count(kEtc), 1);
  EXPECT_EQ(fs_.read_count(kHome), 1);
}

TEST_F(BotoConfigProviderTest, ReadsHomeBoto) {
  fs_.SetFile(kHome, BotoFile("AKIDHOME"));
  ASSERT_OK_AND_ASSIGN(Credentials creds, Resolve());
  EXPECT_EQ(creds.access_key_id, "AKIDHOME");
  EXPECT_EQ(creds.secret_access_key.reveal(), "fake-boto-secret");
  EXPECT_EQ(creds.provider, "boto-config");
  EXPECT_TRUE(creds.session_token.empty());
  const auto events = trace_.events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].message, "Looking for credentials via: boto-config");
  EXPECT_EQ(events[1].message, "Found credentials in boto config file: /home/u/.boto");
}

TEST_F(BotoConfigProviderTest, EtcBotoCfgWinsOverHomeBoto) {
  fs_.SetFile(kEtc, BotoFile("AKIDETC"));
  fs_.SetFile(kHome, BotoFile("AKIDHOME"));
  ASSERT_OK_AND_ASSIGN(Credentials creds, Resolve());
  EXPECT_EQ(creds.access_key_id, "AKIDETC");
  EXPECT_EQ(fs_.read_count(kHome), 0);
}

TEST_F(BotoConfigProviderTest, FileWithoutTheKeyIsSkipped) {
  fs_.SetFile(kEtc, "[Boto]\ndebug = 0\n[credentials]\naws_access_key_id = AKIDLOWER\n");
  fs_.SetFile(kHome, BotoFile("AKIDHOME"));
  ASSERT_OK_AND_ASSIGN(Credentials creds, Resolve());  // "[credentials]" is another section
  EXPECT_EQ(creds.access_key_id, "AKIDHOME");
}

TEST_F(BotoConfigProviderTest, KeysAreCaseInsensitive) {
  fs_.SetFile(kHome,
              "[Credentials]\nAWS_ACCESS_KEY_ID = AKIDUPPER\nAws_Secret_Access_Key = fake-s\n");
  ASSERT_OK_AND_ASSIGN(Credentials creds, Resolve());
  EXPECT_EQ(creds.access_key_id, "AKIDUPPER");
}

TEST_F(BotoConfigProviderTest, BotoConfigIsTheOnlyFileLookedAt) {
  env_.Set("BOTO_CONFIG", "~/custom.cfg");
  fs_.SetFile("/home/u/custom.cfg", BotoFile("AKIDCUSTOM"));
  fs_.SetFile(kEtc, BotoFile("AKIDETC"));
  ASSERT_OK_AND_ASSIGN(Credentials creds, Resolve());
  EXPECT_EQ(creds.access_key_id, "AKIDCUSTOM");
  EXPECT_EQ(fs_.read_count(kEtc), 0);

  env_.Set("BOTO_CONFIG", "/missing.cfg");
  EXPECT_THAT(Resolve(), StatusIs(StatusCode::kNotConfigured,
                                  AllOf(HasSubstr("BOTO_CONFIG"), HasSubstr("/missing.cfg"))));
  EXPECT_EQ(fs_.read_count(kEtc), 0);
  EXPECT_EQ(fs_.read_count(kHome), 0);
}

TEST_F(BotoConfigProviderTest, SyntaxErrorStopsWithFileAndLine) {
  fs_.SetFile(kHome, "[Credentials]\naws_access_key_id = AKIDX\nthis line has no equals sign\n");
  EXPECT_THAT(Resolve(), StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("/home/u/.boto:3")));
}

TEST_F(BotoConfigProviderTest, MissingSecretIsInvalidConfigurationWithFileAndLine) {
  fs_.SetFile(kHome, "[Credentials]\n\naws_access_key_id = AKIDX\n");
  EXPECT_THAT(Resolve(),
              StatusIs(StatusCode::kInvalidConfiguration,
                       AllOf(HasSubstr("/home/u/.boto:3:"), HasSubstr("aws_secret_access_key"),
                             Not(HasSubstr("AKIDX")))));
}

TEST_F(BotoConfigProviderTest, BlankSecretIsInvalidConfiguration) {
  fs_.SetFile(kHome, "[Credentials]\naws_access_key_id = AKIDX\naws_secret_access_key =\n");
  EXPECT_THAT(Resolve(), StatusIs(StatusCode::kInvalidConfiguration,
                                  HasSubstr("/home/u/.boto:3: [Credentials] "
                                            "aws_secret_access_key is empty")));
}

TEST_F(BotoConfigProviderTest, UnreadableFileIsAnError) {
  fs_.SetError(kEtc, InvalidConfigurationError("/etc/boto.cfg: permission denied"));
  fs_.SetFile(kHome, BotoFile("AKIDHOME"));
  EXPECT_THAT(Resolve(), StatusIs(StatusCode::kInvalidConfiguration, HasSubstr(kEtc)));
}

TEST_F(BotoConfigProviderTest, NoHomeSkipsHomeBoto) {
  env_.Unset("HOME");
  fs_.SetHomeDirectoryFallback(std::nullopt);
  EXPECT_THAT(Resolve(), StatusIs(StatusCode::kNotConfigured, HasSubstr("~/.boto")));
}

}  // namespace
}  // namespace chantless
