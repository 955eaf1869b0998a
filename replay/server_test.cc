// End-to-end tests of the replay server over real loopback sockets (127.0.0.1, port 0): the IMDSv2
// flow through cpp-httplib's client, the verdict endpoint, unmatched diagnostics, every fault
// observed from a raw socket (RST, FIN, short bodies, lying Content-Length), the connection and
// request counters, and the server core's connection handling: a thousand idle keep-alive
// connections do not delay a new client, a delayed response does not delay other clients, the
// idle timeout and the connection cap close idle connections.
#include "replay/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "resolver/testing/loopback_server.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace replay {
namespace {

using ::chantless::testing::RawConnect;
using ::chantless::testing::RawExchange;
using ::chantless::testing::RawResult;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

Transcript Make(const std::string& exchanges) {
  std::string text = R"({"format": "chantless-transcript", "version": 1, "name": "t", "docs": "d",
             "recorded_at": "2024-05-01T12:00:00Z", "exchanges": [)" +
                     exchanges + "]}";
  StatusOr<Transcript> t = LoadTranscript(text, "test");
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? *t : Transcript{};
}

std::string BodyOf(const std::string& raw) {
  size_t split = raw.find("\r\n\r\n");
  return split == std::string::npos ? "" : raw.substr(split + 4);
}

class ServerTest : public ::testing::Test {
 protected:
  void Serve(const std::string& exchanges, bool strict = false, bool log_json = false) {
    ServerOptions options;
    options.strict = strict;
    options.log_json = log_json;
    ServeWith(exchanges, options);
  }
  void ServeWith(const std::string& exchanges, ServerOptions options) {
    engine_ = std::make_unique<Engine>(Make(exchanges));
    options.log = [this](const std::string& line) {
      std::lock_guard<std::mutex> lock(mu_);
      lines_.push_back(line);
    };
    server_ = std::make_unique<Server>(engine_.get(), options);
    ASSERT_OK_AND_ASSIGN(port_, server_->Start());
    ASSERT_GT(port_, 0);
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }
  std::vector<std::string> lines() {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }

  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Server> server_;
  int port_ = 0;
  std::mutex mu_;
  std::vector<std::string> lines_;
};

constexpr char kImds[] = R"(
  {"id": "token", "family": "imds-token", "request": {"method": "PUT", "path": "/latest/api/token"},
   "imds_token": "mint"},
  {"id": "creds", "family": "imds", "request": {"path": "/creds"}, "imds_token": "require",
   "response": {"headers": {"Content-Type": "text/plain"},
                "body": "{\"AccessKeyId\": \"ASIAIOSFODNN7EXAMPLE\"}"}})";

TEST_F(ServerTest, ServesTheImdsV2FlowAndAPassingVerdict) {
  Serve(kImds);
  httplib::Client client("127.0.0.1", port_);
  auto put = client.Put("/latest/api/token", {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}},
                        "", "text/plain");
  ASSERT_TRUE(put);
  ASSERT_EQ(put->status, 200);
  const std::string token = put->body;
  auto creds = client.Get(
      "/creds", {{"X-aws-ec2-metadata-token", token}, {"Accept-Encoding", "gzip, deflate"}});
  ASSERT_TRUE(creds);
  EXPECT_EQ(creds->status, 200);
  EXPECT_EQ(creds->body, "{\"AccessKeyId\": \"ASIAIOSFODNN7EXAMPLE\"}");  // never compressed
  EXPECT_EQ(creds->get_header_value("Content-Type"), "text/plain");

  auto verdict = client.Get("/__chantless/verdict");
  ASSERT_TRUE(verdict);
  EXPECT_EQ(verdict->status, 200);
  EXPECT_THAT(verdict->body, StartsWith(R"({"ok":true,"requests":2,)"));

  std::vector<std::string> log = lines();
  ASSERT_EQ(log.size(), 2u);  // one per exchange; the verdict request is not an exchange
  EXPECT_THAT(log[0], HasSubstr("PUT /latest/api/token -> 200 [token]"));
  for (const std::string& line : log) EXPECT_THAT(line, Not(HasSubstr(token)));
}

TEST_F(ServerTest, MissingTokenIs401AndTheVerdictFails) {
  Serve(kImds);
  httplib::Client client("127.0.0.1", port_);
  auto creds = client.Get("/creds");
  ASSERT_TRUE(creds);
  EXPECT_EQ(creds->status, 401);
  EXPECT_FALSE(engine_->GetVerdict().ok);
}

