// End-to-end tests of the real HttpClients against servers on 127.0.0.1:0 inside the test, plus
// the pure endpoint parser. The exchange tests run against each implementation (HttplibHttpClient,
// PosixHttpClient, DefaultHttpClient): one contract, the same codes and messages. No test contacts
// a non-loopback address.
#include "resolver/http/http_client_httplib.h"

#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/http/default_http_client.h"
#include "resolver/http/http_client_kinds_test_util.h"
#include "resolver/http/http_client_posix.h"
#include "resolver/testing/loopback_server.h"
#include "resolver/testing/status_matchers.h"

// ThreadSanitizer cannot follow a multi-threaded process into fork() (it refuses new threads in
// the child), so the fork test is skipped under it.
#if defined(__SANITIZE_THREAD__)
#define CHANTLESS_UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CHANTLESS_UNDER_TSAN 1
#endif
#endif

namespace chantless {
namespace {

using ::chantless::testing::LoopbackHttpServer;
using ::chantless::testing::RawLoopbackServer;
using ::chantless::testing::SilentLoopbackServer;
using ::chantless::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

HttpRequest Get(const std::string& endpoint, const std::string& path) {
  HttpRequest r;
  r.endpoint = endpoint;
  r.path = path;
  r.timeout = std::chrono::milliseconds(2000);
  return r;
}

// The request-head rule, row by row (http_client_httplib.h).
TEST(ValidateRequestHeadTest, RefusesWhatCouldSplitALine) {
  auto request = [](std::string path, HttpHeaders headers = {}) {
    HttpRequest r;
    r.method = "GET";
    r.endpoint = "http://127.0.0.1:1";
    r.path = std::move(path);
    r.headers = std::move(headers);
    return r;
  };
  EXPECT_OK(ValidateRequestHead(request("/latest/api/token", {{"X-A", "v\tw"}})));
  EXPECT_THAT(ValidateRequestHead(request("latest")),
              StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("must start with '/'")));
  for (const char* path : {"/a b", "/a\r\nHost: x", "/\x7f"}) {
    EXPECT_THAT(ValidateRequestHead(request(path)),
                StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("space or control")));
  }
  for (const char* name : {"", "X A", "X:A", "X\nA"}) {
    EXPECT_THAT(ValidateRequestHead(request("/", {{name, "v"}})),
                StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("(invalid name)")));
  }
  EXPECT_THAT(ValidateRequestHead(request("/", {{"X-Token", "secret\r\nX-Evil: 1"}})),
              StatusIs(StatusCode::kInvalidConfiguration,
                       AllOf(HasSubstr("X-Token"), Not(HasSubstr("secret")))));
}

// The exchange verdict table, row by row; the first matching row wins.
TEST(ClassifyExchangeTest, FirstMatchingRowWins) {
  auto outcome = [](std::initializer_list<bool HttpExchangeOutcome::*> set) {
    HttpExchangeOutcome o;
    for (bool HttpExchangeOutcome::*field : set) o.*field = true;
    return o;
  };
  using O = HttpExchangeOutcome;
  using V = HttpExchangeVerdict;
  EXPECT_EQ(ClassifyExchange(outcome({&O::answered})), V::kResponse);
  EXPECT_EQ(ClassifyExchange(outcome({&O::answered, &O::over_cap})), V::kOverCap);
  EXPECT_EQ(ClassifyExchange(outcome({&O::got_headers, &O::over_cap, &O::timed_out})), V::kOverCap);
  EXPECT_EQ(ClassifyExchange(outcome({&O::got_headers, &O::body_past_deadline})), V::kBodyTimeout);
  EXPECT_EQ(ClassifyExchange(outcome({&O::got_headers, &O::timed_out})), V::kTruncated);
  EXPECT_EQ(ClassifyExchange(outcome({&O::timed_out, &O::tls_refused})), V::kTimeout);
  EXPECT_EQ(ClassifyExchange(outcome({&O::tls_refused})), V::kTlsRefused);
  EXPECT_EQ(ClassifyExchange(outcome({})), V::kNoResponse);
  EXPECT_EQ(ClassifyExchange(outcome({&O::answered, &O::length_mismatch})), V::kLengthMismatch);
  EXPECT_EQ(ClassifyExchange(outcome({&O::answered, &O::timed_out})), V::kResponse);
}

