// Tests for credential_process: word splitting, output parsing and the run through the
// ProcessRunner seam (FakeWorld), plus end-to-end runs of fake_credential_process through the real
// PosixProcessRunner (its path is the first argument, passed by Bazel with $(rootpath)).
// Every test is named for the rule it checks; secret-leak checks cover every error path.
#include "resolver/process/credential_process.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/core/time_util.h"
#include "resolver/process/process_runner_posix.h"
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

std::string* helper_path = nullptr;

constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYPROCESSKEY";
constexpr char kToken[] = "FAKEPROCESSTOKENEXAMPLE";
constexpr char kSource[] = "/home/u/.aws/config:7 (profile dev)";

WallTime Now() { return *ParseRfc3339("2024-05-01T12:00:00Z"); }

std::string Output(const std::string& fields) {
  return "{\"Version\": 1, \"AccessKeyId\": \"ASIAFAKEPROCESSEXAMPLE\", \"SecretAccessKey\": \"" +
         std::string(kSecret) + "\"" + fields + "}";
}

// ---- SplitCommandLine -------------------------------------------------------------------------

struct SplitCase {
  const char* name;
  const char* command;
  std::vector<std::string> words;
};

class SplitCommandLineTest : public ::testing::TestWithParam<SplitCase> {};

TEST_P(SplitCommandLineTest, SplitsLikeAShell) {
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> words, SplitCommandLine(GetParam().command));
  EXPECT_EQ(words, GetParam().words);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, SplitCommandLineTest,
    ::testing::Values(
        SplitCase{"Empty", "", {}}, SplitCase{"OnlyBlanks", " \t \n", {}},
        SplitCase{"OneWord", "helper", {"helper"}},
        SplitCase{"WhitespaceSeparates", "  a\tb   c\n", {"a", "b", "c"}},
        SplitCase{"SingleQuotesKeepEverything", "a 'b c \\ \" $x'", {"a", "b c \\ \" $x"}},
        SplitCase{
            "DoubleQuotesKeepSpaces", "\"/opt/my tool/bin\" --x", {"/opt/my tool/bin", "--x"}},
        SplitCase{"DoubleQuoteEscapes", "\"a\\\"b\\\\c\\$d\\`e\"", {"a\"b\\c$d`e"}},
        SplitCase{"DoubleQuoteOtherBackslashKept", "\"a\\nb\"", {"a\\nb"}},
        SplitCase{"BackslashOutsideQuotes", "a\\ b c\\'d", {"a b", "c'd"}},
        SplitCase{"BackslashNewlineContinues", "a\\\nb", {"ab"}},
        SplitCase{"AdjacentPartsJoin", "pre'mid'\"post\"", {"premidpost"}},
        SplitCase{"EmptyQuotesAreAnEmptyWord", "a '' \"\" b", {"a", "", "", "b"}},
        SplitCase{"NoVariableExpansion", "echo $HOME ~ *", {"echo", "$HOME", "~", "*"}},
        SplitCase{"NoOperators", "a;b | c && d", {"a;b", "|", "c", "&&", "d"}}),
    [](const ::testing::TestParamInfo<SplitCase>& info) { return info.param.name; });

TEST(SplitCommandLineErrorTest, UnterminatedSingleQuoteIsInvalidConfiguration) {
  EXPECT_THAT(SplitCommandLine("helper 'abc"),
              StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("unterminated single quote")));
}

TEST(SplitCommandLineErrorTest, UnterminatedDoubleQuoteIsInvalidConfiguration) {
  EXPECT_THAT(SplitCommandLine("helper \"abc\\\""),
              StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("unterminated double quote")));
}

TEST(SplitCommandLineErrorTest, TrailingBackslashIsInvalidConfiguration) {
  EXPECT_THAT(SplitCommandLine("helper \\"),
              StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("trailing backslash")));
}

// ---- ParseCredentialProcessOutput --------------------------------------------------------------

