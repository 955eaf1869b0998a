// Tests for ContainerProvider: one test per rule in container_provider.h, through FakeHttpClient.
#include "resolver/container/container_provider.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/testing/fakes.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::chantless::testing::FakeWorld;
using ::chantless::testing::RewordingHttpClient;
using ::chantless::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kToken[] = "fake-auth-token-EXAMPLE-0123456789";
constexpr char kEcsBody[] =
    R"({"RoleArn":"arn:aws:iam::123456789012:role/ecs-task","AccessKeyId":"ASIAEXAMPLEECS000001",)"
    R"("SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY","Token":"FwoGZXIvYXdzEXAMPLETOKEN",)"
    R"("Expiration":"2024-05-01T18:00:00Z","AccountId":"123456789012"})";
constexpr char kCloudShellBody[] =
    R"({"Type":"","AccessKeyId":"ASIAEXAMPLECLOUDSHEL","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/CLOUDSHELLEXAMPLEKEY",)"
    R"("Token":"IQoJb3JpZ2luX2VjEXAMPLECLOUDSHELLTOKEN","Expiration":"2024-05-01T12:10:00Z",)"
    R"("Code":"Success","LastUpdated":"1970-01-01T00:00:00Z"})";
constexpr char kHtml500[] =
    "<html><head><title>500 Internal Server Error</title></head><body>oops</body></html>";

std::string Header(const HttpRequest& r, const std::string& name) {
  return FindHeader(r.headers, name).value_or("<absent>");
}

TEST(ContainerProviderTest, NameIsBotocoreMethod) {
  FakeWorld w;
  EXPECT_EQ(ContainerProvider(w.context()).Name(), "container-role");
}

TEST(ContainerProviderTest, NotConfiguredWithZeroRequestsWhenNoVariableSet) {
  FakeWorld w;
  w.env.Set("AWS_CONTAINER_AUTHORIZATION_TOKEN", kToken);
  ContainerProvider p(w.context());
  EXPECT_THAT(p.Resolve(), StatusIs(StatusCode::kNotConfigured, HasSubstr("RELATIVE_URI")));
  EXPECT_TRUE(w.http.requests().empty());
}

TEST(ContainerProviderTest, BlankVariablesCountAsUnset) {
  FakeWorld w;
  w.env.Set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "  ");
  w.env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "");
  ContainerProvider p(w.context());
  EXPECT_THAT(p.Resolve(), StatusIs(StatusCode::kNotConfigured, ::testing::_));
  EXPECT_TRUE(w.http.requests().empty());
}

TEST(ContainerProviderTest, RelativeUriGoesToEcsHost) {
  FakeWorld w;
  w.env.Set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc-123");
  w.http.Reply(200, kEcsBody);
  ContainerProvider p(w.context());
  ASSERT_OK_AND_ASSIGN(Credentials c, p.Resolve());
  EXPECT_EQ(c.access_key_id, "ASIAEXAMPLEECS000001");
  EXPECT_EQ(c.provider, "container-role");
  EXPECT_EQ(c.account_id, "123456789012");
  EXPECT_EQ(c.account_id_source, "container-role response");
  ASSERT_EQ(w.http.requests().size(), 1u);
  const HttpRequest r = w.http.requests()[0];
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.endpoint, "http://169.254.170.2");
  EXPECT_EQ(r.path, "/v2/credentials/abc-123");
  EXPECT_EQ(r.timeout, std::chrono::milliseconds(2000));
  EXPECT_EQ(Header(r, "Authorization"), "<absent>");
}

TEST(ContainerProviderTest, RelativeUriWithoutLeadingSlashGetsOne) {
  FakeWorld w;
  w.env.Set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "v2/credentials/x");
  w.http.Reply(200, kEcsBody);
  ContainerProvider p(w.context());
  ASSERT_OK(p.Resolve());
  EXPECT_EQ(w.http.requests()[0].path, "/v2/credentials/x");
}

