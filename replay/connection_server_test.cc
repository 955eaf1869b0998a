// Tests of ConnectionServer's per-connection socket set-up: every accepted connection carries
// TCP_NODELAY, the short wait for a request and the write timeout, which the server sets once on
// its listening socket.
#include "replay/connection_server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <string>

#include "gtest/gtest.h"
#include "httplib.h"

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

}  // namespace
}  // namespace replay
}  // namespace chantless
