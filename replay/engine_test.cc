// Tests for the replay engine: matching policy, IMDSv2 token semantics, time rebasing and the
// verdict, each named for the rule it checks.
#include "replay/engine.h"

#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/core/time_util.h"
#include "resolver/sigv4/sigv4_signer.h"
#include "resolver/testing/fakes.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace replay {
namespace {

using ::chantless::testing::FakeClock;
using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

Transcript Make(const std::string& exchanges, const std::string& extra_top = "") {
  std::string text = R"({"format": "chantless-transcript", "version": 1, "name": "t", "docs": "d",
             "recorded_at": "2024-05-01T12:00:00Z", )" +
                     extra_top + R"("exchanges": [)" + exchanges + "]}";
  StatusOr<Transcript> t = LoadTranscript(text, "test");
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? *t : Transcript{};
}

ReplayRequest Req(std::string method, std::string target, HttpHeaders headers = {}) {
  ReplayRequest r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.headers = std::move(headers);
  return r;
}

constexpr char kTokenTtl[] = "X-aws-ec2-metadata-token-ttl-seconds";
constexpr char kToken[] = "X-aws-ec2-metadata-token";

class EngineTest : public ::testing::Test {
 protected:
  FakeClock clock_;
};

TEST_F(EngineTest, ServesExchangesInOrderAndPassesTheVerdict) {
  Engine engine(Make(R"({"id": "a", "request": {"path": "/a"}, "response": {"body": "A"}},
                        {"id": "b", "request": {"path": "/b"}, "response": {"status": 201}})"),
                OnClock(&clock_));
  Outcome a = engine.Handle(Req("GET", "/a"));
  EXPECT_EQ(a.kind, OutcomeKind::kServed);
  EXPECT_EQ(a.exchange_id, "a");
  EXPECT_EQ(a.response.body, "A");
  EXPECT_EQ(engine.Handle(Req("GET", "/b")).response.status, 201);
  Verdict v = engine.GetVerdict();
  EXPECT_TRUE(v.ok) << v.ToText();
  EXPECT_EQ(v.requests, 2);
}

TEST_F(EngineTest, StrictOrderWithinAFamily) {
  Engine engine(Make(R"({"id": "a", "request": {"path": "/a"}, "response": {}},
                        {"id": "b", "request": {"path": "/b"}, "response": {}})"),
                OnClock(&clock_));
  Outcome b = engine.Handle(Req("GET", "/b"));
  EXPECT_EQ(b.kind, OutcomeKind::kUnmatched);
  EXPECT_EQ(b.miss.nearest_id, "b");
  EXPECT_THAT(b.miss.diff, ElementsAre(HasSubstr("order:")));
  EXPECT_EQ(b.response.status, 404);
}

TEST_F(EngineTest, NoOrderAcrossFamilies) {
  Engine engine(Make(R"({"id": "a", "family": "x", "request": {"path": "/a"}, "response": {}},
                        {"id": "b", "family": "y", "request": {"path": "/b"}, "response": {}})"),
                OnClock(&clock_));
  EXPECT_EQ(engine.Handle(Req("GET", "/b")).kind, OutcomeKind::kServed);
  EXPECT_EQ(engine.Handle(Req("GET", "/a")).kind, OutcomeKind::kServed);
  EXPECT_TRUE(engine.GetVerdict().ok);
}

TEST_F(EngineTest, OptionalExchangesMayBeSkippedButNotRevisited) {
  Engine engine(Make(R"({"id": "a", "request": {"path": "/a"}, "response": {}, "optional": true},
                        {"id": "b", "request": {"path": "/b"}, "response": {}})"),
                OnClock(&clock_));
  EXPECT_EQ(engine.Handle(Req("GET", "/b")).kind, OutcomeKind::kServed);
  EXPECT_EQ(engine.Handle(Req("GET", "/a")).kind, OutcomeKind::kUnmatched);
  EXPECT_FALSE(engine.GetVerdict().ok);
}

TEST_F(EngineTest, RepeatCountsBoundMatches) {
  Engine engine(Make(R"({"id": "a", "request": {"path": "/a"}, "response": {},
                         "repeat": {"min": 2, "max": 3}})"),
                OnClock(&clock_));
  engine.Handle(Req("GET", "/a"));
  Verdict v = engine.GetVerdict();
  EXPECT_FALSE(v.ok);
  ASSERT_EQ(v.unconsumed.size(), 1u);
  EXPECT_EQ(v.unconsumed[0].consumed, 1);
  EXPECT_EQ(v.unconsumed[0].required, 2);
  engine.Handle(Req("GET", "/a"));
  engine.Handle(Req("GET", "/a"));
  EXPECT_TRUE(engine.GetVerdict().ok);
  Outcome fourth = engine.Handle(Req("GET", "/a"));
  EXPECT_EQ(fourth.kind, OutcomeKind::kUnmatched);
  EXPECT_THAT(fourth.miss.diff, ElementsAre(HasSubstr("repeat: already consumed 3")));
  EXPECT_FALSE(engine.GetVerdict().ok);
}

