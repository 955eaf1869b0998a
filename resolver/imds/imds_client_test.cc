// ImdsClient rules, one test per rule, through FakeHttpClient and FakeClock (no sockets, no
// sleeps).
#include "resolver/imds/imds_client.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/testing/fakes.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::chantless::testing::FakeWorld;
using ::chantless::testing::RewordingHttpClient;
using ::chantless::testing::StatusHasCode;
using ::chantless::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kToken[] = "AQAEAFAKETOKEN-EXAMPLE==";
constexpr char kTimedOut[] = "PUT http://169.254.169.254/latest/api/token: timed out after 1000 ms";

std::vector<std::string> Lines(const std::vector<HttpRequest>& requests) {
  std::vector<std::string> out;
  for (const HttpRequest& r : requests) {
    std::optional<std::string> t = FindHeader(r.headers, kImdsTokenHeader);
    out.push_back(r.method + " " + r.path + (t ? " token=" + *t : ""));
  }
  return out;
}

std::vector<int64_t> SleepsMs(const FakeWorld& w) {
  std::vector<int64_t> out;
  for (Duration d : w.clock.sleeps()) {
    out.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
  }
  return out;
}

TEST(ImdsOptionsTest, DefaultsMatchTheAwsCli) {
  FakeWorld w;
  ASSERT_OK_AND_ASSIGN(ImdsOptions o, LoadImdsOptions(w.context()));
  EXPECT_FALSE(o.disabled);
  EXPECT_EQ(o.endpoint, "http://169.254.169.254");
  EXPECT_EQ(o.timeout, std::chrono::milliseconds(1000));
  EXPECT_EQ(o.num_attempts, 1);
  EXPECT_FALSE(o.v1_disabled);
}

TEST(ImdsOptionsTest, EndpointFromEnvironmentWinsAndLosesTrailingSlash) {
  FakeWorld w;
  w.env.Set("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:8080/");
  w.settings.Set("ec2_metadata_service_endpoint", "http://10.0.0.1");
  ASSERT_OK_AND_ASSIGN(ImdsOptions o, LoadImdsOptions(w.context()));
  EXPECT_EQ(o.endpoint, "http://127.0.0.1:8080");
  EXPECT_EQ(o.endpoint_source, "AWS_EC2_METADATA_SERVICE_ENDPOINT");
}

TEST(ImdsOptionsTest, EndpointFromConfigFile) {
  FakeWorld w;
  w.settings.Set("ec2_metadata_service_endpoint", "http://10.0.0.1");
  ASSERT_OK_AND_ASSIGN(ImdsOptions o, LoadImdsOptions(w.context()));
  EXPECT_EQ(o.endpoint, "http://10.0.0.1");
  EXPECT_THAT(o.endpoint_source, HasSubstr("fake-config:ec2_metadata_service_endpoint"));
}

TEST(ImdsOptionsTest, EndpointWithoutSchemeIsInvalidConfiguration) {
  FakeWorld w;
  w.env.Set("AWS_EC2_METADATA_SERVICE_ENDPOINT", "169.254.169.254");
  EXPECT_THAT(
      LoadImdsOptions(w.context()),
      StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("AWS_EC2_METADATA_SERVICE_ENDPOINT")));
}

TEST(ImdsOptionsTest, EndpointModeIpv6IsCaseInsensitive) {
  FakeWorld w;
  w.env.Set("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ipV6");
  ASSERT_OK_AND_ASSIGN(ImdsOptions o, LoadImdsOptions(w.context()));
  EXPECT_EQ(o.endpoint, "http://[fd00:ec2::254]");
}

TEST(ImdsOptionsTest, EndpointModeFromConfigFile) {
  FakeWorld w;
  w.settings.Set("ec2_metadata_service_endpoint_mode", "IPv4");
  ASSERT_OK_AND_ASSIGN(ImdsOptions o, LoadImdsOptions(w.context()));
  EXPECT_EQ(o.endpoint, "http://169.254.169.254");
}

TEST(ImdsOptionsTest, UnknownEndpointModeIsInvalidConfiguration) {
  FakeWorld w;
  w.settings.Set("ec2_metadata_service_endpoint_mode", "IPv5");
  EXPECT_THAT(LoadImdsOptions(w.context()),
              StatusIs(StatusCode::kInvalidConfiguration,
                       HasSubstr("fake-config:ec2_metadata_service_endpoint_mode")));
}