TEST(ParseCredentialProcessOutputTest, ReadsEveryField) {
  ASSERT_OK_AND_ASSIGN(Credentials c, ParseCredentialProcessOutput(
                                          Output(", \"SessionToken\": \"" + std::string(kToken) +
                                                 "\", \"Expiration\": \"2024-05-01T13:00:00Z\", "
                                                 "\"AccountId\": \"123456789012\""),
                                          Now()));
  EXPECT_EQ(c.access_key_id, "ASIAFAKEPROCESSEXAMPLE");
  EXPECT_EQ(c.secret_access_key.reveal(), kSecret);
  EXPECT_EQ(c.session_token.reveal(), kToken);
  ASSERT_TRUE(c.expiration.has_value());
  EXPECT_EQ(FormatRfc3339(*c.expiration), "2024-05-01T13:00:00Z");
  EXPECT_EQ(c.account_id, "123456789012");
  EXPECT_EQ(c.account_id_source, "credential_process output");
  EXPECT_EQ(c.provider, "custom-process");
}

TEST(ParseCredentialProcessOutputTest, MissingExpirationNeverExpires) {
  ASSERT_OK_AND_ASSIGN(Credentials c, ParseCredentialProcessOutput(Output(""), Now()));
  EXPECT_FALSE(c.expiration.has_value());
  EXPECT_TRUE(c.session_token.empty());
  EXPECT_FALSE(c.account_id.has_value());
}

TEST(ParseCredentialProcessOutputTest, NullOptionalFieldsCountAsAbsent) {
  ASSERT_OK_AND_ASSIGN(
      Credentials c,
      ParseCredentialProcessOutput(
          Output(", \"SessionToken\": null, \"Expiration\": null, \"AccountId\": null"), Now()));
  EXPECT_TRUE(c.session_token.empty());
  EXPECT_FALSE(c.expiration.has_value());
}

TEST(ParseCredentialProcessOutputTest, UnknownFieldsAreIgnored) {
  EXPECT_OK(ParseCredentialProcessOutput(Output(", \"Extra\": {\"a\": [1]}"), Now()));
}

TEST(ParseCredentialProcessOutputTest, VersionFloatOneIsAccepted) {
  EXPECT_OK(ParseCredentialProcessOutput(
      "{\"Version\": 1.0, \"AccessKeyId\": \"AKIAFAKE\", \"SecretAccessKey\": \"x\"}", Now()));
}

struct BadOutputCase {
  const char* name;
  std::string output;
  const char* message;
};

class BadOutputTest : public ::testing::TestWithParam<BadOutputCase> {};

TEST_P(BadOutputTest, IsInvalidResponseWithoutEchoingTheOutput) {
  StatusOr<Credentials> c = ParseCredentialProcessOutput(GetParam().output, Now());
  EXPECT_THAT(c, StatusIs(StatusCode::kInvalidResponse,
                          AllOf(HasSubstr(GetParam().message), Not(HasSubstr(kSecret)),
                                Not(HasSubstr(kToken)))));
}

INSTANTIATE_TEST_SUITE_P(
    Rules, BadOutputTest,
    ::testing::Values(
        BadOutputCase{"NotJson", std::string("not json ") + kSecret, "not valid JSON"},
        BadOutputCase{"TruncatedJson", Output("").substr(0, 60), "not valid JSON"},
        BadOutputCase{"Empty", "", "not valid JSON"},
        BadOutputCase{"NotAnObject", std::string("[\"") + kSecret + "\"]", "not a JSON object"},
        BadOutputCase{
            "MissingVersion",
            std::string("{\"AccessKeyId\": \"A\", \"SecretAccessKey\": \"") + kSecret + "\"}",
            "no Version"},
        BadOutputCase{"VersionTwo",
                      std::string("{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": "
                                  "\"") +
                          kSecret + "\"}",
                      "unsupported Version 2"},
        BadOutputCase{"VersionString",
                      std::string("{\"Version\": \"1\", \"AccessKeyId\": \"A\", "
                                  "\"SecretAccessKey\": \"") +
                          kSecret + "\"}",
                      "unsupported Version"},
        BadOutputCase{"MissingAccessKeyId",
                      std::string("{\"Version\": 1, \"SecretAccessKey\": \"") + kSecret + "\"}",
                      "no AccessKeyId"},
        BadOutputCase{"EmptyAccessKeyId",
                      std::string("{\"Version\": 1, \"AccessKeyId\": \"\", \"SecretAccessKey\": "
                                  "\"") +
                          kSecret + "\"}",
                      "AccessKeyId is empty"},
        BadOutputCase{"MissingSecret", "{\"Version\": 1, \"AccessKeyId\": \"A\"}",
                      "no SecretAccessKey"},
        BadOutputCase{"SecretNotAString",
                      "{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": 12}",
                      "SecretAccessKey is not a string"},
        BadOutputCase{"TokenNotAString",
                      Output(", \"SessionToken\": [\"" + std::string(kToken) + "\"]"),
                      "SessionToken is not a string"},
        BadOutputCase{"ExpirationNotRfc3339", Output(", \"Expiration\": \"2024-05-01 13:00\""),
                      "Expiration is not an RFC 3339"},
        BadOutputCase{"ExpirationNumber", Output(", \"Expiration\": 1714568400"),
                      "Expiration is not a string"},
        BadOutputCase{"Expired", Output(", \"Expiration\": \"2024-05-01T11:59:59Z\""),
                      "expired at 2024-05-01T11:59:59Z"},
        BadOutputCase{"ExpiresExactlyNow", Output(", \"Expiration\": \"2024-05-01T12:00:00Z\""),
                      "expired"}),
    [](const ::testing::TestParamInfo<BadOutputCase>& info) { return info.param.name; });