TEST_F(EngineTest, MatchesQueryHeadersAndBody) {
  Engine engine(Make(R"({"id": "a", "request": {"method": "POST", "path": "/a", "query": "x=1",
                         "headers": {"Authorization": "Bearer fake", "X-Absent": "{{absent}}",
                                     "X-Any": "{{present}}"}, "body": "in"},
                         "response": {}})"),
                OnClock(&clock_));
  ReplayRequest good = Req("POST", "/a?x=1",
                           {{"authorization", "Bearer fake"}, {"x-any", "1"}, {"User-Agent", "u"}});
  good.body = "in";
  ReplayRequest wrong_query = good;
  wrong_query.target = "/a?x=2";
  ReplayRequest wrong_header = good;
  wrong_header.headers[0].second = "Bearer other";
  ReplayRequest absent_present = good;
  absent_present.headers.push_back({"X-Absent", "1"});
  ReplayRequest missing_any = good;
  missing_any.headers.erase(missing_any.headers.begin() + 1);
  ReplayRequest wrong_body = good;
  wrong_body.body = "out";
  for (const ReplayRequest& bad :
       {wrong_query, wrong_header, absent_present, missing_any, wrong_body}) {
    EXPECT_EQ(engine.Handle(bad).kind, OutcomeKind::kUnmatched) << bad.target;
  }
  EXPECT_EQ(engine.Handle(good).kind, OutcomeKind::kServed);
}

TEST_F(EngineTest, MissDiffNamesTheNearestExchangeWithoutHeaderValues) {
  Engine engine(Make(R"({"id": "creds", "request": {"path": "/creds",
                         "headers": {"Authorization": "secret-auth-EXAMPLE"}}, "response": {}},
                        {"id": "other", "request": {"method": "PUT", "path": "/zzz"},
                         "response": {}})"),
                OnClock(&clock_));
  Outcome out = engine.Handle(Req("GET", "/creds", {{"Authorization", "wrong-auth-EXAMPLE"}}));
  ASSERT_EQ(out.kind, OutcomeKind::kUnmatched);
  EXPECT_EQ(out.miss.nearest_id, "creds");
  EXPECT_THAT(out.miss.diff,
              ElementsAre("header Authorization: value differs (values are not shown)"));
  std::string verdict =
      engine.GetVerdict().ToText() + engine.GetVerdict().ToJson() + out.response.body;
  EXPECT_THAT(verdict, Not(HasSubstr("secret-auth")));
  EXPECT_THAT(verdict, Not(HasSubstr("wrong-auth")));
  EXPECT_THAT(out.response.body, HasSubstr("nearest recorded exchange: creds"));

  Outcome path = engine.Handle(Req("GET", "/cred"));
  EXPECT_THAT(path.miss.diff,
              ::testing::Contains(HasSubstr("path: recorded \"/creds\", got \"/cred\"")));
}

TEST_F(EngineTest, NearestPrefersTheLongestCommonPathOnTies) {
  Engine engine(Make(R"({"id": "token", "family": "t", "request": {"path": "/latest/api/token"},
                         "response": {}},
                        {"id": "creds", "family": "c",
                         "request": {"path": "/latest/meta-data/iam/security-credentials/Role"},
                         "response": {}})"),
                OnClock(&clock_));
  Outcome out = engine.Handle(Req("GET", "/latest/meta-data/iam/security-credentials/Other"));
  EXPECT_EQ(out.miss.nearest_id, "creds");
}

const char kImds[] = R"(
  {"id": "token", "family": "imds-token", "request": {"method": "PUT", "path": "/latest/api/token"},
   "imds_token": "mint", "repeat": {"min": 1, "max": 3}},
  {"id": "creds", "family": "imds", "request": {"path": "/creds"},
   "response": {"body": "{\"Expiration\": \"2024-05-01T18:00:00Z\", \"Other\": \"2024-05-01T18:00:00Z\"}"},
   "repeat": {"min": 1, "max": 3}})";