TEST(ParseHttpEndpointTest, AcceptsHostAndDefaultPort) {
  ASSERT_OK_AND_ASSIGN(HttpEndpoint e, ParseHttpEndpoint("http://169.254.169.254"));
  EXPECT_FALSE(e.https);
  EXPECT_EQ(e.host, "169.254.169.254");
  EXPECT_EQ(e.port, 80);
}

TEST(ParseHttpEndpointTest, AcceptsBracketedIpv6LiteralWithPort) {
  ASSERT_OK_AND_ASSIGN(HttpEndpoint e, ParseHttpEndpoint("http://[fd00:ec2::254]:8080/"));
  EXPECT_EQ(e.host, "fd00:ec2::254");
  EXPECT_TRUE(e.ipv6_literal);
  EXPECT_EQ(e.port, 8080);
}

TEST(ParseHttpEndpointTest, HttpsDefaultsToPort443) {
  ASSERT_OK_AND_ASSIGN(HttpEndpoint e, ParseHttpEndpoint("HTTPS://example.com"));
  EXPECT_TRUE(e.https);
  EXPECT_EQ(e.port, 443);
}

TEST(ParseHttpEndpointTest, RejectsMalformedEndpoints) {
  for (const char* bad :
       {"169.254.169.254", "ftp://x", "http://", "http://host:0", "http://host:70000",
        "http://host:8a", "http://[fd00::1", "http://fd00::1", "http://host/path",
        "http://user@host", "http://[fd00::1]x", "http://host:"}) {
    EXPECT_THAT(ParseHttpEndpoint(bad),
                StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("endpoint")))
        << bad;
  }
}

using ::chantless::testing::ClientKind;

// The exchange tests, once per implementation.
class HttpClientTest : public ::testing::TestWithParam<ClientKind> {
 protected:
  static std::unique_ptr<HttpClient> NewClient() { return testing::NewHttpClient(GetParam()); }
};

INSTANTIATE_TEST_SUITE_P(Clients, HttpClientTest, testing::AllClientKinds(),
                         testing::ClientKindName);

TEST_P(HttpClientTest, ReturnsStatusHeadersAndBody) {
  LoopbackHttpServer server;
  server.server().Put("/latest/api/token", [](const httplib::Request& req, httplib::Response& res) {
    res.set_header("X-aws-ec2-metadata-token-ttl-seconds",
                   req.get_header_value("X-aws-ec2-metadata-token-ttl-seconds"));
    res.set_content("TOKEN", "text/plain");
  });
  ASSERT_TRUE(server.Start());
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  HttpRequest put = Get(server.endpoint(), "/latest/api/token");
  put.method = "PUT";
  put.headers.emplace_back("X-aws-ec2-metadata-token-ttl-seconds", "21600");
  ASSERT_OK_AND_ASSIGN(HttpResponse res, client.Send(put));
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "TOKEN");
  EXPECT_EQ(FindHeader(res.headers, "x-aws-ec2-metadata-token-ttl-seconds"), "21600");
}

TEST_P(HttpClientTest, NotFoundIsAResponseNotAnError) {
  LoopbackHttpServer server;
  ASSERT_TRUE(server.Start());
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  ASSERT_OK_AND_ASSIGN(HttpResponse res, client.Send(Get(server.endpoint(), "/missing")));
  EXPECT_EQ(res.status, 404);
}

TEST_P(HttpClientTest, HeadResponseHasNoBodyDespiteContentLength) {
  LoopbackHttpServer server;
  server.server().Get("/x", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("twelve bytes", "text/plain");
  });
  ASSERT_TRUE(server.Start());
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  HttpRequest head = Get(server.endpoint(), "/x");
  head.method = "HEAD";
  ASSERT_OK_AND_ASSIGN(HttpResponse res, client.Send(head));
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "");
  EXPECT_EQ(FindHeader(res.headers, "Content-Length"), "12");
  ASSERT_OK_AND_ASSIGN(HttpResponse get, client.Send(Get(server.endpoint(), "/x")));
  EXPECT_EQ(get.body, "twelve bytes");  // the connection was left clean
}