// ---- RunCredentialProcess through the seam -----------------------------------------------------

ProcessResult Exited(int code, std::string out, std::string err = "") {
  ProcessResult r;
  r.exit_code = code;
  r.stdout_data = std::move(out);
  r.stderr_data = std::move(err);
  return r;
}

TEST(RunCredentialProcessTest, SplitsTheCommandAndRunsItWithoutAShell) {
  FakeWorld world;
  world.process.SetResult(Exited(0, Output("")));
  ASSERT_OK_AND_ASSIGN(
      Credentials c,
      RunCredentialProcess(world.context(), "\"/opt/my tool\" --profile 'a b'", kSource));
  EXPECT_EQ(c.provider, "custom-process");
  EXPECT_EQ(c.secret_access_key.reveal(), kSecret);
  EXPECT_THAT(world.process.calls(),
              ElementsAre(std::vector<std::string>{"/opt/my tool", "--profile", "a b"}));
}

TEST(RunCredentialProcessTest, DefaultLimitsAreSixtySecondsAndOneMebibyte) {
  FakeWorld world;
  world.process.SetResult(Exited(0, Output("")));
  ASSERT_OK(RunCredentialProcess(world.context(), "helper", kSource));
  EXPECT_EQ(world.process.last_limits().timeout, std::chrono::milliseconds(60000));
  EXPECT_EQ(world.process.last_limits().max_stdout_bytes, 1024u * 1024u);
}

TEST(RunCredentialProcessTest, TimeoutVariableOverridesTheDefault) {
  FakeWorld world;
  world.env.Set("CHANTLESS_CREDENTIAL_PROCESS_TIMEOUT_MS", "2500");
  world.process.SetResult(Exited(0, Output("")));
  ASSERT_OK(RunCredentialProcess(world.context(), "helper", kSource));
  EXPECT_EQ(world.process.last_limits().timeout, std::chrono::milliseconds(2500));
}

TEST(RunCredentialProcessTest, BadTimeoutVariableIsInvalidConfigurationNamingIt) {
  for (const char* bad : {"0", "-5", "soon", "1.5", "99999999999"}) {
    FakeWorld world;
    world.env.Set("CHANTLESS_CREDENTIAL_PROCESS_TIMEOUT_MS", bad);
    world.process.SetResult(Exited(0, Output("")));
    EXPECT_THAT(RunCredentialProcess(world.context(), "helper", kSource),
                StatusIs(StatusCode::kInvalidConfiguration,
                         HasSubstr("CHANTLESS_CREDENTIAL_PROCESS_TIMEOUT_MS")))
        << bad;
    EXPECT_THAT(world.process.calls(), IsEmpty());
  }
}

TEST(RunCredentialProcessTest, EmptyCommandIsInvalidConfigurationNamingTheSource) {
  FakeWorld world;
  EXPECT_THAT(
      RunCredentialProcess(world.context(), "   ", kSource),
      StatusIs(StatusCode::kInvalidConfiguration, AllOf(HasSubstr(kSource), HasSubstr("empty"))));
  EXPECT_THAT(world.process.calls(), IsEmpty());
}

