// HttplibHttpClient over https: a server on 127.0.0.1:0 with a self-signed certificate (generated
// at build time, trusted by nobody) must be refused, never spoken to as if it were trusted.
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include <httplib.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/http_client_httplib.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::chantless::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

std::string Runfile(const std::string& name) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return std::string(srcdir ? srcdir : ".") + "/" + (workspace ? workspace : "chantless") +
         "/resolver/testdata/" + name;
}

TEST(HttplibHttpClientTlsTest, UntrustedCertificateIsRefused) {
  httplib::SSLServer server(Runfile("self_signed_cert.pem").c_str(),
                            Runfile("self_signed_key.pem").c_str());
  ASSERT_TRUE(server.is_valid());
  bool reached = false;
  server.Get("/latest/meta-data/", [&](const httplib::Request&, httplib::Response& res) {
    reached = true;
    res.set_content("ami-id", "text/plain");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread thread([&] { server.listen_after_bind(); });
  for (int i = 0; i < 10000 && !server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(server.is_running());

  HttplibHttpClient client;
  HttpRequest req;
  req.endpoint = "https://127.0.0.1:" + std::to_string(port);
  req.path = "/latest/meta-data/";
  req.timeout = std::chrono::milliseconds(2000);
  EXPECT_THAT(client.Send(req), StatusIs(StatusCode::kUnavailable,
                                         AllOf(HasSubstr("GET " + req.endpoint),
                                               HasSubstr("TLS certificate could not be verified"))));
  server.stop();
  thread.join();
  EXPECT_FALSE(reached);
}

}  // namespace
}  // namespace chantless
