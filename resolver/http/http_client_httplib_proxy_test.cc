// HttplibHttpClient, PosixHttpClient and DefaultHttpClient with HttpRequest::ca_bundle_path and
// HttpRequest::proxy, end to end on 127.0.0.1 only: an httplib::SSLServer whose certificate a
// throwaway CA issued (no trust store holds that CA, and this binary leaves the environment alone,
// so the system store refuses it), and TestProxy, a small HTTP proxy on its own thread that records
// each request head it receives and either tunnels CONNECT, forwards a plain request, refuses with
// 403, accepts CONNECT and then stalls, or accepts with "Connection: close". Also ParseHttpProxy's
// table.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

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
using ::testing::Not;

// --- a loopback HTTP proxy
// ------------------------------------------------------------------------

int ConnectLoopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

class TestProxy {
 public:
  enum class Mode { kRelay, kRefuse, kStall, kAcceptButClose };

  explicit TestProxy(Mode mode) : mode_(mode) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(listen_fd_, 16) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      return;
    }
    port_ = ntohs(addr.sin_port);
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }

  ~TestProxy() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    if (accept_thread_.joinable()) accept_thread_.join();
    ::close(listen_fd_);
    std::lock_guard<std::mutex> lock(mu_);
    for (std::thread& t : workers_) t.join();
  }

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Every request head the proxy received (request line and headers), in order.
  std::vector<std::string> heads() const {
    std::lock_guard<std::mutex> lock(mu_);
    return heads_;
  }

 private:
  void AcceptLoop() {
    while (!stopping_) {
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      std::lock_guard<std::mutex> lock(mu_);
      workers_.emplace_back([this, fd] { Serve(fd); });
    }
  }

  // Reads up to the end of the head; returns it, and leaves any bytes after it in `*extra`.
  bool ReadHead(int fd, std::string* head, std::string* extra) {
    std::string data;
    char buf[4096];
    while (data.find("\r\n\r\n") == std::string::npos) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 100) == 0) {
        if (stopping_) return false;
        continue;
      }
      ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) return false;
      data.append(buf, static_cast<size_t>(n));
    }
    const size_t end = data.find("\r\n\r\n") + 4;
    *head = data.substr(0, end);
    *extra = data.substr(end);
    return true;
  }

  // Copies bytes both ways until either side closes or the proxy stops.
  void Relay(int a, int b) {
    char buf[16384];
    while (!stopping_) {
      pollfd p[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
      if (::poll(p, 2, 100) <= 0) continue;
      for (int i = 0; i < 2; ++i) {
        if (p[i].revents & (POLLIN | POLLHUP | POLLERR)) {
          ssize_t n = ::recv(p[i].fd, buf, sizeof(buf), 0);
          if (n <= 0 || !WriteAll(p[1 - i].fd, std::string(buf, static_cast<size_t>(n)))) return;
        }
      }
    }
  }

  // The target port of "CONNECT 127.0.0.1:PORT HTTP/1.1" or "GET http://127.0.0.1:PORT/x …".
  static int TargetPort(const std::string& line) {
    const size_t host = line.find("127.0.0.1:");
    if (host == std::string::npos) return -1;
    return std::atoi(line.c_str() + host + 10);
  }

  void Serve(int fd) {
    std::string head, extra;
    while (!stopping_ && ReadHead(fd, &head, &extra)) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        heads_.push_back(head);
      }
      const std::string line = head.substr(0, head.find("\r\n"));
      if (mode_ == Mode::kRefuse) {
        WriteAll(fd, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        break;
      }
      const bool connect = line.rfind("CONNECT ", 0) == 0;
      if (mode_ == Mode::kAcceptButClose) {
        WriteAll(fd, "HTTP/1.1 200 Connection established\r\nConnection: close\r\n\r\n");
        break;
      }
      if (connect && mode_ == Mode::kStall) {
        WriteAll(fd, "HTTP/1.1 200 Connection established\r\n\r\n");
        while (!stopping_) std::this_thread::sleep_for(std::chrono::milliseconds(20));
        break;
      }
      const int target = ConnectLoopback(TargetPort(line));
      if (target < 0) {
        WriteAll(fd, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        break;
      }
      if (connect) {
        WriteAll(fd, "HTTP/1.1 200 Connection established\r\n\r\n");
      } else {
        // Absolute form to origin form: "GET http://127.0.0.1:P/x HTTP/1.1" → "GET /x HTTP/1.1".
        const size_t scheme = head.find("http://");
        const size_t path = head.find('/', scheme + 7);
        head = head.substr(0, scheme) + head.substr(path);
        WriteAll(target, head);
      }
      if (!extra.empty()) WriteAll(target, extra);
      Relay(fd, target);
      ::close(target);
      break;
    }
    ::close(fd);
  }

  Mode mode_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread accept_thread_;
  mutable std::mutex mu_;
  std::vector<std::thread> workers_;
  std::vector<std::string> heads_;
};

