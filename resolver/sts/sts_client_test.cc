// Tests for StsClient: each test names the rule of sts_client.h it checks.
#include "resolver/sts/sts_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "resolver/sts/sts_test_bodies.h"
#include "resolver/testing/fakes.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using testing::FakeWorld;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::StsErrorBody;
using testing::StsSuccessBody;

constexpr char kSourceSecret[] = "SOURCEsecretEXAMPLEkeyDONOTUSE0000000000";
constexpr char kSourceToken[] = "SOURCEsessionTOKENexampleDONOTUSE";

Credentials Source(bool with_token) {
  Credentials c;
  c.access_key_id = "AKIAFAKESOURCEKEY001";
  c.secret_access_key = Secret(kSourceSecret);
  if (with_token) c.session_token = Secret(kSourceToken);
  c.provider = "shared-credentials-file";
  return c;
}

AssumeRoleParams Params() {
  AssumeRoleParams p;
  p.role_arn = "arn:aws:iam::123456789012:role/demo";
  p.role_session_name = "chantless-test";
  return p;
}

TEST(StsClientTest, AssumeRoleIsSignedAndSentToTheRegionalEndpoint) {
  FakeWorld w;
  w.env.Set("AWS_REGION", "eu-west-1");
  w.http.Reply(200, StsSuccessBody());
  StsClient client(w.context(), nullptr, "assume-role", 7);
  ASSERT_OK_AND_ASSIGN(StsAssumedRole role, client.AssumeRole(Params(), Source(false), false));
  EXPECT_EQ(role.credentials.access_key_id, "ASIAFAKEASSUMEDROLE01");
  EXPECT_EQ(role.credentials.provider, "assume-role");
  ASSERT_EQ(w.http.requests().size(), 1u);
  const std::vector<HttpRequest> reqs = w.http.requests();
  const HttpRequest& r = reqs[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.endpoint, "https://sts.eu-west-1.amazonaws.com");
  EXPECT_EQ(r.path, "/");
  EXPECT_EQ(r.timeout, StsClient::kRequestTimeout);
  EXPECT_THAT(r.body, HasSubstr("Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws"));
  EXPECT_EQ(FindHeader(r.headers, "Content-Type"),
            std::optional<std::string>("application/x-www-form-urlencoded; charset=utf-8"));
  std::optional<std::string> auth = FindHeader(r.headers, "Authorization");
  ASSERT_TRUE(auth.has_value());
  EXPECT_THAT(*auth, HasSubstr("Credential=AKIAFAKESOURCEKEY001/20240501/eu-west-1/sts/"));
  EXPECT_THAT(*auth, HasSubstr("SignedHeaders=content-type;host;x-amz-date,"));
  EXPECT_FALSE(FindHeader(r.headers, "X-Amz-Security-Token").has_value());
  EXPECT_EQ(FindHeader(r.headers, "X-Amz-Date"), std::optional<std::string>("20240501T120000Z"));
  EXPECT_TRUE(r.proxy.empty());
}

TEST(StsClientTest, SessionTokenOfTheSourceIsSentAndSigned) {
  FakeWorld w;
  w.env.Set("AWS_REGION", "eu-west-1");
  w.http.Reply(200, StsSuccessBody());
  StsClient client(w.context(), nullptr, "assume-role", 7);
  ASSERT_OK(client.AssumeRole(Params(), Source(true), false));
  const std::vector<HttpRequest> reqs = w.http.requests();
  const HttpRequest& r = reqs[0];
  EXPECT_EQ(FindHeader(r.headers, "X-Amz-Security-Token"),
            std::optional<std::string>(kSourceToken));
  EXPECT_THAT(*FindHeader(r.headers, "Authorization"),
              HasSubstr("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,"));
}

TEST(StsClientTest, HttpsProxyIsUsedAndItsCredentialsNeverTraced) {
  FakeWorld w;
  w.env.Set("AWS_REGION", "eu-west-1");
  w.env.Set("HTTPS_PROXY", "http://user:proxy-password@proxy.corp.example:3128");
  w.http.Reply(200, StsSuccessBody());
  StsClient client(w.context(), nullptr, "assume-role", 7);
  ASSERT_OK(client.AssumeRole(Params(), Source(false), false));
  EXPECT_EQ(w.http.requests()[0].proxy, "http://user:proxy-password@proxy.corp.example:3128");
  EXPECT_THAT(w.TraceText(), HasSubstr("proxy from HTTPS_PROXY"));
  EXPECT_THAT(w.TraceText(), Not(HasSubstr("proxy-password")));
}

