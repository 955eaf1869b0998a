// End to end without external clients: an IMDS-shaped upstream on 127.0.0.1 serving fake
// secret-shaped credentials, the recording proxy in front of it, an httplib client through the
// proxy; then redaction, the verified write, a byte search for every known secret, and a replay of
// the written transcript through the in-process transport that yields the placeholder credentials.
// Also: upstream faults (refused, timeout, closed without an answer) and non-2xx answers are
// recorded, and idle keep-alive connections from a pooled client do not stall a new client.
#include "replay/recorder.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "replay/engine.h"
#include "replay/fake_secrets.h"
#include "replay/recording.h"
#include "replay/redact.h"
#include "replay/transport.h"
#include "resolver/core/time_util.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace replay {
namespace {

namespace fs = std::filesystem;

struct Secrets {
  std::string imds_token = testing::FakeImdsToken(21);
  std::string key_id = testing::FakeAccessKeyId(21);
  std::string secret_key = testing::FakeSecretAccessKey(21);
  std::string session_token = testing::FakeSessionToken(21);
};

std::string CredentialsJson(const Secrets& s) {
  return "{\n  \"Code\" : \"Success\",\n  \"LastUpdated\" : \"2024-05-01T11:55:00Z\",\n"
         "  \"Type\" : \"AWS-HMAC\",\n  \"AccessKeyId\" : \"" +
         s.key_id + "\",\n  \"SecretAccessKey\" : \"" + s.secret_key + "\",\n  \"Token\" : \"" +
         s.session_token + "\",\n  \"Expiration\" : \"2024-05-01T18:00:00Z\"\n}";
}

// A tiny IMDSv2 on 127.0.0.1:0: token PUT, role listing and credentials, each GET requiring the
// token; /slow answers after 400 ms; anything else 404.
class FakeImds {
 public:
  explicit FakeImds(const Secrets& secrets) : secrets_(secrets) {
    server_.Put("/latest/api/token", [this](const httplib::Request& req, httplib::Response& res) {
      if (req.has_header("X-Forwarded-For") ||
          !req.has_header("X-aws-ec2-metadata-token-ttl-seconds")) {
        res.status = 403;
        return;
      }
      res.set_header("X-aws-ec2-metadata-token-ttl-seconds",
                     req.get_header_value("X-aws-ec2-metadata-token-ttl-seconds"));
      res.set_content(secrets_.imds_token, "text/plain");
    });
    auto guarded = [this](std::string body) {
      return [this, body](const httplib::Request& req, httplib::Response& res) {
        if (req.get_header_value("X-aws-ec2-metadata-token") != secrets_.imds_token) {
          res.status = 401;
          return;
        }
        res.set_content(body, "text/plain");
      };
    };
    server_.Get("/latest/meta-data/iam/security-credentials/", guarded("TestRole"));
    server_.Get("/latest/meta-data/iam/security-credentials/TestRole",
                guarded(CredentialsJson(secrets_)));
    server_.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(std::chrono::milliseconds(400));  // the behaviour under test
      res.set_content("late", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] {
      server_.listen_after_bind();
      done_ = true;
    });
  }
  ~FakeImds() {
    while (!server_.is_running() && !done_) std::this_thread::yield();
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  Secrets secrets_;
  httplib::Server server_;
  int port_ = 0;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path TempFile(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return fs::path(tmp != nullptr ? tmp : "/tmp") / name;
}

// The IMDSv2 sequence every SDK sends, through `port`.
std::string FetchCredentialsThrough(int port) {
  httplib::Client client("127.0.0.1", port);
  auto token = client.Put("/latest/api/token",
                          httplib::Headers{{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}}, "",
                          "text/plain");
  if (!token || token->status != 200) return "token failed";
  httplib::Headers with_token{{"X-aws-ec2-metadata-token", token->body}};
  auto role = client.Get("/latest/meta-data/iam/security-credentials/", with_token);
  if (!role || role->status != 200) return "role failed";
  auto creds = client.Get("/latest/meta-data/iam/security-credentials/" + role->body, with_token);
  if (!creds || creds->status != 200) return "credentials failed";
  return creds->body;
}

TEST(RecorderTest, RecordsRedactsVerifiesAndReplaysAnImdsSession) {
  Secrets secrets;
  FakeImds upstream(secrets);
  RecorderOptions options;
  options.upstream = upstream.url();
  Recorder recorder(options);
  ASSERT_OK(recorder.Start());

  // The client gets the real (fake) secrets through the proxy: token header forwarded upstream.
  EXPECT_EQ(FetchCredentialsThrough(recorder.port()), CredentialsJson(secrets));
  recorder.Stop();
  std::vector<CapturedExchange> exchanges = recorder.TakeExchanges();
  ASSERT_EQ(exchanges.size(), 3u);
  EXPECT_EQ(exchanges[1].request_headers.size() > 0, true);

  Redactor redactor;
  redactor.RedactAll(&exchanges);
  RecordingInfo info;
  info.name = "ec2/recorded";
  info.docs = "recorder_test";
  info.recorded_at = ParseRfc3339("2024-05-01T12:00:00Z").value();
  ASSERT_OK_AND_ASSIGN(Transcript transcript, BuildTranscript(exchanges, info));
  fs::path out = TempFile("recorded.json");
  VerifyReport report;
  ASSERT_OK(WriteVerifiedTranscript(transcript, out.string(), &report));

  std::string bytes = Read(out);
  for (const std::string& secret :
       {secrets.imds_token, secrets.key_id, secrets.secret_key, secrets.session_token}) {
    EXPECT_EQ(bytes.find(secret), std::string::npos);
  }
  EXPECT_NE(bytes.find("ASIAREDACTED00000001"), std::string::npos);

  // Replay the file: the same IMDSv2 sequence yields the placeholder credentials.
  ASSERT_OK_AND_ASSIGN(Transcript loaded, LoadTranscriptFile(out.string()));
  SystemClock clock;
  Engine engine(std::move(loaded), OnClock(&clock));
  Transport transport(&engine, nullptr);
  HttpRequest put;
  put.method = "PUT";
  put.endpoint = "http://169.254.169.254";
  put.path = "/latest/api/token";
  put.headers = {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}};
  ASSERT_OK_AND_ASSIGN(HttpResponse token, transport.Send(put));
  ASSERT_EQ(token.status, 200);
  HttpRequest get;
  get.endpoint = put.endpoint;
  get.headers = {{"X-aws-ec2-metadata-token", token.body}};
  get.path = "/latest/meta-data/iam/security-credentials/";
  ASSERT_OK_AND_ASSIGN(HttpResponse role, transport.Send(get));
  EXPECT_EQ(role.body, "TestRole");
  get.path += role.body;
  ASSERT_OK_AND_ASSIGN(HttpResponse creds, transport.Send(get));
  nlohmann::json doc = nlohmann::json::parse(creds.body, nullptr, false);
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc.value("AccessKeyId", ""), "ASIAREDACTED00000001");
  EXPECT_EQ(doc.value("SecretAccessKey", ""), "REDACTED/SECRET/ACCESS/KEY/0000000000001");
  EXPECT_TRUE(engine.GetVerdict().ok);
}