TEST(ImdsOptionsTest, ExplicitEndpointWinsOverMode) {
  FakeWorld w;
  w.env.Set("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6");
  w.env.Set("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1");
  ASSERT_OK_AND_ASSIGN(ImdsOptions o, LoadImdsOptions(w.context()));
  EXPECT_EQ(o.endpoint, "http://127.0.0.1:1");
}

TEST(ImdsOptionsTest, TimeoutAndAttemptsFromEnvironment) {
  FakeWorld w;
  w.env.Set("AWS_METADATA_SERVICE_TIMEOUT", "2.5");
  w.env.Set("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "3");
  ASSERT_OK_AND_ASSIGN(ImdsOptions o, LoadImdsOptions(w.context()));
  EXPECT_EQ(o.timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(o.num_attempts, 3);
}

TEST(ImdsOptionsTest, TimeoutAndAttemptsFromConfigFile) {
  FakeWorld w;
  w.settings.Set("metadata_service_timeout", "5");
  w.settings.Set("metadata_service_num_attempts", "2");
  ASSERT_OK_AND_ASSIGN(ImdsOptions o, LoadImdsOptions(w.context()));
  EXPECT_EQ(o.timeout, std::chrono::milliseconds(5000));
  EXPECT_EQ(o.num_attempts, 2);
}

TEST(ImdsOptionsTest, BadTimeoutNamesTheVariable) {
  for (const char* bad : {"abc", "0", "-1", "1.2.3", "99999", "."}) {
    FakeWorld w;
    w.env.Set("AWS_METADATA_SERVICE_TIMEOUT", bad);
    EXPECT_THAT(LoadImdsOptions(w.context()), StatusIs(StatusCode::kInvalidConfiguration,
                                                       HasSubstr("AWS_METADATA_SERVICE_TIMEOUT")))
        << bad;
  }
}

TEST(ImdsOptionsTest, BadAttemptsNamesTheConfigKey) {
  for (const char* bad : {"0", "x", "1.5", "11"}) {
    FakeWorld w;
    w.settings.Set("metadata_service_num_attempts", bad);
    EXPECT_THAT(LoadImdsOptions(w.context()), StatusIs(StatusCode::kInvalidConfiguration,
                                                       HasSubstr("metadata_service_num_attempts")))
        << bad;
  }
}

TEST(ImdsOptionsTest, BadBooleanIsInvalidConfiguration) {
  FakeWorld w;
  w.env.Set("AWS_EC2_METADATA_V1_DISABLED", "yes");
  EXPECT_THAT(LoadImdsOptions(w.context()), StatusIs(StatusCode::kInvalidConfiguration,
                                                     HasSubstr("AWS_EC2_METADATA_V1_DISABLED")));
}

TEST(ImdsClientTest, DisabledIsNotConfiguredWithZeroRequests) {
  FakeWorld w;
  w.env.Set("AWS_EC2_METADATA_DISABLED", "TRUE");
  ImdsClient client(w.context());
  EXPECT_THAT(client.Get("/latest/meta-data/"),
              StatusIs(StatusCode::kNotConfigured, HasSubstr("AWS_EC2_METADATA_DISABLED")));
  EXPECT_THAT(w.http.requests(), IsEmpty());
}

TEST(ImdsClientTest, DisabledFalseStillUsesImds) {
  FakeWorld w;
  w.env.Set("AWS_EC2_METADATA_DISABLED", "false");
  w.http.Reply(200, kToken);
  w.http.Reply(200, "i-0123456789abcdef0");
  ImdsClient client(w.context());
  EXPECT_OK(client.Get("/latest/meta-data/instance-id"));
}

TEST(ImdsClientTest, InvalidOptionMakesNoRequest) {
  FakeWorld w;
  w.env.Set("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "many");
  ImdsClient client(w.context());
  EXPECT_THAT(client.Get("/latest/meta-data/"),
              ::chantless::testing::StatusHasCode(StatusCode::kInvalidConfiguration));
  EXPECT_THAT(w.http.requests(), IsEmpty());
}

TEST(ImdsClientTest, PutsTokenWithTtlThenSendsItOnTheGet) {
  FakeWorld w;
  w.http.Reply(200, kToken);
  w.http.Reply(200, "i-0123456789abcdef0");
  ImdsClient client(w.context());
  ASSERT_OK_AND_ASSIGN(std::string body, client.Get("/latest/meta-data/instance-id"));
  EXPECT_EQ(body, "i-0123456789abcdef0");
  std::vector<HttpRequest> reqs = w.http.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].method, "PUT");
  EXPECT_EQ(reqs[0].endpoint, "http://169.254.169.254");
  EXPECT_EQ(reqs[0].path, "/latest/api/token");
  EXPECT_EQ(FindHeader(reqs[0].headers, kImdsTokenTtlHeader), "21600");
  EXPECT_EQ(reqs[0].timeout, std::chrono::milliseconds(1000));
  EXPECT_EQ(FindHeader(reqs[1].headers, kImdsTokenHeader), kToken);
}

TEST(ImdsClientTest, TokenIsCachedAndShared) {
  FakeWorld w;
  w.http.Reply(200, kToken);
  w.http.Reply(200, "a");
  w.http.Reply(200, "b");
  ImdsClient client(w.context());
  EXPECT_OK(client.Get("/latest/meta-data/a"));
  w.clock.Advance(std::chrono::hours(5));
  EXPECT_OK(client.Get("/latest/meta-data/b"));
  EXPECT_THAT(
      Lines(w.http.requests()),
      ElementsAre("PUT /latest/api/token", std::string("GET /latest/meta-data/a token=") + kToken,
                  std::string("GET /latest/meta-data/b token=") + kToken));
}

TEST(ImdsClientTest, TokenIsRenewedShortlyBeforeItsTtl) {
  FakeWorld w;
  w.http.Reply(200, kToken, {{kImdsTokenTtlHeader, "21600"}});
  w.http.Reply(200, "a");
  w.http.Reply(200, "NEWTOKEN-EXAMPLE");
  w.http.Reply(200, "b");
  ImdsClient client(w.context());
  EXPECT_OK(client.Get("/latest/meta-data/a"));
  w.clock.Advance(std::chrono::seconds(21600 - 59));
  EXPECT_OK(client.Get("/latest/meta-data/b"));
  EXPECT_THAT(
      Lines(w.http.requests()),
      ElementsAre("PUT /latest/api/token", std::string("GET /latest/meta-data/a token=") + kToken,
                  "PUT /latest/api/token", "GET /latest/meta-data/b token=NEWTOKEN-EXAMPLE"));
}

TEST(ImdsClientTest, ShortServerTtlIsHonoured) {
  FakeWorld w;
  w.http.Reply(200, kToken, {{kImdsTokenTtlHeader, "60"}});
  w.http.Reply(200, "a");
  w.http.Reply(200, "NEWTOKEN-EXAMPLE");
  w.http.Reply(200, "b");
  ImdsClient client(w.context());
  EXPECT_OK(client.Get("/latest/meta-data/a"));
  w.clock.Advance(std::chrono::seconds(31));
  EXPECT_OK(client.Get("/latest/meta-data/b"));
  EXPECT_EQ(w.http.requests().size(), 4u);
}

TEST(ImdsClientTest, TokenPut400IsAnError) {
  FakeWorld w;
  w.http.Reply(400, "");
  ImdsClient client(w.context());
  EXPECT_THAT(client.Get("/latest/meta-data/"),
              StatusIs(StatusCode::kInvalidResponse, HasSubstr("HTTP 400")));
  EXPECT_EQ(w.http.requests().size(), 1u);
}

class ImdsV1FallbackTest : public ::testing::TestWithParam<int> {};

TEST_P(ImdsV1FallbackTest, FallsBackToV1) {
  FakeWorld w;
  w.http.Reply(GetParam(), "");
  w.http.Reply(200, "role");
  ImdsClient client(w.context());
  ASSERT_OK_AND_ASSIGN(std::string body, client.Get("/latest/meta-data/iam/security-credentials/"));
  EXPECT_EQ(body, "role");
  EXPECT_THAT(
      Lines(w.http.requests()),
      ElementsAre("PUT /latest/api/token", "GET /latest/meta-data/iam/security-credentials/"));
}

TEST_P(ImdsV1FallbackTest, NoFallbackWhenV1Disabled) {
  FakeWorld w;
  w.env.Set("AWS_EC2_METADATA_V1_DISABLED", "true");
  w.http.Reply(GetParam(), "");
  ImdsClient client(w.context());
  EXPECT_THAT(client.Get("/latest/meta-data/"),
              StatusIs(StatusCode::kUnavailable, HasSubstr("AWS_EC2_METADATA_V1_DISABLED")));
  EXPECT_EQ(w.http.requests().size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(TokenRefusals, ImdsV1FallbackTest, ::testing::Values(403, 404, 405));

// The decision tables, row by row (imds_client.h).
TEST(ImdsPolicyTest, ClassifyTokenResponse) {
  const struct {
    int status;
    ImdsTokenAction want;
  } rows[] = {
      {200, ImdsTokenAction::kUseToken},     {400, ImdsTokenAction::kBadRequest},
      {403, ImdsTokenAction::kFallBackToV1}, {404, ImdsTokenAction::kFallBackToV1},
      {405, ImdsTokenAction::kFallBackToV1}, {429, ImdsTokenAction::kThrottled},
      {503, ImdsTokenAction::kThrottled},    {500, ImdsTokenAction::kRetry},
      {502, ImdsTokenAction::kRetry},        {599, ImdsTokenAction::kRetry},
      {401, ImdsTokenAction::kFail},         {302, ImdsTokenAction::kFail},
      {201, ImdsTokenAction::kFail},         {0, ImdsTokenAction::kFail},
  };
  for (const auto& row : rows) {
    EXPECT_EQ(ClassifyTokenResponse(row.status), row.want) << "HTTP " << row.status;
  }
}

TEST(ImdsPolicyTest, ClassifyTokenFailureReadsOnlyTheCode) {
  EXPECT_EQ(ClassifyTokenFailure(DeadlineExceededError("xyz")),
            ImdsTokenFailureAction::kFallBackToV1);
  EXPECT_EQ(ClassifyTokenFailure(UnavailableError("timed out")), ImdsTokenFailureAction::kRetry);
  EXPECT_EQ(ClassifyTokenFailure(InvalidResponseError("timed out")), ImdsTokenFailureAction::kFail);
  EXPECT_EQ(ClassifyTokenFailure(InvalidConfigurationError("bad endpoint")),
            ImdsTokenFailureAction::kFail);
}

TEST(ImdsPolicyTest, ClassifyImdsResponse) {
  const struct {
    int status;
    bool refreshed_after_401;
    ImdsResponseAction want;
  } rows[] = {
      {200, false, ImdsResponseAction::kReturn},       {404, false, ImdsResponseAction::kReturn},
      {401, false, ImdsResponseAction::kRefreshToken}, {401, true, ImdsResponseAction::kReturn},
      {429, false, ImdsResponseAction::kThrottle},     {503, true, ImdsResponseAction::kThrottle},
      {500, false, ImdsResponseAction::kRetry},        {504, false, ImdsResponseAction::kRetry},
      {403, false, ImdsResponseAction::kReturn},
  };
  for (const auto& row : rows) {
    EXPECT_EQ(ClassifyImdsResponse(row.status, row.refreshed_after_401), row.want)
        << "HTTP " << row.status << (row.refreshed_after_401 ? " after a refresh" : "");
  }
}

TEST(ImdsPolicyTest, ValidateImdsPath) {
  EXPECT_OK(ValidateImdsPath("/latest/meta-data/iam/security-credentials/"));
  EXPECT_THAT(ValidateImdsPath(""), StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("'/'")));
  EXPECT_THAT(ValidateImdsPath("latest"),
              StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("'/'")));
  for (std::string_view bad : {"/a b", "/a\r\nX-Injected: 1", "/\x7f", "/a\tb"}) {
    EXPECT_THAT(ValidateImdsPath(bad),
                StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("control character")));
  }
}