TEST(StsClientTest, NoProxyBypassesTheProxyForSts) {
  FakeWorld w;
  w.env.Set("AWS_REGION", "eu-west-1");
  w.env.Set("https_proxy", "http://proxy.corp.example:3128");
  w.env.Set("no_proxy", "localhost,.amazonaws.com");
  w.http.Reply(200, StsSuccessBody());
  StsClient client(w.context(), nullptr, "assume-role", 7);
  ASSERT_OK(client.AssumeRole(Params(), Source(false), false));
  EXPECT_TRUE(w.http.requests()[0].proxy.empty());
}

TEST(StsClientTest, NoRegionUsesTheGlobalEndpointSignedUsEast1) {
  FakeWorld w;
  w.http.Reply(200, StsSuccessBody());
  StsClient client(w.context(), nullptr, "assume-role", 7);
  ASSERT_OK(client.AssumeRole(Params(), Source(false), false));
  const std::vector<HttpRequest> reqs = w.http.requests();
  const HttpRequest& r = reqs[0];
  EXPECT_EQ(r.endpoint, "https://sts.amazonaws.com");
  EXPECT_THAT(*FindHeader(r.headers, "Authorization"), HasSubstr("/us-east-1/sts/aws4_request"));
  EXPECT_THAT(w.TraceText(), HasSubstr("STS endpoint https://sts.amazonaws.com"));
}

TEST(StsClientTest, LegacySettingSendsLegacyRegionsToTheGlobalEndpoint) {
  FakeWorld w;
  w.env.Set("AWS_REGION", "eu-west-1");
  w.env.Set("AWS_STS_REGIONAL_ENDPOINTS", "legacy");
  w.http.Reply(200, StsSuccessBody());
  StsClient client(w.context(), nullptr, "assume-role", 7);
  ASSERT_OK(client.AssumeRole(Params(), Source(false), false));
  EXPECT_EQ(w.http.requests()[0].endpoint, "https://sts.amazonaws.com");
}

TEST(StsClientTest, OverrideUrlWithPortIsSignedWithHostAndPort) {
  FakeWorld w;
  w.env.Set("AWS_REGION", "eu-west-1");
  w.env.Set("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:8443/sts");
  w.http.Reply(200, StsSuccessBody());
  StsClient client(w.context(), nullptr, "assume-role", 7);
  ASSERT_OK(client.AssumeRole(Params(), Source(false), false));
  const std::vector<HttpRequest> reqs = w.http.requests();
  const HttpRequest& r = reqs[0];
  EXPECT_EQ(r.endpoint, "http://127.0.0.1:8443");
  EXPECT_EQ(r.path, "/sts");
  EXPECT_THAT(w.TraceText(), HasSubstr("AWS_ENDPOINT_URL_STS"));
}

TEST(StsClientTest, CaBundleIsPassedOnAndAMissingOneFailsBeforeAnyRequest) {
  FakeWorld w;
  w.env.Set("AWS_CA_BUNDLE", "/etc/ca.pem");
  w.fs.SetFile("/etc/ca.pem", "-----BEGIN CERTIFICATE-----\n");
  w.http.Reply(200, StsSuccessBody());
  StsClient client(w.context(), nullptr, "assume-role", 7);
  ASSERT_OK(client.AssumeRole(Params(), Source(false), false));
  EXPECT_EQ(w.http.requests()[0].ca_bundle_path, "/etc/ca.pem");

  FakeWorld missing;
  missing.env.Set("AWS_CA_BUNDLE", "/etc/none.pem");
  StsClient client2(missing.context(), nullptr, "assume-role", 7);
  StatusOr<StsAssumedRole> r = client2.AssumeRole(Params(), Source(false), false);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidConfiguration);
  EXPECT_THAT(r.status().message(), HasSubstr("AWS_CA_BUNDLE"));
  EXPECT_TRUE(missing.http.requests().empty());
}