TEST_F(ServerTest, UnmatchedIs404WithTheNearestExchangeAndADiff) {
  Serve(kImds, /*strict=*/false, /*log_json=*/true);
  httplib::Client client("127.0.0.1", port_);
  auto miss = client.Get("/cred");
  ASSERT_TRUE(miss);
  EXPECT_EQ(miss->status, 404);
  EXPECT_THAT(miss->body, HasSubstr("nearest recorded exchange: creds"));
  EXPECT_THAT(miss->body, HasSubstr("path: recorded \"/creds\", got \"/cred\""));
  auto verdict = client.Get("/__chantless/verdict");
  ASSERT_TRUE(verdict);
  EXPECT_THAT(verdict->body, HasSubstr(R"("ok":false)"));
  ASSERT_EQ(lines().size(), 1u);
  EXPECT_THAT(lines()[0], StartsWith(R"({"event":"unmatched","method":"GET","target":"/cred")"));
}

TEST_F(ServerTest, StrictModeAnswers599) {
  Serve(kImds, /*strict=*/true);
  httplib::Client client("127.0.0.1", port_);
  auto miss = client.Get("/nope");
  ASSERT_TRUE(miss);
  EXPECT_EQ(miss->status, 599);
}

TEST_F(ServerTest, ResetFaultSendsARst) {
  Serve(R"({"id": "r", "request": {"path": "/r"}, "fault": {"kind": "reset"}})");
  RawResult r = RawExchange(port_, "GET /r HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.bytes, "");
  EXPECT_EQ(r.error, ECONNRESET);
  EXPECT_TRUE(engine_->GetVerdict().ok);
}

TEST_F(ServerTest, CloseWithoutResponseSendsAFinAndNothingElse) {
  Serve(R"({"id": "c", "request": {"path": "/c"}, "fault": {"kind": "close_without_response"}})");
  RawResult r = RawExchange(port_, "GET /c HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.bytes, "");
  EXPECT_EQ(r.error, 0);
}

TEST_F(ServerTest, TruncatedBodyDeclaresTheFullLengthAndStopsEarly) {
  Serve(R"({"id": "t", "request": {"path": "/t"}, "response": {"body": "abcdef"},
            "fault": {"kind": "truncated_body", "after_bytes": 2}})");
  RawResult r = RawExchange(port_, "GET /t HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_THAT(r.bytes, HasSubstr("Content-Length: 6\r\n"));
  EXPECT_EQ(BodyOf(r.bytes), "ab");
}

TEST_F(ServerTest, WrongContentLengthIsSentAsRecorded) {
  Serve(R"({"id": "w", "request": {"path": "/w"}, "response": {"body": "abcdef"},
            "fault": {"kind": "wrong_content_length", "content_length": 100}})");
  RawResult r = RawExchange(port_, "GET /w HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_THAT(r.bytes, HasSubstr("Content-Length: 100\r\n"));
  EXPECT_EQ(BodyOf(r.bytes), "abcdef");
}

TEST_F(ServerTest, DelaysStillDeliverTheWholeResponse) {
  Serve(R"({"id": "d", "request": {"path": "/d"}, "response": {"body": "abcdef"},
            "fault": {"kind": "delay_mid_body", "delay_ms": 20, "after_bytes": 3}},
           {"id": "h", "request": {"path": "/h"}, "response": {"status": 429,
            "headers": {"Retry-After": "1"}, "body": "slow down"},
            "fault": {"kind": "delay_before_headers", "delay_ms": 20}})");
  httplib::Client client("127.0.0.1", port_);
  auto d = client.Get("/d");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->body, "abcdef");
  auto h = client.Get("/h");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 429);
  EXPECT_EQ(h->get_header_value("Retry-After"), "1");
  EXPECT_TRUE(engine_->GetVerdict().ok);
}

TEST_F(ServerTest, ServesAgainAfterAFaultClosedTheConnection) {
  Serve(R"({"id": "r", "request": {"path": "/r"}, "fault": {"kind": "reset"}},
           {"id": "ok", "request": {"path": "/ok"}, "response": {"body": "fine"}})");
  EXPECT_EQ(RawExchange(port_, "GET /r HTTP/1.1\r\nHost: x\r\n\r\n").error, ECONNRESET);
  httplib::Client client("127.0.0.1", port_);
  auto ok = client.Get("/ok");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->body, "fine");
}

