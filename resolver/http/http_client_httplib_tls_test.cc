// HttplibHttpClient, PosixHttpClient and DefaultHttpClient over https, both directions of "verified
// against the trust store" (certificate chain and host name), against httplib::SSLServer on
// 127.0.0.1:0 inside the test:
//   - a self-signed certificate (generated at build time, trusted by nobody) is refused;
//   - with a throwaway CA (generated at test time into TEST_TMPDIR) made the only trusted root, a
//     certificate it issued for IP:127.0.0.1 is accepted and the body returned, while one that
//     differs from it in a single property is refused: issued for another host name only, expired,
//     or issued by another throwaway CA.
// The client is trusted through OpenSSL's default verify paths, which is what cpp-httplib 0.11.4's
// SSLClient uses when no CA path is set (SSLClient::load_certs calls
// SSL_CTX_set_default_verify_paths): the SSL_CERT_FILE and SSL_CERT_DIR environment variables
// redirect them. This binary sets them in its own process (the only chantless test that sets its
// environment; production code keeps no test-only trust option) and the system store is untouched.
// Each refusal is also pinned to its reason through OpenSSL's verify result on a plain
// httplib::SSLClient, so a test cannot pass because of a different failure.
#include <httplib.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/http/http_client_httplib.h"
#include "resolver/http/http_client_kinds_test_util.h"
#include "resolver/testing/loopback_server.h"
#include "resolver/testing/status_matchers.h"
#include "resolver/testing/throwaway_pki.h"

namespace chantless {
namespace {

using ::chantless::testing::ClientKind;
using ::chantless::testing::LeafSpec;
using ::chantless::testing::PemFiles;
using ::chantless::testing::StatusIs;
using ::chantless::testing::ThrowawayCa;
using ::testing::AllOf;
using ::testing::HasSubstr;

std::string Runfile(const std::string& name) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return std::string(srcdir ? srcdir : ".") + "/" + (workspace ? workspace : "chantless") +
         "/resolver/http/testdata/" + name;
}

// httplib::SSLServer on 127.0.0.1:0, on its own thread, answering GET /latest/meta-data/ with
// "ami-id" and counting the requests that reached it. Stops in the destructor.
class HttpsLoopbackServer {
 public:
  explicit HttpsLoopbackServer(const PemFiles& files)
      : server_(files.cert_path.c_str(), files.key_path.c_str()) {
    server_.Get("/latest/meta-data/", [this](const httplib::Request&, httplib::Response& res) {
      ++requests_;
      std::this_thread::sleep_for(delay_);
      res.set_content("ami-id", "text/plain");
    });
  }
  ~HttpsLoopbackServer() {
    if (thread_.joinable()) {
      server_.stop();
      thread_.join();
    }
  }