TEST(StsClientTest, StsErrorCarriesCodeMessageEndpointStatusAndRequestIdButNoSecret) {
  FakeWorld w;
  w.env.Set("AWS_REGION", "eu-west-1");
  w.http.Reply(403, StsErrorBody("AccessDenied",
                                 "User is not authorized to perform: sts:AssumeRole", "req-403"));
  StsClient client(w.context(), nullptr, "assume-role", 7);
  StatusOr<StsAssumedRole> r = client.AssumeRole(Params(), Source(true), false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  const std::string& m = r.status().message();
  EXPECT_THAT(m, HasSubstr("https://sts.eu-west-1.amazonaws.com"));
  EXPECT_THAT(m, HasSubstr("HTTP 403 AccessDenied: User is not authorized"));
  EXPECT_THAT(m, HasSubstr("request id req-403"));
  EXPECT_THAT(m, Not(HasSubstr(kSourceSecret)));
  EXPECT_THAT(m, Not(HasSubstr(kSourceToken)));
  EXPECT_EQ(w.http.requests().size(), 1u);  // not retried
  std::string trace = w.TraceText();
  EXPECT_THAT(trace, HasSubstr("AssumeRole"));
  EXPECT_THAT(trace, HasSubstr("403"));
  EXPECT_THAT(trace, Not(HasSubstr(kSourceToken)));
  EXPECT_THAT(trace, Not(HasSubstr("Signature=")));
}

TEST(StsClientTest, ChainedRoleOverOneHourIsExplained) {
  FakeWorld w;
  w.http.Reply(400, StsErrorBody("ValidationError",
                                 "The requested DurationSeconds exceeds the 1 hour session limit "
                                 "for roles assumed by role chaining."));
  AssumeRoleParams p = Params();
  p.duration_seconds = 7200;
  StsClient client(w.context(), nullptr, "assume-role", 7);
  StatusOr<StsAssumedRole> r = client.AssumeRole(p, Source(true), /*chained=*/true);
  EXPECT_THAT(r.status().message(), HasSubstr("role chaining"));
  EXPECT_THAT(r.status().message(), HasSubstr("set duration_seconds to 3600 or less"));

  FakeWorld unchained;
  unchained.http.Reply(400, StsErrorBody("ValidationError", "something else"));
  StsClient client2(unchained.context(), nullptr, "assume-role", 7);
  r = client2.AssumeRole(p, Source(false), /*chained=*/false);
  EXPECT_THAT(r.status().message(), Not(HasSubstr("set duration_seconds")));
}

TEST(StsClientTest, RefusedSourceCredentialsAreNamed) {
  FakeWorld w;
  w.http.Reply(403, StsErrorBody("InvalidClientTokenId",
                                 "The security token included in the request is invalid."));
  StsClient client(w.context(), nullptr, "assume-role", 7);
  StatusOr<StsAssumedRole> r = client.AssumeRole(Params(), Source(true), false);
  EXPECT_THAT(r.status().message(), HasSubstr("refused the source credentials (from "
                                              "shared-credentials-file)"));
  EXPECT_THAT(r.status().message(), HasSubstr("opt-in region"));
}

TEST(StsClientTest, InvalidParametersFailBeforeAnyRequest) {
  FakeWorld w;
  AssumeRoleParams p = Params();
  p.duration_seconds = 60;
  StsClient client(w.context(), nullptr, "assume-role", 7);
  StatusOr<StsAssumedRole> r = client.AssumeRole(p, Source(false), false);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidConfiguration);
  EXPECT_TRUE(w.http.requests().empty());
}

TEST(StsClientTest, ThrottlingIsRetriedAndTheRetryIsSignedAgain) {
  FakeWorld w;
  w.env.Set("AWS_REGION", "eu-west-1");
  w.http.Reply(400, StsErrorBody("Throttling", "Rate exceeded"));
  w.http.Reply(200, StsSuccessBody());
  StsClient client(w.context(), nullptr, "assume-role", 7);
  ASSERT_OK_AND_ASSIGN(StsAssumedRole role, client.AssumeRole(Params(), Source(false), false));
  EXPECT_EQ(role.credentials.access_key_id, "ASIAFAKEASSUMEDROLE01");
  const std::vector<HttpRequest> all = w.http.requests();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_TRUE(FindHeader(all[1].headers, "Authorization").has_value());
  ASSERT_EQ(w.clock.sleeps().size(), 1u);
  EXPECT_LE(w.clock.sleeps()[0], StsClient::kRetryBaseDelay);
  EXPECT_THAT(w.TraceText(), HasSubstr("answered Throttling (attempt 1 of 3)"));
}

TEST(StsClientTest, ServerErrorsAndRefusedConnectionsAreRetriedBounded) {
  FakeWorld w;
  w.http.Reply(503, "<html>busy</html>");
  w.http.Fail(UnavailableError("connection refused"));
  w.http.Reply(500, StsErrorBody("InternalFailure", "oops"));
  w.http.Reply(200, StsSuccessBody());
  StsClient client(w.context(), nullptr, "assume-role", 7);
  StatusOr<StsAssumedRole> r = client.AssumeRole(Params(), Source(false), false);
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("HTTP 500 InternalFailure"));
  EXPECT_THAT(r.status().message(), HasSubstr("after 3 attempts"));
  EXPECT_EQ(w.http.requests().size(), 3u);
  EXPECT_EQ(w.clock.sleeps().size(), 2u);
}

