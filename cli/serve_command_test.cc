// Tests for `chantless serve`: usage errors, a transcript that does not load, and a full run in
// process — port file written once bound, exchanges served, SIGTERM ends it with the verdict's
// exit code (0 pass, 1 fail) after a summary of the requests and connections served.
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <future>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "gtest/gtest.h"
#include "httplib.h"

namespace chantless {
namespace cli {
namespace {

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

// Waits (bounded) until the port file exists and holds a number: the condition the command
// promises, not a guess at how long start-up takes.
int WaitForPort(const std::string& path) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(path);
    int port = 0;
    if (in >> port && port > 0) return port;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return 0;
}

class ServeCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // SIGTERM must reach RunServe's sigwait, not kill the test: block it in every thread.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
  }
};

TEST_F(ServeCommandTest, MissingTranscriptIsUsageError) { EXPECT_EQ(RunServe({}), 2); }

TEST_F(ServeCommandTest, UnknownOptionIsUsageError) {
  EXPECT_EQ(RunServe({"replay/testdata/imdsv2.json", "--colour"}), 2);
}

TEST_F(ServeCommandTest, BadNowIsUsageError) {
  EXPECT_EQ(RunServe({"replay/testdata/imdsv2.json", "--now", "yesterday"}), 2);
}

TEST_F(ServeCommandTest, BadConnectionLimitsAreUsageErrors) {
  EXPECT_EQ(RunServe({"replay/testdata/imdsv2.json", "--max-connections", "0"}), 2);
  EXPECT_EQ(RunServe({"replay/testdata/imdsv2.json", "--max-connections"}), 2);
  EXPECT_EQ(RunServe({"replay/testdata/imdsv2.json", "--idle-timeout", "0"}), 2);
  EXPECT_EQ(RunServe({"replay/testdata/imdsv2.json", "--idle-timeout", "soon"}), 2);
}

TEST_F(ServeCommandTest, TranscriptThatDoesNotLoadIsExit2) {
  EXPECT_EQ(RunServe({"replay/testdata/does-not-exist.json"}), 2);
}

// Runs the command on a thread, lets `client` talk to it, then SIGTERMs it; returns its exit code.
int RunAgainst(const std::string& port_file, const std::function<void(int)>& client,
               const Args& extra = {}) {
  std::remove(port_file.c_str());
  auto run = std::async(std::launch::async, [&] {
    Args args = {"replay/testdata/imdsv2.json", "--port", "0", "--port-file", port_file, "--now",
                 "2030-01-01T00:00:00Z"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunServe(args);
  });
  int port = WaitForPort(port_file);
  EXPECT_GT(port, 0);
  if (port > 0) client(port);
  kill(getpid(), SIGTERM);
  return run.get();
}

TEST_F(ServeCommandTest, ServesUntilSigtermAndExits0WhenTheVerdictPasses) {
  int code = RunAgainst(TempPath("port-pass"), [](int port) {
    httplib::Client c("127.0.0.1", port);
    auto token = c.Put("/latest/api/token", {{"X-aws-ec2-metadata-token-ttl-seconds", "300"}}, "",
                       "text/plain");
    ASSERT_TRUE(token);
    httplib::Headers h = {{"X-aws-ec2-metadata-token", token->body}};
    auto role = c.Get("/latest/meta-data/iam/security-credentials/", h);
    ASSERT_TRUE(role);
    auto creds = c.Get("/latest/meta-data/iam/security-credentials/" + role->body, h);
    ASSERT_TRUE(creds);
    // Rebased to --now: recorded 6 h after the recording instant.
    EXPECT_NE(creds->body.find("\"Expiration\" : \"2030-01-01T06:00:00Z\""), std::string::npos)
        << creds->body;
  });
  EXPECT_EQ(code, 0);
}

TEST_F(ServeCommandTest, AcceptsConnectionLimits) {
  int code = RunAgainst(TempPath("port-limits"),
                        [](int port) {
                          httplib::Client c("127.0.0.1", port);
                          auto token = c.Put("/latest/api/token",
                                             {{"X-aws-ec2-metadata-token-ttl-seconds", "300"}}, "",
                                             "text/plain");
                          ASSERT_TRUE(token);
                          EXPECT_EQ(token->status, 200);
                        },
                        {"--max-connections", "16", "--idle-timeout", "0.5"});
  EXPECT_EQ(code, 1);  // the transcript's role and credentials exchanges were not asked for
}

TEST_F(ServeCommandTest, Exits1WhenTheVerdictFails) {
  int code = RunAgainst(TempPath("port-fail"), [](int port) {
    httplib::Client c("127.0.0.1", port);
    auto miss = c.Get("/not/recorded");
    ASSERT_TRUE(miss);
    EXPECT_EQ(miss->status, 404);
  });
  EXPECT_EQ(code, 1);
}

// 3 requests on 2 connections (a keep-alive client's token PUT and role listing, a second
// client's credentials GET), plus a third connection that only fetches the verdict.
void TwoConnectionsThreeRequestsAndAVerdict(int port) {
  httplib::Client first("127.0.0.1", port);
  first.set_keep_alive(true);
  auto token = first.Put("/latest/api/token", {{"X-aws-ec2-metadata-token-ttl-seconds", "300"}}, "",
                         "text/plain");
  ASSERT_TRUE(token);
  httplib::Headers h = {{"X-aws-ec2-metadata-token", token->body}};
  auto role = first.Get("/latest/meta-data/iam/security-credentials/", h);
  ASSERT_TRUE(role);
  httplib::Client second("127.0.0.1", port);
  auto creds = second.Get("/latest/meta-data/iam/security-credentials/" + role->body, h);
  ASSERT_TRUE(creds);
  EXPECT_EQ(creds->status, 200);
  httplib::Client third("127.0.0.1", port);
  ASSERT_TRUE(third.Get("/__chantless/verdict"));
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST_F(ServeCommandTest, PrintsASummaryOfRequestsAndConnectionsOnStderr) {
  ::testing::internal::CaptureStderr();
  int code = RunAgainst(TempPath("port-summary"), TwoConnectionsThreeRequestsAndAVerdict);
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(code, 0);
  std::vector<std::string> lines = Lines(err);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back(), "chantless serve: served 3 requests on 2 connections (3 accepted)");
}

TEST_F(ServeCommandTest, LogJsonAlsoWritesTheSummaryAsAJsonLineWithoutAnEventKey) {
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  int code = RunAgainst(TempPath("port-summary-json"), TwoConnectionsThreeRequestsAndAVerdict,
                        {"--log-json"});
  const std::string out = ::testing::internal::GetCapturedStdout();
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(code, 0);
  EXPECT_NE(err.find("chantless serve: served 3 requests on 2 connections (3 accepted)\n"),
            std::string::npos)
      << err;
  // bench/peers/peers.py counts the lines with an "event" key as exchanges: still exactly 3.
  int events = 0, summaries = 0;
  for (const std::string& line : Lines(out)) {
    if (line.find("\"event\"") != std::string::npos) ++events;
    if (line.rfind("{\"summary\"", 0) == 0) {
      ++summaries;
      EXPECT_EQ(line, R"({"summary":{"requests":3,"connections":2,"accepted_connections":3}})");
    }
  }
  EXPECT_EQ(events, 3) << out;
  EXPECT_EQ(summaries, 1) << out;
}

TEST_F(ServeCommandTest, TlsOptionsAreCheckedTogether) {
  EXPECT_EQ(RunServe({"replay/testdata/imdsv2.json", "--tls"}), 2);  // no --ca-out
  EXPECT_EQ(RunServe({"replay/testdata/imdsv2.json", "--ca-out", TempPath("ca.pem")}), 2);
  EXPECT_EQ(RunServe({"replay/testdata/imdsv2.json", "--tls", "--tls-cert", "c.pem"}), 2);
  EXPECT_EQ(RunServe({"replay/testdata/imdsv2.json", "--tls", "--tls-cert", "/no/such.pem",
                      "--tls-key", "/no/such.key"}),
            2);
}

// A transcript with a plain IMDS token exchange and an STS exchange on its regional host.
std::string WriteMixedTranscript() {
  const std::string path = TempPath("mixed.json");
  std::ofstream(path) << R"({"format": "chantless-transcript", "version": 1, "name": "mixed",
    "docs": "IMDS over http, STS over https.", "recorded_at": "2024-05-01T12:00:00Z",
    "exchanges": [
      {"id": "token", "request": {"method": "PUT", "path": "/latest/api/token"},
       "imds_token": "mint"},
      {"id": "sts", "family": "sts", "host": "sts.us-west-2.amazonaws.com",
       "request": {"method": "POST", "path": "/"}, "response": {"body": "<ok/>"}}]})";
  return path;
}

