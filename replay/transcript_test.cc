// Tests for the transcript loader and serialiser: the documented example loads with the documented
// defaults, every rejection names the source and the JSON path, and Load(Serialize(t)) == t.
#include "replay/transcript.h"

#include <random>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/core/time_util.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace replay {
namespace {

using ::testing::HasSubstr;

constexpr char kTestdata[] = "replay/testdata/imdsv2.json";

// A minimal valid transcript with `exchange` (a JSON object) as its only exchange.
std::string WithExchange(const std::string& exchange, const std::string& extra_top = "") {
  return R"({"format": "chantless-transcript", "version": 1, "name": "t", "docs": "d",
             "recorded_at": "2024-05-01T12:00:00Z", )" +
         extra_top + R"("exchanges": [)" + exchange + "]}";
}

// Expects LoadTranscript(text, "x.json") to fail with kInvalidConfiguration naming `where`.
void ExpectRejected(const std::string& text, const std::string& where) {
  StatusOr<Transcript> t = LoadTranscript(text, "x.json");
  ASSERT_FALSE(t.ok()) << "accepted: " << text;
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidConfiguration);
  EXPECT_THAT(t.status().message(), HasSubstr("x.json: " + where + ":")) << t.status();
}

TEST(TranscriptTest, LoadsTheDocumentedExampleWithItsDefaults) {
  ASSERT_OK_AND_ASSIGN(Transcript t, LoadTranscriptFile(kTestdata));
  EXPECT_EQ(t.name, "ec2/imdsv2-minimal");
  EXPECT_EQ(FormatRfc3339(t.recorded_at), "2024-05-01T12:00:00Z");
  ASSERT_TRUE(t.imds_tokens.has_value());
  EXPECT_FALSE(t.imds_tokens->required);
  EXPECT_EQ(t.rebase.json_fields, (std::vector<std::string>{"Expiration", "LastUpdated"}));
  ASSERT_EQ(t.exchanges.size(), 3u);
  EXPECT_EQ(t.exchanges[0].imds_token, ImdsTokenRole::kMint);
  EXPECT_FALSE(t.exchanges[0].response.has_value());
  EXPECT_EQ(t.exchanges[1].imds_token, ImdsTokenRole::kAccept);  // family imds, not required
  EXPECT_EQ(t.exchanges[1].request.method, "GET");
  EXPECT_EQ(t.exchanges[1].repeat, (Repeat{1, 1}));
  EXPECT_EQ(t.exchanges[2].repeat, (Repeat{1, 2}));
  EXPECT_EQ(t.exchanges[2].response->status, 200);
  EXPECT_THAT(t.exchanges[2].response->body, HasSubstr("ASIAIOSFODNN7EXAMPLE"));
}

TEST(TranscriptTest, RequiredTokensMakeImdsExchangesRequireAToken) {
  ASSERT_OK_AND_ASSIGN(
      Transcript t,
      LoadTranscript(WithExchange(R"({"id": "a", "family": "imds", "request": {"path": "/x"},
                                      "response": {}}, {"id": "b", "request": {"path": "/y"},
                                      "response": {}})",
                                  R"("imds_tokens": {"required": true}, )"),
                     "x.json"));
  EXPECT_EQ(t.exchanges[0].imds_token, ImdsTokenRole::kRequire);
  EXPECT_EQ(t.exchanges[1].imds_token, ImdsTokenRole::kNone);  // family "default"
  EXPECT_EQ(t.exchanges[1].family, "default");
}

TEST(TranscriptTest, DecodesBase64Bodies) {
  ASSERT_OK_AND_ASSIGN(Transcript t, LoadTranscript(WithExchange(R"({"id": "a",
      "request": {"path": "/"}, "response": {"body_base64": "/wA="}})"),
                                                    "x.json"));
  EXPECT_EQ(t.exchanges[0].response->body, std::string("\xff\x00", 2));
  EXPECT_EQ(t.exchanges[0].response->encoding, BodyEncoding::kBase64);
}