TEST_P(HttpClientTest, ReusesOneKeepAliveConnectionPerEndpoint) {
  LoopbackHttpServer server;
  server.server().Get("/x", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok", "text/plain");
  });
  ASSERT_TRUE(server.Start());
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK_AND_ASSIGN(HttpResponse res, client.Send(Get(server.endpoint(), "/x")));
    EXPECT_EQ(res.body, "ok");
  }
  EXPECT_EQ(server.request_count(), 5);
  EXPECT_EQ(server.connection_count(), 1u);
}

TEST_P(HttpClientTest, ReconnectsWhenTheServerClosedTheKeptConnection) {
  LoopbackHttpServer server;
  server.server().set_keep_alive_max_count(1);  // the server closes after every response
  server.server().Get("/x", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok", "text/plain");
  });
  ASSERT_TRUE(server.Start());
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK_AND_ASSIGN(HttpResponse res, client.Send(Get(server.endpoint(), "/x")));
    EXPECT_EQ(res.body, "ok");
  }
  EXPECT_EQ(server.connection_count(), 3u);
}

TEST_P(HttpClientTest, IsSafeToCallFromSeveralThreads) {
  LoopbackHttpServer server;
  server.server().Get("/x", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok", "text/plain");
  });
  ASSERT_TRUE(server.Start());
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        auto res = client.Send(Get(server.endpoint(), "/x"));
        if (res.ok() && res->body == "ok") ++good;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), 20);
}

TEST_P(HttpClientTest, NeverAnsweringServerTimesOutWithinTheBudget) {
  SilentLoopbackServer silent;
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  HttpRequest req = Get(silent.endpoint(), "/latest/api/token");
  req.method = "PUT";
  req.timeout = std::chrono::milliseconds(200);
  auto res = client.Send(req);
  EXPECT_THAT(res, StatusIs(StatusCode::kDeadlineExceeded,
                            AllOf(HasSubstr("timed out"),
                                  HasSubstr("PUT " + silent.endpoint() + "/latest/api/token"))));
}

TEST_P(HttpClientTest, ServerSilentInTheTlsHandshakeTimesOutWithinTheBudget) {
  SilentLoopbackServer silent;  // accepts, never sends a ServerHello
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  const std::string endpoint = "https" + silent.endpoint().substr(4);
  HttpRequest req = Get(endpoint, "/latest/api/token");
  req.timeout = std::chrono::milliseconds(200);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(client.Send(req),
              StatusIs(StatusCode::kDeadlineExceeded, HasSubstr("GET " + endpoint)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1000));
}

TEST_P(HttpClientTest, DribblingServerIsStoppedAtTheDeadline) {
  // ~3 s of headers at one byte per 10 ms: every recv() succeeds well inside the read timeout, so
  // only the whole-exchange deadline can end this before the response completes.
  std::string response = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 10; ++i)
    response += "X-Pad-" + std::to_string(i) + ": " + std::string(20, 'a') + "\r\n";
  response += "Content-Length: 2\r\n\r\nok";
  RawLoopbackServer raw(response, /*hold_open=*/false, std::chrono::milliseconds(10));
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  HttpRequest req = Get(raw.endpoint(), "/latest/api/token");
  req.timeout = std::chrono::milliseconds(300);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(client.Send(req), StatusIs(StatusCode::kDeadlineExceeded, HasSubstr("timed out")));
  // Checking the deadline only once the headers are complete would report a timeout too, but
  // after the ~3.3 s of headers: the exchange must end near its deadline.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1500));
}