// --- an https server with a throwaway CA
// ----------------------------------------------------------

class HttpsServer {
 public:
  explicit HttpsServer(const PemFiles& files)
      : server_(files.cert_path.c_str(), files.key_path.c_str()) {
    server_.Get("/ping", [this](const httplib::Request& req, httplib::Response& res) {
      ++requests_;
      if (req.has_header("Proxy-Authorization")) ++saw_proxy_authorization_;
      res.set_content("pong", "text/plain");
    });
  }
  ~HttpsServer() {
    if (thread_.joinable()) {
      server_.stop();
      thread_.join();
    }
  }
  bool Start() {
    if (!server_.is_valid()) return false;
    port_ = testing::StartHttplibOnLoopback(server_, &thread_);
    return port_ > 0;
  }
  int port() const { return port_; }
  std::string endpoint() const { return "https://127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_.load(); }
  int saw_proxy_authorization() const { return saw_proxy_authorization_.load(); }

 private:
  httplib::SSLServer server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> requests_{0};
  std::atomic<int> saw_proxy_authorization_{0};
};

struct Pki {
  std::string ca_bundle;        // the throwaway CA's certificate
  std::string other_ca_bundle;  // a second, unrelated CA's certificate
  std::string not_pem;          // a file holding no certificate
  std::string dir;
  PemFiles good;        // issued by the CA for IP:127.0.0.1 and DNS:localhost
  PemFiles other_host;  // issued by the CA for DNS:other.example only
};

class HttpsProxyTest : public ::testing::TestWithParam<ClientKind> {
 protected:
  static void SetUpTestSuite() {
    auto made = MakePki();
    if (made.ok()) {
      pki_ = new Pki(std::move(made).value());
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

  static StatusOr<Pki> MakePki() {
    const char* tmp = std::getenv("TEST_TMPDIR");
    Pki pki;
    pki.dir = std::string(tmp ? tmp : "/tmp") + "/proxy_test_pki";
    ::mkdir(pki.dir.c_str(), 0700);
    CHANTLESS_ASSIGN_OR_RETURN(std::unique_ptr<ThrowawayCa> ca,
                               ThrowawayCa::Create("chantless proxy test CA"));
    CHANTLESS_ASSIGN_OR_RETURN(std::unique_ptr<ThrowawayCa> other,
                               ThrowawayCa::Create("chantless other test CA"));
    pki.ca_bundle = pki.dir + "/ca.pem";
    pki.other_ca_bundle = pki.dir + "/other_ca.pem";
    CHANTLESS_RETURN_IF_ERROR(ca->WriteCertificate(pki.ca_bundle));
    CHANTLESS_RETURN_IF_ERROR(other->WriteCertificate(pki.other_ca_bundle));
    pki.not_pem = pki.dir + "/not_pem.pem";
    std::FILE* f = std::fopen(pki.not_pem.c_str(), "w");
    if (f == nullptr) return InternalError("cannot write " + pki.not_pem);
    std::fputs("this is not a certificate\n", f);
    std::fclose(f);
    LeafSpec good;
    good.dns_names = {"localhost"};
    good.ip_addresses = {"127.0.0.1"};
    LeafSpec other_host;
    other_host.dns_names = {"other.example"};
    CHANTLESS_ASSIGN_OR_RETURN(pki.good, ca->Issue(good, pki.dir, "good"));
    CHANTLESS_ASSIGN_OR_RETURN(pki.other_host, ca->Issue(other_host, pki.dir, "other_host"));
    return pki;
  }

  static HttpRequest Ping(const std::string& endpoint) {
    HttpRequest req;
    req.endpoint = endpoint;
    req.path = "/ping";
    req.timeout = std::chrono::milliseconds(3000);
    return req;
  }

  static std::unique_ptr<HttpClient> NewClient() { return testing::NewHttpClient(GetParam()); }
  // cpp-httplib opens each tunnel twice: the client's own check of the proxy's answer, then its
  // own; PosixHttpClient once.
  static size_t ConnectsPerTunnel() { return GetParam() == ClientKind::kHttplib ? 2 : 1; }

  static Pki* pki_;
  static Status* setup_error_;
};

Pki* HttpsProxyTest::pki_ = nullptr;
Status* HttpsProxyTest::setup_error_ = nullptr;

INSTANTIATE_TEST_SUITE_P(Clients, HttpsProxyTest, testing::AllClientKinds(),
                         testing::ClientKindName);

// --- CA bundle
// ------------------------------------------------------------------------------------

TEST_P(HttpsProxyTest, CaBundleTrustsItsCa) {
  HttpsServer server(pki_->good);
  ASSERT_TRUE(server.Start());
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  HttpRequest req = Ping(server.endpoint());
  req.ca_bundle_path = pki_->ca_bundle;
  ASSERT_OK_AND_ASSIGN(HttpResponse res, client.Send(req));
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "pong");
}

TEST_P(HttpsProxyTest, WithoutBundleTheSystemStoreRefusesTheThrowawayCa) {
  HttpsServer server(pki_->good);
  ASSERT_TRUE(server.Start());
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  EXPECT_THAT(
      client.Send(Ping(server.endpoint())),
      StatusIs(StatusCode::kUnavailable, HasSubstr("TLS certificate could not be verified")));
  EXPECT_EQ(server.requests(), 0);
}

TEST_P(HttpsProxyTest, CaBundleStillChecksTheHostName) {
  HttpsServer server(pki_->other_host);
  ASSERT_TRUE(server.Start());
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  HttpRequest req = Ping(server.endpoint());
  req.ca_bundle_path = pki_->ca_bundle;
  EXPECT_THAT(client.Send(req), StatusIs(StatusCode::kUnavailable,
                                         HasSubstr("TLS certificate could not be verified")));
  EXPECT_EQ(server.requests(), 0);
}

TEST_P(HttpsProxyTest, CaBundleOfAnotherCaRefuses) {
  HttpsServer server(pki_->good);
  ASSERT_TRUE(server.Start());
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  HttpRequest req = Ping(server.endpoint());
  req.ca_bundle_path = pki_->other_ca_bundle;
  EXPECT_THAT(client.Send(req), StatusIs(StatusCode::kUnavailable,
                                         HasSubstr("TLS certificate could not be verified")));
}

TEST_P(HttpsProxyTest, DifferentBundlesNeverShareAConnection) {
  HttpsServer server(pki_->good);
  ASSERT_TRUE(server.Start());
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  HttpRequest trusted = Ping(server.endpoint());
  trusted.ca_bundle_path = pki_->ca_bundle;
  ASSERT_OK(client.Send(trusted).status());
  // Same endpoint, another bundle: a kept-alive verified connection must not be reused.
  HttpRequest other = trusted;
  other.ca_bundle_path = pki_->other_ca_bundle;
  EXPECT_THAT(client.Send(other),
              StatusIs(StatusCode::kUnavailable, HasSubstr("could not be verified")));
  HttpRequest system_store = trusted;
  system_store.ca_bundle_path.clear();
  EXPECT_THAT(client.Send(system_store),
              StatusIs(StatusCode::kUnavailable, HasSubstr("could not be verified")));
  EXPECT_EQ(server.requests(), 1);
}

TEST_P(HttpsProxyTest, MissingBundleIsInvalidConfigurationNamingThePath) {
  HttpsServer server(pki_->good);
  ASSERT_TRUE(server.Start());
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  HttpRequest req = Ping(server.endpoint());
  req.ca_bundle_path = pki_->dir + "/no-such-bundle.pem";
  EXPECT_THAT(client.Send(req),
              StatusIs(StatusCode::kInvalidConfiguration,
                       AllOf(HasSubstr(req.ca_bundle_path), HasSubstr("does not exist"))));
  req.ca_bundle_path = pki_->dir;  // a directory
  EXPECT_THAT(client.Send(req),
              StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("is not a regular file")));
  EXPECT_EQ(server.requests(), 0);
}

TEST_P(HttpsProxyTest, BundleWithoutCertificatesIsInvalidConfiguration) {
  HttpsServer server(pki_->good);
  ASSERT_TRUE(server.Start());
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  HttpRequest req = Ping(server.endpoint());
  req.ca_bundle_path = pki_->not_pem;
  EXPECT_THAT(client.Send(req),
              StatusIs(StatusCode::kInvalidConfiguration, HasSubstr(pki_->not_pem)));
  EXPECT_EQ(server.requests(), 0);
}

// --- proxies
// --------------------------------------------------------------------------------------

TEST_P(HttpsProxyTest, HttpsIsTunnelledWithConnectAndVerifiedEndToEnd) {
  HttpsServer server(pki_->good);
  ASSERT_TRUE(server.Start());
  TestProxy proxy(TestProxy::Mode::kRelay);
  ASSERT_GT(proxy.port(), 0);
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  HttpRequest req = Ping(server.endpoint());
  req.ca_bundle_path = pki_->ca_bundle;
  req.proxy = proxy.url();
  ASSERT_OK_AND_ASSIGN(HttpResponse res, client.Send(req));
  EXPECT_EQ(res.body, "pong");
  EXPECT_EQ(server.requests(), 1);
  const std::vector<std::string> heads = proxy.heads();
  ASSERT_EQ(heads.size(), ConnectsPerTunnel());
  for (const std::string& head : heads) {
    EXPECT_THAT(head, ::testing::StartsWith("CONNECT 127.0.0.1:" + std::to_string(server.port()) +
                                            " HTTP/1.1\r\n"));
    // The proxy saw no request inside the tunnel: only TLS bytes.
    EXPECT_THAT(head, Not(HasSubstr("/ping")));
  }
  // A second exchange reuses the kept-alive tunnel: no new CONNECT.
  ASSERT_OK(client.Send(req).status());
  EXPECT_EQ(proxy.heads().size(), ConnectsPerTunnel());
  EXPECT_EQ(server.requests(), 2);
}

TEST_P(HttpsProxyTest, CertificateIsStillVerifiedThroughTheTunnel) {
  TestProxy proxy(TestProxy::Mode::kRelay);
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  {
    HttpsServer server(pki_->good);  // trusted only through the bundle, which is not given
    ASSERT_TRUE(server.Start());
    HttpRequest req = Ping(server.endpoint());
    req.proxy = proxy.url();
    EXPECT_THAT(client.Send(req), StatusIs(StatusCode::kUnavailable,
                                           HasSubstr("TLS certificate could not be verified")));
    EXPECT_EQ(server.requests(), 0);
  }
  {
    HttpsServer server(pki_->other_host);  // the bundle's CA, another host name
    ASSERT_TRUE(server.Start());
    HttpRequest req = Ping(server.endpoint());
    req.ca_bundle_path = pki_->ca_bundle;
    req.proxy = proxy.url();
    EXPECT_THAT(client.Send(req), StatusIs(StatusCode::kUnavailable,
                                           HasSubstr("TLS certificate could not be verified")));
    EXPECT_EQ(server.requests(), 0);
  }
  EXPECT_EQ(proxy.heads().size(), 2 * ConnectsPerTunnel());
}

TEST_P(HttpsProxyTest, ProxyCredentialsForHttpsGoToTheProxyOnly) {
  if (GetParam() == ClientKind::kHttplib) {
    GTEST_SKIP() << "HttplibHttpClient refuses proxy credentials for https (next test)";
  }
  HttpsServer server(pki_->good);
  ASSERT_TRUE(server.Start());
  TestProxy proxy(TestProxy::Mode::kRelay);
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  HttpRequest req = Ping(server.endpoint());
  req.ca_bundle_path = pki_->ca_bundle;
  req.proxy = "http://proxyuser:pa%40ss@127.0.0.1:" + std::to_string(proxy.port());
  ASSERT_OK_AND_ASSIGN(HttpResponse res, client.Send(req));
  EXPECT_EQ(res.body, "pong");
  const std::vector<std::string> heads = proxy.heads();
  ASSERT_EQ(heads.size(), 1u);
  // base64("proxyuser:pa@ss") on CONNECT; nothing of it inside the tunnel.
  EXPECT_THAT(heads[0], HasSubstr("Proxy-Authorization: Basic cHJveHl1c2VyOnBhQHNz\r\n"));
  EXPECT_EQ(server.saw_proxy_authorization(), 0);
}

TEST_P(HttpsProxyTest, ProxyCredentialsAreRefusedForHttps) {
  // cpp-httplib would repeat Proxy-Authorization inside the tunnel, to the target.
  if (GetParam() != ClientKind::kHttplib) GTEST_SKIP() << "only HttplibHttpClient refuses them";
  TestProxy proxy(TestProxy::Mode::kRelay);
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  HttpRequest req = Ping("https://127.0.0.1:9");
  req.proxy = "http://proxyuser:pa%40ss@127.0.0.1:" + std::to_string(proxy.port());
  EXPECT_THAT(client.Send(req),
              StatusIs(StatusCode::kInvalidConfiguration,
                       AllOf(HasSubstr("proxy credentials"), HasSubstr(proxy.url()),
                             Not(HasSubstr("pa%40ss")), Not(HasSubstr("proxyuser")))));
  EXPECT_TRUE(proxy.heads().empty());
}

TEST_P(HttpsProxyTest, ProxyCredentialsAreSentToAnHttpProxy) {
  testing::LoopbackHttpServer server;
  server.server().Get("/plain", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("plain", "text/plain");
  });
  ASSERT_TRUE(server.Start());
  TestProxy proxy(TestProxy::Mode::kRelay);
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  HttpRequest req;
  req.endpoint = server.endpoint();
  req.path = "/plain";
  req.proxy = "http://proxyuser:pa%40ss@127.0.0.1:" + std::to_string(proxy.port());
  ASSERT_OK(client.Send(req).status());
  const std::vector<std::string> heads = proxy.heads();
  ASSERT_EQ(heads.size(), 1u);
  // base64("proxyuser:pa@ss")
  EXPECT_THAT(heads[0], HasSubstr("Proxy-Authorization: Basic cHJveHl1c2VyOnBhQHNz\r\n"));
}

