// Tests for the in-process transport: each fault maps to the HttpClient error a real client
// reports, delays run on the FakeClock, the size cap holds, requests and connections are counted.
#include "replay/transport.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/sigv4/sigv4_signer.h"
#include "resolver/testing/fakes.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace replay {
namespace {

using ::chantless::testing::FakeClock;
using ::chantless::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

Transcript Make(const std::string& exchanges) {
  std::string text = R"({"format": "chantless-transcript", "version": 1, "name": "t", "docs": "d",
             "recorded_at": "2024-05-01T12:00:00Z", "exchanges": [)" +
                     exchanges + "]}";
  StatusOr<Transcript> t = LoadTranscript(text, "test");
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? *t : Transcript{};
}

HttpRequest Get(std::string path, std::chrono::milliseconds timeout = std::chrono::seconds(1)) {
  HttpRequest r;
  r.endpoint = "http://169.254.169.254";  // never contacted: the transport has no sockets
  r.path = std::move(path);
  r.timeout = timeout;
  return r;
}

class TransportTest : public ::testing::Test {
 protected:
  StatusOr<HttpResponse> SendOne(const std::string& exchange, HttpRequest request) {
    engine_ = std::make_unique<Engine>(Make(exchange), OnClock(&clock_));
    transport_ = std::make_unique<Transport>(engine_.get(), &clock_);
    return transport_->Send(request);
  }

  FakeClock clock_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Transport> transport_;
};

TEST_F(TransportTest, ServesTheRecordedResponse) {
  ASSERT_OK_AND_ASSIGN(HttpResponse r, SendOne(R"({"id": "a", "request": {"path": "/a"},
      "response": {"status": 503, "headers": {"Retry-After": "2"}, "body": "<html>busy</html>"}})",
                                               Get("/a")));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(FindHeader(r.headers, "retry-after"), "2");
  EXPECT_EQ(FindHeader(r.headers, "Content-Length"), "17");
  EXPECT_EQ(r.body, "<html>busy</html>");
}

TEST_F(TransportTest, UnmatchedRequestsGetThe404Diagnostic) {
  ASSERT_OK_AND_ASSIGN(
      HttpResponse r,
      SendOne(R"({"id": "a", "request": {"path": "/a"}, "response": {}})", Get("/b")));
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(r.body, HasSubstr("nearest recorded exchange: a"));
  EXPECT_FALSE(engine_->GetVerdict().ok);
}

TEST_F(TransportTest, DelayShorterThanTheTimeoutSleepsOnTheClockAndAnswers) {
  ASSERT_OK_AND_ASSIGN(HttpResponse r, SendOne(R"({"id": "a", "request": {"path": "/a"},
      "response": {"body": "ok"}, "fault": {"kind": "delay_before_headers", "delay_ms": 300}})",
                                               Get("/a")));
  EXPECT_EQ(r.body, "ok");
  EXPECT_THAT(clock_.sleeps(), ElementsAre(std::chrono::milliseconds(300)));
}

TEST_F(TransportTest, DelayBeyondTheTimeoutIsDeadlineExceededAfterExactlyTheTimeout) {
  EXPECT_THAT(SendOne(R"({"id": "a", "request": {"path": "/a"}, "response": {"body": "ok"},
                         "fault": {"kind": "delay_before_headers", "delay_ms": 5000}})",
                      Get("/a", std::chrono::milliseconds(1000))),
              StatusIs(StatusCode::kDeadlineExceeded, HasSubstr("timed out after 1000 ms")));
  EXPECT_THAT(clock_.sleeps(), ElementsAre(std::chrono::milliseconds(1000)));
}

TEST_F(TransportTest, DelayMidBodyBeyondTheTimeoutIsDeadlineExceeded) {
  EXPECT_THAT(SendOne(R"({"id": "a", "request": {"path": "/a"}, "response": {"body": "abcdef"},
                         "fault": {"kind": "delay_mid_body", "delay_ms": 2000, "after_bytes": 3}})",
                      Get("/a")),
              StatusIs(StatusCode::kDeadlineExceeded, HasSubstr("timed out")));
}