TEST(RunCredentialProcessTest, UnterminatedQuoteIsInvalidConfigurationNamingTheSource) {
  FakeWorld world;
  EXPECT_THAT(RunCredentialProcess(world.context(), "helper 'x", kSource),
              StatusIs(StatusCode::kInvalidConfiguration,
                       AllOf(HasSubstr(kSource), HasSubstr("unterminated"))));
}

TEST(RunCredentialProcessTest, ProgramThatCannotStartKeepsTheRunnersCodeAndNamesTheSource) {
  FakeWorld world;
  world.process.SetResult(InvalidConfigurationError("cannot execute \"helper\": No such file"));
  EXPECT_THAT(RunCredentialProcess(world.context(), "helper", kSource),
              StatusIs(StatusCode::kInvalidConfiguration,
                       AllOf(HasSubstr(kSource), HasSubstr("cannot execute"))));
}

TEST(RunCredentialProcessTest, NonZeroExitIsUnavailableWithCodeAndOneLineOfStderr) {
  FakeWorld world;
  world.process.SetResult(Exited(3, Output(""), "token service said no\n\tdetails here\n"));
  StatusOr<Credentials> c = RunCredentialProcess(world.context(), "helper", kSource);
  EXPECT_THAT(c, StatusIs(StatusCode::kUnavailable,
                          AllOf(HasSubstr(kSource), HasSubstr("exited with code 3"),
                                HasSubstr("token service said no details here"),
                                Not(HasSubstr("\n")), Not(HasSubstr(kSecret)))));
}

TEST(RunCredentialProcessTest, LongStderrIsTruncatedInTheMessage) {
  FakeWorld world;
  world.process.SetResult(Exited(1, "", std::string(5000, 'e')));
  StatusOr<Credentials> c = RunCredentialProcess(world.context(), "helper", kSource);
  ASSERT_FALSE(c.ok());
  EXPECT_LT(c.status().message().size(), 500u);
  EXPECT_THAT(c.status().message(), HasSubstr("\xE2\x80\xA6"));
}

TEST(RunCredentialProcessTest, TimeoutIsUnavailableNamingTheLimit) {
  FakeWorld world;
  ProcessResult r = Exited(137, kSecret);
  r.timed_out = true;
  world.process.SetResult(r);
  EXPECT_THAT(RunCredentialProcess(world.context(), "helper", kSource),
              StatusIs(StatusCode::kUnavailable,
                       AllOf(HasSubstr(kSource), HasSubstr("timed out after 60000 ms"),
                             Not(HasSubstr(kSecret)))));
}

TEST(RunCredentialProcessTest, StdoutOverflowIsInvalidResponse) {
  FakeWorld world;
  ProcessResult r = Exited(137, kSecret);
  r.stdout_overflow = true;
  world.process.SetResult(r);
  EXPECT_THAT(RunCredentialProcess(world.context(), "helper", kSource),
              StatusIs(StatusCode::kInvalidResponse,
                       AllOf(HasSubstr("more than 1048576 bytes"), Not(HasSubstr(kSecret)))));
}

TEST(RunCredentialProcessTest, BadOutputIsInvalidResponseNamingTheSource) {
  FakeWorld world;
  world.process.SetResult(
      Exited(0, std::string("{\"Version\": 2, \"SecretAccessKey\": \"") + kSecret + "\"}"));
  EXPECT_THAT(RunCredentialProcess(world.context(), "helper", kSource),
              StatusIs(StatusCode::kInvalidResponse,
                       AllOf(HasSubstr(kSource), HasSubstr("Version"), Not(HasSubstr(kSecret)))));
}

TEST(RunCredentialProcessTest, ExpiredOutputIsRejectedAgainstTheContextClock) {
  FakeWorld world;  // FakeClock: 2024-05-01T12:00:00Z
  world.process.SetResult(Exited(0, Output(", \"Expiration\": \"2024-05-01T12:30:00Z\"")));
  EXPECT_OK(RunCredentialProcess(world.context(), "helper", kSource));
  world.clock.Advance(std::chrono::hours(1));
  EXPECT_THAT(RunCredentialProcess(world.context(), "helper", kSource),
              StatusIs(StatusCode::kInvalidResponse,
                       AllOf(HasSubstr(kSource), HasSubstr("credential_process \"helper\""),
                             HasSubstr("expired at 2024-05-01T12:30:00Z"),
                             HasSubstr("local clock 2024-05-01T13:00:00Z"))));
}

