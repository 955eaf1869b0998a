// Tests of ConnectionServer: the per-connection socket set-up (TCP_NODELAY, the short wait for a
// request and the write timeout, set once on the listening socket) and its own HTTP/1.1 request
// reader (SetWireHandler), over raw loopback sockets.
#include "replay/connection_server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <string>

#include "gtest/gtest.h"
#include "httplib.h"
#include "resolver/testing/loopback_server.h"

namespace chantless {
namespace replay {
namespace {

TEST(ConnectionServerTest, EveryAcceptedSocketHasNoDelayAndTheServersTimeouts) {
  ConnectionServer server{ConnectionServerOptions{}};
  server.set_write_timeout(7, 0);
  server.Get("/options", [](const httplib::Request&, httplib::Response& res) {
    const int fd = ConnectionServer::CurrentConnection()->socket();
    int nodelay = 0;
    socklen_t size = sizeof nodelay;
    getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, &size);
    timeval receive{}, send{};
    size = sizeof receive;
    getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &receive, &size);
    size = sizeof send;
    getsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send, &size);
    res.set_content("nodelay=" + std::to_string(nodelay != 0) + " rcvtimeo_us=" +
                        std::to_string(receive.tv_sec * 1000000 + receive.tv_usec) +
                        " sndtimeo_s=" + std::to_string(send.tv_sec),
                    "text/plain");
  });
  StatusOr<int> port = server.Start();
  ASSERT_TRUE(port.ok()) << port.status().message();
  for (int connection = 0; connection < 3; ++connection) {
    httplib::Client client("127.0.0.1", *port);
    httplib::Result res = client.Get("/options");
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    // The wait for a request is 5 ms (rounded by the kernel to its tick, so only bounded here).
    EXPECT_EQ(res->body.substr(0, 10), "nodelay=1 ");
    const size_t at = res->body.find("rcvtimeo_us=") + 12;
    const long receive_us = std::stol(res->body.substr(at));
    EXPECT_GT(receive_us, 0);
    EXPECT_LE(receive_us, 20000);
    EXPECT_NE(res->body.find(" sndtimeo_s=7"), std::string::npos) << res->body;
  }
  EXPECT_EQ(server.accepted_connections(), 3);
  server.Stop();
}

// A server whose wire handler answers with what it parsed: "METHOD TARGET
// VERSION|name=value;…|body".
class WireServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.set_payload_max_length(64);
    server_.set_keep_alive_max_count(3);
    server_.SetWireHandler([](const WireRequest& req, bool keep_alive, ConnectionStream& stream) {
      std::string text = req.method + " " + req.target + " " + req.version + "|";
      for (const auto& [name, value] : req.headers) text += name + "=" + value + ";";
      text += "|" + req.body;
      std::string response =
          WireResponseHead(200, {{"Content-Type", "text/plain"}}, text.size(), keep_alive);
      if (req.method != "HEAD") response += text;
      stream.write(response.data(), response.size());
      return true;
    });
    StatusOr<int> port = server_.Start();
    ASSERT_TRUE(port.ok()) << port.status().message();
    port_ = *port;
  }
  void TearDown() override { server_.Stop(); }

  // Sends `bytes` on a new connection and reads until the server closes it (or 5 s pass).
  std::string Exchange(const std::string& bytes) {
    const testing::RawResult result = testing::RawExchange(port_, bytes);
    closed_ = result.error == 0;
    return result.bytes;
  }

  ConnectionServer server_{ConnectionServerOptions{}};
  int port_ = 0;
  bool closed_ = false;  // the last Exchange ended with the server closing the connection
};

TEST_F(WireServerTest, ParsesRequestLineHeadersAndAContentLengthBody) {
  std::string out = Exchange(
      "POST /sts?x=1 HTTP/1.1\r\nHost: sts.test\r\nX-Padded:   v  \r\nContent-Length: 5\r\n"
      "Connection: close\r\n\r\nhello");
  EXPECT_EQ(out.substr(0, 17), "HTTP/1.1 200 OK\r\n");
  EXPECT_NE(out.find("Connection: close\r\n"), std::string::npos);
  EXPECT_NE(out.find("\r\n\r\nPOST /sts?x=1 HTTP/1.1|Host=sts.test;X-Padded=v;Content-Length=5;"
                     "Connection=close;|hello"),
            std::string::npos)
      << out;
  EXPECT_TRUE(closed_);
}

TEST_F(WireServerTest, DecodesAChunkedBodyWithExtensionsAndTrailers) {
  std::string out = Exchange(
      "PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
      "3;ext=1\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n");
  EXPECT_NE(out.find("|abc0123456789"), std::string::npos) << out;
}