TEST(TranscriptTest, RejectsASyntaxErrorWithItsLineAndColumn) {
  ExpectRejected("{\"format\": ", "$");
  StatusOr<Transcript> t = LoadTranscript("{\n  \"format\": \"x\",\n  \"name\" \"y\"\n}", "x.json");
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(),
              HasSubstr("x.json: $: not valid JSON (syntax error near line 3, column 12)"));
}

TEST(TranscriptTest, RejectsAnUnknownTopLevelField) {
  ExpectRejected(WithExchange(R"({"id": "a", "request": {"path": "/"}, "response": {}})",
                              R"("colour": "blue", )"),
                 "$.colour");
}

TEST(TranscriptTest, RejectsAnUnknownFieldDeepInside) {
  ExpectRejected(WithExchange(R"({"id": "a", "request": {"path": "/"}, "response": {}},
                                 {"id": "b", "request": {"path": "/", "verb": "GET"},
                                  "response": {}})"),
                 "$.exchanges[1].request.verb");
}

TEST(TranscriptTest, RejectsInvalidBase64WithItsPath) {
  ExpectRejected(WithExchange(R"({"id": "a", "request": {"path": "/"}, "response": {}},
                                 {"id": "b", "request": {"path": "/"},
                                  "response": {"body_base64": "not base64!"}})"),
                 "$.exchanges[1].response.body_base64");
}

TEST(TranscriptTest, RejectsNonCanonicalBase64) {
  ExpectRejected(WithExchange(R"({"id": "a", "request": {"path": "/"},
                                  "response": {"body_base64": "/x=="}})"),
                 "$.exchanges[0].response.body_base64");
}

TEST(TranscriptTest, RejectsBodyAndBodyBase64Together) {
  ExpectRejected(WithExchange(R"({"id": "a", "request": {"path": "/"},
                                  "response": {"body": "x", "body_base64": "eA=="}})"),
                 "$.exchanges[0].response.body_base64");
}

TEST(TranscriptTest, RejectsAResetFaultThatAlsoHasAResponse) {
  ExpectRejected(WithExchange(R"({"id": "a", "request": {"path": "/"}, "response": {},
                                  "fault": {"kind": "reset"}})"),
                 "$.exchanges[0].response");
}

TEST(TranscriptTest, RejectsATruncationBeyondTheBody) {
  ExpectRejected(WithExchange(R"({"id": "a", "request": {"path": "/"},
                                  "response": {"body": "abc"},
                                  "fault": {"kind": "truncated_body", "after_bytes": 3}})"),
                 "$.exchanges[0].fault.after_bytes");
}

TEST(TranscriptTest, RejectsAContentLengthThatIsNotWrong) {
  ExpectRejected(WithExchange(R"({"id": "a", "request": {"path": "/"},
                                  "response": {"body": "abc"},
                                  "fault": {"kind": "wrong_content_length", "content_length": 3}})"),
                 "$.exchanges[0].fault.content_length");
}

TEST(TranscriptTest, RejectsFieldsOfAnotherFaultKind) {
  ExpectRejected(WithExchange(R"({"id": "a", "request": {"path": "/"},
                                  "response": {"body": "abc"},
                                  "fault": {"kind": "delay_before_headers", "delay_ms": 5,
                                            "after_bytes": 1}})"),
                 "$.exchanges[0].fault.after_bytes");
}

TEST(TranscriptTest, RejectsAnUnknownFaultKind) {
  ExpectRejected(WithExchange(R"({"id": "a", "request": {"path": "/"}, "response": {},
                                  "fault": {"kind": "gremlins"}})"),
                 "$.exchanges[0].fault.kind");
}

TEST(TranscriptTest, RejectsMintOnAGet) {
  ExpectRejected(WithExchange(R"({"id": "a", "request": {"path": "/latest/api/token"},
                                  "imds_token": "mint"})"),
                 "$.exchanges[0].imds_token");
}

TEST(TranscriptTest, RejectsAMissingResponse) {
  ExpectRejected(WithExchange(R"({"id": "a", "request": {"path": "/"}})"),
                 "$.exchanges[0].response");
}