constexpr char kThreeTimes[] = R"({"id": "a", "request": {"path": "/a"}, "response": {"body": "x"},
                                    "repeat": {"min": 1, "max": 3}})";

TEST_F(ServerTest, KeepAliveClientMakingThreeRequestsIsOneConnection) {
  Serve(kThreeTimes);
  EXPECT_EQ(server_->connections(), 0);
  EXPECT_EQ(server_->requests(), 0);
  httplib::Client client("127.0.0.1", port_);
  client.set_keep_alive(true);
  for (int i = 0; i < 3; ++i) {
    auto r = client.Get("/a");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "x");
  }
  EXPECT_EQ(server_->connections(), 1);
  EXPECT_EQ(server_->requests(), 3);
  EXPECT_EQ(server_->accepted_connections(), 1);
  // The verdict on the same connection is neither a request nor a reason to count it again.
  auto verdict = client.Get("/__chantless/verdict");
  ASSERT_TRUE(verdict);
  EXPECT_THAT(verdict->body, StartsWith(R"({"ok":true,"requests":3,)"));
  EXPECT_EQ(server_->connections(), 1);
  EXPECT_EQ(server_->requests(), 3);
}

TEST_F(ServerTest, TwoClientsAreTwoConnections) {
  Serve(kThreeTimes);
  httplib::Client first("127.0.0.1", port_), second("127.0.0.1", port_);
  first.set_keep_alive(true);
  second.set_keep_alive(true);
  ASSERT_TRUE(first.Get("/a"));
  ASSERT_TRUE(second.Get("/a"));
  ASSERT_TRUE(first.Get("/a"));
  EXPECT_EQ(server_->connections(), 2);
  EXPECT_EQ(server_->requests(), 3);
}

TEST_F(ServerTest, UnmatchedAndTokenRejectedRequestsAreCounted) {
  Serve(kImds);
  httplib::Client client("127.0.0.1", port_);
  client.set_keep_alive(true);
  auto rejected = client.Get("/creds");  // no token: 401
  ASSERT_TRUE(rejected);
  EXPECT_EQ(rejected->status, 401);
  auto miss = client.Get("/nowhere");
  ASSERT_TRUE(miss);
  EXPECT_EQ(miss->status, 404);
  EXPECT_EQ(server_->requests(), 2);
  EXPECT_EQ(server_->connections(), 1);
}

TEST_F(ServerTest, FaultThatClosesTheConnectionThenARetryIsTwoConnections) {
  Serve(R"({"id": "closed", "request": {"path": "/x"}, "fault": {"kind": "close_without_response"}},
           {"id": "ok", "request": {"path": "/x"}, "response": {"body": "fine"}})");
  httplib::Client client("127.0.0.1", port_);
  client.set_keep_alive(true);
  auto dropped = client.Get("/x");
  EXPECT_FALSE(dropped);
  auto retried = client.Get("/x");
  ASSERT_TRUE(retried);
  EXPECT_EQ(retried->body, "fine");
  EXPECT_EQ(server_->connections(), 2);
  EXPECT_EQ(server_->requests(), 2);
  EXPECT_TRUE(engine_->GetVerdict().ok);
}

TEST_F(ServerTest, AConnectionThatOnlyFetchesTheVerdictIsAcceptedButNotCounted) {
  Serve(kThreeTimes);
  httplib::Client client("127.0.0.1", port_);
  ASSERT_TRUE(client.Get("/__chantless/verdict"));
  EXPECT_EQ(server_->accepted_connections(), 1);
  EXPECT_EQ(server_->connections(), 0);
  EXPECT_EQ(server_->requests(), 0);
}

// Reads from `fd` until `out` holds `size` bytes (or EOF / error / timeout).
void ReadAtLeast(int fd, std::string& out, size_t size) {
  char buf[4096];
  while (out.size() < size) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return;
    out.append(buf, size_t(n));
  }
}

// The kernel's struct tcp_info up to tcpi_data_segs_in (Linux 4.6). glibc's copy stops at
// tcpi_total_retrans, and <linux/tcp.h> cannot be included next to httplib.h's <netinet/tcp.h>;
// the kernel only ever appends to this structure, so the layout is stable.
struct KernelTcpInfo {
  tcp_info base;
  uint64_t pacing_rate, max_pacing_rate, bytes_acked, bytes_received;
  uint32_t segs_out, segs_in;
  uint32_t notsent_bytes, min_rtt, data_segs_in, data_segs_out;
};