TEST_F(TransportTest, ResetIsUnavailable) {
  EXPECT_THAT(
      SendOne(R"({"id": "a", "request": {"path": "/a"}, "fault": {"kind": "reset"}})", Get("/a")),
      StatusIs(StatusCode::kUnavailable, HasSubstr("connection reset")));
}

TEST_F(TransportTest, CloseWithoutResponseIsUnavailable) {
  EXPECT_THAT(SendOne(R"({"id": "a", "request": {"path": "/a"},
                         "fault": {"kind": "close_without_response"}})",
                      Get("/a")),
              StatusIs(StatusCode::kUnavailable, HasSubstr("closed without a response")));
}

TEST_F(TransportTest, TruncatedBodyIsInvalidResponse) {
  EXPECT_THAT(SendOne(R"({"id": "a", "request": {"path": "/a"}, "response": {"body": "abcdef"},
                         "fault": {"kind": "truncated_body", "after_bytes": 2}})",
                      Get("/a")),
              StatusIs(StatusCode::kInvalidResponse, HasSubstr("truncated body (2 of 6 bytes)")));
}

TEST_F(TransportTest, LargerContentLengthIsInvalidResponse) {
  EXPECT_THAT(SendOne(R"({"id": "a", "request": {"path": "/a"}, "response": {"body": "abcdef"},
                         "fault": {"kind": "wrong_content_length", "content_length": 100}})",
                      Get("/a")),
              StatusIs(StatusCode::kInvalidResponse, HasSubstr("Content-Length 100")));
}

TEST_F(TransportTest, SmallerContentLengthCutsTheBody) {
  ASSERT_OK_AND_ASSIGN(HttpResponse r, SendOne(R"({"id": "a", "request": {"path": "/a"},
      "response": {"body": "abcdef"}, "fault": {"kind": "wrong_content_length", "content_length": 4}})",
                                               Get("/a")));
  EXPECT_EQ(r.body, "abcd");
}

TEST_F(TransportTest, BodyOverTheCapIsInvalidResponse) {
  HttpRequest request = Get("/a");
  request.max_response_bytes = 5;
  EXPECT_THAT(
      SendOne(R"({"id": "a", "request": {"path": "/a"}, "response": {"body": "abcdef"}})", request),
      StatusIs(StatusCode::kInvalidResponse, HasSubstr("body over 5 bytes")));
}

TEST_F(TransportTest, ErrorsNameTheRequestButNoHeaderValue) {
  HttpRequest request = Get("/a");
  request.headers = {{"X-aws-ec2-metadata-token", "AQAEAsecretEXAMPLE"}};
  StatusOr<HttpResponse> r =
      SendOne(R"({"id": "a", "request": {"path": "/a"}, "fault": {"kind": "reset"}})", request);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("GET http://169.254.169.254/a"));
  EXPECT_THAT(r.status().message(), ::testing::Not(HasSubstr("AQAEAsecret")));
}

TEST_F(TransportTest, CountsRequestsAndConnections) {
  engine_ = std::make_unique<Engine>(
      Make(
          R"({"id": "a", "request": {"path": "/a"}, "response": {}, "repeat": {"min": 2, "max": 2}},
              {"id": "r", "request": {"path": "/r"}, "fault": {"kind": "reset"}},
              {"id": "b", "request": {"path": "/b"}, "response": {}})"),
      OnClock(&clock_));
  Transport transport(engine_.get(), &clock_);
  EXPECT_OK(transport.Send(Get("/a")));
  EXPECT_OK(transport.Send(Get("/a")));
  EXPECT_FALSE(transport.Send(Get("/r")).ok());
  EXPECT_OK(transport.Send(Get("/b")));
  HttpRequest other = Get("/x");
  other.endpoint = "http://127.0.0.1:1";
  EXPECT_OK(transport.Send(other));  // a 404 response
  EXPECT_EQ(transport.requests(), 5);
  EXPECT_EQ(transport.connections(), 3);  // first, after the reset, the other endpoint
}

