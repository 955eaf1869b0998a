// Tests for the AWS CLI cache: the key vectors of sts-sso-behaviour.md §1.7, both entry shapes,
// misses with reasons, the exact rendering and the 15-minute reuse rule.
#include "resolver/cli_cache/cli_cache.h"

#include <string>

#include "gtest/gtest.h"
#include "resolver/cli_cache/cache_time.h"
#include "resolver/testing/fakes.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

WallTime At(const char* rfc3339) { return *ParseRfc3339(rfc3339); }

TEST(CliCacheKeyTest, AssumeRoleWithExternalIdAndDuration) {
  CliCacheArgs args{{"RoleArn", std::string("arn:aws:iam::123456789012:role/demo")},
                    {"ExternalId", std::string("ext-123")},
                    {"DurationSeconds", int64_t{3600}}};
  EXPECT_EQ(PythonJsonDumpsSorted(args),
            "{\"DurationSeconds\": 3600, \"ExternalId\": \"ext-123\", \"RoleArn\": "
            "\"arn:aws:iam::123456789012:role/demo\"}");
  EXPECT_EQ(CliCacheKey(args), "eb9ae81c19dedf04ae699ed0748901990c21007f");
  EXPECT_EQ(CliCacheFileName(args), "eb9ae81c19dedf04ae699ed0748901990c21007f.json");
}

TEST(CliCacheKeyTest, WebIdentityRoleArnOnly) {
  CliCacheArgs args{{"RoleArn", std::string("arn:aws:iam::123456789012:role/wi")}};
  EXPECT_EQ(CliCacheKey(args), "358ef18c54f6f4b723f0383e48a49f5cec693ec3");
}

TEST(CliCacheKeyTest, SessionNameAndMfaSerial) {
  CliCacheArgs args{{"RoleArn", std::string("arn:aws:iam::123456789012:role/demo")},
                    {"RoleSessionName", std::string("s")},
                    {"SerialNumber", std::string("arn:aws:iam::123456789012:mfa/u")}};
  EXPECT_EQ(CliCacheKey(args), "c3b4cae90ed306e0d9e587b651686e55d287bfcf");
}