TEST_F(EngineTest, MintsAFreshTokenNeverARecordedOne) {
  Engine engine(Make(kImds, R"("imds_tokens": {"required": true}, )"), OnClock(&clock_));
  Outcome put = engine.Handle(Req("PUT", "/latest/api/token", {{kTokenTtl, "21600"}}));
  ASSERT_EQ(put.kind, OutcomeKind::kServed);
  EXPECT_EQ(put.response.status, 200);
  EXPECT_FALSE(put.response.body.empty());
  EXPECT_EQ(FindHeader(put.response.headers, kTokenTtl), "21600");
  Outcome put2 = engine.Handle(Req("PUT", "/latest/api/token", {{kTokenTtl, "60"}}));
  EXPECT_NE(put2.response.body, put.response.body);
  EXPECT_EQ(engine.Handle(Req("GET", "/creds", {{kToken, put.response.body}})).kind,
            OutcomeKind::kServed);
}

TEST_F(EngineTest, TokenTtlHeaderMissingZeroOrTooLargeIs400) {
  Engine engine(Make(kImds, R"("imds_tokens": {"required": true}, )"), OnClock(&clock_));
  for (const HttpHeaders& headers :
       {HttpHeaders{}, HttpHeaders{{kTokenTtl, "0"}}, HttpHeaders{{kTokenTtl, "21601"}},
        HttpHeaders{{kTokenTtl, "abc"}}, HttpHeaders{{kTokenTtl, "-5"}}}) {
    Outcome out = engine.Handle(Req("PUT", "/latest/api/token", headers));
    EXPECT_EQ(out.kind, OutcomeKind::kTokenRejected);
    EXPECT_EQ(out.response.status, 400);
  }
  Verdict v = engine.GetVerdict();
  EXPECT_EQ(v.token_rejections, 5);
  ASSERT_EQ(v.unconsumed.size(), 2u);  // refusals do not consume the token exchange
  EXPECT_EQ(v.unconsumed[0].id, "token");
}

TEST_F(EngineTest, TokenPutWithXForwardedForIs403) {
  Engine engine(Make(kImds), OnClock(&clock_));
  Outcome out = engine.Handle(
      Req("PUT", "/latest/api/token", {{kTokenTtl, "21600"}, {"X-Forwarded-For", "10.0.0.1"}}));
  EXPECT_EQ(out.kind, OutcomeKind::kTokenRejected);
  EXPECT_EQ(out.response.status, 403);
}

TEST_F(EngineTest, RequiredTokenMissingOrUnknownIs401AndRetryable) {
  Engine engine(Make(kImds, R"("imds_tokens": {"required": true}, )"), OnClock(&clock_));
  EXPECT_EQ(engine.Handle(Req("GET", "/creds")).response.status, 401);
  EXPECT_EQ(engine.Handle(Req("GET", "/creds", {{kToken, "forged"}})).response.status, 401);
  std::string token =
      engine.Handle(Req("PUT", "/latest/api/token", {{kTokenTtl, "21600"}})).response.body;
  Outcome ok = engine.Handle(Req("GET", "/creds", {{kToken, token}}));
  EXPECT_EQ(ok.kind, OutcomeKind::kServed);
  Verdict v = engine.GetVerdict();
  EXPECT_TRUE(v.ok) << v.ToText();
  EXPECT_EQ(v.token_rejections, 2);
}

TEST_F(EngineTest, TokenExpiresOnTheReplayClock) {
  Engine engine(Make(kImds, R"("imds_tokens": {"required": true}, )"), OnClock(&clock_));
  std::string token =
      engine.Handle(Req("PUT", "/latest/api/token", {{kTokenTtl, "60"}})).response.body;
  clock_.Advance(std::chrono::seconds(59));
  EXPECT_EQ(engine.Handle(Req("GET", "/creds", {{kToken, token}})).kind, OutcomeKind::kServed);
  clock_.Advance(std::chrono::seconds(1));
  Outcome expired = engine.Handle(Req("GET", "/creds", {{kToken, token}}));
  EXPECT_EQ(expired.response.status, 401);
  EXPECT_EQ(expired.reason, "token expired");
}

TEST_F(EngineTest, OptionalTokensAcceptNoTokenButNotABadOne) {
  Engine engine(Make(kImds, R"("imds_tokens": {"required": false}, )"), OnClock(&clock_));
  EXPECT_EQ(engine.Handle(Req("GET", "/creds")).kind, OutcomeKind::kServed);
  EXPECT_EQ(engine.Handle(Req("GET", "/creds", {{kToken, "forged"}})).response.status, 401);
}