TEST_F(TransportTest, ImdsTokenFlowEndToEnd) {
  ASSERT_OK_AND_ASSIGN(Transcript t, LoadTranscriptFile("replay/testdata/imdsv2.json"));
  Engine engine(std::move(t), OnClock(&clock_));
  Transport transport(&engine, &clock_);
  HttpRequest put = Get("/latest/api/token");
  put.method = "PUT";
  put.headers = {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}};
  ASSERT_OK_AND_ASSIGN(HttpResponse token, transport.Send(put));
  HttpRequest list = Get("/latest/meta-data/iam/security-credentials/");
  list.headers = {{"X-aws-ec2-metadata-token", token.body}};
  ASSERT_OK_AND_ASSIGN(HttpResponse role, transport.Send(list));
  HttpRequest creds = Get("/latest/meta-data/iam/security-credentials/" + role.body);
  creds.headers = list.headers;
  ASSERT_OK_AND_ASSIGN(HttpResponse body, transport.Send(creds));
  EXPECT_THAT(body.body, HasSubstr("ASIAIOSFODNN7EXAMPLE"));
  EXPECT_TRUE(engine.GetVerdict().ok) << engine.GetVerdict().ToText();
  EXPECT_EQ(transport.connections(), 1);
}

TEST_F(TransportTest, MatchesTheHostOfTheRequestEndpoint) {
  engine_ = std::make_unique<Engine>(
      Make(R"({"id": "sts", "host": "sts.us-east-1.amazonaws.com", "request": {"path": "/"},
               "response": {"body": "ok"}})"),
      OnClock(&clock_));
  transport_ = std::make_unique<Transport>(engine_.get(), &clock_);
  HttpRequest elsewhere = Get("/");
  elsewhere.endpoint = "https://sts.eu-west-1.amazonaws.com";
  ASSERT_OK_AND_ASSIGN(HttpResponse miss, transport_->Send(elsewhere));
  EXPECT_EQ(miss.status, 404);
  EXPECT_THAT(miss.body, HasSubstr("host: recorded"));
  HttpRequest right = Get("/");
  right.endpoint = "https://sts.us-east-1.amazonaws.com";
  ASSERT_OK_AND_ASSIGN(HttpResponse hit, transport_->Send(right));
  EXPECT_EQ(hit.body, "ok");
}

TEST_F(TransportTest, VerifiesSigV4AgainstTheEndpointHost) {
  StatusOr<Transcript> t = LoadTranscript(
      R"({"format": "chantless-transcript", "version": 1, "name": "t", "docs": "d",
          "recorded_at": "2024-05-01T12:00:00Z",
          "sigv4_keys": [{"access_key_id": "AKIAIOSFODNN7EXAMPLE", "secret_access_key": "fake"}],
          "exchanges": [{"id": "sts", "host": "sts.us-east-1.amazonaws.com", "sigv4": "verify",
                         "request": {"method": "POST", "path": "/"},
                         "response": {"body": "ok"}, "repeat": {"min": 1, "max": 2}}]})",
      "test");
  ASSERT_OK(t.status());
  engine_ = std::make_unique<Engine>(*t, OnClock(&clock_));
  transport_ = std::make_unique<Transport>(engine_.get(), &clock_);
  auto signed_request = [](const std::string& host, const std::string& secret) {
    SigningInput input;
    input.host = host;
    input.body = "Action=GetCallerIdentity";
    input.region = "us-east-1";
    input.time = std::chrono::system_clock::from_time_t(1714564800);
    SigV4Signer signer;
    StatusOr<SignedRequest> s =
        signer.Sign(input, SigningKeys{"AKIAIOSFODNN7EXAMPLE", Secret(secret), Secret()});
    EXPECT_TRUE(s.ok());
    HttpRequest r;
    r.method = "POST";
    r.endpoint = "https://" + host;
    r.body = input.body;
    r.headers = s->headers;
    return r;
  };
  ASSERT_OK_AND_ASSIGN(HttpResponse wrong,
                       transport_->Send(signed_request("sts.us-east-1.amazonaws.com", "other")));
  EXPECT_EQ(wrong.status, 403);
  EXPECT_THAT(wrong.body, HasSubstr("SignatureDoesNotMatch"));
  ASSERT_OK_AND_ASSIGN(HttpResponse good,
                       transport_->Send(signed_request("sts.us-east-1.amazonaws.com", "fake")));
  EXPECT_EQ(good.status, 200);
  EXPECT_EQ(good.body, "ok");
}

}  // namespace
}  // namespace replay
}  // namespace chantless