TEST_F(ServerTest, EachResponseReachesTheClientInOneSegment) {
  // Status line, headers and body leave in one send(): the client's kernel counts one data segment
  // per response (httplib's own stream wrote the headers and the body separately: two).
  Serve(kThreeTimes);
  int fd = RawConnect(port_);
  ASSERT_GE(fd, 0);
  const std::string request = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
  for (int i = 1; i <= 3; ++i) {
    ASSERT_EQ(send(fd, request.data(), request.size(), MSG_NOSIGNAL), ssize_t(request.size()));
    std::string response;
    ReadAtLeast(fd, response, 1);
    ASSERT_THAT(response, StartsWith("HTTP/1.1 200 OK\r\n"));
    ASSERT_EQ(BodyOf(response), "x") << "the body came in a later segment";
    KernelTcpInfo info{};
    socklen_t len = sizeof info;
    ASSERT_EQ(getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len), 0);
    if (len < offsetof(KernelTcpInfo, data_segs_out)) GTEST_SKIP() << "kernel older than 4.6";
    EXPECT_EQ(info.data_segs_in, uint32_t(i)) << "response " << i;
  }
  close(fd);
  EXPECT_EQ(server_->connections(), 1);
}

TEST_F(ServerTest, DelayMidBodySendsTheFirstPartBeforeThePause) {
  Serve(R"({"id": "d", "request": {"path": "/d"}, "response": {"body": "abcdef"},
            "fault": {"kind": "delay_mid_body", "delay_ms": 1500, "after_bytes": 3}})");
  int fd = RawConnect(port_);
  ASSERT_GE(fd, 0);
  const std::string request = "GET /d HTTP/1.1\r\nHost: x\r\n\r\n";
  send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string response;
  while (BodyOf(response).size() < 3) {
    const size_t before = response.size();
    ReadAtLeast(fd, response, before + 1);
    ASSERT_GT(response.size(), before) << "the first part never came";
  }
  EXPECT_EQ(BodyOf(response), "abc");  // the rest is 1.5 s away
  ReadAtLeast(fd, response, response.size() + 3);
  EXPECT_EQ(BodyOf(response), "abcdef");
  close(fd);
}

TEST_F(ServerTest, ADelayedResponseIsLoggedWhenItsDelayIsOver) {
  Serve(R"({"id": "h", "request": {"path": "/h"}, "response": {"body": "late"},
            "fault": {"kind": "delay_before_headers", "delay_ms": 1500}})");
  int fd = RawConnect(port_);
  ASSERT_GE(fd, 0);
  const std::string request = "GET /h HTTP/1.1\r\nHost: x\r\n\r\n";
  send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_THAT(lines(), ::testing::IsEmpty()) << "logged 1.2 s before the client got anything";
  std::string response;
  ReadAtLeast(fd, response, 1);
  ReadAtLeast(fd, response, response.find("\r\n\r\n") + 4 + 4);
  EXPECT_EQ(BodyOf(response), "late");
  close(fd);
  server_->Stop();  // joins the serving thread: its log line is written
  ASSERT_EQ(lines().size(), 1u);
  EXPECT_THAT(lines()[0], HasSubstr("fault delay_before_headers"));
}

TEST_F(ServerTest, StopEndsIdleKeepAliveConnectionsWithoutWaitingForTheirTimeout) {
  // A keep-alive client that stays connected: httplib's own loop waited out the 2 s keep-alive
  // timeout on Stop(); this server ends the connection at once.
  Serve(kThreeTimes);
  httplib::Client client("127.0.0.1", port_);
  client.set_keep_alive(true);
  ASSERT_TRUE(client.Get("/a"));
  const auto start = std::chrono::steady_clock::now();
  server_->Stop();
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, std::chrono::milliseconds(1000)) << "Stop() waited for the keep-alive timeout";
  server_.reset();
}