TEST_P(HttpsProxyTest, HttpIsSentThroughTheProxy) {
  testing::LoopbackHttpServer server;
  server.server().Get("/plain", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("plain", "text/plain");
  });
  ASSERT_TRUE(server.Start());
  TestProxy proxy(TestProxy::Mode::kRelay);
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  HttpRequest req;
  req.endpoint = server.endpoint();
  req.path = "/plain";
  req.proxy = proxy.url();
  ASSERT_OK_AND_ASSIGN(HttpResponse res, client.Send(req));
  EXPECT_EQ(res.body, "plain");
  const std::vector<std::string> heads = proxy.heads();
  ASSERT_EQ(heads.size(), 1u);
  EXPECT_THAT(heads[0], ::testing::StartsWith("GET http://127.0.0.1:" +
                                              std::to_string(server.port()) + "/plain HTTP/1.1"));
}

TEST_P(HttpsProxyTest, ProxyThatRefusesTheTunnelIsUnavailableNamingTheProxy) {
  HttpsServer server(pki_->good);
  ASSERT_TRUE(server.Start());
  TestProxy proxy(TestProxy::Mode::kRefuse);
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  HttpRequest req = Ping(server.endpoint());
  req.ca_bundle_path = pki_->ca_bundle;
  req.proxy = proxy.url();
  EXPECT_THAT(
      client.Send(req),
      StatusIs(StatusCode::kUnavailable,
               AllOf(HasSubstr("GET " + server.endpoint() + "/ping via proxy " + proxy.url()),
                     HasSubstr("the proxy " + proxy.url() + " refused CONNECT 127.0.0.1:" +
                               std::to_string(server.port()) + " with HTTP 403"))));
  EXPECT_EQ(server.requests(), 0);
  EXPECT_EQ(proxy.heads().size(), 1u);
}