TEST_P(HttpClientTest, AForkedChildStillStopsADribblingServerAtTheDeadline) {
  // The deadline backstop is one watchdog thread per process. A parent that has used a client
  // before fork() leaves its child a watchdog object without its thread; the child must start its
  // own, or its exchanges run with no deadline (here: ~3 s instead of 300 ms).
#ifdef CHANTLESS_UNDER_TSAN
  GTEST_SKIP() << "ThreadSanitizer does not support threads after a multi-threaded fork()";
#endif
  std::string response = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 10; ++i)
    response += "X-Pad-" + std::to_string(i) + ": " + std::string(20, 'a') + "\r\n";
  response += "Content-Length: 2\r\n\r\nok";
  RawLoopbackServer raw(response, /*hold_open=*/false, std::chrono::milliseconds(10));
  {
    SilentLoopbackServer silent;  // the parent's client starts the process's watchdog
    std::unique_ptr<HttpClient> parent_client = NewClient();
    HttpRequest req = Get(silent.endpoint(), "/");
    req.timeout = std::chrono::milliseconds(50);
    ASSERT_FALSE(parent_client->Send(req).ok());
  }
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::unique_ptr<HttpClient> owned = NewClient();  // created after the fork, as asked
    HttpClient& client = *owned;
    HttpRequest req = Get(raw.endpoint(), "/latest/api/token");
    req.timeout = std::chrono::milliseconds(300);
    const auto start = std::chrono::steady_clock::now();
    StatusOr<HttpResponse> res = client.Send(req);
    // Without a watchdog the body-deadline check still reports a timeout, but only once the
    // dribbled headers are done, ~3.3 s in: the time is what tells the two apart.
    const bool in_time = std::chrono::steady_clock::now() - start < std::chrono::milliseconds(1500);
    const bool stopped = in_time && !res.ok() &&
                         res.status().code() == StatusCode::kDeadlineExceeded &&
                         res.status().message().find("timed out") != std::string::npos;
    _exit(stopped ? 0 : 1);  // no gtest teardown in the child
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the child's exchange outlived its deadline";
}

TEST_P(HttpClientTest, ConnectionRefusedIsUnavailable) {
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  const std::string endpoint = "http://127.0.0.1:" + std::to_string(testing::UnusedLoopbackPort());
  EXPECT_THAT(client.Send(Get(endpoint, "/latest/meta-data/")),
              StatusIs(StatusCode::kUnavailable, HasSubstr("GET " + endpoint)));
}

TEST_P(HttpClientTest, HundredMegabyteBodyIsRefusedBeforeItIsRead) {
  LoopbackHttpServer server;
  std::atomic<size_t> served{0};
  server.server().Get("/big", [&](const httplib::Request&, httplib::Response& res) {
    const size_t total = 100u << 20;
    res.set_content_provider(total, "text/plain",
                             [&](size_t offset, size_t length, httplib::DataSink& sink) {
                               std::string chunk(std::min<size_t>(length, 64 * 1024), 'x');
                               served += chunk.size();
                               return sink.write(chunk.data(), chunk.size());
                             });
  });
  ASSERT_TRUE(server.Start());
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  EXPECT_THAT(client.Send(Get(server.endpoint(), "/big")),
              StatusIs(StatusCode::kInvalidResponse, HasSubstr("65536-byte limit")));
  server.Stop();
  EXPECT_LT(served.load(), 100u << 20);
}

TEST_P(HttpClientTest, HundredMegabyteChunkedBodyIsCutAtTheCap) {
  LoopbackHttpServer server;
  server.server().Get("/big", [&](const httplib::Request&, httplib::Response& res) {
    auto sent = std::make_shared<size_t>(0);
    res.set_chunked_content_provider("text/plain", [sent](size_t, httplib::DataSink& sink) {
      if (*sent >= (100u << 20)) {
        sink.done();
        return true;
      }
      std::string chunk(64 * 1024, 'x');
      *sent += chunk.size();
      return sink.write(chunk.data(), chunk.size());
    });
  });
  ASSERT_TRUE(server.Start());
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  HttpRequest req = Get(server.endpoint(), "/big");
  req.max_response_bytes = 1000;
  EXPECT_THAT(client.Send(req),
              StatusIs(StatusCode::kInvalidResponse, HasSubstr("1000-byte limit")));
}

TEST_P(HttpClientTest, RedirectIsReturnedNotFollowed) {
  LoopbackHttpServer server;
  std::atomic<int> followed{0};
  server.server().Get("/here", [](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("/there", 302);
  });
  server.server().Get("/there", [&](const httplib::Request&, httplib::Response& res) {
    ++followed;
    res.set_content("followed", "text/plain");
  });
  ASSERT_TRUE(server.Start());
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  ASSERT_OK_AND_ASSIGN(HttpResponse res, client.Send(Get(server.endpoint(), "/here")));
  EXPECT_EQ(res.status, 302);
  EXPECT_EQ(FindHeader(res.headers, "Location"), "/there");
  EXPECT_EQ(followed.load(), 0);
}

TEST_P(HttpClientTest, BodyCutShortByACloseIsInvalidResponse) {
  RawLoopbackServer raw(
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nonly-ten!!",
      /*hold_open=*/false);
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  EXPECT_THAT(client.Send(Get(raw.endpoint(), "/creds")),
              StatusIs(StatusCode::kInvalidResponse, HasSubstr("truncated")));
}