TEST(TranscriptTest, RejectsDuplicateIds) {
  ExpectRejected(WithExchange(R"({"id": "a", "request": {"path": "/"}, "response": {}},
                                 {"id": "a", "request": {"path": "/"}, "response": {}})"),
                 "$.exchanges[1].id");
}

TEST(TranscriptTest, RejectsAnUnsupportedVersion) {
  std::string text = WithExchange(R"({"id": "a", "request": {"path": "/"}, "response": {}})");
  text.replace(text.find("\"version\": 1"), 12, "\"version\": 2");
  ExpectRejected(text, "$.version");
}

TEST(TranscriptTest, RejectsUserAgentAndTokenHeadersInRequests) {
  ExpectRejected(WithExchange(R"({"id": "a", "request": {"path": "/",
                                  "headers": {"user-agent": "aws-cli"}}, "response": {}})"),
                 "$.exchanges[0].request.headers.user-agent");
  ExpectRejected(WithExchange(R"({"id": "a", "request": {"path": "/",
                                  "headers": {"X-AWS-EC2-Metadata-Token": "t"}}, "response": {}})"),
                 "$.exchanges[0].request.headers.X-AWS-EC2-Metadata-Token");
}

TEST(TranscriptTest, RejectsAPathWithAQuery) {
  ExpectRejected(WithExchange(R"({"id": "a", "request": {"path": "/x?y=1"}, "response": {}})"),
                 "$.exchanges[0].request.path");
}

TEST(TranscriptTest, RejectsRepeatMinAboveMax) {
  ExpectRejected(WithExchange(R"({"id": "a", "request": {"path": "/"}, "response": {},
                                  "repeat": {"min": 3, "max": 2}})"),
                 "$.exchanges[0].repeat");
}

TEST(TranscriptTest, RejectsAStatusOutOfRange) {
  ExpectRejected(WithExchange(R"({"id": "a", "request": {"path": "/"},
                                  "response": {"status": 600}})"),
                 "$.exchanges[0].response.status");
}

TEST(TranscriptTest, RejectsAWrongType) {
  ExpectRejected(WithExchange(R"({"id": "a", "request": {"path": "/"}, "response": {},
                                  "optional": "yes"})"),
                 "$.exchanges[0].optional");
}

TEST(TranscriptTest, RejectsABadRecordingTime) {
  std::string text = WithExchange(R"({"id": "a", "request": {"path": "/"}, "response": {}})");
  text.replace(text.find("2024-05-01T12:00:00Z"), 20, "2024-02-30T12:00:00Z");
  ExpectRejected(text, "$.recorded_at");
}

TEST(TranscriptTest, RejectsARecordingTimeOutsideTheRebasableRange) {
  for (const char* when :
       {"1969-12-31T23:59:59Z", "2200-01-01T00:00:00Z", "2199-12-31T23:00:00-02:00"}) {
    std::string text = WithExchange(R"({"id": "a", "request": {"path": "/"}, "response": {}})");
    text.replace(text.find("2024-05-01T12:00:00Z"), 20, when);
    ExpectRejected(text, "$.recorded_at");
  }
}

TEST(TranscriptTest, RoundTripsTheExample) {
  ASSERT_OK_AND_ASSIGN(Transcript t, LoadTranscriptFile(kTestdata));
  std::string text = SerializeTranscript(t);
  ASSERT_OK_AND_ASSIGN(Transcript again, LoadTranscript(text, "serialized"));
  EXPECT_EQ(again, t);
  EXPECT_EQ(SerializeTranscript(again), text);
}