TEST_P(HttpsProxyTest, TunnelAnsweredWithConnectionCloseIsAnErrorNotAHang) {
  // cpp-httplib 0.11.4 deadlocks on such an answer; the client must refuse it first.
  TestProxy proxy(TestProxy::Mode::kAcceptButClose);
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  HttpRequest req = Ping("https://127.0.0.1:9");
  req.proxy = proxy.url();
  EXPECT_THAT(client.Send(req),
              StatusIs(StatusCode::kUnavailable, HasSubstr("the proxy " + proxy.url())));
}

TEST_P(HttpsProxyTest, UnreachableProxyIsUnavailableNamingProxyAndTarget) {
  const int port = testing::UnusedLoopbackPort();
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  for (const char* target : {"https://sts.example:8443", "http://127.0.0.1:9"}) {
    HttpRequest req = Ping(target);
    req.proxy = "http://127.0.0.1:" + std::to_string(port);
    if (req.endpoint.rfind("http:", 0) == 0) {
      req.proxy = "http://someone:hunter2@127.0.0.1:" + std::to_string(port);
    }
    EXPECT_THAT(client.Send(req),
                StatusIs(StatusCode::kUnavailable,
                         AllOf(HasSubstr("could not connect to the proxy http://127.0.0.1:" +
                                         std::to_string(port)),
                               HasSubstr(std::string(target) + "/ping"), Not(HasSubstr("hunter2")),
                               Not(HasSubstr("someone")))));
  }
}