TEST(ImdsClientTest, FallsBackToV1OnTokenTimeout) {
  FakeWorld w;
  w.http.Fail(DeadlineExceededError(kTimedOut));
  w.http.Reply(200, "i-0123");
  ImdsClient client(w.context());
  EXPECT_OK(client.Get("/latest/meta-data/instance-id"));
  EXPECT_THAT(Lines(w.http.requests()),
              ElementsAre("PUT /latest/api/token", "GET /latest/meta-data/instance-id"));
}

TEST(ImdsClientTest, V1ProbeAfterTokenTimeoutKeepsTheCallWithinTimeoutPlusFivePercent) {
  FakeWorld w;
  w.http.ReplyWith([&w](const HttpRequest&) -> StatusOr<HttpResponse> {
    w.clock.Advance(std::chrono::milliseconds(1000));  // the PUT used its whole timeout
    return DeadlineExceededError(kTimedOut);
  });
  w.http.Reply(200, "i-0123");
  w.http.Reply(200, "i-0123");
  ImdsClient client(w.context());
  EXPECT_OK(client.Get("/latest/meta-data/instance-id"));
  EXPECT_OK(client.Get("/latest/meta-data/instance-id"));
  std::vector<HttpRequest> reqs = w.http.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].timeout, std::chrono::milliseconds(1000));
  EXPECT_EQ(reqs[1].timeout, std::chrono::milliseconds(50));
  EXPECT_EQ(reqs[2].timeout, std::chrono::milliseconds(1000));  // a new call, a new budget
}

