// Tests for HAR 1.2 and smithy-rs DVR import (each mapping rule of har.h, errors with JSON paths,
// redaction on the way in) and HAR export (round trip through import, nothing secret-shaped).
#include "replay/har.h"

#include <string>

#include "gtest/gtest.h"
#include "replay/base64.h"
#include "replay/fake_secrets.h"
#include "replay/recording.h"
#include "replay/redact.h"
#include "replay/secret_scan.h"
#include "resolver/core/time_util.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace replay {
namespace {

std::string Har(const std::string& key_id) {
  return R"({"log": {"version": "1.2", "creator": {"name": "mitmproxy", "version": "10"},
  "entries": [
   {"startedDateTime": "2024-05-01T12:00:01.500Z", "time": 3.2,
    "request": {"method": "PUT", "url": "http://169.254.169.254/latest/api/token",
      "headers": [{"name": "X-aws-ec2-metadata-token-ttl-seconds", "value": "21600"}]},
    "response": {"status": 200, "headers": [{"name": "Content-Type", "value": "text/plain"}],
      "content": {"size": 6, "mimeType": "text/plain", "text": "dG9rZW4x", "encoding": "base64"}}},
   {"startedDateTime": "2024-05-01T12:00:00Z", "time": 1,
    "request": {"method": "GET", "url": "http://169.254.169.254/latest/meta-data/iam/security-credentials/R?x=1",
      "headers": [{"name": "X-aws-ec2-metadata-token", "value": "token1"}, {"name": ":authority", "value": "h"}]},
    "response": {"status": 200, "headers": [],
      "content": {"size": 10, "mimeType": "application/json", "text": "{\"AccessKeyId\": \")" +
         key_id + R"(\"}"}}},
   {"startedDateTime": "2024-05-01T12:00:02Z", "time": 0,
    "request": {"method": "GET", "url": "http://169.254.169.254/latest/x"},
    "response": {"status": 0, "content": {"size": 0, "mimeType": ""}}}
  ]}})";
}

TEST(HarTest, ImportsEntriesInFileOrder) {
  ASSERT_OK_AND_ASSIGN(ImportedTraffic t, ImportHar(Har(testing::FakeAccessKeyId(1)), "a.har"));
  ASSERT_EQ(t.exchanges.size(), 3u);
  EXPECT_EQ(t.exchanges[0].method, "PUT");
  EXPECT_EQ(t.exchanges[0].path, "/latest/api/token");
  EXPECT_EQ(t.exchanges[0].response_body, "token1");  // base64 content decoded
  EXPECT_EQ(t.exchanges[0].upstream_elapsed, std::chrono::milliseconds(3));
  EXPECT_EQ(t.exchanges[1].path, "/latest/meta-data/iam/security-credentials/R?x=1");
  ASSERT_EQ(t.exchanges[1].request_headers.size(), 1u);  // HTTP/2 pseudo-header dropped
  EXPECT_EQ(t.exchanges[2].fault, "reset");
  ASSERT_TRUE(t.recorded_at.has_value());
  EXPECT_EQ(FormatRfc3339(*t.recorded_at), "2024-05-01T12:00:00Z");  // the earliest entry
}

TEST(HarTest, ImportedTrafficIsRedactedIntoAValidTranscript) {
  std::string key_id = testing::FakeAccessKeyId(2);
  ASSERT_OK_AND_ASSIGN(ImportedTraffic t, ImportHar(Har(key_id), "a.har"));
  Redactor redactor;
  redactor.RedactAll(&t.exchanges);
  RecordingInfo info;
  info.name = "imported";
  info.recorded_at = *t.recorded_at;
  ASSERT_OK_AND_ASSIGN(Transcript transcript, BuildTranscript(t.exchanges, info));
  std::string text = SerializeTranscript(transcript);
  EXPECT_EQ(text.find(key_id), std::string::npos);
  EXPECT_EQ(text.find("token1"), std::string::npos);
  EXPECT_TRUE(ScanDocument(text, "imported").empty());
  EXPECT_OK(LoadTranscript(text, "imported").status());
  EXPECT_EQ(transcript.exchanges[0].imds_token, ImdsTokenRole::kMint);
}

