// `chantless record --https-proxy` end to end on loopback: an https upstream impersonating
// sts.us-east-1.amazonaws.com (the server core with a throwaway CA), the recorder in forward proxy
// mode with a test-only address override, and chantless's own https client tunnelling a
// SigV4-signed AssumeRole through it.
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "replay/connection_server.h"
#include "replay/engine.h"
#include "replay/fake_secrets.h"
#include "replay/recorder.h"
#include "replay/recording.h"
#include "replay/redact.h"
#include "replay/sigv4_verify.h"
#include "replay/tls_setup.h"
#include "resolver/http/http_client.h"
#include "resolver/http/http_client_httplib.h"
#include "resolver/sigv4/sigv4_signer.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace replay {
namespace {

using testing::FakeAccessKeyId;
using testing::FakeSecretAccessKey;
using testing::FakeSessionToken;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kStsHost[] = "sts.us-east-1.amazonaws.com";
constexpr char kBody[] =
    "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr"
    "&RoleSessionName=s";

std::string TempDir() {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return tmp != nullptr ? tmp : "/tmp";
}

std::string StsXml(const std::string& key_id, const std::string& secret, const std::string& token) {
  return "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
         "  <AssumeRoleResult>\n    <Credentials>\n      <AccessKeyId>" +
         key_id + "</AccessKeyId>\n      <SecretAccessKey>" + secret +
         "</SecretAccessKey>\n      <SessionToken>" + token +
         "</SessionToken>\n      <Expiration>2030-07-15T23:28:33Z</Expiration>\n"
         "    </Credentials>\n  </AssumeRoleResult>\n</AssumeRoleResponse>\n";
}

// The client's long-term keys, and the keys the upstream hands out.
struct Keys {
  std::string source_id = FakeAccessKeyId(70, "AKIA");
  std::string source_secret = FakeSecretAccessKey(70);
  std::string issued_id = FakeAccessKeyId(71);
  std::string issued_secret = FakeSecretAccessKey(71);
  std::string issued_token = FakeSessionToken(71);
};

class HttpsProxyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir();
    StatusOr<std::unique_ptr<ServerTlsContext>> tls =
        MakeThrowawayTls({kStsHost}, {}, dir_ + "/upstream-ca.pem");
    ASSERT_TRUE(tls.ok()) << tls.status().message();
    upstream_tls_ = std::move(*tls);
    ConnectionServerOptions options;
    options.tls_context = upstream_tls_->get();
    upstream_ = std::make_unique<ConnectionServer>(options);
    upstream_->Post("/", [this](const httplib::Request& req, httplib::Response& res) {
      HttpHeaders headers;
      for (const auto& [n, v] : req.headers) headers.emplace_back(n, v);
      SigV4Key key{keys_.source_id, Secret(keys_.source_secret), Secret()};
      SigV4Result verdict = VerifySigV4({key}, req.method, req.get_header_value("Host"), req.target,
                                        headers, req.body);
      {
        std::lock_guard<std::mutex> lock(mu_);
        upstream_hosts_.push_back(req.get_header_value("Host"));
        upstream_verdicts_.push_back(verdict.ok ? "ok" : verdict.code + ": " + verdict.reason);
      }
      if (!verdict.ok) {
        res.status = 403;
        res.set_content(StsErrorXml(verdict.code, verdict.reason), "text/xml");
        return;
      }
      res.set_content(StsXml(keys_.issued_id, keys_.issued_secret, keys_.issued_token), "text/xml");
    });
    StatusOr<int> port = upstream_->Start();
    ASSERT_TRUE(port.ok());
    upstream_port_ = *port;
  }

  void TearDown() override {
    if (upstream_) upstream_->Stop();
  }

  RecorderOptions ProxyOptions() {
    RecorderOptions options;
    options.https_proxy = true;
    options.ca_out = dir_ + "/proxy-ca.pem";
    options.upstream_ca_bundle = dir_ + "/upstream-ca.pem";
    options.connect_to[std::string(kStsHost) + ":443"] =
        "127.0.0.1:" + std::to_string(upstream_port_);
    return options;
  }

  // A signed AssumeRole request as chantless's STS provider sends it, with the source keys.
  HttpRequest SignedAssumeRole(int proxy_port) {
    return SignedAssumeRoleWith(proxy_port, keys_.source_id, keys_.source_secret);
  }
  HttpRequest SignedAssumeRoleWith(int proxy_port, const std::string& id,
                                   const std::string& secret) {
    SigningInput input;
    input.host = kStsHost;
    input.region = "us-east-1";
    input.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    input.body = kBody;
    input.time = std::chrono::system_clock::now();
    SigningKeys keys{id, Secret(secret), Secret()};
    StatusOr<SignedRequest> signed_request = signer_.Sign(input, keys);
    EXPECT_TRUE(signed_request.ok());
    HttpRequest request;
    request.method = "POST";
    request.endpoint = std::string("https://") + kStsHost;
    request.path = "/";
    request.headers = input.headers;
    for (const auto& h : signed_request->headers) request.headers.push_back(h);
    request.body = kBody;
    request.timeout = std::chrono::seconds(10);
    request.ca_bundle_path = dir_ + "/proxy-ca.pem";
    request.proxy = "http://127.0.0.1:" + std::to_string(proxy_port);
    return request;
  }

  std::string dir_;
  Keys keys_;
  SigV4Signer signer_;
  std::unique_ptr<ServerTlsContext> upstream_tls_;
  std::unique_ptr<ConnectionServer> upstream_;
  int upstream_port_ = 0;
  std::mutex mu_;
  std::vector<std::string> upstream_hosts_;
  std::vector<std::string> upstream_verdicts_;
};