TEST(PythonJsonTest, EscapesAsPythonEnsureAscii) {
  EXPECT_EQ(PythonJsonString("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(PythonJsonString("\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\"");
  EXPECT_EQ(PythonJsonString(std::string("\x01\x1f\x7f", 3)), "\"\\u0001\\u001f\\u007f\"");
  EXPECT_EQ(PythonJsonString("/"), "\"/\"");                              // not escaped by Python
  EXPECT_EQ(PythonJsonString("\xc3\xa9"), "\"\\u00e9\"");                 // é
  EXPECT_EQ(PythonJsonString("\xe2\x82\xac"), "\"\\u20ac\"");             // €
  EXPECT_EQ(PythonJsonString("\xf0\x9f\x98\x80"), "\"\\ud83d\\ude00\"");  // U+1F600
  EXPECT_EQ(PythonJsonString("\xff"), "\"\\ufffd\"");                     // not UTF-8
  EXPECT_EQ(PythonJsonString("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");  // encoded surrogate
}

TEST(PythonJsonTest, NegativeIntegersAndEmptyArgs) {
  EXPECT_EQ(PythonJsonDumpsSorted({}), "{}");
  EXPECT_EQ(PythonJsonDumpsSorted({{"A", int64_t{-5}}}), "{\"A\": -5}");
}

constexpr char kStsEntry[] =
    R"({"Credentials": {"AccessKeyId": "ASIAEXAMPLECLICACHE01", "SecretAccessKey": "fakeSecretEXAMPLE", )"
    R"("SessionToken": "fakeTokenEXAMPLE", "Expiration": "2030-07-15T23:28:33UTC", "AccountId": "123456789012"}, )"
    R"("AssumedRoleUser": {"AssumedRoleId": "AROAEXAMPLE:s", "Arn": "arn:aws:sts::123456789012:assumed-role/demo/s"}, )"
    R"("PackedPolicySize": 6, "ResponseMetadata": {"RequestId": "r", "HTTPStatusCode": 200, )"
    R"("HTTPHeaders": {}, "RetryAttempts": 0}})";

TEST(CliCacheEntryTest, ParsesStsEntryAsBotocoreWritesIt) {
  CliCacheLookup lookup = ParseCliCacheEntry(kStsEntry);
  ASSERT_TRUE(lookup.hit()) << lookup.miss_reason;
  const CliCacheEntry& e = *lookup.entry;
  EXPECT_EQ(e.kind, CliCacheEntryKind::kSts);
  EXPECT_EQ(e.access_key_id, "ASIAEXAMPLECLICACHE01");
  EXPECT_EQ(e.secret_access_key.reveal(), "fakeSecretEXAMPLE");
  EXPECT_EQ(e.session_token.reveal(), "fakeTokenEXAMPLE");
  EXPECT_EQ(e.expiration, At("2030-07-15T23:28:33Z"));
  EXPECT_EQ(e.account_id, "123456789012");
  EXPECT_EQ(e.assumed_role_arn, "arn:aws:sts::123456789012:assumed-role/demo/s");
  Credentials c = e.ToCredentials("assume-role");
  EXPECT_EQ(c.provider, "assume-role");
  EXPECT_EQ(c.expiration, At("2030-07-15T23:28:33Z"));
}

TEST(CliCacheEntryTest, ParsesSsoEntry) {
  CliCacheLookup lookup = ParseCliCacheEntry(
      R"({"ProviderType": "sso", "Credentials": {"AccessKeyId": "ASIAEXAMPLESSO", )"
      R"("SecretAccessKey": "fakeSecretEXAMPLE", "SessionToken": "fakeTokenEXAMPLE", )"
      R"("Expiration": "2030-07-11T11:33:20Z", "AccountId": "123456789012"}})");
  ASSERT_TRUE(lookup.hit()) << lookup.miss_reason;
  EXPECT_EQ(lookup.entry->kind, CliCacheEntryKind::kSso);
  EXPECT_EQ(lookup.entry->expiration, At("2030-07-11T11:33:20Z"));
}

TEST(CliCacheEntryTest, AcceptsPlusZeroOffsetExpiration) {
  std::string text = kStsEntry;
  text.replace(text.find("2030-07-15T23:28:33UTC"), 22, "2030-07-15T23:28:33+00:00");
  CliCacheLookup lookup = ParseCliCacheEntry(text);
  ASSERT_TRUE(lookup.hit()) << lookup.miss_reason;
  EXPECT_EQ(lookup.entry->expiration, At("2030-07-15T23:28:33Z"));
}

struct MissCase {
  const char* name;
  const char* text;
  const char* reason;
};

void PrintTo(const MissCase& c, std::ostream* os) { *os << c.name; }

class CliCacheMissTest : public ::testing::TestWithParam<MissCase> {};

TEST_P(CliCacheMissTest, IsAMissWithAReasonThatQuotesNothing) {
  CliCacheLookup lookup = ParseCliCacheEntry(GetParam().text);
  EXPECT_FALSE(lookup.hit());
  EXPECT_EQ(lookup.miss_reason, GetParam().reason);
  EXPECT_EQ(lookup.miss_reason.find("EXAMPLE"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Entries, CliCacheMissTest,
    ::testing::Values(
        MissCase{"Empty", "", "the file is empty"},
        MissCase{"Whitespace", " \n", "the file is empty"},
        MissCase{"Truncated", R"({"Credentials": {"AccessKeyId": "AKEXAMPLE")", "not valid JSON"},
        MissCase{"Array", "[]", "expected a JSON object, got a array"},
        MissCase{"NoCredentials", "{}", "field \"Credentials\" is missing"},
        MissCase{"CredentialsString", R"({"Credentials": "EXAMPLE"})",
                 "field \"Credentials\" is a string, expected an object"},
        MissCase{
            "NoSecret",
            R"({"Credentials": {"AccessKeyId": "AKEXAMPLE", "SessionToken": "t", "Expiration": "2030-01-01T00:00:00Z"}})",
            "field \"Credentials.SecretAccessKey\" is missing"},
        MissCase{
            "EmptyToken",
            R"({"Credentials": {"AccessKeyId": "AKEXAMPLE", "SecretAccessKey": "sEXAMPLE", "SessionToken": "", "Expiration": "2030-01-01T00:00:00Z"}})",
            "field \"Credentials.SessionToken\" is empty"},
        MissCase{
            "NumericExpiration",
            R"({"Credentials": {"AccessKeyId": "AKEXAMPLE", "SecretAccessKey": "sEXAMPLE", "SessionToken": "tEXAMPLE", "Expiration": 1893456000}})",
            "field \"Credentials.Expiration\" is a number, expected a string"},
        MissCase{
            "BadExpiration",
            R"({"Credentials": {"AccessKeyId": "AKEXAMPLE", "SecretAccessKey": "sEXAMPLE", "SessionToken": "tEXAMPLE", "Expiration": "EXAMPLE"}})",
            "field \"Credentials.Expiration\" is not a timestamp in a form the AWS CLI "
            "writes (…UTC, …Z or +00:00)"},
        MissCase{"OtherProviderType", R"({"ProviderType": "login", "Credentials": {}})",
                 "field \"ProviderType\" is not \"sso\""}),
    [](const ::testing::TestParamInfo<MissCase>& info) { return info.param.name; });

TEST(CliCacheEntryTest, ReadMissingFileIsAMissNamingThePath) {
  testing::FakeFilesystem fs;
  CliCacheLookup lookup = ReadCliCacheEntry(fs, "/home/u/.aws/cli/cache/x.json");
  EXPECT_FALSE(lookup.hit());
  EXPECT_EQ(lookup.miss_reason, "no such file: /home/u/.aws/cli/cache/x.json");
}

TEST(CliCacheEntryTest, ReadUnreadableAndCorruptFilesAreMisses) {
  testing::FakeFilesystem fs;
  fs.SetError("/c/a.json", InvalidConfigurationError("/c/a.json: permission denied"));
  fs.SetFile("/c/b.json", "");
  fs.SetFile("/c/c.json", kStsEntry);
  EXPECT_EQ(ReadCliCacheEntry(fs, "/c/a.json").miss_reason,
            "cannot read /c/a.json: /c/a.json: permission denied");
  EXPECT_EQ(ReadCliCacheEntry(fs, "/c/b.json").miss_reason, "/c/b.json: the file is empty");
  EXPECT_TRUE(ReadCliCacheEntry(fs, "/c/c.json").hit());
}

TEST(CliCacheEntryTest, RendersStsEntryInTheCliFormat) {
  CliCacheEntry e;
  e.access_key_id = "ASIAEXAMPLE";
  e.secret_access_key = Secret("fakeSecretEXAMPLE");
  e.session_token = Secret("fakeTokenEXAMPLE");
  e.expiration = At("2030-07-15T23:28:33.5Z");
  e.account_id = "123456789012";
  e.assumed_role_id = "AROAEXAMPLE:s";
  e.assumed_role_arn = "arn:aws:sts::123456789012:assumed-role/demo/s";
  EXPECT_EQ(
      RenderCliCacheEntry(e),
      R"({"Credentials": {"AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "fakeSecretEXAMPLE", )"
      R"("SessionToken": "fakeTokenEXAMPLE", "Expiration": "2030-07-15T23:28:33UTC", )"
      R"("AccountId": "123456789012"}, "AssumedRoleUser": {"AssumedRoleId": "AROAEXAMPLE:s", )"
      R"("Arn": "arn:aws:sts::123456789012:assumed-role/demo/s"}})");
}

TEST(CliCacheEntryTest, RendersSsoEntryWithZ) {
  CliCacheEntry e;
  e.kind = CliCacheEntryKind::kSso;
  e.access_key_id = "ASIAEXAMPLE";
  e.secret_access_key = Secret("fakeSecretEXAMPLE");
  e.session_token = Secret("fakeTokenEXAMPLE");
  e.expiration = At("2030-07-11T11:33:20Z");
  e.account_id = "123456789012";
  std::string text = RenderCliCacheEntry(e);
  EXPECT_EQ(text, R"({"ProviderType": "sso", "Credentials": {"AccessKeyId": "ASIAEXAMPLE", )"
                  R"("SecretAccessKey": "fakeSecretEXAMPLE", "SessionToken": "fakeTokenEXAMPLE", )"
                  R"("Expiration": "2030-07-11T11:33:20Z", "AccountId": "123456789012"}})");
  CliCacheLookup back = ParseCliCacheEntry(text);
  ASSERT_TRUE(back.hit());
  EXPECT_EQ(back.entry->kind, CliCacheEntryKind::kSso);
  EXPECT_EQ(back.entry->ToCredentials("sso"), e.ToCredentials("sso"));
}

TEST(CliCacheEntryTest, RenderThenParseKeepsNonAsciiValues) {
  CliCacheEntry e;
  e.access_key_id = "ASIA\xc3\xa9\"\\";
  e.secret_access_key = Secret("s\n\xf0\x9f\x98\x80");
  e.session_token = Secret("t");
  e.expiration = At("2030-01-01T00:00:00Z");
  CliCacheLookup back = ParseCliCacheEntry(RenderCliCacheEntry(e));
  ASSERT_TRUE(back.hit()) << back.miss_reason;
  EXPECT_EQ(back.entry->access_key_id, e.access_key_id);
  EXPECT_EQ(back.entry->secret_access_key, e.secret_access_key);
  EXPECT_FALSE(back.entry->account_id.has_value());
}

TEST(CliCacheReuseTest, ReusesOnlyWithFifteenMinutesLeft) {
  WallTime now = At("2030-01-01T00:00:00Z");
  EXPECT_TRUE(ShouldReuseCliCacheEntry(now + minutes(60), now));
  EXPECT_TRUE(ShouldReuseCliCacheEntry(now + minutes(15), now));
  EXPECT_FALSE(ShouldReuseCliCacheEntry(now + minutes(15) - seconds(1), now));
  EXPECT_FALSE(ShouldReuseCliCacheEntry(now - minutes(1), now));
}

}  // namespace
}  // namespace chantless