TEST(HarTest, ErrorsNameTheJsonPath) {
  StatusOr<ImportedTraffic> t = ImportHar(
      R"({"log": {"entries": [{"request": {"method": "GET", "url": "nope"}, "response": {}}]}})",
      "b.har");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(), "b.har: $.log.entries[0].request.url: expected an absolute URL");
  EXPECT_FALSE(ImportHar("not json", "c.har").ok());
  EXPECT_FALSE(ImportHar("{\"log\": {}}", "c.har").ok());
}

std::string Dvr(const std::string& key_id) {
  return R"({"events": [
    {"connection_id": 0, "action": {"Request": {"request": {"uri": "http://169.254.170.2/v2/credentials/abc",
      "headers": {"accept": ["application/json"]}, "method": "GET"}}}},
    {"connection_id": 0, "action": {"Eof": {"ok": true, "direction": "Request"}}},
    {"connection_id": 1, "action": {"Request": {"request": {"uri": "http://169.254.170.2/v2/other", "headers": {}, "method": "GET"}}}},
    {"connection_id": 0, "action": {"Response": {"response": {"Ok": {"status": 200, "version": "HTTP/1.1",
      "headers": {"content-type": ["application/json"], "x-multi": ["a", "b"]}}}}}},
    {"connection_id": 0, "action": {"Data": {"data": {"Utf8": "{\"AccessKeyId\":\")" +
         key_id +
         R"(\","}, "direction": "Response"}}},
    {"connection_id": 0, "action": {"Data": {"data": {"Base64": "InRhaWwiOjF9"}, "direction": "Response"}}},
    {"connection_id": 0, "action": {"Eof": {"ok": true, "direction": "Response"}}},
    {"connection_id": 1, "action": {"Response": {"response": {"Error": "operation timed out"}}}}
  ], "docs": "Load ECS credentials", "version": "V0"})";
}

TEST(DvrTest, ImportsNetworkTrafficV0) {
  std::string key_id = testing::FakeAccessKeyId(3);
  ASSERT_OK_AND_ASSIGN(ImportedTraffic t, ImportDvr(Dvr(key_id), "http-traffic.json"));
  ASSERT_EQ(t.exchanges.size(), 2u);
  EXPECT_EQ(t.docs, "Load ECS credentials");
  EXPECT_EQ(t.exchanges[0].path, "/v2/credentials/abc");
  EXPECT_EQ(t.exchanges[0].status, 200);
  EXPECT_EQ(t.exchanges[0].response_headers.size(), 3u);  // multi-valued header kept
  EXPECT_EQ(t.exchanges[0].response_body, "{\"AccessKeyId\":\"" + key_id + "\",\"tail\":1}");
  EXPECT_EQ(t.exchanges[1].fault, "timeout");
}

TEST(DvrTest, RejectsOtherVersionsAndOrphanEvents) {
  EXPECT_FALSE(ImportDvr(R"({"events": [], "version": "V1"})", "x").ok());
  StatusOr<ImportedTraffic> t = ImportDvr(
      R"({"events": [{"connection_id": 4, "action": {"Eof": {"ok": true, "direction": "Request"}}}],
          "version": "V0"})",
      "x.json");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(),
            "x.json: $.events[0].connection_id: event before the connection's Request");
}

TEST(HarExportTest, RoundTripsThroughImport) {
  std::vector<CapturedExchange> captured(3);
  captured[0].method = "PUT";
  captured[0].path = "/latest/api/token";
  captured[0].status = 200;
  captured[0].response_body = "REDACTEDIMDSTOKEN0001";
  captured[1].path = "/latest/meta-data/iam/security-credentials/";
  captured[1].status = 200;
  captured[1].response_headers = {{"Content-Type", "text/plain"}};
  captured[1].response_body = "Role";
  captured[2].path = "/bin";
  captured[2].status = 500;
  captured[2].response_body = "\xFF\x01";
  RecordingInfo info;
  info.recorded_at = ParseRfc3339("2024-05-01T12:00:00Z").value();
  ASSERT_OK_AND_ASSIGN(Transcript t, BuildTranscript(captured, info));
  std::string har = ExportHar(t, "http://169.254.169.254/");
  EXPECT_TRUE(ScanDocument(har, "out.har").empty());
  ASSERT_OK_AND_ASSIGN(ImportedTraffic back, ImportHar(har, "out.har"));
  ASSERT_EQ(back.exchanges.size(), 3u);
  EXPECT_EQ(back.exchanges[0].response_body, "{{imds_token}}");
  EXPECT_EQ(back.exchanges[1].path, "/latest/meta-data/iam/security-credentials/");
  EXPECT_EQ(back.exchanges[1].response_body, "Role");
  EXPECT_EQ(back.exchanges[2].status, 500);
  EXPECT_EQ(back.exchanges[2].response_body, "\xFF\x01");
}