TEST_F(ServerTest, ServesMoreConcurrentClientsThanItHasThreads) {
  // 24 keep-alive clients at once, more than the server core starts threads with: a thread serves
  // a connection only while a request is readable on it.
  Serve(R"({"id": "a", "request": {"path": "/a"}, "response": {"body": "x"},
            "repeat": {"min": 1, "max": 1000}})");
  constexpr int kClients = 24;
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([this, &ok] {
      httplib::Client client("127.0.0.1", port_);
      client.set_keep_alive(true);
      int good = 0;
      for (int r = 0; r < 3; ++r) {
        auto res = client.Get("/a");
        if (res && res->status == 200 && res->body == "x") ++good;
      }
      client.stop();  // closes the connection: its serving thread takes the next one
      if (good == 3) ok.fetch_add(1);
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), kClients);
  EXPECT_EQ(server_->connections(), kClients);
  EXPECT_EQ(server_->requests(), 3 * kClients);
}

constexpr char kEndless[] = R"({"id": "a", "request": {"path": "/a"}, "response": {"body": "x"},
                                 "repeat": {"min": 0, "max": 1000000}, "optional": true})";

// Raises the soft descriptor limit to at least `wanted` (up to the hard limit); the limit reached.
rlim_t RaiseDescriptorLimit(rlim_t wanted) {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < wanted) {
    limit.rlim_cur = std::min(wanted, limit.rlim_max);
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur;
}

// Opens `count` keep-alive connections and makes one request on each (so each is an idle
// keep-alive connection once answered); returns their sockets (fewer when one failed). With a
// `gap`, one at a time, `gap` apart: they become idle in order.
std::vector<int> OpenIdleConnections(int port, int count,
                                     std::chrono::milliseconds gap = std::chrono::milliseconds(0)) {
  std::vector<int> fds;
  const std::string request = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
  for (int i = 0; i < count; ++i) {
    int fd = RawConnect(port);
    if (fd < 0) break;
    fds.push_back(fd);
    if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) != ssize_t(request.size())) break;
    if (gap.count() > 0) {
      std::string response;
      ReadAtLeast(fd, response, request.size());
      std::this_thread::sleep_for(gap);
    }
  }
  for (size_t i = 0; gap.count() == 0 && i < fds.size(); ++i) {  // every answer
    std::string response;
    ReadAtLeast(fds[i], response, request.size());
  }
  return fds;
}

TEST_F(ServerTest, AThousandIdleKeepAliveConnectionsDoNotDelayANewClient) {
  constexpr int kIdle = 1000;
  ASSERT_GE(RaiseDescriptorLimit(2 * kIdle + 256), rlim_t(2 * kIdle + 64))
      << "the test needs two descriptors per idle connection (client and server side)";
  ServerOptions options;
  options.idle_timeout = std::chrono::seconds(30);
  ServeWith(kEndless, options);
  std::vector<int> idle = OpenIdleConnections(port_, kIdle);
  ASSERT_EQ(idle.size(), size_t(kIdle));
  EXPECT_EQ(server_->connections(), kIdle);

  // A new client's request: answered without waiting for any idle connection's timeout (30 s).
  const auto start = std::chrono::steady_clock::now();
  httplib::Client client("127.0.0.1", port_);
  auto res = client.Get("/a");
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, "x");
  EXPECT_LT(took, std::chrono::seconds(5));
  // The idle connections are still open and still served.
  const std::string request = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
  std::string response;
  ASSERT_EQ(send(idle.front(), request.data(), request.size(), MSG_NOSIGNAL),
            ssize_t(request.size()));
  ReadAtLeast(idle.front(), response, 1);
  EXPECT_THAT(response, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_EQ(server_->accepted_connections(), kIdle + 1);
  for (int fd : idle) close(fd);
}

TEST_F(ServerTest, ADelayedResponseDoesNotDelayOtherClients) {
  // More delayed requests at once than the server core starts threads with.
  Serve(R"({"id": "slow", "request": {"path": "/slow"}, "response": {"body": "late"},
            "fault": {"kind": "delay_before_headers", "delay_ms": 3000},
            "repeat": {"min": 0, "max": 100}, "optional": true},
           {"id": "a", "request": {"path": "/a"}, "response": {"body": "x"}})");
  constexpr int kSlow = 12;
  std::vector<int> slow;
  const std::string request = "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n";
  for (int i = 0; i < kSlow; ++i) {
    int fd = RawConnect(port_);
    ASSERT_GE(fd, 0);
    send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    slow.push_back(fd);
  }
  while (server_->requests() < kSlow) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto start = std::chrono::steady_clock::now();
  httplib::Client client("127.0.0.1", port_);
  auto res = client.Get("/a");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, "x");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1500));
  for (int fd : slow) close(fd);
}