TEST(ContainerProviderTest, RelativeUriWinsOverFullUriWithWarning) {
  FakeWorld w;
  w.env.Set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/rel");
  w.env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:8080/full");
  w.http.Reply(200, kEcsBody);
  ContainerProvider p(w.context());
  ASSERT_OK(p.Resolve());
  EXPECT_EQ(w.http.requests()[0].endpoint, "http://169.254.170.2");
  EXPECT_EQ(w.http.requests()[0].path, "/v2/credentials/rel");
  bool warned = false;
  for (const TraceEvent& e : w.trace.events()) {
    if (e.kind == TraceEvent::Kind::kWarning && e.message.find("both") != std::string::npos) {
      warned = true;
    }
  }
  EXPECT_TRUE(warned) << w.TraceText();
}

TEST(ContainerProviderTest, CloudShellFullUriAndResponseShape) {
  FakeWorld w;
  w.env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://localhost:1338/latest/meta-data/container/security-credentials");
  w.env.Set("AWS_CONTAINER_AUTHORIZATION_TOKEN", kToken);
  w.http.Reply(200, kCloudShellBody);
  ContainerProvider p(w.context());
  ASSERT_OK_AND_ASSIGN(Credentials c, p.Resolve());
  EXPECT_EQ(c.access_key_id, "ASIAEXAMPLECLOUDSHEL");
  EXPECT_EQ(c.session_token.reveal(), "IQoJb3JpZ2luX2VjEXAMPLECLOUDSHELLTOKEN");
  ASSERT_TRUE(c.expiration.has_value());
  EXPECT_EQ(*c.expiration - w.clock.Now(), std::chrono::minutes(10));
  const HttpRequest r = w.http.requests()[0];
  EXPECT_EQ(r.endpoint, "http://localhost:1338");
  EXPECT_EQ(r.path, "/latest/meta-data/container/security-credentials");
  EXPECT_EQ(Header(r, "Authorization"), kToken);
}

TEST(ContainerProviderTest, HttpsAllowedToAnyHost) {
  FakeWorld w;
  w.env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "https://creds.example.com:8443/role?x=1");
  w.http.Reply(200, kEcsBody);
  ContainerProvider p(w.context());
  ASSERT_OK(p.Resolve());
  EXPECT_EQ(w.http.requests()[0].endpoint, "https://creds.example.com:8443");
  EXPECT_EQ(w.http.requests()[0].path, "/role?x=1");
}

TEST(ContainerProviderTest, HttpAllowedToBuiltinHosts) {
  for (const char* uri :
       {"http://127.0.0.1/c", "http://127.1.2.3:99/c", "http://[::1]:8080/c", "http://LOCALHOST/c",
        "http://169.254.170.2/c", "http://169.254.170.23/v1/credentials",
        "http://[fd00:ec2::23]/v1/credentials", "http://[fd00:ec2:0::23]:80/c"}) {
    SCOPED_TRACE(uri);
    EXPECT_OK(ParseContainerFullUri(uri, "AWS_CONTAINER_CREDENTIALS_FULL_URI", ""));
  }
}

TEST(ContainerProviderTest, HttpToOtherHostsIsInvalidConfigurationNamingTheRule) {
  for (const char* uri : {"http://10.0.0.1/c", "http://169.254.169.254/latest",
                          "http://example.com/c", "http://128.0.0.1/c", "http://[fd00:ec2::24]/c",
                          "http://127.0.0.1.nip.io/c", "http://host.docker.internal/c"}) {
    SCOPED_TRACE(uri);
    EXPECT_THAT(ParseContainerFullUri(uri, "AWS_CONTAINER_CREDENTIALS_FULL_URI", ""),
                StatusIs(StatusCode::kInvalidConfiguration,
                         AllOf(HasSubstr("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
                               HasSubstr("plain http is only allowed to loopback"))));
  }
}

TEST(ContainerProviderTest, RefusedFullUriMakesNoRequest) {
  FakeWorld w;
  w.env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://10.1.2.3/creds");
  ContainerProvider p(w.context());
  EXPECT_THAT(p.Resolve(), StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("10.1.2.3")));
  EXPECT_TRUE(w.http.requests().empty());
}