TEST_F(EngineTest, MintPlaceholderInARecordedResponse) {
  Engine engine(Make(R"({"id": "t", "request": {"method": "PUT", "path": "/latest/api/token"},
                         "imds_token": "mint", "response": {"body": "tok={{imds_token}}"}})"),
                OnClock(&clock_));
  Outcome out = engine.Handle(Req("PUT", "/latest/api/token", {{kTokenTtl, "5"}}));
  EXPECT_THAT(out.response.body, HasSubstr("tok=AQAEA"));
  EXPECT_THAT(out.response.body, Not(HasSubstr("{{")));
}

TEST_F(EngineTest, RebasesListedTimesToTheClock) {
  clock_.SetNow(*ParseRfc3339("2026-01-01T09:00:00Z"));
  Engine engine(Make(kImds, R"("rebase": {"json_fields": ["Expiration"]}, )"), OnClock(&clock_));
  std::string body = engine.Handle(Req("GET", "/creds")).response.body;
  EXPECT_EQ(body, R"({"Expiration": "2026-01-01T15:00:00Z", "Other": "2024-05-01T18:00:00Z"})");
}

TEST_F(EngineTest, RebasesToAPinnedInstantWithShifts) {
  EngineOptions options{&clock_, *ParseRfc3339("2030-06-01T00:00:00Z"), std::chrono::seconds(-60)};
  Engine engine(
      Make(kImds, R"("rebase": {"json_fields": ["Expiration"], "shift_seconds": -21360}, )"),
      options);
  // 18:00 recorded 6 h after 12:00; -21360 s leaves 4 min, the option takes one more.
  EXPECT_THAT(engine.Handle(Req("GET", "/creds")).response.body,
              HasSubstr("\"2030-06-01T00:03:00Z\""));
}

TEST(RebaseTest, XmlElementsAreRebasedInPlace) {
  std::string xml =
      "<Credentials>\n  <SessionToken>x</SessionToken>\n"
      "  <Expiration>2024-05-01T13:00:00Z</Expiration>\n</Credentials>\n"
      "<Other><Expiration>soon</Expiration></Other>";
  EXPECT_EQ(RebaseXmlTimes(xml, {"Expiration"}, std::chrono::hours(2)),
            "<Credentials>\n  <SessionToken>x</SessionToken>\n"
            "  <Expiration>2024-05-01T15:00:00Z</Expiration>\n</Credentials>\n"
            "<Other><Expiration>soon</Expiration></Other>");
  EXPECT_EQ(RebaseXmlTimes(xml, {}, std::chrono::hours(2)), xml);
}

TEST(RebaseTest, EpochMillisecondMembersAreRebased) {
  std::string body =
      R"({"roleCredentials": {"expiration": 1714572000000, "accessKeyId": "ASIAFAKE"},)"
      R"( "other": 1714572000000, "frac": {"expiration": 1.5}})";
  EXPECT_EQ(RebaseJsonEpochMs(body, {"expiration"}, std::chrono::seconds(3600)),
            R"({"roleCredentials": {"expiration": 1714575600000, "accessKeyId": "ASIAFAKE"},)"
            R"( "other": 1714572000000, "frac": {"expiration": 1.5}})");
  EXPECT_EQ(
      RebaseJsonEpochMs("not json {\"expiration\": 1}", {"expiration"}, std::chrono::seconds(5)),
      "not json {\"expiration\": 1}");
}

TEST_F(EngineTest, RebasesStsXmlAndSsoMillisecondsToTheClock) {
  clock_.SetNow(*ParseRfc3339("2026-01-01T12:00:00Z"));
  Transcript t = Make(R"({"id": "sts", "request": {"method": "POST", "path": "/"},
                          "response": {"body": "<Expiration>2024-05-01T13:00:00Z</Expiration>"}},
                         {"id": "sso", "request": {"path": "/federation/credentials"},
                          "response": {"body": "{\"roleCredentials\": {\"expiration\": 1714568400000}}"}})",
                      R"("rebase": {"xml_elements": ["Expiration"],
                                    "json_epoch_ms_fields": ["expiration"]}, )");
  EXPECT_EQ(t.rebase.xml_elements, std::vector<std::string>{"Expiration"});
  Transcript round_trip = *LoadTranscript(SerializeTranscript(t), "round trip");
  EXPECT_EQ(round_trip.rebase, t.rebase);
  Engine engine(t, OnClock(&clock_));
  EXPECT_EQ(engine.Handle(Req("POST", "/")).response.body,
            "<Expiration>2026-01-01T13:00:00Z</Expiration>");
  // 1714568400000 ms is 2024-05-01T13:00:00Z; an hour after the clock, as recorded.
  EXPECT_EQ(engine.Handle(Req("GET", "/federation/credentials")).response.body,
            "{\"roleCredentials\": {\"expiration\": 1767272400000}}");
}

