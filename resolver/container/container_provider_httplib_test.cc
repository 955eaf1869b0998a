// End-to-end tests of ContainerProvider over the real HttpClient (HttplibHttpClient) against a
// cpp-httplib server on 127.0.0.1:<port 0> inside the test. Nothing leaves loopback.
#include <atomic>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/container/container_provider.h"
#include "resolver/http/http_client_httplib.h"
#include "resolver/testing/fakes.h"
#include "resolver/testing/loopback_server.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::chantless::testing::LoopbackHttpServer;
using ::chantless::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kToken[] = "cloudshell-auth-EXAMPLE-token";
constexpr char kPath[] = "/latest/meta-data/container/security-credentials";
constexpr char kCloudShellBody[] =
    R"({"Type":"","AccessKeyId":"ASIAEXAMPLECLOUDSHEL","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/CLOUDSHELLEXAMPLEKEY",)"
    R"("Token":"IQoJb3JpZ2luX2VjEXAMPLECLOUDSHELLTOKEN","Expiration":"2024-05-01T12:10:00Z",)"
    R"("Code":"Success","LastUpdated":"1970-01-01T00:00:00Z"})";

// A real HttpClient with every other seam faked.
struct RealHttpWorld {
  testing::FakeWorld fakes;
  HttplibHttpClient http;
  ProviderContext context() {
    ProviderContext ctx = fakes.context();
    ctx.http = &http;
    return ctx;
  }
};

TEST(ContainerProviderHttplibTest, ResolvesFromCloudShellShapedServer) {
  LoopbackHttpServer server;
  std::atomic<int> authorized{0};
  server.server().Get(kPath, [&](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Authorization") != kToken) {
      res.status = 401;
      return;
    }
    ++authorized;
    res.set_content(kCloudShellBody, "application/json");
  });
  ASSERT_TRUE(server.Start());

  RealHttpWorld w;
  w.fakes.env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.endpoint() + kPath);
  w.fakes.env.Set("AWS_CONTAINER_AUTHORIZATION_TOKEN", kToken);
  ContainerProvider p(w.context());
  ASSERT_OK_AND_ASSIGN(Credentials c, p.Resolve());
  EXPECT_EQ(c.access_key_id, "ASIAEXAMPLECLOUDSHEL");
  EXPECT_EQ(c.provider, "container-role");
  EXPECT_EQ(authorized.load(), 1);
  EXPECT_THAT(w.fakes.TraceText(), ::testing::Not(HasSubstr(kToken)));
}

TEST(ContainerProviderHttplibTest, RetriesHtml503ThenSucceeds) {
  LoopbackHttpServer server;
  std::atomic<int> calls{0};
  server.server().Get(kPath, [&](const httplib::Request&, httplib::Response& res) {
    if (++calls == 1) {
      res.status = 503;
      res.set_content("<html><body>503 Service Unavailable</body></html>", "text/html");
      return;
    }
    res.set_content(kCloudShellBody, "application/json");
  });
  ASSERT_TRUE(server.Start());

  RealHttpWorld w;
  w.fakes.env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.endpoint() + kPath);
  ContainerProvider p(w.context());
  ASSERT_OK(p.Resolve());
  EXPECT_EQ(calls.load(), 2);
  EXPECT_EQ(server.connection_count(), 1u);  // keep-alive across the retry
}

TEST(ContainerProviderHttplibTest, RefusedEndpointIsUnavailableNamingIt) {
  const int port = testing::UnusedLoopbackPort();
  RealHttpWorld w;
  const std::string uri = "http://127.0.0.1:" + std::to_string(port) + "/creds";
  w.fakes.env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri);
  ContainerProvider p(w.context());
  EXPECT_THAT(p.Resolve(), StatusIs(StatusCode::kUnavailable, HasSubstr(uri)));
  EXPECT_EQ(w.fakes.clock.sleeps().size(), 2u);  // 3 attempts, FakeClock backoff
}

TEST(ContainerProviderHttplibTest, EndpointThatNeverAnswersEndsInBoundedTime) {
  testing::SilentLoopbackServer silent;
  RealHttpWorld w;
  w.fakes.env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", silent.endpoint() + "/creds");
  ContainerProviderOptions options;
  options.timeout = std::chrono::milliseconds(200);
  options.attempts = 2;
  ContainerProvider p(w.context(), options);
  EXPECT_THAT(p.Resolve(), StatusIs(StatusCode::kDeadlineExceeded,
                                    AllOf(HasSubstr(silent.endpoint()), HasSubstr("2 attempts"))));
}

}  // namespace
}  // namespace chantless