TEST(ContainerProviderTest, AllowListVariableAdmitsHttpHosts) {
  FakeWorld w;
  w.env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://host.docker.internal:9000/creds");
  w.env.Set("CHANTLESS_CONTAINER_ALLOWED_HOSTS", "other.local, Host.Docker.Internal ,x");
  w.http.Reply(200, kEcsBody);
  ContainerProvider p(w.context());
  ASSERT_OK(p.Resolve());
  EXPECT_EQ(w.http.requests()[0].endpoint, "http://host.docker.internal:9000");
  EXPECT_OK(ParseContainerFullUri("http://[fd00::5]/c", "V", "[fd00::5]"));
  EXPECT_THAT(
      ParseContainerFullUri("http://docker/c", "V", "host.docker.internal,"),
      StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("CHANTLESS_CONTAINER_ALLOWED_HOSTS")));
}

TEST(ContainerProviderTest, MalformedFullUrisAreInvalidConfiguration) {
  for (const char* uri :
       {"ftp://127.0.0.1/c", "127.0.0.1/creds", "http:///c", "http://127.0.0.1:0/c",
        "http://127.0.0.1:99999/c", "http://127.0.0.1:x/c", "http://user:pw@127.0.0.1/c",
        "http://[::1/c", "http://127.0.0.1/a b", "http://127.0.0.1/a\r\nX-Injected: 1"}) {
    SCOPED_TRACE(uri);
    EXPECT_THAT(ParseContainerFullUri(uri, "AWS_CONTAINER_CREDENTIALS_FULL_URI", ""),
                StatusIs(StatusCode::kInvalidConfiguration,
                         HasSubstr("AWS_CONTAINER_CREDENTIALS_FULL_URI")));
  }
}

TEST(ContainerProviderTest, TokenFileWinsOverTokenVariable) {
  FakeWorld w;
  w.env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials");
  w.env.Set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "from-variable-EXAMPLE");
  w.env.Set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/var/run/secrets/eks/token");
  w.fs.SetFile("/var/run/secrets/eks/token", "from-file-EXAMPLE\n");
  w.http.Reply(200, kEcsBody);
  ContainerProvider p(w.context());
  ASSERT_OK(p.Resolve());
  EXPECT_EQ(Header(w.http.requests()[0], "Authorization"), "from-file-EXAMPLE");
}

TEST(ContainerProviderTest, TokenFileIsReReadOnEveryFetch) {
  FakeWorld w;
  w.env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials");
  w.env.Set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/t");
  w.fs.SetFile("/t", "first-EXAMPLE");
  w.http.Reply(200, kEcsBody);
  w.http.Reply(200, kEcsBody);
  ContainerProvider p(w.context());
  ASSERT_OK(p.Resolve());
  w.fs.SetFile("/t", "rotated-EXAMPLE\r\n");
  ASSERT_OK(p.Resolve());
  EXPECT_EQ(w.fs.read_count("/t"), 2);
  EXPECT_EQ(Header(w.http.requests()[0], "Authorization"), "first-EXAMPLE");
  EXPECT_EQ(Header(w.http.requests()[1], "Authorization"), "rotated-EXAMPLE");
}

TEST(ContainerProviderTest, OnlyOneTrailingNewlineIsTrimmedFromTokenFile) {
  FakeWorld w;
  w.env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1/c");
  w.env.Set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/t");
  w.fs.SetFile("/t", "abc-EXAMPLE\n\n");
  ContainerProvider p(w.context());
  EXPECT_THAT(p.Resolve(), StatusIs(StatusCode::kInvalidConfiguration,
                                    AllOf(HasSubstr("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"),
                                          HasSubstr("CR or LF"), Not(HasSubstr("abc-EXAMPLE")))));
  EXPECT_TRUE(w.http.requests().empty());
}

TEST(ContainerProviderTest, MissingOrEmptyTokenFileIsInvalidConfiguration) {
  FakeWorld w;
  w.env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1/c");
  w.env.Set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/missing");
  ContainerProvider p(w.context());
  EXPECT_THAT(p.Resolve(), StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("/missing")));
  w.env.Set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/empty");
  w.fs.SetFile("/empty", "\n");
  EXPECT_THAT(p.Resolve(), StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("empty")));
  EXPECT_TRUE(w.http.requests().empty());
}