TEST(RebaseTest, AnElementNamedInBothListsIsShiftedOnce) {
  RebasePolicy policy;
  policy.json_fields = {"Expiration"};
  policy.xml_elements = {"Expiration"};
  EXPECT_EQ(
      RebaseTimes("<Expiration>2024-05-01T13:00:00Z</Expiration>", policy, std::chrono::hours(1)),
      "<Expiration>2024-05-01T14:00:00Z</Expiration>");
}

TEST_F(EngineTest, QueryParametersMatchInAnyOrderAndEncoding) {
  Engine engine(Make(R"({"id": "q", "request": {"path": "/federation/credentials",
                          "query": "role_name=Read+Only&account_id=123456789012"},
                          "response": {"body": "ok"}, "repeat": {"min": 1, "max": 3}})"),
                OnClock(&clock_));
  EXPECT_EQ(engine
                .Handle(Req("GET",
                            "/federation/credentials?account_id=123456789012&role_name="
                            "Read%20Only"))
                .response.status,
            200);
  EXPECT_EQ(engine.Handle(Req("GET", "/federation/credentials?role_name=Read+Only&account_id=1"))
                .response.status,
            404);
  EXPECT_EQ(
      engine.Handle(Req("GET", "/federation/credentials?role_name=Read+Only")).response.status,
      404);
}

TEST_F(EngineTest, ConcurrentRequestsAreCountedExactly) {
  Engine engine(Make(R"({"id": "a", "request": {"path": "/a"}, "response": {},
                         "repeat": {"min": 200, "max": 200}})"),
                OnClock(&clock_));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&engine] {
      for (int i = 0; i < 50; ++i) engine.Handle(Req("GET", "/a"));
    });
  }
  for (std::thread& t : threads) t.join();
  Verdict v = engine.GetVerdict();
  EXPECT_TRUE(v.ok) << v.ToText();
  EXPECT_EQ(v.requests, 200);
  EXPECT_EQ(engine.Handle(Req("GET", "/a")).kind, OutcomeKind::kUnmatched);
}

TEST(RebaseJsonTimesTest, KeepsFormattingAndIgnoresNonJson) {
  std::string body =
      "{\n  \"Nested\" : {\"Expiration\" : \"2024-05-01T12:00:00Z\"},\n  \"Code\" : \"Success\"\n}";
  EXPECT_EQ(RebaseJsonTimes(body, {"Expiration"}, std::chrono::hours(1)),
            "{\n  \"Nested\" : {\"Expiration\" : \"2024-05-01T13:00:00Z\"},\n  \"Code\" : "
            "\"Success\"\n}");
  EXPECT_EQ(RebaseJsonTimes("not json 2024-05-01T12:00:00Z", {"Expiration"}, std::chrono::hours(1)),
            "not json 2024-05-01T12:00:00Z");
  EXPECT_EQ(RebaseJsonTimes(R"({"Expiration": "soon"})", {"Expiration"}, std::chrono::hours(1)),
            R"({"Expiration": "soon"})");
}

TEST(RebaseXmlTimesTest, RebasesNamedElementsOfXmlBodiesOnly) {
  const std::string xml =
      "<R><Credentials><Expiration>2024-05-01T13:00:00Z</Expiration><AccessKeyId>A</AccessKeyId>"
      "</Credentials><Other>2024-05-01T13:00:00Z</Other><Expiration>soon</Expiration></R>";
  EXPECT_EQ(
      RebaseXmlTimes(xml, {"Expiration"}, std::chrono::hours(2)),
      "<R><Credentials><Expiration>2024-05-01T15:00:00Z</Expiration><AccessKeyId>A</AccessKeyId>"
      "</Credentials><Other>2024-05-01T13:00:00Z</Other><Expiration>soon</Expiration></R>");
  EXPECT_EQ(RebaseXmlTimes("{\"Expiration\": 1}", {"Expiration"}, std::chrono::hours(2)),
            "{\"Expiration\": 1}");
}

TEST_F(EngineTest, RebasesAnStsXmlExpiration) {
  EngineOptions options = OnClock(&clock_);
  options.now = *ParseRfc3339("2030-01-01T00:00:00Z");
  Engine engine(Make(R"({"id": "a", "request": {"method": "POST", "path": "/"},
      "response": {"body": "<Credentials><Expiration>2024-05-01T13:00:00Z</Expiration></Credentials>"}})",
                     R"("rebase": {"json_fields": ["Expiration"]},)"),
                options);
  EXPECT_EQ(engine.Handle(Req("POST", "/")).response.body,
            "<Credentials><Expiration>2030-01-01T01:00:00Z</Expiration></Credentials>");
}