TEST(RecorderTest, RecordsNon2xxAnswersAsResponses) {
  Secrets secrets;
  FakeImds upstream(secrets);
  RecorderOptions options;
  options.upstream = upstream.url();
  Recorder recorder(options);
  ASSERT_OK(recorder.Start());
  httplib::Client client("127.0.0.1", recorder.port());
  auto res = client.Get("/latest/meta-data/iam/security-credentials/");  // no token: 401
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  recorder.Stop();
  auto exchanges = recorder.TakeExchanges();
  ASSERT_EQ(exchanges.size(), 1u);
  EXPECT_EQ(exchanges[0].status, 401);
  EXPECT_TRUE(exchanges[0].fault.empty());
}

TEST(RecorderTest, RecordsARefusedUpstreamAsAFault) {
  // A port that was free a moment ago and that nothing listens on.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  int closed_port = ntohs(addr.sin_port);
  ::close(fd);
  RecorderOptions options;
  options.upstream = "http://127.0.0.1:" + std::to_string(closed_port);
  Recorder recorder(options);
  ASSERT_OK(recorder.Start());
  httplib::Client client("127.0.0.1", recorder.port());
  auto res = client.Get("/latest/meta-data/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 502);
  recorder.Stop();
  auto exchanges = recorder.TakeExchanges();
  ASSERT_EQ(exchanges.size(), 1u);
  EXPECT_EQ(exchanges[0].fault, "refused");
}

TEST(RecorderTest, RecordsAnUpstreamTimeoutAsAFault) {
  Secrets secrets;
  FakeImds upstream(secrets);
  RecorderOptions options;
  options.upstream = upstream.url();
  options.upstream_timeout = std::chrono::milliseconds(150);
  Recorder recorder(options);
  ASSERT_OK(recorder.Start());
  httplib::Client client("127.0.0.1", recorder.port());
  auto res = client.Get("/slow");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 504);
  recorder.Stop();
  auto exchanges = recorder.TakeExchanges();
  ASSERT_EQ(exchanges.size(), 1u);
  EXPECT_EQ(exchanges[0].fault, "timeout");
}