TEST(ContainerProviderTest, ControlCharactersInTokenAreRejectedWithoutEchoingIt) {
  for (const char* bad : {"secret-EXAMPLE\r\nX-Evil: 1", "secret-EXAMPLE\n", "secret\x01EXAMPLE",
                          "secret\x7f"
                          "EXAMPLE"}) {
    FakeWorld w;
    w.env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1/c");
    w.env.Set("AWS_CONTAINER_AUTHORIZATION_TOKEN", bad);
    ContainerProvider p(w.context());
    StatusOr<Credentials> r = p.Resolve();
    EXPECT_THAT(r, StatusIs(StatusCode::kInvalidConfiguration,
                            AllOf(HasSubstr("AWS_CONTAINER_AUTHORIZATION_TOKEN"),
                                  Not(HasSubstr("secret")))));
    EXPECT_TRUE(w.http.requests().empty());
    EXPECT_THAT(w.TraceText(), Not(HasSubstr("secret")));
  }
  EXPECT_OK(ValidateAuthorizationToken("a\tb", "V"));
}

TEST(ContainerProviderTest, TokenNeverAppearsInTraceOrErrors) {
  FakeWorld w;
  w.env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1338/creds");
  w.env.Set("AWS_CONTAINER_AUTHORIZATION_TOKEN", kToken);
  w.http.Reply(403, R"({"code":"AccessDenied","message":"bad token"})");
  ContainerProvider p(w.context());
  StatusOr<Credentials> r = p.Resolve();
  EXPECT_THAT(r, StatusIs(StatusCode::kUnavailable, Not(HasSubstr(kToken))));
  w.http.Reply(200, kEcsBody);
  ASSERT_OK(p.Resolve());
  EXPECT_THAT(w.TraceText(), Not(HasSubstr(kToken)));
  EXPECT_THAT(w.TraceText(), Not(HasSubstr("wJalr")));
  EXPECT_THAT(w.TraceText(), Not(HasSubstr("FwoGZXIvYXdzEXAMPLETOKEN")));
}

TEST(ContainerProviderTest, ClientErrorsAreNotRetried) {
  FakeWorld w;
  w.env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1/c");
  w.http.Reply(404, "not found");
  w.http.Reply(200, kEcsBody);
  ContainerProvider p(w.context());
  EXPECT_THAT(p.Resolve(), StatusIs(StatusCode::kUnavailable,
                                    AllOf(HasSubstr("404"), HasSubstr("http://127.0.0.1/c"))));
  EXPECT_EQ(w.http.requests().size(), 1u);
  EXPECT_TRUE(w.clock.sleeps().empty());
}

TEST(ContainerProviderTest, ServerErrorsAreRetriedWithBackoff) {
  FakeWorld w;
  w.env.Set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/x");
  w.http.Reply(500, "{}");
  w.http.Reply(503, "{}");
  w.http.Reply(200, kEcsBody);
  ContainerProvider p(w.context());
  ASSERT_OK(p.Resolve());
  EXPECT_EQ(w.http.requests().size(), 3u);
  EXPECT_EQ(w.clock.sleeps(),
            (std::vector<Duration>{std::chrono::seconds(1), std::chrono::seconds(1)}));
}

TEST(ContainerProviderTest, TimeoutsAreRetriedThenReportedWithEndpoint) {
  FakeWorld w;
  w.env.Set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/x");
  for (int i = 0; i < 3; ++i) w.http.Fail(DeadlineExceededError("timed out after 2000 ms"));
  ContainerProvider p(w.context());
  EXPECT_THAT(p.Resolve(), StatusIs(StatusCode::kDeadlineExceeded,
                                    AllOf(HasSubstr("http://169.254.170.2/v2/credentials/x"),
                                          HasSubstr("timed out"), HasSubstr("3 attempts"))));
  EXPECT_EQ(w.http.requests().size(), 3u);
  EXPECT_EQ(w.http.pending(), 0u);
}