TEST(RebaseJsonTimesTest, LeavesTimesThatWouldLeaveTheRepresentableRange) {
  const std::chrono::seconds far(int64_t{300} * 365 * 24 * 3600);
  EXPECT_EQ(RebaseJsonTimes(R"({"Expiration": "2024-05-01T12:00:00Z"})", {"Expiration"}, far),
            R"({"Expiration": "2024-05-01T12:00:00Z"})");
}

TEST_F(EngineTest, RebaseOffsetDoesNotOverflowForDistantAnchors) {
  EngineOptions options = OnClock(&clock_);
  options.now = *ParseRfc3339("2250-01-01T00:00:00Z");
  options.shift = std::chrono::seconds(int64_t{-100} * 366 * 24 * 3600);
  Engine engine(Make(kImds, R"("rebase": {"json_fields": ["Expiration"]}, )"), options);
  EXPECT_EQ(engine.rebase_offset(),
            std::chrono::floor<std::chrono::seconds>(*options.now - clock_.Now()) + options.shift);
}

TEST_F(EngineTest, VerdictJsonListsUnconsumedAndUnexpected) {
  Engine engine(Make(R"({"id": "a", "request": {"path": "/a"}, "response": {}})"),
                OnClock(&clock_));
  engine.Handle(Req("GET", "/nope"));
  Verdict v = engine.GetVerdict();
  EXPECT_FALSE(v.ok);
  EXPECT_THAT(v.ToJson(), HasSubstr(R"("unconsumed":[{"id":"a","consumed":0,"required":1}])"));
  EXPECT_THAT(v.ToJson(), HasSubstr(R"("target":"/nope")"));
  EXPECT_THAT(v.ToText(), HasSubstr("verdict: FAIL"));
}

TEST_F(EngineTest, LoadsTheTestdataTranscript) {
  ASSERT_OK_AND_ASSIGN(Transcript t, LoadTranscriptFile("replay/testdata/imdsv2.json"));
  Engine engine(std::move(t), OnClock(&clock_));
  std::string token =
      engine.Handle(Req("PUT", "/latest/api/token", {{kTokenTtl, "21600"}})).response.body;
  EXPECT_EQ(
      engine.Handle(Req("GET", "/latest/meta-data/iam/security-credentials/", {{kToken, token}}))
          .response.body,
      "TestEC2Role");
  std::string creds =
      engine
          .Handle(Req("GET", "/latest/meta-data/iam/security-credentials/TestEC2Role",
                      {{kToken, token}}))
          .response.body;
  // FakeClock starts at the recording instant: nothing moves.
  EXPECT_THAT(creds, HasSubstr("\"Expiration\" : \"2024-05-01T18:00:00Z\""));
  EXPECT_TRUE(engine.GetVerdict().ok);
}

ReplayRequest Post(std::string host, std::string body, std::string content_type) {
  ReplayRequest r = Req("POST", "/", {{"Content-Type", std::move(content_type)}});
  r.host = std::move(host);
  r.body = std::move(body);
  return r;
}

TEST_F(EngineTest, MatchesTheExchangeHostWhenOneIsRecorded) {
  Engine engine(Make(R"({"id": "east", "family": "e", "host": "sts.us-east-1.amazonaws.com",
                "request": {"path": "/"}, "response": {"body": "E"}},
               {"id": "west", "family": "w", "host": "STS.us-west-2.amazonaws.com:443",
                "request": {"path": "/"}, "response": {"body": "W"}})"),
                OnClock(&clock_));
  ReplayRequest west = Req("GET", "/");
  west.host = "sts.us-west-2.amazonaws.com";
  EXPECT_EQ(engine.Handle(west).exchange_id, "west");
  ReplayRequest other = Req("GET", "/");
  other.host = "sts.eu-west-1.amazonaws.com";
  Outcome miss = engine.Handle(other);
  EXPECT_EQ(miss.kind, OutcomeKind::kUnmatched);
  EXPECT_THAT(miss.miss.diff, ElementsAre(HasSubstr("host: recorded")));
  EXPECT_EQ(miss.miss.host, "sts.eu-west-1.amazonaws.com");
  EXPECT_THAT(engine.GetVerdict().ToText(),
              HasSubstr("unexpected: GET \"/\" on \"sts.eu-west-1.amazonaws.com\"; nearest: "));
  EXPECT_THAT(engine.GetVerdict().ToJson(), HasSubstr(R"("host":"sts.eu-west-1.amazonaws.com")"));
  ReplayRequest east = Req("GET", "/");
  east.host = "sts.us-east-1.amazonaws.com:8443";  // the port is compared only when both name one
  EXPECT_EQ(engine.Handle(east).exchange_id, "east");
}