TEST_F(ServerTest, AnIdleConnectionIsClosedAfterTheIdleTimeout) {
  ServerOptions options;
  options.idle_timeout = std::chrono::milliseconds(200);
  ServeWith(kEndless, options);
  std::vector<int> idle = OpenIdleConnections(port_, 1);
  ASSERT_EQ(idle.size(), 1u);
  const auto start = std::chrono::steady_clock::now();
  char byte;
  EXPECT_EQ(recv(idle[0], &byte, 1, 0), 0) << "no FIN within the 5 s receive timeout";
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, std::chrono::milliseconds(150));
  EXPECT_LT(took, std::chrono::seconds(2));
  close(idle[0]);
}

TEST_F(ServerTest, AtTheConnectionCapTheLongestIdleConnectionIsClosedFirst) {
  ServerOptions options;
  options.max_connections = 3;
  ServeWith(kEndless, options);
  // A connection is idle (evictable) once parked: its serving thread waits 5 ms for a next request
  // first. 100 ms apart, they are parked in the order they were opened.
  std::vector<int> idle = OpenIdleConnections(port_, 3, std::chrono::milliseconds(100));
  ASSERT_EQ(idle.size(), 3u);
  httplib::Client client("127.0.0.1", port_);
  auto res = client.Get("/a");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, "x");
  char byte;
  EXPECT_EQ(recv(idle[0], &byte, 1, 0), 0) << "the longest-idle connection was not closed";
  const std::string request = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(send(idle[2], request.data(), request.size(), MSG_NOSIGNAL), ssize_t(request.size()));
  std::string response;
  ReadAtLeast(idle[2], response, 1);
  EXPECT_THAT(response, StartsWith("HTTP/1.1 200 OK\r\n")) << "a newer idle connection was closed";
  for (int fd : idle) close(fd);
}

TEST(FormatLogLineTest, HumanAndJson) {
  EXPECT_EQ(FormatLogLine(false, "served", "GET", "/a", "x", 200, ""),
            "served         GET /a -> 200 [x]");
  EXPECT_EQ(FormatLogLine(true, "served", "GET", "/a", "x", 200, "fault reset"),
            R"({"event":"served","method":"GET","target":"/a","exchange":"x","status":200,)"
            R"("detail":"fault reset"})");
}

TEST_F(ServerTest, RoutesByTheHostHeader) {
  Serve(R"({"id": "east", "family": "e", "host": "sts.us-east-1.amazonaws.com",
            "request": {"path": "/"}, "response": {"body": "east"}},
           {"id": "west", "family": "w", "host": "sts.us-west-2.amazonaws.com",
            "request": {"path": "/"}, "response": {"body": "west"}})");
  RawResult west = RawExchange(
      port_, "GET / HTTP/1.1\r\nHost: sts.us-west-2.amazonaws.com\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(BodyOf(west.bytes), "west");
  RawResult other = RawExchange(
      port_, "GET / HTTP/1.1\r\nHost: sts.eu-west-1.amazonaws.com\r\nConnection: close\r\n\r\n");
  EXPECT_THAT(other.bytes, StartsWith("HTTP/1.1 404"));
  EXPECT_THAT(BodyOf(other.bytes), HasSubstr("host: recorded"));
  RawResult east = RawExchange(
      port_, "GET / HTTP/1.1\r\nHost: sts.us-east-1.amazonaws.com\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(BodyOf(east.bytes), "east");
}

TEST_F(ServerTest, MatchesRequestBodiesAndKeepsTheConnectionUsable) {
  Serve(R"({"id": "form", "request": {"method": "POST", "path": "/",
              "body": "Action=AssumeRole&Version=2011-06-15"}, "response": {"body": "ok"}},
           {"id": "next", "request": {"path": "/next"}, "response": {"body": "next"}})");
  httplib::Client client("127.0.0.1", port_);
  client.set_keep_alive(true);
  auto form = client.Post("/", "Version=2011-06-15&Action=AssumeRole",
                          "application/x-www-form-urlencoded; charset=utf-8");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->body, "ok");
  auto next = client.Get("/next");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "next");
  EXPECT_TRUE(engine_->GetVerdict().ok) << engine_->GetVerdict().ToText();
}

}  // namespace
}  // namespace replay
}  // namespace chantless