TEST(TranscriptTest, RoundTripsEveryFieldAndFault) {
  std::string exchanges = R"(
    {"id": "t", "family": "imds", "request": {"method": "PUT", "path": "/latest/api/token",
     "headers": {"X-aws-ec2-metadata-token-ttl-seconds": "{{present}}"}},
     "imds_token": "mint", "fault": {"kind": "delay_before_headers", "delay_ms": 2500},
     "repeat": {"min": 0, "max": 3}},
    {"id": "a", "request": {"method": "POST", "path": "/p", "query": "a=1&b", "body": "in",
     "headers": {"Authorization": "{{absent}}"}},
     "response": {"status": 503, "headers": {"Retry-After": "1"}, "body": "<html>busy</html>"},
     "fault": {"kind": "delay_mid_body", "delay_ms": 10, "after_bytes": 2}, "optional": true},
    {"id": "b", "request": {"path": "/b"}, "response": {"body_base64": "AAECAw=="},
     "fault": {"kind": "truncated_body", "after_bytes": 1}},
    {"id": "c", "request": {"path": "/c"}, "response": {"body": "abc"},
     "fault": {"kind": "wrong_content_length", "content_length": 10}},
    {"id": "d", "request": {"path": "/d"}, "fault": {"kind": "reset"}},
    {"id": "e", "request": {"path": "/e"}, "fault": {"kind": "close_without_response"}})";
  ASSERT_OK_AND_ASSIGN(Transcript t,
                       LoadTranscript(WithExchange(exchanges, R"("imds_tokens": {"required": true},
                                  "rebase": {"json_fields": ["Expiration"], "shift_seconds": -60},)"),
                                      "x.json"));
  ASSERT_EQ(t.exchanges.size(), 6u);
  EXPECT_EQ(t.exchanges[1].fault->kind, FaultKind::kDelayMidBody);
  EXPECT_EQ(t.rebase.shift, std::chrono::seconds(-60));
  ASSERT_OK_AND_ASSIGN(Transcript again, LoadTranscript(SerializeTranscript(t), "serialized"));
  EXPECT_EQ(again, t);
}

// A random transcript that is valid by construction (deterministic seed).
Transcript RandomTranscript(std::mt19937* rng) {
  auto pick = [rng](int n) { return int((*rng)() % unsigned(n)); };
  auto text = [&](const std::string& alphabet, int max_len) {
    std::string out;
    for (int i = pick(max_len + 1); i > 0; --i) out += alphabet[size_t(pick(int(alphabet.size())))];
    return out;
  };
  const std::string printable = "abcXYZ019 -_./:=&%\"\\{}";
  const std::string token_chars = "abcXYZ019-_";
  Transcript t;
  t.name = "n" + text(printable, 8);
  t.docs = text(printable, 20) + (pick(2) ? "\xc3\xa9\xe2\x82\xac" : "");
  t.recorded_at = std::chrono::system_clock::from_time_t(pick(2000000000));
  if (pick(2)) t.imds_tokens = ImdsTokenPolicy{pick(2) == 1};
  for (int i = pick(3); i > 0; --i) t.rebase.json_fields.push_back("F" + std::to_string(i));
  t.rebase.shift = std::chrono::seconds(pick(100000) - 50000);
  for (int i = pick(3); i > 0; --i) {
    t.sigv4_keys.push_back(SigV4Key{"AKIA" + std::to_string(i) + text(token_chars, 6),
                                    Secret("s" + text(printable, 10)),
                                    Secret(pick(2) ? "t" + text(token_chars, 5) : "")});
  }
  for (int i = 0, n = 1 + pick(6); i < n; ++i) {
    Exchange e;
    e.id = "x" + std::to_string(i) + text(token_chars, 4);
    e.family = "f" + text(printable, 3);
    e.request.method = pick(2) ? "GET" : "PUT";
    e.request.path = "/" + text("abz019-_./%", 10);
    e.request.query = text("abz019=&%", 6);
    for (int h = pick(3); h > 0; --h) {
      e.request.headers.push_back(
          {"H" + std::to_string(h) + text(token_chars, 3),
           pick(3) == 0 ? std::string(kHeaderPresent) : text(printable, 6)});
    }
    if (pick(2)) e.request.body = text(printable, 10);
    if (pick(3) == 0)
      e.host = "sts." + text("abz019-", 6) + ".amazonaws.com" + (pick(2) ? ":443" : "");
    e.imds_token = static_cast<ImdsTokenRole>(pick(4));
    if (e.imds_token == ImdsTokenRole::kMint) e.request.method = "PUT";
    e.repeat.max = 1 + pick(5);
    e.repeat.min = pick(e.repeat.max + 1);
    e.optional = pick(2) == 1;
    if (!t.sigv4_keys.empty() && pick(2)) e.sigv4 = SigV4Check::kVerify;
    int fault = pick(8);  // 0..5 a fault kind, else none
    bool writes_nothing = fault == 2 || fault == 3;
    if (!writes_nothing && (e.imds_token != ImdsTokenRole::kMint || pick(2))) {
      RecordedResponse r;
      r.status = 100 + pick(500);
      for (int h = pick(3); h > 0; --h)
        r.headers.push_back({"R" + std::to_string(h), text(printable, 5)});
      r.encoding = pick(2) ? BodyEncoding::kBase64 : BodyEncoding::kText;
      r.body = r.encoding == BodyEncoding::kBase64 ? std::string(size_t(pick(6)), char(pick(256)))
                                                   : text(printable, 12);
      r.body += "xyz";  // at least 3 bytes, so that body faults fit
      e.response = r;
    }
    if (fault < 6 && (writes_nothing || e.response)) {
      Fault f;
      f.kind = static_cast<FaultKind>(fault);
      if (f.kind == FaultKind::kDelayBeforeHeaders || f.kind == FaultKind::kDelayMidBody) {
        f.delay = std::chrono::milliseconds(pick(10000));
      }
      if (f.kind == FaultKind::kDelayMidBody || f.kind == FaultKind::kTruncatedBody) {
        f.after_bytes = uint64_t(pick(int(e.response->body.size())));
      }
      if (f.kind == FaultKind::kWrongContentLength) f.content_length = e.response->body.size() + 1;
      e.fault = f;
    } else if (writes_nothing && !e.response && e.imds_token != ImdsTokenRole::kMint) {
      e.fault = Fault{FaultKind::kReset, {}, 0, 0};
    }
    t.exchanges.push_back(std::move(e));
  }
  return t;
}

