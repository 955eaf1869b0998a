// Tests for `chantless resolve`'s output formats and debug lines. The expected texts were produced
// by AWS CLI 2.9.19 (`aws configure export-credentials --format process|env|env-no-export`) from a
// credential_process returning the same fake credentials.
#include "cli/resolve_command.h"

#include "cli/debug_log.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/core/time_util.h"

namespace chantless {
namespace cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Credentials Temporary() {
  Credentials c;
  c.access_key_id = "ASIAFAKEEXAMPLE";
  c.secret_access_key = Secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  c.session_token = Secret("FAKETOKEN\xC3\xA9/x");
  c.expiration = *ParseRfc3339("2099-01-01T00:00:00.5Z");
  c.account_id = "123456789012";
  c.account_id_source = "/home/u/.aws/config:3 (profile dev)";
  c.provider = "custom-process";
  return c;
}

Credentials LongTerm() {
  Credentials c;
  c.access_key_id = "AKIAFAKE";
  c.secret_access_key = Secret("abc");
  c.provider = "env";
  return c;
}

TEST(ResolveFormatTest, ProcessMatchesAwsCliExportCredentials) {
  EXPECT_EQ(FormatCredentials(Temporary(), "process"),
            "{\n"
            "  \"Version\": 1,\n"
            "  \"AccessKeyId\": \"ASIAFAKEEXAMPLE\",\n"
            "  \"SecretAccessKey\": \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\",\n"
            "  \"SessionToken\": \"FAKETOKEN\\u00e9/x\",\n"
            "  \"Expiration\": \"2099-01-01T00:00:00.500000+00:00\"\n"
            "}\n");
}

TEST(ResolveFormatTest, ProcessOmitsAbsentTokenAndExpiration) {
  EXPECT_EQ(FormatCredentials(LongTerm(), "process"),
            "{\n"
            "  \"Version\": 1,\n"
            "  \"AccessKeyId\": \"AKIAFAKE\",\n"
            "  \"SecretAccessKey\": \"abc\"\n"
            "}\n");
}

TEST(ResolveFormatTest, ProcessEscapesLikePythonJsonDumps) {
  Credentials c = LongTerm();
  c.secret_access_key = Secret("a\"b\\c\n\x7f");
  EXPECT_THAT(*FormatCredentials(c, "process"),
              HasSubstr("\"SecretAccessKey\": \"a\\\"b\\\\c\\n\\u007f\""));
}

TEST(ResolveFormatTest, EnvMatchesAwsCliExportCredentials) {
  EXPECT_EQ(FormatCredentials(Temporary(), "env"),
            "export AWS_ACCESS_KEY_ID=ASIAFAKEEXAMPLE\n"
            "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
            "export AWS_SESSION_TOKEN=FAKETOKEN\xC3\xA9/x\n"
            "export AWS_CREDENTIAL_EXPIRATION=2099-01-01T00:00:00.500000+00:00\n");
}

TEST(ResolveFormatTest, EnvNoExportHasNoExportKeyword) {
  EXPECT_EQ(FormatCredentials(LongTerm(), "env-no-export"),
            "AWS_ACCESS_KEY_ID=AKIAFAKE\n"
            "AWS_SECRET_ACCESS_KEY=abc\n");
}

TEST(ResolveFormatTest, JsonIsOneLineWithAccountItsSourceAndProvider) {
  EXPECT_EQ(FormatCredentials(Temporary(), "json"),
            "{\"Version\":1,\"AccessKeyId\":\"ASIAFAKEEXAMPLE\","
            "\"SecretAccessKey\":\"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\","
            "\"SessionToken\":\"FAKETOKEN\xC3\xA9/x\",\"Expiration\":\"2099-01-01T00:00:00Z\","
            "\"AccountId\":\"123456789012\","
            "\"AccountIdSource\":\"/home/u/.aws/config:3 (profile dev)\","
            "\"Provider\":\"custom-process\"}\n");
}

TEST(ResolveFormatTest, JsonWithoutAccountIdHasNoAccountIdSource) {
  EXPECT_THAT(*FormatCredentials(LongTerm(), "json"), Not(HasSubstr("AccountId")));
}

TEST(ResolveFormatTest, UnknownFormatIsRejected) {
  EXPECT_FALSE(FormatCredentials(LongTerm(), "powershell").has_value());
}

TEST(PythonIsoFormatTest, WholeSecondsHaveNoFraction) {
  EXPECT_EQ(PythonIsoFormat(*ParseRfc3339("2024-05-01T13:00:00Z")), "2024-05-01T13:00:00+00:00");
}

TEST(PythonIsoFormatTest, FractionIsMicroseconds) {
  EXPECT_EQ(PythonIsoFormat(*ParseRfc3339("2024-05-01T13:00:00.000123Z")),
            "2024-05-01T13:00:00.000123+00:00");
}

TEST(DebugLineTest, InfoLineHasBotocoreShape) {
  TraceEvent e;
  e.provider = "env";
  e.message = "Looking for credentials via: env";
  EXPECT_EQ(FormatDebugLine(e, *ParseRfc3339("2024-05-01T12:00:00.123Z")),
            "2024-05-01 12:00:00,123 - MainThread - chantless.env - DEBUG - "
            "Looking for credentials via: env");
}

TEST(DebugLineTest, RequestLineNamesMethodEndpointStatusButNoHeaders) {
  TraceEvent e;
  e.kind = TraceEvent::Kind::kRequest;
  e.provider = "iam-role";
  e.method = "PUT";
  e.endpoint = "http://127.0.0.1:8080";
  e.path = "/latest/api/token";
  e.status = 200;
  e.elapsed = std::chrono::microseconds(3400);
  EXPECT_THAT(FormatDebugLine(e, *ParseRfc3339("2024-05-01T12:00:00Z")),
              HasSubstr("chantless.iam-role - DEBUG - PUT http://127.0.0.1:8080/latest/api/token "
                        "-> 200 (3 ms)"));
}

TEST(DebugLineTest, WarningsAreWarningLevelAndChainEventsAreNamedChain) {
  TraceEvent e;
  e.kind = TraceEvent::Kind::kWarning;
  e.message = "both set";
  EXPECT_THAT(FormatDebugLine(e, *ParseRfc3339("2024-05-01T12:00:00Z")),
              HasSubstr("chantless.chain - WARNING - both set"));
}

}  // namespace
}  // namespace cli
}  // namespace chantless