TEST_F(WireServerTest, AnswersExpectContinueBeforeReadingTheBody) {
  std::string out = Exchange(
      "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n"
      "\r\nok");
  EXPECT_EQ(out.substr(0, 25), "HTTP/1.1 100 Continue\r\n\r\n");
  EXPECT_NE(out.find("HTTP/1.1 200 OK\r\n"), std::string::npos);
  EXPECT_NE(out.find("|ok"), std::string::npos) << out;
}

TEST_F(WireServerTest, KeepsAliveUpToTheMaximumThenCloses) {
  const std::string get = "GET /k HTTP/1.1\r\nHost: x\r\n\r\n";
  std::string out = Exchange(get + get + get + get);  // pipelined; the limit is 3
  size_t answers = 0;
  for (size_t at = out.find("HTTP/1.1 200"); at != std::string::npos;
       at = out.find("HTTP/1.1 200", at + 1)) {
    ++answers;
  }
  EXPECT_EQ(answers, 3u) << out;
  EXPECT_NE(out.find("Connection: close\r\n"), std::string::npos);
  EXPECT_TRUE(closed_);
}

TEST_F(WireServerTest, Http10ClosesUnlessAskedToKeepAlive) {
  std::string out = Exchange("GET /old HTTP/1.0\r\n\r\n");
  EXPECT_NE(out.find("Connection: close\r\n"), std::string::npos) << out;
  EXPECT_TRUE(closed_);
}

TEST_F(WireServerTest, HeadGetsTheLengthWithoutTheBody) {
  std::string out = Exchange("HEAD /h HTTP/1.1\r\nConnection: close\r\n\r\n");
  EXPECT_NE(out.find("Content-Length: "), std::string::npos);
  EXPECT_EQ(out.substr(out.size() - 4), "\r\n\r\n") << out;
}

TEST_F(WireServerTest, RefusesWhatItCannotReadAndCloses) {
  struct Case {
    const char* request;
    const char* status;
  } cases[] = {
      {"GARBAGE\r\n\r\n", "400 Bad Request"},
      {"GET / HTTP/2.0\r\n\r\n", "505 HTTP Version Not Supported"},
      {"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", "400 Bad Request"},
      {"GET / HTTP/1.1\r\nX-Nul\x01: x\r\n\r\n", "400 Bad Request"},
      {"GET / HTTP/1.1\r\n folded\r\n\r\n", "400 Bad Request"},
      {"POST / HTTP/1.1\r\nContent-Length: 65\r\n\r\n", "413 Payload Too Large"},
      {"POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", "400 Bad Request"},
      {"POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
       "400 Bad Request"},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", "501 Not Implemented"},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "400 Bad Request"},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n41\r\n", "413 Payload Too Large"},
  };
  for (const Case& c : cases) {
    std::string out = Exchange(c.request);
    EXPECT_EQ(out.substr(0, 9 + std::string(c.status).size()), "HTTP/1.1 " + std::string(c.status))
        << c.request << " -> " << out;
    EXPECT_NE(out.find("Connection: close\r\n"), std::string::npos) << c.request;
    EXPECT_TRUE(closed_) << c.request;
  }
  // A NUL in a header name (strchr finds the terminator: the reader once took it for a token
  // character; found by wire_request_fuzzer).
  EXPECT_EQ(Exchange(std::string("GET / HTTP/1.1\r\nTransfer-En\0coding: chunked\r\n\r\n", 47))
                .substr(0, 12),
            "HTTP/1.1 400");
  // Too long a head: 431 (a header line) or 414 (the request line).
  EXPECT_EQ(
      Exchange("GET / HTTP/1.1\r\nX: " + std::string(70 * 1024, 'a') + "\r\n\r\n").substr(0, 12),
      "HTTP/1.1 431");
  EXPECT_EQ(Exchange("GET /" + std::string(70 * 1024, 'a') + " HTTP/1.1\r\n\r\n").substr(0, 12),
            "HTTP/1.1 414");
}

TEST(WireResponseHeadTest, DropsFramingHeadersAndAddsItsOwn) {
  EXPECT_EQ(WireResponseHead(404,
                             {{"Content-Type", "text/plain"},
                              {"Content-Length", "99"},
                              {"Transfer-Encoding", "chunked"},
                              {"connection", "keep-alive"},
                              {"Keep-Alive", "timeout=5"},
                              {"Retry-After", "1"}},
                             3, /*keep_alive=*/false),
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nRetry-After: 1\r\n"
            "Content-Length: 3\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(WireResponseHead(599, {}, 0, true), "HTTP/1.1 599 \r\nContent-Length: 0\r\n\r\n");
}

}  // namespace
}  // namespace replay
}  // namespace chantless