TEST_P(HttpsProxyTest, StalledTunnelEndsAtTheDeadline) {
  TestProxy proxy(TestProxy::Mode::kStall);
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  HttpRequest req = Ping("https://127.0.0.1:9");
  req.ca_bundle_path = pki_->ca_bundle;
  req.proxy = proxy.url();
  req.timeout = std::chrono::milliseconds(300);
  EXPECT_THAT(client.Send(req),
              StatusIs(StatusCode::kDeadlineExceeded, HasSubstr("via proxy " + proxy.url())));
}

TEST(ParseHttpProxyTest, Table) {
  struct Row {
    const char* in;
    const char* display;
    int port;
    const char* user;
    const char* password;
  };
  const Row ok[] = {
      {"http://proxy:3128", "http://proxy:3128", 3128, "", ""},
      {"HTTP://proxy", "http://proxy:80", 80, "", ""},
      {"proxy.corp:8080", "http://proxy.corp:8080", 8080, "", ""},
      {"//proxy:1", "http://proxy:1", 1, "", ""},
      {"http://proxy:3128/", "http://proxy:3128", 3128, "", ""},
      {"http://u:p@proxy:3128", "http://proxy:3128", 3128, "u", "p"},
      {"http://u%3Ax:p%40ss@proxy:3128", "http://proxy:3128", 3128, "u:x", "p@ss"},
      {"http://only-user@proxy:3128", "http://proxy:3128", 3128, "only-user", ""},
      {"http://[::1]:3128", "http://[::1]:3128", 3128, "", ""},
  };
  for (const Row& row : ok) {
    ASSERT_OK_AND_ASSIGN(HttpProxy proxy, ParseHttpProxy(row.in));
    EXPECT_EQ(proxy.display, row.display) << row.in;
    EXPECT_EQ(proxy.port, row.port) << row.in;
    EXPECT_EQ(proxy.username, row.user) << row.in;
    EXPECT_EQ(proxy.password, row.password) << row.in;
  }
  const char* bad[] = {"https://proxy:3128",     "socks5://proxy:1080",
                       "http://proxy:3128/path", "http://",
                       "http://proxy:99999",     "http://u:secretpw@pro xy:1"};
  for (const char* in : bad) {
    StatusOr<HttpProxy> proxy = ParseHttpProxy(in);
    EXPECT_THAT(proxy, StatusIs(StatusCode::kInvalidConfiguration, Not(HasSubstr("secretpw"))))
        << in;
  }
}

}  // namespace
}  // namespace chantless