TEST_F(ServeCommandTest, TlsServesEveryHostOfTheTranscriptBesidePlainHttp) {
  const std::string transcript = WriteMixedTranscript();
  const std::string port_file = TempPath("port-tls");
  const std::string ca = TempPath("tls-ca.pem");
  std::remove(port_file.c_str());
  ::testing::internal::CaptureStderr();
  auto run = std::async(std::launch::async, [&] {
    return RunServe({transcript, "--port-file", port_file, "--tls", "--ca-out", ca});
  });
  int http_port = WaitForPort(port_file);
  int https_port = 0;
  for (int i = 0; i < 100 && https_port == 0; ++i) {
    std::ifstream in(port_file);
    int first = 0;
    in >> first >> https_port;
  }
  ASSERT_GT(http_port, 0);
  ASSERT_GT(https_port, 0);
  httplib::Client plain("127.0.0.1", http_port);
  auto token = plain.Put("/latest/api/token", {{"X-aws-ec2-metadata-token-ttl-seconds", "60"}}, "",
                         "text/plain");
  ASSERT_TRUE(token);
  EXPECT_EQ(token->status, 200);
  httplib::SSLClient secure("127.0.0.1", https_port);
  secure.set_ca_cert_path(ca.c_str());
  secure.enable_server_certificate_verification(true);
  auto sts = secure.Post("/", {{"Host", "sts.us-west-2.amazonaws.com"}}, "", "text/plain");
  ASSERT_TRUE(sts) << httplib::to_string(sts.error());
  EXPECT_EQ(sts->body, "<ok/>");
  kill(getpid(), SIGTERM);
  EXPECT_EQ(run.get(), 0);
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("https://127.0.0.1:" + std::to_string(https_port) + "/"), std::string::npos)
      << err;
  EXPECT_NE(err.find("export AWS_CA_BUNDLE=" + ca), std::string::npos) << err;
  EXPECT_NE(err.find("served 2 requests on 2 connections (http port " + std::to_string(http_port) +
                     ", https port " + std::to_string(https_port) + ")"),
            std::string::npos)
      << err;
  std::ifstream ca_in(ca);
  std::string first_line;
  std::getline(ca_in, first_line);
  EXPECT_EQ(first_line, "-----BEGIN CERTIFICATE-----");
}

}  // namespace
}  // namespace cli
}  // namespace chantless