TEST(TranscriptTest, RoundTripsRandomValidTranscripts) {
  std::mt19937 rng(20240501);
  for (int i = 0; i < 300; ++i) {
    Transcript t = RandomTranscript(&rng);
    std::string text = SerializeTranscript(t);
    StatusOr<Transcript> again = LoadTranscript(text, "random");
    ASSERT_TRUE(again.ok()) << again.status() << "\n" << text;
    ASSERT_EQ(*again, t) << text;
  }
}

TEST(TranscriptTest, LoadsAndRoundTripsAnExchangeHost) {
  ASSERT_OK_AND_ASSIGN(
      Transcript t,
      LoadTranscript(WithExchange(R"({"id": "a", "host": "sts.us-east-1.amazonaws.com",
          "request": {"path": "/"}, "response": {}},
          {"id": "b", "host": "127.0.0.1:8443", "request": {"path": "/"}, "response": {}},
          {"id": "c", "host": "[::1]:9", "request": {"path": "/"}, "response": {}},
          {"id": "d", "request": {"path": "/"}, "response": {}})"),
                     "x.json"));
  EXPECT_EQ(t.exchanges[0].host, "sts.us-east-1.amazonaws.com");
  EXPECT_EQ(t.exchanges[1].host, "127.0.0.1:8443");
  EXPECT_EQ(t.exchanges[3].host, "");
  std::string text = SerializeTranscript(t);
  EXPECT_THAT(text, HasSubstr("\"host\": \"sts.us-east-1.amazonaws.com\""));
  ASSERT_OK_AND_ASSIGN(Transcript again, LoadTranscript(text, "serialized"));
  EXPECT_EQ(again, t);
}

TEST(TranscriptTest, SerializesNoHostWhenNoneIsSet) {
  ASSERT_OK_AND_ASSIGN(Transcript t, LoadTranscriptFile(kTestdata));
  EXPECT_THAT(SerializeTranscript(t), ::testing::Not(HasSubstr("\"host\"")));
}

TEST(TranscriptTest, RejectsAMalformedHost) {
  for (const char* host : {"", "sts.amazonaws.com:", "a b", "https://sts.amazonaws.com",
                           "sts.amazonaws.com/x", "h:0", "h:70000", "[::1"}) {
    ExpectRejected(WithExchange(std::string(R"({"id": "a", "host": ")") + host +
                                R"(", "request": {"path": "/"}, "response": {}})"),
                   "$.exchanges[0].host");
  }
}