TEST_F(HttpsProxyTest, TunnelsSignedRequestsUnchangedAndRecordsThemWithTheirHost) {
  Recorder recorder(ProxyOptions());
  ASSERT_TRUE(recorder.Start().ok());
  HttplibHttpClient client;
  // Two requests on one pooled connection (keep-alive inside the tunnel).
  for (int i = 0; i < 2; ++i) {
    StatusOr<HttpResponse> response = client.Send(SignedAssumeRole(recorder.port()));
    ASSERT_TRUE(response.ok()) << response.status().message();
    EXPECT_EQ(response->status, 200);
    EXPECT_THAT(response->body, HasSubstr(keys_.issued_id));
  }
  recorder.Stop();
  std::vector<CapturedExchange> exchanges = recorder.TakeExchanges();
  ASSERT_EQ(exchanges.size(), 2u);
  for (const CapturedExchange& e : exchanges) {
    EXPECT_EQ(e.host, kStsHost);
    EXPECT_EQ(e.method, "POST");
    EXPECT_EQ(e.request_body, kBody);
    EXPECT_EQ(e.status, 200);
    EXPECT_TRUE(FindHeader(e.request_headers, "Authorization").has_value());
  }
  std::lock_guard<std::mutex> lock(mu_);
  // The upstream saw the client's own Host and a signature that still verifies.
  EXPECT_THAT(upstream_hosts_, ::testing::Each(std::string(kStsHost)));
  EXPECT_THAT(upstream_verdicts_, ::testing::ElementsAre("ok", "ok"));
}

// Recorded, redacted and re-signed: the transcript holds the host, no secret, a fake key for the
// placeholder key id, and the signed exchange verifies as stored; replayed to the same client
// signing with that fake key (as `serve --client-env` hands it out), the verdict is PASS.
TEST_F(HttpsProxyTest, RecordedSignedExchangeIsResignedAndVerifiesOnReplay) {
  Recorder recorder(ProxyOptions());
  ASSERT_TRUE(recorder.Start().ok());
  HttplibHttpClient client;
  StatusOr<HttpResponse> response = client.Send(SignedAssumeRole(recorder.port()));
  ASSERT_TRUE(response.ok()) << response.status().message();
  ASSERT_EQ(response->status, 200);
  recorder.Stop();
  std::vector<CapturedExchange> exchanges = recorder.TakeExchanges();
  ASSERT_EQ(exchanges.size(), 1u);

  Redactor redactor;
  redactor.RedactAll(&exchanges);
  std::vector<std::string> log;
  RecordingInfo info;
  info.recorded_at = std::chrono::system_clock::now();
  info.sigv4_keys = ResignSigV4Exchanges(&exchanges, &log);
  EXPECT_THAT(log, ::testing::IsEmpty());
  ASSERT_EQ(info.sigv4_keys.size(), 1u);
  const SigV4Key& key = info.sigv4_keys[0];
  EXPECT_NE(key.access_key_id, keys_.source_id);
  EXPECT_THAT(key.access_key_id, HasSubstr("REDACTED"));
  EXPECT_THAT(key.secret_access_key.reveal(), HasSubstr("EXAMPLE"));

  // The request as stored verifies with the declared key; it held the source key id before.
  const CapturedExchange& e = exchanges[0];
  std::string authorization = FindHeader(e.request_headers, "Authorization").value_or("");
  EXPECT_THAT(authorization, Not(HasSubstr(keys_.source_id)));
  EXPECT_THAT(authorization, HasSubstr("/us-east-1/sts/aws4_request"));
  SigV4Result verdict =
      VerifySigV4(info.sigv4_keys, e.method, e.host, e.path, e.request_headers, e.request_body);
  EXPECT_TRUE(verdict.ok) << verdict.reason;

  StatusOr<Transcript> transcript = BuildTranscript(exchanges, info);
  ASSERT_TRUE(transcript.ok());
  ASSERT_EQ(transcript->exchanges.size(), 1u);
  EXPECT_EQ(transcript->exchanges[0].host, kStsHost);
  EXPECT_EQ(transcript->exchanges[0].sigv4, SigV4Check::kVerify);
  ASSERT_TRUE(transcript->exchanges[0].response.has_value());
  EXPECT_THAT(transcript->exchanges[0].response->body, Not(HasSubstr(keys_.issued_secret)));
  EXPECT_THAT(transcript->exchanges[0].response->body, HasSubstr("<SecretAccessKey>"));
  VerifyReport report;
  ASSERT_TRUE(WriteVerifiedTranscript(*transcript, dir_ + "/recorded.json", &report).ok())
      << (report.errors.empty() ? "" : report.errors[0]);

  // Replay: the client signs with the transcript's fake key.
  Engine engine(*transcript);
  HttpRequest again = SignedAssumeRoleWith(0, key.access_key_id, key.secret_access_key.reveal());
  ReplayRequest replayed;
  replayed.host = kStsHost;
  replayed.method = again.method;
  replayed.target = again.path;
  replayed.headers = again.headers;
  replayed.body = again.body;
  Outcome outcome = engine.Handle(replayed);
  EXPECT_EQ(outcome.kind, OutcomeKind::kServed) << outcome.reason;
  EXPECT_TRUE(engine.GetVerdict().ok) << engine.GetVerdict().ToText();

  // The source keys no longer verify against the recording.
  Engine strict(*transcript);
  HttpRequest source = SignedAssumeRole(0);
  replayed.headers = source.headers;
  EXPECT_EQ(strict.Handle(replayed).kind, OutcomeKind::kSignatureRejected);
}