TEST(HarHostTest, HostOfUrl) {
  EXPECT_EQ(HostOfUrl("https://STS.us-east-1.amazonaws.com/"), "sts.us-east-1.amazonaws.com");
  EXPECT_EQ(HostOfUrl("https://sts.us-east-1.amazonaws.com:443/?a=1"),
            "sts.us-east-1.amazonaws.com");
  EXPECT_EQ(HostOfUrl("https://sts.example.test:8443/"), "sts.example.test:8443");
  EXPECT_EQ(HostOfUrl("http://169.254.169.254/latest/api/token"), "169.254.169.254");
  EXPECT_EQ(HostOfUrl("http://169.254.169.254:80/x"), "169.254.169.254");
  EXPECT_EQ(HostOfUrl("http://[fd00:ec2::254]/x"), "[fd00:ec2::254]");
  EXPECT_EQ(HostOfUrl("http://user:pw@portal.sso.us-east-1.amazonaws.com/x"),
            "portal.sso.us-east-1.amazonaws.com");
  EXPECT_EQ(HostOfUrl("http://127.0.0.1:5000/x"), "");
  EXPECT_EQ(HostOfUrl("http://localhost:1338/x"), "");
  EXPECT_EQ(HostOfUrl("/relative"), "");
}

TEST(HarHostTest, BaseUrlOfHost) {
  EXPECT_EQ(BaseUrlOfHost("sts.us-east-1.amazonaws.com"), "https://sts.us-east-1.amazonaws.com");
  EXPECT_EQ(BaseUrlOfHost("oidc.us-east-1.amazonaws.com:443"),
            "https://oidc.us-east-1.amazonaws.com");
  EXPECT_EQ(BaseUrlOfHost("169.254.169.254"), "http://169.254.169.254");
  EXPECT_EQ(BaseUrlOfHost("[fd00:ec2::254]"), "http://[fd00:ec2::254]");
  EXPECT_EQ(BaseUrlOfHost("169.254.170.23:80"), "http://169.254.170.23:80");
  EXPECT_EQ(BaseUrlOfHost("proxy.internal:8080"), "http://proxy.internal:8080");
}

TEST(HarExportTest, HostsAndTlsSurviveTheRoundTrip) {
  std::vector<CapturedExchange> captured(2);
  captured[0].host = "169.254.169.254";
  captured[0].method = "PUT";
  captured[0].path = "/latest/api/token";
  captured[0].status = 200;
  captured[0].response_body = "REDACTEDIMDSTOKEN0001";
  captured[1].host = "sts.us-east-1.amazonaws.com";
  captured[1].method = "POST";
  captured[1].path = "/";
  captured[1].request_headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  captured[1].request_body = "Action=AssumeRole&Version=2011-06-15";
  captured[1].status = 200;
  captured[1].response_headers = {{"Content-Type", "text/xml"}};
  captured[1].response_body = "<AssumeRoleResponse/>";
  RecordingInfo info;
  info.recorded_at = ParseRfc3339("2024-05-01T12:00:00Z").value();
  ASSERT_OK_AND_ASSIGN(Transcript t, BuildTranscript(captured, info));
  EXPECT_EQ(t.exchanges[1].host, "sts.us-east-1.amazonaws.com");
  std::string har = ExportHar(t, "http://unused.invalid");
  EXPECT_NE(har.find("\"http://169.254.169.254/latest/api/token\""), std::string::npos) << har;
  EXPECT_NE(har.find("\"https://sts.us-east-1.amazonaws.com/\""), std::string::npos) << har;
  ASSERT_OK_AND_ASSIGN(ImportedTraffic back, ImportHar(har, "out.har"));
  ASSERT_EQ(back.exchanges.size(), 2u);
  EXPECT_EQ(back.exchanges[0].host, "169.254.169.254");
  EXPECT_EQ(back.exchanges[1].host, "sts.us-east-1.amazonaws.com");
  EXPECT_EQ(back.exchanges[1].request_body, "Action=AssumeRole&Version=2011-06-15");
}

}  // namespace
}  // namespace replay
}  // namespace chantless
