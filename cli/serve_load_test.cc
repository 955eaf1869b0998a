// A bounded load test of the real `chantless serve` binary on 127.0.0.1: 256 keep-alive clients at
// once, each making kRounds IMDSv2 rounds (token PUT, credentials GET with the token) on its own
// connection, idle between rounds. Every request must be answered, the verdict must pass (the
// transcript requires exactly as many tokens and credentials as the clients ask for), and the
// summary `chantless serve` prints on SIGTERM must count every request and connection. Bounded:
// fixed client and round counts, 5 s client timeouts, the server stopped by the test.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "httplib.h"

namespace {

constexpr int kClients = 256;
constexpr int kRounds = 4;
constexpr int kRequests = kClients * kRounds * 2;

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// IMDSv2 with a token per round and client: each exchange answers exactly kClients * kRounds
// requests, so the verdict passes only when every request was served.
std::string LoadTranscript() {
  const std::string n = std::to_string(kClients * kRounds);
  return R"({"format": "chantless-transcript", "version": 1, "name": "load", "docs": "load test",
  "recorded_at": "2024-05-01T12:00:00Z", "imds_tokens": {"required": true},
  "exchanges": [
    {"id": "token", "family": "token", "request": {"method": "PUT", "path": "/latest/api/token"},
     "imds_token": "mint", "repeat": {"min": )" +
         n + R"(, "max": )" + n + R"(}},
    {"id": "creds", "family": "imds",
     "request": {"method": "GET", "path": "/latest/meta-data/iam/security-credentials/Role"},
     "response": {"headers": {"Content-Type": "text/plain"}, "body": "{\"Code\": \"Success\"}"},
     "repeat": {"min": )" +
         n + R"(, "max": )" + n + R"(}}]})";
}

// Starts `chantless serve`; its stdout and stderr go to files. Returns the pid, or -1.
pid_t StartServe(const std::string& chantless, const std::string& transcript,
                 const std::string& port_file, const std::string& out, const std::string& err) {
  std::vector<std::string> argv_s = {chantless, "serve",          transcript, "--port",
                                     "0",       "--port-file",    port_file,  "--max-connections",
                                     "1024",    "--idle-timeout", "10"};
  std::vector<char*> argv;
  for (std::string& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, chantless.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

int WaitForPort(const std::string& path) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(path);
    int port = 0;
    if (in >> port && port > 0) return port;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return 0;
}

// One client: kRounds token + credentials rounds on one keep-alive connection; true when every
// answer was right.
bool RunClient(int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_keep_alive(true);
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(5, 0);
  for (int round = 0; round < kRounds; ++round) {
    auto token = client.Put("/latest/api/token", {{"X-aws-ec2-metadata-token-ttl-seconds", "60"}},
                            "", "text/plain");
    if (!token || token->status != 200 || token->body.empty()) return false;
    auto creds = client.Get("/latest/meta-data/iam/security-credentials/Role",
                            {{"X-aws-ec2-metadata-token", token->body}});
    if (!creds || creds->status != 200 || creds->body != "{\"Code\": \"Success\"}") return false;
  }
  return true;
}

char* chantless_binary = nullptr;

TEST(ServeLoadTest, EveryConcurrentKeepAliveClientIsAnsweredAndCounted) {
  ASSERT_NE(chantless_binary, nullptr);
  const std::string transcript = TempPath("load.json");
  std::ofstream(transcript) << LoadTranscript();
  const std::string port_file = TempPath("load.port"), out = TempPath("load.out"),
                    err = TempPath("load.err");
  std::remove(port_file.c_str());
  const pid_t pid = StartServe(chantless_binary, transcript, port_file, out, err);
  ASSERT_GT(pid, 0);
  const int port = WaitForPort(port_file);
  if (port == 0) kill(pid, SIGKILL);
  ASSERT_GT(port, 0) << ReadFile(err);

  const auto start = std::chrono::steady_clock::now();
  std::atomic<int> answered{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([port, &answered] {
      if (RunClient(port)) answered.fetch_add(1);
    });
  }
  for (std::thread& t : clients) t.join();
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(answered.load(), kClients);
  httplib::Client control("127.0.0.1", port);
  auto verdict = control.Get("/__chantless/verdict");
  if (!verdict) kill(pid, SIGKILL);
  ASSERT_TRUE(verdict) << ReadFile(err);
  EXPECT_EQ(verdict->body.rfind(R"({"ok":true,)", 0), 0u) << verdict->body;

  kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << ReadFile(err);
  const std::string summary = "chantless serve: served " + std::to_string(kRequests) +
                              " requests on " + std::to_string(kClients) + " connections (" +
                              std::to_string(kClients + 1) + " accepted)";
  EXPECT_NE(ReadFile(err).find(summary), std::string::npos) << ReadFile(err);
  std::printf(
      "%d clients x %d rounds (%d requests) in %lld ms\n", kClients, kRounds, kRequests,
      static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc > 1) chantless_binary = argv[1];
  return RUN_ALL_TESTS();
}