TEST(ContainerProviderTest, HungEndpointCostsAttemptsTimesTimeoutWithoutExtraBackoff) {
  FakeWorld w;
  w.env.Set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/c");
  for (int i = 0; i < 3; ++i) {
    w.http.ReplyWith([&w](const HttpRequest& r) -> StatusOr<HttpResponse> {
      w.clock.Advance(r.timeout);  // the transport waited its whole budget
      return DeadlineExceededError("timed out after 2000 ms");
    });
  }
  const MonoTime start = w.clock.MonotonicNow();
  ContainerProvider p(w.context());
  EXPECT_THAT(p.Resolve(), StatusIs(StatusCode::kDeadlineExceeded, HasSubstr("timed out")));
  EXPECT_EQ(w.clock.MonotonicNow() - start, std::chrono::seconds(6));
  EXPECT_TRUE(w.clock.sleeps().empty());
}

// Retries follow the error's code, not its text: with every transport message replaced by "xyz",
// two timeouts and a refusal are still retried (no wait after a timeout, the backoff after the
// refusal) and the fourth answer is used.
TEST(ContainerProviderTest, RetriesReadTheCodeNotTheMessage) {
  FakeWorld w;
  RewordingHttpClient reworded(&w.http);
  ProviderContext ctx = w.context();
  ctx.http = &reworded;
  w.env.Set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/c");
  w.http.ReplyWith([&w](const HttpRequest& r) -> StatusOr<HttpResponse> {
    w.clock.Advance(r.timeout);
    return DeadlineExceededError("timed out after 2000 ms");
  });
  w.http.Fail(UnavailableError("connection refused"));
  w.http.Reply(200, kEcsBody);
  ContainerProviderOptions options;
  options.attempts = 3;
  ContainerProvider p(ctx, options);
  ASSERT_OK_AND_ASSIGN(Credentials c, p.Resolve());
  EXPECT_EQ(c.access_key_id, "ASIAEXAMPLEECS000001");
  EXPECT_EQ(w.http.requests().size(), 3u);
  EXPECT_EQ(w.clock.sleeps(), (std::vector<Duration>{std::chrono::seconds(1)}));

  FakeWorld timeouts;
  RewordingHttpClient reworded_timeouts(&timeouts.http);
  ProviderContext timeouts_ctx = timeouts.context();
  timeouts_ctx.http = &reworded_timeouts;
  timeouts.env.Set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/c");
  for (int i = 0; i < 3; ++i) timeouts.http.Fail(DeadlineExceededError("timed out"));
  ContainerProvider gives_up(timeouts_ctx);
  EXPECT_THAT(gives_up.Resolve(), StatusIs(StatusCode::kDeadlineExceeded, HasSubstr("3 attempts")));
  EXPECT_EQ(timeouts.http.requests().size(), 3u);
}

TEST(ContainerProviderTest, AttemptsAndTimeoutComeFromOptions) {
  FakeWorld w;
  w.env.Set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/c");
  w.http.Fail(UnavailableError("refused"));
  ContainerProviderOptions options;
  options.attempts = 1;
  options.timeout = std::chrono::milliseconds(250);
  ContainerProvider p(w.context(), options);
  EXPECT_THAT(p.Resolve(), StatusIs(StatusCode::kUnavailable, HasSubstr("refused")));
  ASSERT_EQ(w.http.requests().size(), 1u);
  EXPECT_EQ(w.http.requests()[0].timeout, std::chrono::milliseconds(250));
}

TEST(ContainerProviderTest, HtmlErrorPageIsUnavailableWithStatus) {
  FakeWorld w;
  w.env.Set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/c");
  for (int i = 0; i < 3; ++i) w.http.Reply(500, kHtml500, {{"Content-Type", "text/html"}});
  ContainerProvider p(w.context());
  EXPECT_THAT(p.Resolve(), StatusIs(StatusCode::kUnavailable,
                                    AllOf(HasSubstr("500"), HasSubstr("HTML error page"),
                                          Not(HasSubstr("JSON")))));
}

TEST(ContainerProviderTest, HtmlPageWithSuccessStatusIsInvalidResponse) {
  FakeWorld w;
  w.env.Set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/c");
  w.http.Reply(200, kHtml500);
  ContainerProvider p(w.context());
  EXPECT_THAT(p.Resolve(), StatusIs(StatusCode::kInvalidResponse, HasSubstr("HTML page")));
}