TEST(StsClientTest, AccessDeniedAndTimeoutsAreNotRetried) {
  FakeWorld w;
  w.http.Reply(403, StsErrorBody("AccessDenied", "not authorized"));
  StsClient client(w.context(), nullptr, "assume-role", 7);
  EXPECT_FALSE(client.AssumeRole(Params(), Source(false), false).ok());
  EXPECT_EQ(w.http.requests().size(), 1u);
  FakeWorld t;
  t.http.Fail(DeadlineExceededError("no answer within 10 s"));
  StsClient slow(t.context(), nullptr, "assume-role", 7);
  EXPECT_EQ(slow.AssumeRole(Params(), Source(false), false).status().code(),
            StatusCode::kDeadlineExceeded);
  EXPECT_EQ(t.http.requests().size(), 1u);
  EXPECT_TRUE(t.clock.sleeps().empty());
}

TEST(StsClientTest, WebIdentityIsUnsignedAndReadsTheTokenEachAttempt) {
  FakeWorld w;
  w.env.Set("AWS_REGION", "us-west-2");
  w.http.Reply(400, StsErrorBody("IDPCommunicationError", "IdP unreachable"));
  w.http.Reply(200, StsSuccessBody("ASIAFAKEWEBIDENTITY1", true));
  int loads = 0;
  AssumeRoleWithWebIdentityParams p;
  p.role_arn = "arn:aws:iam::123456789012:role/wi";
  p.role_session_name = "s1";
  StsClient client(w.context(), nullptr, "assume-role-with-web-identity", 7);
  ASSERT_OK_AND_ASSIGN(StsAssumedRole role,
                       client.AssumeRoleWithWebIdentity(p, [&]() -> StatusOr<Secret> {
                         ++loads;
                         return Secret("eyJFAKE.JWT.token" + std::to_string(loads));
                       }));
  EXPECT_EQ(role.credentials.access_key_id, "ASIAFAKEWEBIDENTITY1");
  EXPECT_EQ(loads, 2);
  ASSERT_EQ(w.http.requests().size(), 2u);
  const std::vector<HttpRequest> all = w.http.requests();
  for (const HttpRequest& r : all) {
    EXPECT_FALSE(FindHeader(r.headers, "Authorization").has_value());
    EXPECT_FALSE(FindHeader(r.headers, "X-Amz-Date").has_value());
    EXPECT_THAT(r.body, HasSubstr("Action=AssumeRoleWithWebIdentity"));
  }
  EXPECT_THAT(w.http.requests()[1].body, HasSubstr("WebIdentityToken=eyJFAKE.JWT.token2"));
  ASSERT_EQ(w.clock.sleeps().size(), 1u);
  EXPECT_LE(w.clock.sleeps()[0], StsClient::kRetryBaseDelay);
  EXPECT_THAT(w.TraceText(), Not(HasSubstr("eyJFAKE")));
}

TEST(StsClientTest, InvalidIdentityTokenIsRetriedBoundedThenReported) {
  FakeWorld w;
  for (int i = 0; i < 5; ++i) {
    w.http.Reply(400,
                 StsErrorBody("InvalidIdentityToken",
                              "Couldn't retrieve verification key from your identity provider"));
  }
  AssumeRoleWithWebIdentityParams p;
  p.role_arn = "arn:aws:iam::123456789012:role/wi";
  p.role_session_name = "s1";
  StsClient client(w.context(), nullptr, "assume-role-with-web-identity", 7);
  StatusOr<StsAssumedRole> r = client.AssumeRoleWithWebIdentity(
      p, []() -> StatusOr<Secret> { return Secret("eyJFAKE.JWT.token"); });
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("InvalidIdentityToken"));
  EXPECT_THAT(r.status().message(), HasSubstr("after 3 attempts"));
  EXPECT_EQ(w.http.requests().size(), 3u);
  EXPECT_EQ(w.clock.sleeps().size(), 2u);
}

TEST(StsClientTest, WebIdentityAccessDeniedIsNotRetried) {
  FakeWorld w;
  w.http.Reply(403, StsErrorBody("AccessDenied", "Not authorized"));
  AssumeRoleWithWebIdentityParams p;
  p.role_arn = "arn:aws:iam::123456789012:role/wi";
  p.role_session_name = "s1";
  StsClient client(w.context(), nullptr, "assume-role-with-web-identity", 7);
  StatusOr<StsAssumedRole> r = client.AssumeRoleWithWebIdentity(
      p, []() -> StatusOr<Secret> { return Secret("eyJFAKE.JWT.token"); });
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(w.http.requests().size(), 1u);
  EXPECT_TRUE(w.clock.sleeps().empty());
}

TEST(StsClientTest, TransportErrorNamesTheEndpoint) {
  FakeWorld w;
  w.http.Fail(DeadlineExceededError("POST https://sts.amazonaws.com/: no answer within 10000 ms"));
  StsClient client(w.context(), nullptr, "assume-role", 7);
  StatusOr<StsAssumedRole> r = client.AssumeRole(Params(), Source(false), false);
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_THAT(r.status().message(), HasSubstr("STS AssumeRole at https://sts.amazonaws.com"));
}

}  // namespace
}  // namespace chantless