TEST_P(HttpClientTest, ContentLengthLongerThanTheBodyIsInvalidResponse) {
  RawLoopbackServer raw("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort", /*hold_open=*/true);
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  HttpRequest req = Get(raw.endpoint(), "/creds");
  req.timeout = std::chrono::milliseconds(300);
  EXPECT_THAT(client.Send(req), StatusIs(StatusCode::kInvalidResponse, HasSubstr("truncated")));
}

TEST_P(HttpClientTest, GarbageInsteadOfAStatusLineIsAnError) {
  RawLoopbackServer raw("SSH-2.0-OpenSSH_9.2\r\n\r\n", /*hold_open=*/false);
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  auto res = client.Send(Get(raw.endpoint(), "/"));
  EXPECT_FALSE(res.ok());
}

TEST_P(HttpClientTest, ErrorsNeverContainHeaderValues) {
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  HttpRequest req =
      Get("http://127.0.0.1:" + std::to_string(testing::UnusedLoopbackPort()), "/latest/x");
  req.headers.emplace_back("X-aws-ec2-metadata-token", "AQAEAFAKETOKENEXAMPLE==");
  auto res = client.Send(req);
  ASSERT_FALSE(res.ok());
  EXPECT_THAT(res.status().message(), Not(HasSubstr("AQAEAFAKETOKENEXAMPLE")));
}

TEST_P(HttpClientTest, HeaderInjectionIsRefusedBeforeAnyByteIsSent) {
  LoopbackHttpServer server;
  ASSERT_TRUE(server.Start());
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  HttpRequest req = Get(server.endpoint(), "/latest/meta-data/");
  req.headers.emplace_back("X-aws-ec2-metadata-token", "FAKE-TOKEN\r\nX-Injected: EXAMPLE");
  auto res = client.Send(req);
  EXPECT_THAT(res,
              StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("X-aws-ec2-metadata-token")));
  EXPECT_THAT(res.status().message(), Not(HasSubstr("FAKE-TOKEN")));
  HttpRequest bad_path = Get(server.endpoint(), "/latest/meta-data/ HTTP/1.1\r\nX: y");
  EXPECT_THAT(client.Send(bad_path),
              StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("space or control character")));
  EXPECT_EQ(server.request_count(), 0);
}

TEST_P(HttpClientTest, MalformedEndpointIsInvalidConfiguration) {
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  EXPECT_THAT(client.Send(Get("169.254.169.254", "/")),
              StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("http://")));
}

TEST_P(HttpClientTest, KeptConnectionTheServerClosedIsReplacedForIdempotentRequests) {
  // A complete keep-alive response, then the server closes without saying so: the next request
  // finds the kept connection closed and must go out again on a new one (GET and the IMDSv2 PUT).
  RawLoopbackServer raw("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", /*hold_open=*/false);
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  for (const char* method : {"GET", "PUT", "GET", "PUT"}) {
    HttpRequest req = Get(raw.endpoint(), "/latest/api/token");
    req.method = method;
    ASSERT_OK_AND_ASSIGN(HttpResponse res, client.Send(req));
    EXPECT_EQ(res.body, "ok") << method;
    // Let the server's close reach this side before the next request.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

TEST_P(HttpClientTest, ChunkedBodyIsDecoded) {
  LoopbackHttpServer server;
  server.server().Get("/chunked", [](const httplib::Request&, httplib::Response& res) {
    auto part = std::make_shared<int>(0);
    res.set_chunked_content_provider("text/plain", [part](size_t, httplib::DataSink& sink) {
      if (*part == 3) {
        sink.done();
        return true;
      }
      const std::string chunk = "part" + std::to_string((*part)++) + ";";
      return sink.write(chunk.data(), chunk.size());
    });
  });
  ASSERT_TRUE(server.Start());
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  for (int i = 0; i < 2; ++i) {  // the connection is left clean after a chunked body
    ASSERT_OK_AND_ASSIGN(HttpResponse res, client.Send(Get(server.endpoint(), "/chunked")));
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.body, "part0;part1;part2;");
  }
  EXPECT_EQ(server.connection_count(), 1u);
}

TEST_P(HttpClientTest, BodyWithoutLengthRunsUpToTheClose) {
  RawLoopbackServer raw("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nup-to-the-close",
                        /*hold_open=*/false);
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  ASSERT_OK_AND_ASSIGN(HttpResponse res, client.Send(Get(raw.endpoint(), "/creds")));
  EXPECT_EQ(res.body, "up-to-the-close");
}

TEST_P(HttpClientTest, ALongerTimeoutOnAKeptConnectionIsNotCutShort) {
  LoopbackHttpServer server;
  server.server().Get("/fast", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("fast", "text/plain");
  });
  server.server().Get("/slow", [](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    res.set_content("slow", "text/plain");
  });
  ASSERT_TRUE(server.Start());
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  HttpRequest fast = Get(server.endpoint(), "/fast");
  fast.timeout = std::chrono::milliseconds(150);
  ASSERT_OK_AND_ASSIGN(HttpResponse first, client.Send(fast));
  EXPECT_EQ(first.body, "fast");
  HttpRequest slow = Get(server.endpoint(), "/slow");
  slow.timeout = std::chrono::milliseconds(3000);
  ASSERT_OK_AND_ASSIGN(HttpResponse second, client.Send(slow));
  EXPECT_EQ(second.body, "slow");
  EXPECT_EQ(server.connection_count(), 1u);
}