TEST(ContainerProviderTest, MalformedBodyIsInvalidResponseNamingEndpoint) {
  FakeWorld w;
  w.env.Set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/c");
  w.http.Reply(200, R"({"AccessKeyId":"ASIAEXAMPLE"})");
  ContainerProvider p(w.context());
  EXPECT_THAT(p.Resolve(),
              StatusIs(StatusCode::kInvalidResponse, HasSubstr("http://169.254.170.2/c")));
  EXPECT_EQ(w.http.requests().size(), 1u);
}

TEST(ContainerProviderTest, CodeOtherThanSuccessIsRejected) {
  FakeWorld w;
  w.env.Set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/c");
  std::string body = kCloudShellBody;
  body.replace(body.find("\"Success\""), 9, "\"Failure\"");
  w.http.Reply(200, body);
  ContainerProvider p(w.context());
  EXPECT_THAT(p.Resolve(), StatusIs(StatusCode::kInvalidResponse, ::testing::_));
}

TEST(ContainerProviderTest, ExpiredCredentialsAreRefusedNamingEndpointExpirationAndClock) {
  FakeWorld w;  // FakeClock: 2024-05-01T12:00:00Z
  w.env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://localhost:1338/latest/meta-data/container/security-credentials");
  std::string body = kCloudShellBody;
  body.replace(body.find("2024-05-01T12:10:00Z"), 20, "2024-05-01T09:00:00Z");
  w.http.Reply(200, body);
  ContainerProvider p(w.context());
  EXPECT_THAT(
      p.Resolve(),
      StatusIs(StatusCode::kInvalidResponse,
               ::testing::AllOf(
                   HasSubstr("GET http://localhost:1338/latest/meta-data/container/"
                             "security-credentials (from AWS_CONTAINER_CREDENTIALS_FULL_URI)"),
                   HasSubstr("expired at 2024-05-01T09:00:00Z"),
                   HasSubstr("local clock 2024-05-01T12:00:00Z"),
                   Not(HasSubstr("IQoJb3JpZ2luX2VjEXAMPLECLOUDSHELLTOKEN")))));
  EXPECT_EQ(w.http.requests().size(), 1u);  // the endpoint answered: no retry
  EXPECT_THAT(w.TraceText(), Not(HasSubstr("Found credentials")));
}

TEST(ContainerProviderTest, AboutToExpireCredentialsAreReturnedAndTheTraceSaysHowLong) {
  FakeWorld w;
  w.env.Set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/c");
  w.http.Reply(200, kCloudShellBody);  // expires 10 minutes after the clock
  ContainerProvider p(w.context());
  ASSERT_OK(p.Resolve());
  EXPECT_THAT(w.TraceText(), HasSubstr("valid for 10m 0s (until 2024-05-01T12:10:00Z), inside "
                                       "the 15-minute refresh window"));
}

TEST(ContainerProviderTest, TracesBotocoreLinesAndEachRequest) {
  FakeWorld w;
  w.env.Set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/x");
  w.env.Set("AWS_CONTAINER_AUTHORIZATION_TOKEN", kToken);
  w.http.Reply(502, "");
  w.http.Reply(200, kEcsBody);
  ContainerProvider p(w.context());
  ASSERT_OK(p.Resolve());
  std::vector<TraceEvent> events = w.trace.events();
  ASSERT_EQ(events.size(), 5u) << w.TraceText();
  EXPECT_EQ(events[0].message, "Looking for credentials via: container-role");
  EXPECT_EQ(events[1].kind, TraceEvent::Kind::kRequest);
  EXPECT_EQ(events[1].status, 502);
  EXPECT_EQ(events[1].method, "GET");
  EXPECT_EQ(events[1].endpoint, "http://169.254.170.2");
  EXPECT_EQ(events[1].path, "/v2/credentials/x");
  EXPECT_EQ(events[2].status, 200);
  // 5h 59m 59s: the 1 s backoff before the second attempt ran on the fake clock.
  EXPECT_THAT(events[3].message,
              HasSubstr("are valid for 5h 59m 59s (until 2024-05-01T18:00:00Z)"));
  EXPECT_EQ(events[4].message, "Found credentials from container-role");
  EXPECT_THAT(w.TraceText(), Not(HasSubstr(kToken)));
}

}  // namespace
}  // namespace chantless