TEST(RunCredentialProcessTest, AboutToExpireOutputIsReturnedAndTheTraceSaysHowLong) {
  FakeWorld world;  // FakeClock: 2024-05-01T12:00:00Z
  world.process.SetResult(Exited(0, Output(", \"Expiration\": \"2024-05-01T12:05:00Z\"")));
  EXPECT_OK(RunCredentialProcess(world.context(), "helper", kSource));
  EXPECT_THAT(world.TraceText(), HasSubstr("valid for 5m 0s (until 2024-05-01T12:05:00Z)"));
}

TEST(RunCredentialProcessTest, TraceNamesTheProgramButHoldsNoSecretOrArguments) {
  FakeWorld world;
  world.process.SetResult(Exited(0, Output(", \"SessionToken\": \"" + std::string(kToken) + "\"")));
  ASSERT_OK(RunCredentialProcess(world.context(), "helper --password hunter2", kSource));
  const std::string trace = world.TraceText();
  EXPECT_THAT(trace, HasSubstr("helper"));
  EXPECT_THAT(trace, Not(HasSubstr("hunter2")));
  EXPECT_THAT(trace, Not(HasSubstr(kSecret)));
  EXPECT_THAT(trace, Not(HasSubstr(kToken)));
}

// ---- RunCredentialProcess with the real PosixProcessRunner --------------------------------------

class RealProcessTest : public ::testing::Test {
 protected:
  StatusOr<Credentials> Run(const std::string& mode) {
    ProviderContext ctx = world_.context();
    ctx.process = &runner_;
    return RunCredentialProcess(ctx, "'" + *helper_path + "' " + mode, kSource);
  }
  FakeWorld world_;
  PosixProcessRunner runner_;
};

TEST_F(RealProcessTest, ResolvesFromARealProcess) {
  ASSERT_OK_AND_ASSIGN(Credentials c, Run("ok"));
  EXPECT_EQ(c.access_key_id, "ASIAFAKEPROCESSEXAMPLE");
  EXPECT_EQ(c.session_token.reveal(), kToken);
  EXPECT_EQ(c.provider, "custom-process");
}

TEST_F(RealProcessTest, HangingProcessTimesOut) {
  world_.env.Set("CHANTLESS_CREDENTIAL_PROCESS_TIMEOUT_MS", "200");
  EXPECT_THAT(Run("hang"), StatusIs(StatusCode::kUnavailable, HasSubstr("timed out after 200 ms")));
}

TEST_F(RealProcessTest, GarbageOutputIsInvalidResponseWithoutEchoingIt) {
  EXPECT_THAT(Run("garbage"),
              StatusIs(StatusCode::kInvalidResponse,
                       AllOf(HasSubstr("not valid JSON"), Not(HasSubstr("GARBAGEKEY")))));
}

TEST_F(RealProcessTest, HugeOutputIsCutOff) {
  EXPECT_THAT(Run("huge"), StatusIs(StatusCode::kInvalidResponse, HasSubstr("1048576")));
}

TEST_F(RealProcessTest, NonZeroExitShowsStderrNotStdout) {
  EXPECT_THAT(Run("fail"),
              StatusIs(StatusCode::kUnavailable,
                       AllOf(HasSubstr("exited with code 3"),
                             HasSubstr("the token service said no"), Not(HasSubstr("FAILEDKEY")))));
}

TEST_F(RealProcessTest, ExpiredOutputIsRejected) {
  EXPECT_THAT(Run("expired"), StatusIs(StatusCode::kInvalidResponse, HasSubstr("expired")));
}

TEST_F(RealProcessTest, MissingProgramIsInvalidConfigurationNamingTheSource) {
  ProviderContext ctx = world_.context();
  ctx.process = &runner_;
  EXPECT_THAT(RunCredentialProcess(ctx, "/nonexistent/chantless-helper ok", kSource),
              StatusIs(StatusCode::kInvalidConfiguration,
                       AllOf(HasSubstr(kSource), HasSubstr("/nonexistent/chantless-helper"))));
}

}  // namespace
}  // namespace chantless

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: credential_process_test <path to fake_credential_process>\n");
    return 2;
  }
  static std::string path = argv[1];
  chantless::helper_path = &path;
  return RUN_ALL_TESTS();
}
