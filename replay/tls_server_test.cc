// The replay server's TLS listener end to end over loopback (127.0.0.1, port 0), with a throwaway
// CA made by replay/tls_setup.h: chantless's own HttplibHttpClient (https + the CA file), curl with
// --resolve (Host and SNI an AWS host name), python3's ssl module (SNI only, no Host header), a
// client that does not trust the CA, and a fault enacted over TLS.
#include <openssl/x509.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "replay/engine.h"
#include "replay/server.h"
#include "replay/tls_setup.h"
#include "replay/transcript.h"
#include "resolver/http/http_client.h"
#include "resolver/http/http_client_httplib.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace replay {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kTranscript[] = R"({"format": "chantless-transcript", "version": 1, "name": "t",
  "docs": "d", "recorded_at": "2024-05-01T12:00:00Z", "exchanges": [
  {"id": "east", "family": "e", "host": "sts.us-east-1.amazonaws.com", "request": {"path": "/"},
   "response": {"body": "east"}, "repeat": {"min": 0, "max": 10}},
  {"id": "west", "family": "w", "host": "sts.us-west-2.amazonaws.com", "request": {"path": "/"},
   "response": {"body": "west"}, "repeat": {"min": 0, "max": 10}},
  {"id": "reset", "family": "r", "request": {"path": "/reset"}, "fault": {"kind": "reset"},
   "optional": true}]})";

std::string RunCommand(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

class TlsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    dir_ = tmp ? tmp : "/tmp";
    ca_ = dir_ + "/replay-ca.pem";
    ASSERT_OK_AND_ASSIGN(Transcript t, LoadTranscript(kTranscript, "test"));
    EXPECT_THAT(TranscriptHostNames(t),
                ElementsAre("sts.us-east-1.amazonaws.com", "sts.us-west-2.amazonaws.com"));
    ASSERT_OK_AND_ASSIGN(tls_, MakeThrowawayTls(TranscriptHostNames(t), {}, ca_));
    engine_ = std::make_unique<Engine>(std::move(t));
    ServerOptions options;
    options.tls_context = tls_->get();
    server_ = std::make_unique<Server>(engine_.get(), options);
    ASSERT_OK_AND_ASSIGN(port_, server_->Start());
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }

  std::string dir_, ca_;
  std::unique_ptr<ServerTlsContext> tls_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Server> server_;
  int port_ = 0;
};

// HttplibHttpClient verifies against OpenSSL's default verify paths (request.ca_bundle_path is set
// too); SSL_CERT_FILE points them at the replay's CA, as `chantless serve --tls` tells users to.
void TrustOnly(const std::string& ca_file, const std::string& empty_dir) {
  ::mkdir(empty_dir.c_str(), 0700);
  ::setenv(X509_get_default_cert_file_env(), ca_file.c_str(), 1);
  ::setenv(X509_get_default_cert_dir_env(), empty_dir.c_str(), 1);
}

TEST_F(TlsServerTest, ChantlessHttpsClientTrustingTheCaIsServed) {
  TrustOnly(ca_, dir_ + "/empty");
  HttplibHttpClient client;
  HttpRequest request;
  request.endpoint = "https://127.0.0.1:" + std::to_string(port_);
  request.ca_bundle_path = ca_;
  request.timeout = std::chrono::seconds(5);
  ASSERT_OK_AND_ASSIGN(HttpResponse r, client.Send(request));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "east");  // addressed by IP: any host matches, the first family wins
  // Keep-alive over TLS: a second request on the same connection.
  ASSERT_OK_AND_ASSIGN(HttpResponse again, client.Send(request));
  EXPECT_EQ(again.body, "east");
  EXPECT_EQ(server_->connections(), 1);
}

TEST_F(TlsServerTest, AClientThatDoesNotTrustTheCaIsRefused) {
  TrustOnly(dir_ + "/no-such-ca.pem", dir_ + "/empty");
  HttplibHttpClient client;
  HttpRequest request;
  request.endpoint = "https://127.0.0.1:" + std::to_string(port_);
  request.timeout = std::chrono::seconds(5);
  EXPECT_FALSE(client.Send(request).ok());
  EXPECT_EQ(engine_->GetVerdict().requests, 0);
}

TEST_F(TlsServerTest, CurlWithResolveIsRoutedByHost) {
  if (std::system("curl --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "no curl";
  const std::string port = std::to_string(port_);
  for (const char* host : {"sts.us-west-2.amazonaws.com", "sts.us-east-1.amazonaws.com"}) {
    const std::string out =
        RunCommand("curl -sS --max-time 10 --cacert " + ca_ + " --resolve " + host + ":" + port +
                   ":127.0.0.1 https://" + host + ":" + port + "/ 2>&1");
    EXPECT_EQ(out, std::string(host).find("west") != std::string::npos ? "west" : "east") << host;
  }
  // A host the certificate does not name is refused by curl before any request.
  const std::string refused = RunCommand(
      "curl -sS --max-time 10 --cacert " + ca_ + " --resolve sts.eu-west-1.amazonaws.com:" + port +
      ":127.0.0.1 https://sts.eu-west-1.amazonaws.com:" + port + "/ 2>&1; echo rc=$?");
  EXPECT_THAT(refused, Not(HasSubstr("rc=0")));
}

TEST_F(TlsServerTest, PythonSslWithoutAHostHeaderIsRoutedBySni) {
  if (std::system("python3 -c 'import ssl' >/dev/null 2>&1") != 0) GTEST_SKIP() << "no python3";
  const std::string script = dir_ + "/sni.py";
  std::ofstream(script) << R"(import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[1])
with socket.create_connection(("127.0.0.1", int(sys.argv[2]))) as raw:
    with ctx.wrap_socket(raw, server_hostname=sys.argv[3]) as s:
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
print(data.split(b"\r\n\r\n", 1)[1].decode())
)";
  EXPECT_EQ(RunCommand("python3 " + script + " " + ca_ + " " + std::to_string(port_) +
                       " sts.us-west-2.amazonaws.com 2>&1"),
            "west\n");
}

TEST_F(TlsServerTest, AResetFaultOverTlsFailsTheClient) {
  TrustOnly(ca_, dir_ + "/empty");
  HttplibHttpClient client;
  HttpRequest request;
  request.endpoint = "https://127.0.0.1:" + std::to_string(port_);
  request.path = "/reset";
  request.ca_bundle_path = ca_;
  request.timeout = std::chrono::seconds(5);
  EXPECT_FALSE(client.Send(request).ok());
}

}  // namespace
}  // namespace replay
}  // namespace chantless