TEST_F(EngineTest, HostRules) {
  EXPECT_TRUE(HostMatches("", "anything"));
  EXPECT_TRUE(HostMatches("sts.amazonaws.com", ""));
  EXPECT_TRUE(HostMatches("sts.amazonaws.com", "127.0.0.1:4242"));
  EXPECT_TRUE(HostMatches("sts.amazonaws.com", "localhost"));
  EXPECT_TRUE(HostMatches("sts.amazonaws.com", "[::1]:80"));
  EXPECT_TRUE(HostMatches("sts.amazonaws.com:443", "STS.AMAZONAWS.COM:443"));
  EXPECT_FALSE(HostMatches("sts.amazonaws.com:443", "sts.amazonaws.com:8443"));
  EXPECT_FALSE(HostMatches("sts.amazonaws.com", "portal.sso.us-east-1.amazonaws.com"));
}

TEST_F(EngineTest, MatchesFormBodiesAsParsedFields) {
  Engine engine(Make(R"({"id": "a", "request": {"method": "POST", "path": "/",
                "body": "Action=AssumeRole&RoleSessionName=my+session&Version=2011-06-15"},
               "response": {}, "repeat": {"max": 3}})"),
                OnClock(&clock_));
  const std::string form = "application/x-www-form-urlencoded; charset=utf-8";
  EXPECT_EQ(engine
                .Handle(Post(
                    "", "Version=2011-06-15&RoleSessionName=my%20session&Action=AssumeRole", form))
                .kind,
            OutcomeKind::kServed);
  Outcome wrong =
      engine.Handle(Post("", "Version=2011-06-15&RoleSessionName=other&Action=AssumeRole", form));
  EXPECT_EQ(wrong.kind, OutcomeKind::kUnmatched);
  EXPECT_THAT(wrong.miss.diff,
              ElementsAre(AllOf(HasSubstr("form fields differ"), HasSubstr("RoleSessionName"),
                                Not(HasSubstr("other")))));
  // Without a form content type the bytes must be equal.
  EXPECT_EQ(
      engine
          .Handle(Post("", "Version=2011-06-15&RoleSessionName=my%20session&Action=AssumeRole",
                       "text/plain"))
          .kind,
      OutcomeKind::kUnmatched);
}

TEST_F(EngineTest, MatchesJsonBodiesAsParsedValues) {
  Engine engine(Make(R"({"id": "a", "request": {"method": "POST", "path": "/",
                          "headers": {"Content-Type": "application/json"},
                          "body": "{\"clientId\": \"c\", \"grantType\": \"refresh_token\"}"},
                         "response": {}, "repeat": {"max": 2}})"),
                OnClock(&clock_));
  EXPECT_EQ(
      engine.Handle(Post("", R"({"grantType":"refresh_token","clientId":"c"})", "application/json"))
          .kind,
      OutcomeKind::kServed);
  Outcome wrong = engine.Handle(
      Post("", R"({"grantType":"refresh_token","clientId":"SECRETX"})", "application/json"));
  EXPECT_EQ(wrong.kind, OutcomeKind::kUnmatched);
  EXPECT_THAT(wrong.miss.diff, ElementsAre(AllOf(HasSubstr("\"clientId\" value differs"),
                                                 Not(HasSubstr("SECRETX")))));
}

TEST_F(EngineTest, PerCallSigningAndSdkHeadersAreNeverCompared) {
  Engine engine(Make(R"({"id": "a", "request": {"method": "POST", "path": "/",
                          "headers": {"X-Amz-Date": "20240501T120000Z",
                                      "Authorization": "AWS4-HMAC-SHA256 Credential=x",
                                      "amz-sdk-invocation-id": "1", "amz-sdk-request": "attempt=1",
                                      "X-Amz-Target": "t"}},
                         "response": {}})"),
                OnClock(&clock_));
  Outcome out = engine.Handle(Req("POST", "/",
                                  {{"x-amz-target", "t"},
                                   {"X-Amz-Date", "20991231T000000Z"},
                                   {"Authorization", "AWS4-HMAC-SHA256 Credential=y"},
                                   {"amz-sdk-invocation-id", "2"},
                                   {"amz-sdk-request", "attempt=2; max=3"}}));
  EXPECT_EQ(out.kind, OutcomeKind::kServed) << ::testing::PrintToString(out.miss.diff);
}