TEST(RecorderTest, RecordsAnUpstreamThatClosesWithoutAnswerAsAReset) {
  // A listener that accepts one connection and closes it without writing a byte.
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  std::thread closer([listener] {
    int conn = ::accept(listener, nullptr, nullptr);
    if (conn >= 0) ::close(conn);
  });
  RecorderOptions options;
  options.upstream = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  Recorder recorder(options);
  ASSERT_OK(recorder.Start());
  httplib::Client client("127.0.0.1", recorder.port());
  auto res = client.Get("/latest/meta-data/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 502);
  closer.join();
  ::close(listener);
  recorder.Stop();
  auto exchanges = recorder.TakeExchanges();
  ASSERT_EQ(exchanges.size(), 1u);
  EXPECT_EQ(exchanges[0].fault, "reset");
}

TEST(RecorderTest, RejectsAnUpstreamThatIsNotHttp) {
  RecorderOptions options;
  options.upstream = "169.254.169.254";
  Recorder recorder(options);
  EXPECT_FALSE(recorder.Start().ok());
}

TEST(RecorderTest, IdleKeepAliveConnectionsDoNotStallANewClient) {
  // 32 pooled connections, each idle after one exchange (the old listen loop served 8 connections
  // at once and each held its thread until its 2 s idle timeout).
  Secrets secrets;
  FakeImds upstream(secrets);
  RecorderOptions options;
  options.upstream = upstream.url();
  options.idle_timeout = std::chrono::seconds(30);
  Recorder recorder(options);
  ASSERT_OK(recorder.Start());
  std::vector<std::unique_ptr<httplib::Client>> pool;
  for (int i = 0; i < 32; ++i) {
    pool.push_back(std::make_unique<httplib::Client>("127.0.0.1", recorder.port()));
    pool.back()->set_keep_alive(true);
    auto res = pool.back()->Get("/latest/meta-data/iam/security-credentials/");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401);
  }
  const auto start = std::chrono::steady_clock::now();
  httplib::Client client("127.0.0.1", recorder.port());
  client.set_read_timeout(5, 0);
  auto res = client.Get("/latest/meta-data/iam/security-credentials/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1000));
  recorder.Stop();
  EXPECT_EQ(recorder.exchange_count(), 33u);
}

TEST(RecorderTest, StopsCleanlyWithoutRequests) {
  RecorderOptions options;
  options.upstream = "http://127.0.0.1:9";
  Recorder recorder(options);
  ASSERT_OK(recorder.Start());
  EXPECT_GT(recorder.port(), 0);
  recorder.Stop();
  recorder.Stop();
  EXPECT_EQ(recorder.exchange_count(), 0u);
}

}  // namespace
}  // namespace replay
}  // namespace chantless