TEST(ImdsClientTest, AttemptsShareTheirTimeBudget) {
  FakeWorld w;
  w.env.Set("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "2");
  w.http.Reply(200, kToken);
  w.http.ReplyWith([&w](const HttpRequest&) -> StatusOr<HttpResponse> {
    w.clock.Advance(std::chrono::milliseconds(1500));
    return UnavailableError("GET …: no response (Read)");
  });
  w.http.Reply(200, "ok");
  ImdsClient client(w.context());
  EXPECT_OK(client.Get("/latest/meta-data/x"));
  EXPECT_EQ(w.http.requests()[2].timeout,
            std::chrono::milliseconds(400));  // 2000 - 1500 - 100 backoff
}

TEST(ImdsClientTest, NoRetryStartsWithoutBudgetLeft) {
  FakeWorld w;
  w.env.Set("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "2");
  w.http.Reply(200, kToken);
  w.http.ReplyWith([&w](const HttpRequest&) -> StatusOr<HttpResponse> {
    w.clock.Advance(std::chrono::milliseconds(1950));  // a slow failure eats the budget
    return UnavailableError("GET …: no response (Read)");
  });
  ImdsClient client(w.context());
  EXPECT_THAT(client.Get("/latest/meta-data/x"),
              StatusIs(StatusCode::kUnavailable, HasSubstr("Read")));
  EXPECT_EQ(w.http.requests().size(), 2u);  // 1950 + 100 backoff >= 2000: no second GET
  EXPECT_THAT(w.clock.sleeps(), IsEmpty());
}

TEST(ImdsClientTest, RetriesFitInTimeoutTimesAttempts) {
  FakeWorld w;
  w.env.Set("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "3");
  w.http.Reply(200, kToken);
  for (int i = 0; i < 3; ++i) {
    w.http.ReplyWith([&w](const HttpRequest& r) -> StatusOr<HttpResponse> {
      w.clock.Advance(r.timeout);  // every GET uses its whole timeout
      return DeadlineExceededError("GET …: timed out");
    });
  }
  ImdsClient client(w.context());
  EXPECT_THAT(client.Get("/latest/meta-data/x"),
              StatusIs(StatusCode::kDeadlineExceeded, HasSubstr("timed out")));
  // 1000 + 100 backoff + 1000 + 200 backoff: the third GET gets the 700 ms left of 3000.
  ASSERT_EQ(w.http.requests().size(), 4u);
  EXPECT_EQ(w.http.requests()[3].timeout, std::chrono::milliseconds(700));
  EXPECT_THAT(SleepsMs(w), ElementsAre(100, 200));
}

TEST(ImdsClientTest, V1DisabledInConfigFileRefusesTimeoutFallback) {
  FakeWorld w;
  w.settings.Set("ec2_metadata_v1_disabled", "True");
  w.http.Fail(DeadlineExceededError(kTimedOut));
  ImdsClient client(w.context());
  EXPECT_THAT(client.Get("/latest/meta-data/"),
              StatusIs(StatusCode::kUnavailable, AllOf(HasSubstr("ec2_metadata_v1_disabled"),
                                                       HasSubstr("http-put-response-hop-limit"))));
}

TEST(ImdsClientTest, V1ChoiceIsRememberedAcrossCalls) {
  FakeWorld w;
  w.http.Reply(403, "");
  w.http.Reply(200, "a");
  w.http.Reply(200, "b");
  ImdsClient client(w.context());
  EXPECT_OK(client.Get("/latest/meta-data/a"));
  EXPECT_OK(client.Get("/latest/meta-data/b"));
  EXPECT_THAT(
      Lines(w.http.requests()),
      ElementsAre("PUT /latest/api/token", "GET /latest/meta-data/a", "GET /latest/meta-data/b"));
}

TEST(ImdsClientTest, HopLimitDiagnosisWhenPutTimesOutButV1Answers) {
  FakeWorld w;
  w.http.Fail(DeadlineExceededError(kTimedOut));
  w.http.Reply(200, "i-0123");
  ImdsClient client(w.context(), "iam-role");
  EXPECT_OK(client.Get("/latest/meta-data/instance-id"));
  int warnings = 0;
  for (const TraceEvent& e : w.trace.events()) {
    if (e.kind == TraceEvent::Kind::kWarning) {
      ++warnings;
      EXPECT_THAT(e.message, HasSubstr("http-put-response-hop-limit"));
      EXPECT_EQ(e.provider, "iam-role");
    }
  }
  EXPECT_EQ(warnings, 1);
}

// The v1 fallback and the hop-limit diagnosis follow the error's code: with every transport error
// message replaced by "xyz", a timed-out token PUT still downgrades to v1 and is diagnosed, and a
// refused one (kUnavailable) still does neither.
TEST(ImdsClientTest, TimeoutPoliciesReadTheCodeNotTheMessage) {
  FakeWorld w;
  RewordingHttpClient reworded(&w.http);
  ProviderContext ctx = w.context();
  ctx.http = &reworded;
  w.http.Fail(DeadlineExceededError(kTimedOut));
  w.http.Reply(200, "i-0123");
  ImdsClient client(ctx, "iam-role");
  EXPECT_OK(client.Get("/latest/meta-data/instance-id"));
  EXPECT_THAT(Lines(w.http.requests()),
              ElementsAre("PUT /latest/api/token", "GET /latest/meta-data/instance-id"));
  EXPECT_THAT(w.TraceText(), HasSubstr("http-put-response-hop-limit"));

  FakeWorld refused;
  RewordingHttpClient reworded_refused(&refused.http);
  ProviderContext refused_ctx = refused.context();
  refused_ctx.http = &reworded_refused;
  refused.http.Fail(UnavailableError("PUT …: timed out (a refusal worded like a timeout)"));
  ImdsClient refused_client(refused_ctx, "iam-role");
  EXPECT_THAT(refused_client.Get("/latest/meta-data/instance-id"),
              StatusHasCode(StatusCode::kUnavailable));
  EXPECT_EQ(refused.http.requests().size(), 1u);  // no v1 GET
  EXPECT_THAT(refused.TraceText(), Not(HasSubstr("hop-limit")));
}

TEST(ImdsClientTest, NoHopLimitDiagnosisWhenPutWasRefused) {
  FakeWorld w;
  w.http.Reply(403, "");
  w.http.Reply(200, "i-0123");
  ImdsClient client(w.context());
  EXPECT_OK(client.Get("/latest/meta-data/instance-id"));
  EXPECT_THAT(w.TraceText(), Not(HasSubstr("hop-limit")));
}

TEST(ImdsClientTest, ConnectionRefusedIsUnavailableWithoutV1Attempt) {
  FakeWorld w;
  w.http.Fail(
      UnavailableError("PUT http://169.254.169.254/latest/api/token: no response (Connection)"));
  ImdsClient client(w.context());
  EXPECT_THAT(client.Get("/latest/meta-data/"),
              StatusIs(StatusCode::kUnavailable, HasSubstr("http://169.254.169.254")));
  EXPECT_EQ(w.http.requests().size(), 1u);
}

TEST(ImdsClientTest, ThrottledTokenPutIsRetriedHonouringRetryAfterNeverDowngraded) {
  FakeWorld w;
  w.http.Reply(429, "", {{"Retry-After", "1"}});
  w.http.Reply(503, "");
  w.http.Reply(200, kToken);
  w.http.Reply(200, "ok");
  ImdsClient client(w.context());
  EXPECT_OK(client.Get("/latest/meta-data/x"));
  EXPECT_THAT(Lines(w.http.requests()),
              ElementsAre("PUT /latest/api/token", "PUT /latest/api/token", "PUT /latest/api/token",
                          std::string("GET /latest/meta-data/x token=") + kToken));
  EXPECT_THAT(SleepsMs(w), ElementsAre(1000, 200));
}

TEST(ImdsClientTest, PersistentThrottlingOfThePutIsUnavailableNotV1) {
  FakeWorld w;
  for (int i = 0; i < 3; ++i) w.http.Reply(429, "");
  ImdsClient client(w.context());
  EXPECT_THAT(client.Get("/latest/meta-data/x"),
              StatusIs(StatusCode::kUnavailable, HasSubstr("throttled")));
  for (const HttpRequest& r : w.http.requests()) EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(w.http.requests().size(), 3u);
}

TEST(ImdsClientTest, RetryAfterIsCapped) {
  FakeWorld w;
  w.http.Reply(200, kToken);
  w.http.Reply(429, "", {{"Retry-After", "3600"}});
  w.http.Reply(200, "ok");
  ImdsClient client(w.context());
  EXPECT_OK(client.Get("/latest/meta-data/x"));
  EXPECT_THAT(SleepsMs(w), ElementsAre(2000));
}

TEST(ImdsClientTest, RetryAfterAsAnHttpDateFallsBackToTheBackoff) {
  FakeWorld w;
  w.http.Reply(200, kToken);
  w.http.Reply(429, "", {{"Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"}});
  w.http.Reply(200, "ok");
  ImdsClient client(w.context());
  EXPECT_OK(client.Get("/latest/meta-data/x"));
  EXPECT_THAT(SleepsMs(w), ElementsAre(100));
}

TEST(ImdsClientTest, ThrottledGetIsRetriedWithTheSameToken) {
  FakeWorld w;
  w.http.Reply(200, kToken);
  w.http.Reply(503, "", {{"Retry-After", "0"}});
  w.http.Reply(200, "ok");
  ImdsClient client(w.context());
  ASSERT_OK_AND_ASSIGN(std::string body, client.Get("/latest/meta-data/x"));
  EXPECT_EQ(body, "ok");
  EXPECT_EQ(w.http.requests().size(), 3u);
  EXPECT_EQ(FindHeader(w.http.requests()[2].headers, kImdsTokenHeader), kToken);
}

TEST(ImdsClientTest, Unauthorized401DropsTokenAndRetriesOnce) {
  FakeWorld w;
  w.http.Reply(200, "OLDTOKEN-EXAMPLE");
  w.http.Reply(401, "");
  w.http.Reply(200, "NEWTOKEN-EXAMPLE");
  w.http.Reply(200, "ok");
  ImdsClient client(w.context());
  EXPECT_OK(client.Get("/latest/meta-data/x"));
  EXPECT_THAT(
      Lines(w.http.requests()),
      ElementsAre("PUT /latest/api/token", "GET /latest/meta-data/x token=OLDTOKEN-EXAMPLE",
                  "PUT /latest/api/token", "GET /latest/meta-data/x token=NEWTOKEN-EXAMPLE"));
}

TEST(ImdsClientTest, Second401IsReturned) {
  FakeWorld w;
  w.http.Reply(200, "OLDTOKEN-EXAMPLE");
  w.http.Reply(401, "");
  w.http.Reply(200, "NEWTOKEN-EXAMPLE");
  w.http.Reply(401, "");
  ImdsClient client(w.context());
  ASSERT_OK_AND_ASSIGN(ImdsResponse res, client.Fetch("/latest/meta-data/x"));
  EXPECT_EQ(res.status, 401);
  EXPECT_EQ(w.http.requests().size(), 4u);
}

TEST(ImdsClientTest, Unauthorized401AfterV1FallbackTriesATokenAgain) {
  FakeWorld w;
  w.http.Reply(403, "");
  w.http.Reply(401, "");
  w.http.Reply(200, kToken);
  w.http.Reply(200, "ok");
  ImdsClient client(w.context());
  EXPECT_OK(client.Get("/latest/meta-data/x"));
  EXPECT_THAT(
      Lines(w.http.requests()),
      ElementsAre("PUT /latest/api/token", "GET /latest/meta-data/x", "PUT /latest/api/token",
                  std::string("GET /latest/meta-data/x token=") + kToken));
}

TEST(ImdsClientTest, TransportFailuresRetriedUpToNumAttemptsWithBackoff) {
  FakeWorld w;
  w.env.Set("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "3");
  w.http.Reply(200, kToken);
  w.http.Fail(UnavailableError("GET …: no response (Read)"));
  w.http.Reply(500, "");
  w.http.Reply(200, "ok");
  ImdsClient client(w.context());
  EXPECT_OK(client.Get("/latest/meta-data/x"));
  EXPECT_THAT(SleepsMs(w), ElementsAre(100, 200));
}

TEST(ImdsClientTest, DefaultSingleAttemptDoesNotRetry) {
  FakeWorld w;
  w.http.Reply(200, kToken);
  w.http.Reply(500, "");
  ImdsClient client(w.context());
  EXPECT_THAT(client.Get("/latest/meta-data/x"),
              StatusIs(StatusCode::kUnavailable, HasSubstr("HTTP 500")));
  EXPECT_THAT(w.clock.sleeps(), IsEmpty());
}

TEST(ImdsClientTest, TokenPut5xxRetriedWithinAttempts) {
  FakeWorld w;
  w.env.Set("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "2");
  w.http.Reply(500, "");
  w.http.Reply(200, kToken);
  w.http.Reply(200, "ok");
  ImdsClient client(w.context());
  EXPECT_OK(client.Get("/latest/meta-data/x"));
  EXPECT_THAT(SleepsMs(w), ElementsAre(100));
}

TEST(ImdsClientTest, NotFoundIsAResponseForFetchAndAnErrorForGet) {
  FakeWorld w;
  w.http.Reply(200, kToken);
  w.http.Reply(404, "");
  w.http.Reply(404, "");
  ImdsClient client(w.context());
  ASSERT_OK_AND_ASSIGN(ImdsResponse res, client.Fetch("/latest/meta-data/nope"));
  EXPECT_EQ(res.status, 404);
  EXPECT_THAT(client.Get("/latest/meta-data/nope"),
              StatusIs(StatusCode::kUnavailable, HasSubstr("HTTP 404")));
}

TEST(ImdsClientTest, UnusableTokenIsInvalidResponse) {
  FakeWorld w;
  w.http.Reply(200, "abc\r\nX-Injected: 1");
  ImdsClient client(w.context());
  EXPECT_THAT(client.Get("/latest/meta-data/"),
              ::chantless::testing::StatusHasCode(StatusCode::kInvalidResponse));
}

TEST(ImdsClientTest, EveryRequestIsTracedAndTheTokenNever) {
  FakeWorld w;
  w.http.Reply(200, kToken);
  w.http.Reply(401, "");
  w.http.Reply(200, kToken);
  w.http.Reply(200, "ok");
  ImdsClient client(w.context(), "iam-role");
  EXPECT_OK(client.Get("/latest/meta-data/x"));
  std::vector<std::string> seen;
  for (const TraceEvent& e : w.trace.events()) {
    if (e.kind != TraceEvent::Kind::kRequest) continue;
    EXPECT_EQ(e.provider, "iam-role");
    EXPECT_EQ(e.endpoint, "http://169.254.169.254");
    seen.push_back(e.method + " " + e.path + " " + std::to_string(e.status));
  }
  EXPECT_THAT(seen, ElementsAre("PUT /latest/api/token 200", "GET /latest/meta-data/x 401",
                                "PUT /latest/api/token 200", "GET /latest/meta-data/x 200"));
  EXPECT_THAT(w.TraceText(), Not(HasSubstr(kToken)));
}

TEST(ImdsClientTest, PathMustBeAbsolute) {
  FakeWorld w;
  ImdsClient client(w.context());
  EXPECT_THAT(client.Get("latest/meta-data"),
              ::chantless::testing::StatusHasCode(StatusCode::kInvalidConfiguration));
  EXPECT_THAT(w.http.requests(), IsEmpty());
}

TEST(ImdsClientTest, PathWithControlCharactersMakesNoRequest) {
  FakeWorld w;
  ImdsClient client(w.context());
  EXPECT_THAT(client.Get("/latest/meta-data/\r\nX-Injected: 1"),
              StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("control character")));
  EXPECT_THAT(client.Get("/latest/meta-data/a b"),
              ::chantless::testing::StatusHasCode(StatusCode::kInvalidConfiguration));
  EXPECT_THAT(w.http.requests(), IsEmpty());
}

TEST(ImdsClientTest, IsSafeAcrossThreadsWithOneSharedToken) {
  FakeWorld w;
  w.http.Reply(200, kToken);
  for (int i = 0; i < 8; ++i) w.http.Reply(200, "ok");
  ImdsClient client(w.context());
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2; ++i) {
        if (client.Get("/latest/meta-data/x").ok()) ++good;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), 8);
  int puts = 0;
  for (const HttpRequest& r : w.http.requests()) puts += r.method == "PUT";
  EXPECT_EQ(puts, 1);
}

}  // namespace
}  // namespace chantless