TEST_P(HttpClientTest, AShorterTimeoutOnAKeptConnectionEndsInTime) {
  // The kept connection's socket timeouts were set for the first request's 5 s: the second
  // request's 200 ms must still end it (at most the grace later), not the socket's 5 s.
  LoopbackHttpServer server;
  server.server().Get("/fast", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("fast", "text/plain");
  });
  server.server().Get("/hang", [](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    res.set_content("late", "text/plain");
  });
  ASSERT_TRUE(server.Start());
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  HttpRequest fast = Get(server.endpoint(), "/fast");
  fast.timeout = std::chrono::milliseconds(5000);
  ASSERT_OK_AND_ASSIGN(HttpResponse first, client.Send(fast));
  EXPECT_EQ(first.body, "fast");
  HttpRequest hang = Get(server.endpoint(), "/hang");
  hang.timeout = std::chrono::milliseconds(200);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(client.Send(hang), StatusIs(StatusCode::kDeadlineExceeded, HasSubstr("timed out")));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1500));
}

TEST(PosixHttpClientTest, APlainExchangeStartsNoThread) {
  // Every recv() and send() of a plain exchange is bounded by the client itself: no watchdog
  // thread is started (a `chantless resolve` against IMDS stays one thread). Checked in a child
  // process, whose only thread is the one that forked, whatever the tests before started.
#ifdef CHANTLESS_UNDER_TSAN
  GTEST_SKIP() << "ThreadSanitizer does not support threads after a multi-threaded fork()";
#endif
  RawLoopbackServer raw("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", /*hold_open=*/false);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    PosixHttpClient client;
    StatusOr<HttpResponse> res = client.Send(Get(raw.endpoint(), "/latest/api/token"));
    int threads = 0;
    if (DIR* dir = opendir("/proc/self/task")) {
      while (dirent* entry = readdir(dir)) threads += entry->d_name[0] != '.';
      closedir(dir);
    }
    _exit(res.ok() && res->body == "ok" && threads == 1 ? 0 : 1);  // no gtest teardown here
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the exchange failed or a thread was started";
}

TEST(PosixHttpClientTest, NotHttpIsInvalidResponse) {
  RawLoopbackServer raw("SSH-2.0-OpenSSH_9.2\r\n\r\n", /*hold_open=*/false);
  PosixHttpClient client;
  EXPECT_THAT(client.Send(Get(raw.endpoint(), "/")),
              StatusIs(StatusCode::kInvalidResponse, HasSubstr("GET " + raw.endpoint() + "/")));
}

TEST_P(HttpClientTest, HttpsToAClosedPortIsUnavailable) {
  std::unique_ptr<HttpClient> owned = NewClient();
  HttpClient& client = *owned;
  const std::string endpoint = "https://127.0.0.1:" + std::to_string(testing::UnusedLoopbackPort());
  EXPECT_THAT(client.Send(Get(endpoint, "/")),
              StatusIs(StatusCode::kUnavailable, HasSubstr("GET " + endpoint)));
}

}  // namespace
}  // namespace chantless