TEST_F(EngineTest, FormBodyParsing) {
  EXPECT_THAT(ParseFormBody("a=1&b=x+y%2Bz&&c&d=%zz"),
              ElementsAre(std::make_pair(std::string("a"), std::string("1")),
                          std::make_pair(std::string("b"), std::string("x y+z")),
                          std::make_pair(std::string("c"), std::string("")),
                          std::make_pair(std::string("d"), std::string("%zz"))));
}

// Signs POST / on sts.us-east-1.amazonaws.com with chantless's signer.
ReplayRequest SignedPost(const std::string& secret, const std::string& body) {
  SigningInput input;
  input.host = "sts.us-east-1.amazonaws.com";
  input.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  input.body = body;
  input.region = "us-east-1";
  input.time = std::chrono::system_clock::from_time_t(1714564800);
  SigV4Signer signer;
  StatusOr<SignedRequest> s =
      signer.Sign(input, SigningKeys{"AKIAIOSFODNN7FAKEKEY", Secret(secret), Secret()});
  EXPECT_TRUE(s.ok()) << s.status();
  ReplayRequest r = Post("sts.us-east-1.amazonaws.com", body, "application/x-www-form-urlencoded");
  for (const auto& h : s->headers) r.headers.push_back(h);
  return r;
}

constexpr char kVerifiedSts[] = R"({"id": "assume", "host": "sts.us-east-1.amazonaws.com",
    "sigv4": "verify",
    "request": {"method": "POST", "path": "/", "body": "Action=AssumeRole&Version=2011-06-15"},
    "response": {"body": "<AssumeRoleResponse/>"}})";
constexpr char kFakeKeys[] = R"("sigv4_keys": [{"access_key_id": "AKIAIOSFODNN7FAKEKEY",
    "secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYFAKESECRET"}],)";

TEST_F(EngineTest, VerifiesTheSignatureOfAVerifyExchange) {
  Engine engine(Make(kVerifiedSts, kFakeKeys), OnClock(&clock_));
  Outcome out = engine.Handle(SignedPost("wJalrXUtnFEMI/K7MDENG/bPxRfiCYFAKESECRET",
                                         "Version=2011-06-15&Action=AssumeRole"));
  EXPECT_EQ(out.kind, OutcomeKind::kServed) << out.reason;
  EXPECT_TRUE(engine.GetVerdict().ok) << engine.GetVerdict().ToText();
}

TEST_F(EngineTest, RefusesAWrongSignatureWithSts403AndFailsTheVerdict) {
  Engine engine(Make(kVerifiedSts, kFakeKeys), OnClock(&clock_));
  Outcome out = engine.Handle(
      SignedPost("wrong-fake-secret-for-the-test", "Version=2011-06-15&Action=AssumeRole"));
  EXPECT_EQ(out.kind, OutcomeKind::kSignatureRejected);
  EXPECT_EQ(out.exchange_id, "assume");
  EXPECT_EQ(out.response.status, 403);
  EXPECT_THAT(out.response.body, HasSubstr("<Code>SignatureDoesNotMatch</Code>"));
  EXPECT_THAT(out.reason, HasSubstr("the server's canonical request is:"));
  Verdict v = engine.GetVerdict();
  EXPECT_FALSE(v.ok);
  ASSERT_EQ(v.signature_rejections.size(), 1u);
  EXPECT_EQ(v.signature_rejections[0].id, "assume");
  EXPECT_THAT(v.ToText(), HasSubstr("signature rejected: assume: the signature differs"));
  EXPECT_THAT(v.ToJson(), HasSubstr(R"("signature_rejections":[{"id":"assume")"));
  EXPECT_THAT(v.ToText() + v.ToJson() + out.response.body,
              Not(AnyOf(HasSubstr("FAKESECRET"), HasSubstr("wrong-fake-secret"))));
  // Not consumed: a correctly signed retry is served.
  EXPECT_EQ(engine
                .Handle(SignedPost("wJalrXUtnFEMI/K7MDENG/bPxRfiCYFAKESECRET",
                                   "Action=AssumeRole&Version=2011-06-15"))
                .kind,
            OutcomeKind::kServed);
}

TEST_F(EngineTest, WithoutVerifyTheSignatureIsNotLookedAt) {
  Engine engine(Make(R"({"id": "assume", "request": {"method": "POST", "path": "/",
                          "headers": {"Authorization": "AWS4-HMAC-SHA256 Credential=recorded"}},
                         "response": {}})"),
                OnClock(&clock_));
  EXPECT_EQ(engine.Handle(SignedPost("any-fake-secret", "")).kind, OutcomeKind::kServed);
}

}  // namespace
}  // namespace replay
}  // namespace chantless
