// Tests of EnvironmentProvider, one per rule in environment_provider.h, plus a secret-leak sweep.
#include "resolver/env/environment_provider.h"

#include <chrono>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/core/time_util.h"
#include "resolver/testing/fakes.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::chantless::testing::FakeEnvironment;
using ::chantless::testing::FakeWorld;
using ::chantless::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kKeyId[] = "ASIAIOSFODNN7EXAMPLE";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr char kToken[] = "IQoJb3JpZ2luX2VjEXAMPLETOKEN";

class EnvironmentProviderTest : public ::testing::Test {
 protected:
  StatusOr<Credentials> Resolve() {
    EnvironmentProvider provider(world_.context());
    return provider.Resolve();
  }
  void SetPair() {
    world_.env.Set("AWS_ACCESS_KEY_ID", kKeyId);
    world_.env.Set("AWS_SECRET_ACCESS_KEY", kSecret);
  }
  std::vector<std::string> Messages() const {
    std::vector<std::string> out;
    for (const TraceEvent& e : world_.trace.events()) out.push_back(e.message);
    return out;
  }

  FakeWorld world_;
};

TEST_F(EnvironmentProviderTest, NameIsEnv) {
  EXPECT_EQ(EnvironmentProvider(world_.context()).Name(), "env");
}

TEST_F(EnvironmentProviderTest, NothingSetIsNotConfigured) {
  EXPECT_THAT(Resolve(), StatusIs(StatusCode::kNotConfigured, HasSubstr("AWS_ACCESS_KEY_ID")));
}

TEST_F(EnvironmentProviderTest, BlankValuesCountAsUnset) {
  world_.env.Set("AWS_ACCESS_KEY_ID", "");
  world_.env.Set("AWS_SECRET_ACCESS_KEY", " \t ");
  EXPECT_THAT(Resolve(), StatusIs(StatusCode::kNotConfigured, ::testing::_));
}

TEST_F(EnvironmentProviderTest, KeyPairResolvesAsLongTermCredentials) {
  SetPair();
  ASSERT_OK_AND_ASSIGN(Credentials c, Resolve());
  EXPECT_EQ(c.access_key_id, kKeyId);
  EXPECT_EQ(c.secret_access_key.reveal(), kSecret);
  EXPECT_TRUE(c.session_token.empty());
  EXPECT_EQ(c.expiration, std::nullopt);
  EXPECT_EQ(c.account_id, std::nullopt);
  EXPECT_EQ(c.provider, "env");
}

TEST_F(EnvironmentProviderTest, ValuesAreTrimmed) {
  world_.env.Set("AWS_ACCESS_KEY_ID", std::string(" ") + kKeyId + "\t");
  world_.env.Set("AWS_SECRET_ACCESS_KEY", std::string(kSecret) + " ");
  ASSERT_OK_AND_ASSIGN(Credentials c, Resolve());
  EXPECT_EQ(c.access_key_id, kKeyId);
  EXPECT_EQ(c.secret_access_key.reveal(), kSecret);
}

TEST_F(EnvironmentProviderTest, KeyIdWithoutSecretNamesTheMissingVariable) {
  world_.env.Set("AWS_ACCESS_KEY_ID", kKeyId);
  EXPECT_THAT(Resolve(),
              StatusIs(StatusCode::kInvalidConfiguration,
                       HasSubstr("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")));
}

TEST_F(EnvironmentProviderTest, SecretWithoutKeyIdNamesTheMissingVariable) {
  world_.env.Set("AWS_SECRET_ACCESS_KEY", kSecret);
  EXPECT_THAT(Resolve(),
              StatusIs(StatusCode::kInvalidConfiguration,
                       HasSubstr("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not")));
}

TEST_F(EnvironmentProviderTest, BlankSecretCountsAsMissing) {
  world_.env.Set("AWS_ACCESS_KEY_ID", kKeyId);
  world_.env.Set("AWS_SECRET_ACCESS_KEY", "  ");
  EXPECT_THAT(Resolve(), StatusIs(StatusCode::kInvalidConfiguration,
                                  HasSubstr("AWS_SECRET_ACCESS_KEY is not")));
}

TEST_F(EnvironmentProviderTest, SessionTokenIsRead) {
  SetPair();
  world_.env.Set("AWS_SESSION_TOKEN", kToken);
  ASSERT_OK_AND_ASSIGN(Credentials c, Resolve());
  EXPECT_EQ(c.session_token.reveal(), kToken);
}