TEST(TranscriptTest, LoadsAndRoundTripsSigV4KeysAndVerifyExchanges) {
  ASSERT_OK_AND_ASSIGN(
      Transcript t,
      LoadTranscript(
          WithExchange(R"({"id": "a", "sigv4": "verify", "request": {"path": "/"}, "response": {}},
                          {"id": "b", "sigv4": "ignore", "request": {"path": "/"}, "response": {}})",
                       R"("sigv4_keys": [{"access_key_id": "AKIAIOSFODNN7FAKEKEY",
                           "secret_access_key": "fake/secret"},
                          {"access_key_id": "ASIAIOSFODNN7FAKEKEY", "secret_access_key": "s2",
                           "session_token": "IQoJFAKETOKEN"}],)"),
          "x.json"));
  ASSERT_EQ(t.sigv4_keys.size(), 2u);
  EXPECT_EQ(t.sigv4_keys[1].session_token.reveal(), "IQoJFAKETOKEN");
  EXPECT_EQ(t.exchanges[0].sigv4, SigV4Check::kVerify);
  EXPECT_EQ(t.exchanges[1].sigv4, SigV4Check::kIgnore);
  std::string text = SerializeTranscript(t);
  ASSERT_OK_AND_ASSIGN(Transcript again, LoadTranscript(text, "serialized"));
  EXPECT_EQ(again, t);
  EXPECT_EQ(SerializeTranscript(again), text);
}

TEST(TranscriptTest, RejectsVerifyWithoutKeysAndBadKeysWithoutQuotingSecrets) {
  ExpectRejected(WithExchange(R"({"id": "a", "sigv4": "verify", "request": {"path": "/"},
                                  "response": {}})"),
                 "$.exchanges[0].sigv4");
  ExpectRejected(WithExchange(R"({"id": "a", "sigv4": "sometimes", "request": {"path": "/"},
                                  "response": {}})"),
                 "$.exchanges[0].sigv4");
  const std::string exchange = R"({"id": "a", "request": {"path": "/"}, "response": {}})";
  ExpectRejected(WithExchange(exchange, R"("sigv4_keys": [{"access_key_id": "A/B",
                                            "secret_access_key": "s"}],)"),
                 "$.sigv4_keys[0].access_key_id");
  ExpectRejected(WithExchange(exchange, R"("sigv4_keys": [{"access_key_id": "A",
                                            "secret_access_key": ""}],)"),
                 "$.sigv4_keys[0].secret_access_key");
  ExpectRejected(WithExchange(exchange, R"("sigv4_keys": [{"access_key_id": "A",
                                            "secret_access_key": "x", "extra": 1}],)"),
                 "$.sigv4_keys[0].extra");
  ExpectRejected(
      WithExchange(exchange, R"("sigv4_keys": [{"access_key_id": "A", "secret_access_key": "x1"},
                                            {"access_key_id": "A", "secret_access_key": "x2"}],)"),
      "$.sigv4_keys[1].access_key_id");
  StatusOr<Transcript> bad =
      LoadTranscript(WithExchange(exchange, R"("sigv4_keys": [{"access_key_id": "A",
                                 "secret_access_key": 12345678}],)"),
                     "x.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), ::testing::Not(HasSubstr("12345678")));
}

TEST(TranscriptTest, SerializesBinaryTextBodiesAsBase64) {
  ASSERT_OK_AND_ASSIGN(Transcript t, LoadTranscriptFile(kTestdata));
  t.exchanges[1].response->body = std::string("\xc3\x28", 2);  // invalid UTF-8
  std::string text = SerializeTranscript(t);
  EXPECT_THAT(text, HasSubstr("\"body_base64\": \"wyg=\""));
  ASSERT_OK_AND_ASSIGN(Transcript again, LoadTranscript(text, "serialized"));
  EXPECT_EQ(again.exchanges[1].response->body, t.exchanges[1].response->body);
}

}  // namespace
}  // namespace replay
}  // namespace chantless