TEST_F(HttpsProxyTest, AnUntrustedUpstreamIsAFaultNotAnAnswer) {
  RecorderOptions options = ProxyOptions();
  options.upstream_ca_bundle = dir_ + "/proxy-ca-of-another-run.pem";
  {
    // Another throwaway CA: the upstream's certificate does not chain to it.
    RecorderOptions o = ProxyOptions();
    o.ca_out = options.upstream_ca_bundle;
    Recorder writer(o);
    ASSERT_TRUE(writer.Start().ok());
  }
  Recorder recorder(options);
  ASSERT_TRUE(recorder.Start().ok());
  HttplibHttpClient client;
  StatusOr<HttpResponse> response = client.Send(SignedAssumeRole(recorder.port()));
  ASSERT_TRUE(response.ok()) << response.status().message();
  EXPECT_EQ(response->status, 502);
  recorder.Stop();
  std::vector<CapturedExchange> exchanges = recorder.TakeExchanges();
  ASSERT_EQ(exchanges.size(), 1u);
  EXPECT_EQ(exchanges[0].fault, "refused");
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_TRUE(upstream_verdicts_.empty());
}

TEST_F(HttpsProxyTest, PlainHttpThroughTheProxyIsRefusedWith405) {
  Recorder recorder(ProxyOptions());
  ASSERT_TRUE(recorder.Start().ok());
  httplib::Client plain("127.0.0.1", recorder.port());
  httplib::Result result = plain.Get("http://169.254.169.254/latest/meta-data/");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 405);
  EXPECT_THAT(result->body, HasSubstr("CONNECT"));
  EXPECT_THAT(result->body, HasSubstr("--upstream"));
  recorder.Stop();
  EXPECT_TRUE(recorder.TakeExchanges().empty());
}

TEST(ReverseRecorderTest, RefusesASignedRequestWhoseSignedHostIsNotTheUpstreams) {
  RecorderOptions options;
  options.upstream = "http://127.0.0.1:9";  // discard port; the request must not get there
  Recorder recorder(options);
  ASSERT_TRUE(recorder.Start().ok());
  httplib::Client client("127.0.0.1", recorder.port());
  httplib::Headers headers = {
      {"Host", kStsHost},
      {"X-Amz-Date", "20300715T000000Z"},
      {"Authorization", "AWS4-HMAC-SHA256 Credential=" + FakeAccessKeyId(72, "AKIA") +
                            "/20300715/us-east-1/sts/aws4_request, "
                            "SignedHeaders=content-type;host;x-amz-date, Signature=" +
                            std::string(64, 'a')}};
  httplib::Result result =
      client.Post("/", headers, kBody, "application/x-www-form-urlencoded; charset=utf-8");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 421);
  EXPECT_THAT(result->body, HasSubstr("--https-proxy"));
  EXPECT_THAT(result->body, Not(HasSubstr("Signature")));
  recorder.Stop();
  EXPECT_TRUE(recorder.TakeExchanges().empty());
}

}  // namespace
}  // namespace replay
}  // namespace chantless