TEST_F(EnvironmentProviderTest, SecurityTokenIsTheLegacyFallback) {
  SetPair();
  world_.env.Set("AWS_SECURITY_TOKEN", kToken);
  ASSERT_OK_AND_ASSIGN(Credentials c, Resolve());
  EXPECT_EQ(c.session_token.reveal(), kToken);
}

TEST_F(EnvironmentProviderTest, SessionTokenWinsOverSecurityToken) {
  SetPair();
  world_.env.Set("AWS_SESSION_TOKEN", kToken);
  world_.env.Set("AWS_SECURITY_TOKEN", "OLDTOKENEXAMPLE");
  ASSERT_OK_AND_ASSIGN(Credentials c, Resolve());
  EXPECT_EQ(c.session_token.reveal(), kToken);
}

TEST_F(EnvironmentProviderTest, DifferingSessionAndSecurityTokensAreTracedAsWarning) {
  SetPair();
  world_.env.Set("AWS_SESSION_TOKEN", kToken);
  world_.env.Set("AWS_SECURITY_TOKEN", "OLDTOKENEXAMPLE");
  ASSERT_OK(Resolve());
  bool warned = false;
  for (const TraceEvent& e : world_.trace.events()) {
    if (e.kind == TraceEvent::Kind::kWarning &&
        e.message.find("AWS_SESSION_TOKEN and AWS_SECURITY_TOKEN are both set and differ") !=
            std::string::npos) {
      warned = true;
    }
  }
  EXPECT_TRUE(warned) << world_.TraceText();
  EXPECT_THAT(world_.TraceText(), AllOf(Not(HasSubstr(kToken)), Not(HasSubstr("OLDTOKEN"))));
}

TEST_F(EnvironmentProviderTest, BlankSessionTokenCountsAsUnset) {
  SetPair();
  world_.env.Set("AWS_SESSION_TOKEN", " ");
  ASSERT_OK_AND_ASSIGN(Credentials c, Resolve());
  EXPECT_TRUE(c.session_token.empty());
}

TEST_F(EnvironmentProviderTest, TokenWithoutKeysIsNotConfigured) {
  world_.env.Set("AWS_SESSION_TOKEN", kToken);
  EXPECT_THAT(Resolve(), StatusIs(StatusCode::kNotConfigured, ::testing::_));
}

TEST_F(EnvironmentProviderTest, ExpirationIsParsedAsRfc3339) {
  SetPair();
  world_.env.Set("AWS_CREDENTIAL_EXPIRATION", "2024-05-01T13:00:00Z");
  ASSERT_OK_AND_ASSIGN(Credentials c, Resolve());
  ASSERT_TRUE(c.expiration.has_value());
  EXPECT_EQ(FormatRfc3339(*c.expiration), "2024-05-01T13:00:00Z");
}

TEST_F(EnvironmentProviderTest, ExpirationWithOffsetIsAccepted) {
  SetPair();
  world_.env.Set("AWS_CREDENTIAL_EXPIRATION", "2024-05-01T15:30:00+02:00");
  ASSERT_OK_AND_ASSIGN(Credentials c, Resolve());
  EXPECT_EQ(FormatRfc3339(*c.expiration), "2024-05-01T13:30:00Z");
}

TEST_F(EnvironmentProviderTest, MalformedExpirationNamesTheVariableNotTheValue) {
  SetPair();
  world_.env.Set("AWS_CREDENTIAL_EXPIRATION", "tomorrow-ish-XYZZY");
  EXPECT_THAT(Resolve(),
              StatusIs(StatusCode::kInvalidConfiguration,
                       AllOf(HasSubstr("AWS_CREDENTIAL_EXPIRATION"), Not(HasSubstr("XYZZY")))));
}

TEST_F(EnvironmentProviderTest, NonStrictExpirationIsRejected) {
  SetPair();
  world_.env.Set("AWS_CREDENTIAL_EXPIRATION", "2024-05-01 13:00:00");
  EXPECT_THAT(Resolve(),
              StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("AWS_CREDENTIAL_EXPIRATION")));
}

TEST_F(EnvironmentProviderTest, ExpiredCredentialsAreRefusedByTheExpiryRule) {
  SetPair();
  world_.env.Set("AWS_CREDENTIAL_EXPIRATION", "2024-05-01T11:59:59Z");  // clock: 12:00:00Z
  EXPECT_THAT(Resolve(), StatusIs(StatusCode::kInvalidResponse,
                                  AllOf(HasSubstr("expired at 2024-05-01T11:59:59Z"),
                                        HasSubstr("local clock 2024-05-01T12:00:00Z"),
                                        HasSubstr("AWS_CREDENTIAL_EXPIRATION"))));
}

