// Tests for turning captured exchanges into transcripts (each mapping rule of recording.h) and for
// the atomic, verified write that deletes a file the scanner rejects.
#include "replay/recording.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "replay/fake_secrets.h"
#include "replay/redact.h"
#include "resolver/core/time_util.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace replay {
namespace {

namespace fs = std::filesystem;

CapturedExchange Exchange(const std::string& method, const std::string& path, int status,
                          const std::string& body) {
  CapturedExchange e;
  e.method = method;
  e.path = path;
  e.status = status;
  e.response_headers = {{"Content-Type", "text/plain"},
                        {"Content-Length", std::to_string(body.size())},
                        {"Connection", "keep-alive"}};
  e.response_body = body;
  return e;
}

RecordingInfo Info() {
  RecordingInfo info;
  info.name = "ec2/recorded";
  info.docs = "test";
  info.recorded_at = ParseRfc3339("2024-05-01T12:00:00Z").value();
  return info;
}

std::vector<CapturedExchange> ImdsRecording() {
  std::vector<CapturedExchange> ex;
  ex.push_back(Exchange("PUT", "/latest/api/token", 200, "tok"));
  ex.push_back(Exchange("GET", "/latest/meta-data/iam/security-credentials/", 200, "Role"));
  ex.back().request_headers = {{"X-aws-ec2-metadata-token", "tok"}};
  ex.push_back(Exchange("GET", "/latest/meta-data/placement/region", 200, "us-east-1"));
  return ex;
}

fs::path TempFile(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return fs::path(tmp != nullptr ? tmp : "/tmp") / name;
}

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(RecordingTest, SuccessfulTokenPutBecomesAMintAndTokenUsersRequireIt) {
  ASSERT_OK_AND_ASSIGN(Transcript t, BuildTranscript(ImdsRecording(), Info()));
  ASSERT_EQ(t.exchanges.size(), 3u);
  EXPECT_EQ(t.exchanges[0].imds_token, ImdsTokenRole::kMint);
  EXPECT_FALSE(t.exchanges[0].response.has_value());
  EXPECT_EQ(t.exchanges[1].imds_token, ImdsTokenRole::kRequire);
  EXPECT_EQ(t.exchanges[2].imds_token, ImdsTokenRole::kAccept);
  EXPECT_TRUE(t.imds_tokens.has_value());
  EXPECT_EQ(t.exchanges[1].family, "imds");
  EXPECT_EQ(t.exchanges[0].id, "01-put-token");
  EXPECT_EQ(t.exchanges[1].id, "02-get-security-credentials");
}

TEST(RecordingTest, FailedTokenPutIsAnOrdinaryResponse) {
  std::vector<CapturedExchange> ex = {Exchange("PUT", "/latest/api/token", 403, "")};
  ASSERT_OK_AND_ASSIGN(Transcript t, BuildTranscript(ex, Info()));
  EXPECT_EQ(t.exchanges[0].imds_token, ImdsTokenRole::kNone);
  ASSERT_TRUE(t.exchanges[0].response.has_value());
  EXPECT_EQ(t.exchanges[0].response->status, 403);
  EXPECT_FALSE(t.imds_tokens.has_value());
}

TEST(RecordingTest, ResponsesDropLengthAndHopByHopHeaders) {
  ASSERT_OK_AND_ASSIGN(Transcript t, BuildTranscript(ImdsRecording(), Info()));
  const RecordedResponse& r = *t.exchanges[1].response;
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Content-Type");
  EXPECT_EQ(r.body, "Role");
}

TEST(RecordingTest, NonUtf8BodiesAreWrittenAsBase64) {
  std::vector<CapturedExchange> ex = {Exchange("GET", "/b", 200, "\xFF\xFE")};
  ASSERT_OK_AND_ASSIGN(Transcript t, BuildTranscript(ex, Info()));
  EXPECT_EQ(t.exchanges[0].response->encoding, BodyEncoding::kBase64);
  EXPECT_NE(SerializeTranscript(t).find("\"body_base64\": \"//4=\""), std::string::npos);
}

TEST(RecordingTest, QueryAndBodyAndAuthorizationPresenceAreMatched) {
  CapturedExchange e = Exchange("POST", "/v1/x?a=1", 200, "{}");
  e.request_body = "payload";
  e.request_headers = {{"authorization", "REDACTED-AUTHORIZATION-0001"}};
  ASSERT_OK_AND_ASSIGN(Transcript t, BuildTranscript({e}, Info()));
  const RequestMatcher& m = t.exchanges[0].request;
  EXPECT_EQ(m.path, "/v1/x");
  EXPECT_EQ(m.query, "a=1");
  EXPECT_EQ(m.body, "payload");
  ASSERT_EQ(m.headers.size(), 1u);
  EXPECT_EQ(m.headers[0].second, std::string(kHeaderPresent));
}

TEST(RecordingTest, SsoBearerTokenIsMatchedAndEpochMsExpirationRebased) {
  CapturedExchange e = Exchange("GET", "/federation/credentials?role_name=R&account_id=1", 200,
                                R"({"roleCredentials":{"expiration":1714572000000}})");
  e.host = "portal.sso.us-east-1.amazonaws.com";
  e.request_headers = {{"X-Amz-Sso_Bearer_Token", "REDACTED-BEARER-TOKEN-0001"}};
  ASSERT_OK_AND_ASSIGN(Transcript t, BuildTranscript({e}, Info()));
  ASSERT_EQ(t.exchanges[0].request.headers.size(), 1u);
  EXPECT_EQ(t.exchanges[0].request.headers[0].first, "x-amz-sso_bearer_token");
  EXPECT_EQ(t.exchanges[0].request.headers[0].second, "REDACTED-BEARER-TOKEN-0001");
  EXPECT_EQ(t.rebase.json_epoch_ms_fields, std::vector<std::string>{"expiration"});
  // Without a GetRoleCredentials call there is no epoch-ms field to rebase.
  ASSERT_OK_AND_ASSIGN(Transcript imds, BuildTranscript(ImdsRecording(), Info()));
  EXPECT_TRUE(imds.rebase.json_epoch_ms_fields.empty());
}

TEST(RecordingTest, UpstreamFaultsBecomeFaultExchanges) {
  CapturedExchange reset = Exchange("GET", "/a", 0, "");
  reset.fault = "reset";
  CapturedExchange refused = Exchange("GET", "/b", 0, "");
  refused.fault = "refused";
  CapturedExchange timeout = Exchange("GET", "/c", 0, "");
  timeout.fault = "timeout";
  timeout.upstream_elapsed = std::chrono::milliseconds(2000);
  ASSERT_OK_AND_ASSIGN(Transcript t, BuildTranscript({reset, refused, timeout}, Info()));
  EXPECT_EQ(t.exchanges[0].fault->kind, FaultKind::kReset);
  EXPECT_FALSE(t.exchanges[0].response.has_value());
  EXPECT_EQ(t.exchanges[1].fault->kind, FaultKind::kCloseWithoutResponse);
  EXPECT_EQ(t.exchanges[2].fault->kind, FaultKind::kDelayBeforeHeaders);
  EXPECT_EQ(t.exchanges[2].fault->delay, std::chrono::milliseconds(2000));
  EXPECT_EQ(t.exchanges[2].response->status, 504);
  // Every mapping is something the strict loader accepts.
  EXPECT_OK(LoadTranscript(SerializeTranscript(t), "built").status());
}

TEST(RecordingTest, LatencyOptionRecordsUpstreamTimeAsDelay) {
  std::vector<CapturedExchange> ex = {Exchange("GET", "/a", 200, "x")};
  ex[0].upstream_elapsed = std::chrono::milliseconds(37);
  RecordingInfo info = Info();
  info.latency = true;
  ASSERT_OK_AND_ASSIGN(Transcript t, BuildTranscript(ex, info));
  ASSERT_TRUE(t.exchanges[0].fault.has_value());
  EXPECT_EQ(t.exchanges[0].fault->delay, std::chrono::milliseconds(37));
}

TEST(RecordingTest, NothingRecordedIsAnError) { EXPECT_FALSE(BuildTranscript({}, Info()).ok()); }

TEST(RecordingTest, BuiltTranscriptRoundTripsThroughTheLoader) {
  ASSERT_OK_AND_ASSIGN(Transcript t, BuildTranscript(ImdsRecording(), Info()));
  ASSERT_OK_AND_ASSIGN(Transcript loaded, LoadTranscript(SerializeTranscript(t), "built"));
  EXPECT_EQ(loaded, t);
}

TEST(RecordingTest, AtomicWriteReplacesTheOldFile) {
  fs::path p = TempFile("atomic.json");
  ASSERT_OK(WriteFileAtomically(p.string(), "old"));
  ASSERT_OK(WriteFileAtomically(p.string(), "new"));
  EXPECT_EQ(Read(p), "new");
  for (const auto& entry : fs::directory_iterator(p.parent_path())) {
    EXPECT_EQ(entry.path().string().find(".tmp."), std::string::npos) << entry.path();
  }
}

TEST(RecordingTest, VerifiedWriteKeepsARedactedTranscript) {
  std::vector<CapturedExchange> ex = ImdsRecording();
  ex.push_back(
      Exchange("GET", "/creds", 200, "{\"AccessKeyId\": \"" + testing::FakeAccessKeyId(1) + "\"}"));
  Redactor redactor;
  redactor.RedactAll(&ex);
  ASSERT_OK_AND_ASSIGN(Transcript t, BuildTranscript(ex, Info()));
  fs::path p = TempFile("clean.json");
  VerifyReport report;
  ASSERT_OK(WriteVerifiedTranscript(t, p.string(), &report));
  EXPECT_TRUE(fs::exists(p));
  EXPECT_NE(Read(p).find("ASIAREDACTED00000001"), std::string::npos);
}

TEST(RecordingTest, VerifiedWriteDeletesAFileWithASecret) {
  std::vector<CapturedExchange> ex = {
      Exchange("GET", "/creds", 200, "{\"AccessKeyId\": \"" + testing::FakeAccessKeyId(2) + "\"}")};
  ASSERT_OK_AND_ASSIGN(Transcript t, BuildTranscript(ex, Info()));  // not redacted: a bug
  fs::path p = TempFile("leaky.json");
  VerifyReport report;
  Status s = WriteVerifiedTranscript(t, p.string(), &report);
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(fs::exists(p));
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(s.message().find(testing::FakeAccessKeyId(2)), std::string::npos);
}

}  // namespace
}  // namespace replay
}  // namespace chantless