  // False when the certificate or key did not load, or the server did not start.
  bool Start() {
    if (!server_.is_valid()) return false;
    port_ = testing::StartHttplibOnLoopback(server_, &thread_);
    return port_ > 0;
  }
  int port() const { return port_; }
  std::string endpoint() const { return "https://127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_.load(); }
  // How long each answer waits (set before Start()).
  void SetDelay(std::chrono::milliseconds delay) { delay_ = delay; }

 private:
  httplib::SSLServer server_;
  std::chrono::milliseconds delay_{0};
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> requests_{0};
};

HttpRequest GetMetaData(const std::string& endpoint) {
  HttpRequest req;
  req.endpoint = endpoint;
  req.path = "/latest/meta-data/";
  req.timeout = std::chrono::milliseconds(2000);
  return req;
}

// What a plain httplib::SSLClient (verification on, the same default verify paths) reports for
// `port`: its error and OpenSSL's verify result for the chain (X509_V_OK when the chain was good,
// or when the handshake never got that far).
struct Verification {
  httplib::Error error = httplib::Error::Success;
  long verify_result = X509_V_OK;
};

Verification VerifyWithPlainSslClient(int port) {
  httplib::SSLClient raw("127.0.0.1", port);
  raw.enable_server_certificate_verification(true);
  raw.set_connection_timeout(std::chrono::seconds(2));
  raw.set_read_timeout(std::chrono::seconds(2));
  httplib::Result result = raw.Get("/latest/meta-data/");
  return Verification{result.error(), raw.get_openssl_verify_result()};
}

// The client refuses the certificate `files` before any request reaches the server, and
// OpenSSL's own verdict on it (a plain httplib::SSLClient) is `expected_verify_result`: the
// refusal happened for the reason the test names.
void ExpectRefused(ClientKind kind, const PemFiles& files, long expected_verify_result) {
  HttpsLoopbackServer server(files);
  ASSERT_TRUE(server.Start());
  std::unique_ptr<HttpClient> owned = testing::NewHttpClient(kind);
  HttpClient& client = *owned;
  HttpRequest req = GetMetaData(server.endpoint());
  EXPECT_THAT(client.Send(req),
              StatusIs(StatusCode::kUnavailable,
                       AllOf(HasSubstr("GET " + req.endpoint),
                             HasSubstr("TLS certificate could not be verified"))));
  EXPECT_EQ(server.requests(), 0);
  const Verification verification = VerifyWithPlainSslClient(server.port());
  EXPECT_EQ(verification.error, httplib::Error::SSLServerVerification);
  EXPECT_EQ(verification.verify_result, expected_verify_result);
}

class UntrustedTlsTest : public ::testing::TestWithParam<ClientKind> {};
INSTANTIATE_TEST_SUITE_P(Clients, UntrustedTlsTest, testing::AllClientKinds(),
                         testing::ClientKindName);

TEST_P(UntrustedTlsTest, UntrustedCertificateIsRefused) {
  ExpectRefused(GetParam(),
                PemFiles{Runfile("self_signed_cert.pem"), Runfile("self_signed_key.pem")},
                X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
}

// The throwaway PKI, made once for the suite: a trusted CA (the only certificate in SSL_CERT_FILE,
// SSL_CERT_DIR an empty folder), a second CA nobody trusts, and four server certificates.
struct TestPki {
  PemFiles good;        // trusted CA; IP:127.0.0.1 and DNS:localhost; valid now
  PemFiles other_host;  // as good, but DNS:other.example only
  PemFiles expired;     // as good, but valid from 48 h ago to 24 h ago
  PemFiles other_ca;    // as good, but issued by the untrusted CA
};

class TrustedCaTest : public ::testing::TestWithParam<ClientKind> {
 protected:
  static void SetUpTestSuite() {
    auto made = MakePki();
    if (made.ok()) {
      pki_ = new TestPki(std::move(made).value());
    } else {
      setup_error_ = new Status(made.status());
    }
  }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
    delete setup_error_;
    setup_error_ = nullptr;
  }
  void SetUp() override {
    ASSERT_EQ(setup_error_, nullptr) << setup_error_->ToString();
    ASSERT_NE(pki_, nullptr);
  }

  static StatusOr<TestPki> MakePki() {
    const char* tmp = std::getenv("TEST_TMPDIR");
    const std::string dir = std::string(tmp ? tmp : "/tmp") + "/throwaway_pki";
    const std::string empty_dir = dir + "/empty";
    ::mkdir(dir.c_str(), 0700);
    ::mkdir(empty_dir.c_str(), 0700);
    CHANTLESS_ASSIGN_OR_RETURN(std::unique_ptr<ThrowawayCa> trusted,
                               ThrowawayCa::Create("chantless throwaway test CA"));
    CHANTLESS_ASSIGN_OR_RETURN(std::unique_ptr<ThrowawayCa> untrusted,
                               ThrowawayCa::Create("chantless untrusted test CA"));
    const std::string ca_file = dir + "/trusted_ca.crt";
    CHANTLESS_RETURN_IF_ERROR(trusted->WriteCertificate(ca_file));

    LeafSpec good;
    good.dns_names = {"localhost"};
    good.ip_addresses = {"127.0.0.1"};
    LeafSpec other_host = good;
    other_host.dns_names = {"other.example"};
    other_host.ip_addresses = {};
    other_host.common_name = "other.example";
    LeafSpec expired = good;
    expired.not_before = -std::chrono::hours(48);
    expired.not_after = -std::chrono::hours(24);

    TestPki pki;
    CHANTLESS_ASSIGN_OR_RETURN(pki.good, trusted->Issue(good, dir, "good"));
    CHANTLESS_ASSIGN_OR_RETURN(pki.other_host, trusted->Issue(other_host, dir, "other_host"));
    CHANTLESS_ASSIGN_OR_RETURN(pki.expired, trusted->Issue(expired, dir, "expired"));
    CHANTLESS_ASSIGN_OR_RETURN(pki.other_ca, untrusted->Issue(good, dir, "other_ca"));

    // Read by SSL_CTX_set_default_verify_paths at each client's first handshake; set before any
    // client of this suite exists (no other thread reads the environment meanwhile).
    ::setenv(X509_get_default_cert_file_env(), ca_file.c_str(), 1);
    ::setenv(X509_get_default_cert_dir_env(), empty_dir.c_str(), 1);
    return pki;
  }

  static TestPki* pki_;
  static Status* setup_error_;
};

TestPki* TrustedCaTest::pki_ = nullptr;
Status* TrustedCaTest::setup_error_ = nullptr;

INSTANTIATE_TEST_SUITE_P(Clients, TrustedCaTest, testing::AllClientKinds(),
                         testing::ClientKindName);

TEST_P(TrustedCaTest, CertificateFromTheTrustedCaIsAcceptedAndTheBodyReturned) {
  HttpsLoopbackServer server(pki_->good);
  ASSERT_TRUE(server.Start());
  std::unique_ptr<HttpClient> owned = testing::NewHttpClient(GetParam());
  HttpClient& client = *owned;
  for (int i = 0; i < 2; ++i) {  // the second exchange reuses the verified connection
    ASSERT_OK_AND_ASSIGN(HttpResponse res, client.Send(GetMetaData(server.endpoint())));
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.body, "ami-id");
  }
  EXPECT_EQ(server.requests(), 2);
}

TEST_P(TrustedCaTest, ServerSlowerThanTheTimeoutOverTlsIsDeadlineExceeded) {
  HttpsLoopbackServer server(pki_->good);
  server.SetDelay(std::chrono::milliseconds(1500));
  ASSERT_TRUE(server.Start());
  std::unique_ptr<HttpClient> owned = testing::NewHttpClient(GetParam());
  HttpClient& client = *owned;
  HttpRequest req = GetMetaData(server.endpoint());
  req.timeout = std::chrono::milliseconds(300);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(client.Send(req),
              StatusIs(StatusCode::kDeadlineExceeded, HasSubstr("GET " + req.endpoint)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1000));
}

TEST_P(TrustedCaTest, CertificateForAnotherHostNameIsRefused) {
  // The chain itself verifies (X509_V_OK): the refusal is the host-name check's.
  ExpectRefused(GetParam(), pki_->other_host, X509_V_OK);
}

TEST_P(TrustedCaTest, ExpiredCertificateIsRefused) {
  ExpectRefused(GetParam(), pki_->expired, X509_V_ERR_CERT_HAS_EXPIRED);
}

TEST_P(TrustedCaTest, CertificateFromAnotherCaIsRefused) {
  ExpectRefused(GetParam(), pki_->other_ca, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

}  // namespace
}  // namespace chantless