TEST_F(EnvironmentProviderTest, AboutToExpireCredentialsAreReturnedAndTheTraceSaysHowLong) {
  SetPair();
  world_.env.Set("AWS_CREDENTIAL_EXPIRATION", "2024-05-01T12:02:00Z");  // clock: 12:00:00Z
  ASSERT_OK(Resolve());
  EXPECT_THAT(Messages(), ::testing::Contains(HasSubstr("are valid for 2m 0s (until "
                                                        "2024-05-01T12:02:00Z), inside the")));
}

TEST_F(EnvironmentProviderTest, AccountIdIsRead) {
  SetPair();
  world_.env.Set("AWS_ACCOUNT_ID", "123456789012");
  ASSERT_OK_AND_ASSIGN(Credentials c, Resolve());
  EXPECT_EQ(c.account_id, "123456789012");
  EXPECT_EQ(c.account_id_source, "AWS_ACCOUNT_ID");
}

TEST_F(EnvironmentProviderTest, TracesBotocoreLinesOnSuccess) {
  SetPair();
  ASSERT_OK(Resolve());
  EXPECT_THAT(Messages(), ElementsAre("Looking for credentials via: env",
                                      "Found credentials in environment variables."));
}

TEST_F(EnvironmentProviderTest, TracesOnlyTheLookingLineWhenNotConfigured) {
  ASSERT_FALSE(Resolve().ok());
  EXPECT_THAT(Messages(), ElementsAre("Looking for credentials via: env"));
}

TEST_F(EnvironmentProviderTest, ReReadsTheEnvironmentOnEveryResolve) {
  EnvironmentProvider provider(world_.context());
  EXPECT_FALSE(provider.Resolve().ok());
  SetPair();
  EXPECT_OK(provider.Resolve());
}

TEST_F(EnvironmentProviderTest, MissingEnvironmentIsInternal) {
  ProviderContext ctx = world_.context();
  ctx.env = nullptr;
  EXPECT_THAT(EnvironmentProvider(ctx).Resolve(), StatusIs(StatusCode::kInternal, ::testing::_));
}

// Every case above, again: no key id, secret or token in the trace or in an error message.
TEST(EnvironmentProviderSecretsTest, NoSecretInTraceOrErrorInAnyCase) {
  const std::vector<std::vector<std::pair<std::string, std::string>>> cases = {
      {},
      {{"AWS_ACCESS_KEY_ID", kKeyId}},
      {{"AWS_SECRET_ACCESS_KEY", kSecret}},
      {{"AWS_SESSION_TOKEN", kToken}},
      {{"AWS_ACCESS_KEY_ID", kKeyId}, {"AWS_SECRET_ACCESS_KEY", kSecret}},
      {{"AWS_ACCESS_KEY_ID", kKeyId},
       {"AWS_SECRET_ACCESS_KEY", kSecret},
       {"AWS_SESSION_TOKEN", kToken},
       {"AWS_ACCOUNT_ID", "123456789012"}},
      {{"AWS_ACCESS_KEY_ID", kKeyId},
       {"AWS_SECRET_ACCESS_KEY", kSecret},
       {"AWS_CREDENTIAL_EXPIRATION", kSecret}},
      {{"AWS_ACCESS_KEY_ID", kKeyId},
       {"AWS_SECRET_ACCESS_KEY", kSecret},
       {"AWS_CREDENTIAL_EXPIRATION", "2020-01-01T00:00:00Z"},
       {"AWS_SESSION_TOKEN", kToken}},
      {{"AWS_ACCESS_KEY_ID", kKeyId},
       {"AWS_SECRET_ACCESS_KEY", kSecret},
       {"AWS_CREDENTIAL_EXPIRATION", "2030-01-01T00:00:00Z"},
       {"AWS_SECURITY_TOKEN", kToken}},
      {{"AWS_ACCESS_KEY_ID", kKeyId},
       {"AWS_SECRET_ACCESS_KEY", kSecret},
       {"AWS_SESSION_TOKEN", kToken},
       {"AWS_SECURITY_TOKEN", kSecret}},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    FakeWorld world;
    for (const auto& [name, value] : cases[i]) world.env.Set(name, value);
    StatusOr<Credentials> result = EnvironmentProvider(world.context()).Resolve();
    std::string text = world.TraceText();
    if (!result.ok()) text += result.status().ToString();
    if (result.ok()) text += DebugString(*result);
    for (const char* secret : {kKeyId, kSecret, kToken}) {
      EXPECT_THAT(text, Not(HasSubstr(secret))) << "case " << i;
    }
  }
}

}  // namespace
}  // namespace chantless
