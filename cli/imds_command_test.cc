// `chantless imds` and `chantless region` over FakeWorld: output, exit codes, --explain.
#include "cli/imds_command.h"

#include <cstdio>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/testing/fakes.h"

namespace chantless {
namespace cli {
namespace {

using ::chantless::testing::FakeWorld;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kToken[] = "AQAEAFAKETOKEN-EXAMPLE==";

// Captures a FILE* into a string.
class Capture {
 public:
  Capture() : f_(std::tmpfile()) {}
  ~Capture() { std::fclose(f_); }
  FILE* file() { return f_; }
  std::string text() {
    std::fflush(f_);
    std::rewind(f_);
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), f_)) > 0) out.append(buf, n);
    return out;
  }

 private:
  FILE* f_;
};

TEST(ImdsCommandTest, GetPrintsTheBodyOfARelativePath) {
  FakeWorld w;
  w.http.Reply(200, kToken);
  w.http.Reply(200, "i-0123456789abcdef0");
  Capture out, err;
  EXPECT_EQ(RunImdsWith({"get", "instance-id"}, w.context(), out.file(), err.file()), 0);
  EXPECT_EQ(out.text(), "i-0123456789abcdef0\n");
  EXPECT_EQ(w.http.requests().back().path, "/latest/meta-data/instance-id");
}

TEST(ImdsCommandTest, LsListsDirectoriesWithSlash) {
  FakeWorld w;
  w.http.Reply(200, kToken);
  w.http.Reply(200, "ami-id\nplacement/\ninstance-id");
  Capture out, err;
  EXPECT_EQ(RunImdsWith({"ls"}, w.context(), out.file(), err.file()), 0);
  EXPECT_EQ(out.text(), "ami-id\nplacement/\ninstance-id\n");
  EXPECT_EQ(w.http.requests().back().path, "/latest/meta-data/");
}

TEST(ImdsCommandTest, LsAddsTheTrailingSlash) {
  FakeWorld w;
  w.http.Reply(200, kToken);
  w.http.Reply(200, "region\navailability-zone");
  Capture out, err;
  EXPECT_EQ(RunImdsWith({"ls", "placement"}, w.context(), out.file(), err.file()), 0);
  EXPECT_EQ(w.http.requests().back().path, "/latest/meta-data/placement/");
}

TEST(ImdsCommandTest, IdentityPrintsTheDecodedDocument) {
  FakeWorld w;
  w.http.Reply(200, kToken);
  w.http.Reply(200, R"({"accountId":"123456789012","instanceId":"i-1","region":"us-east-1",
                        "availabilityZone":"us-east-1a","kernelId":null})");
  Capture out, err;
  EXPECT_EQ(RunImdsWith({"identity"}, w.context(), out.file(), err.file()), 0);
  EXPECT_THAT(out.text(), HasSubstr(R"("availabilityZone":"us-east-1a")"));
  EXPECT_THAT(out.text(), Not(HasSubstr("kernelId")));
}

TEST(ImdsCommandTest, NotFoundExitsOneNamingThePath) {
  FakeWorld w;
  w.http.Reply(200, kToken);
  w.http.Reply(404, "");
  Capture out, err;
  EXPECT_EQ(RunImdsWith({"get", "/latest/meta-data/nope"}, w.context(), out.file(), err.file()), 1);
  EXPECT_THAT(err.text(), HasSubstr("/latest/meta-data/nope: HTTP 404"));
  EXPECT_EQ(out.text(), "");
}

TEST(ImdsCommandTest, BadOptionExitsTwo) {
  FakeWorld w;
  w.env.Set("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv5");
  Capture out, err;
  EXPECT_EQ(RunImdsWith({"get", "instance-id"}, w.context(), out.file(), err.file()), 2);
  EXPECT_THAT(err.text(), HasSubstr("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"));
}

TEST(ImdsCommandTest, UsageErrorsExitTwo) {
  FakeWorld w;
  Capture out, err;
  EXPECT_EQ(RunImdsWith({}, w.context(), out.file(), err.file()), 2);
  EXPECT_EQ(RunImdsWith({"get"}, w.context(), out.file(), err.file()), 2);
  EXPECT_EQ(RunImdsWith({"frobnicate"}, w.context(), out.file(), err.file()), 2);
  EXPECT_TRUE(w.http.requests().empty());
}

TEST(RegionCommandTest, PrintsTheRegion) {
  FakeWorld w;
  w.env.Set("AWS_DEFAULT_REGION", "eu-central-1");
  Capture out, err;
  EXPECT_EQ(RunRegionWith({}, w.context(), nullptr, out.file(), err.file()), 0);
  EXPECT_EQ(out.text(), "eu-central-1\n");
}

TEST(RegionCommandTest, ExplainListsRequestsWithoutTheToken) {
  FakeWorld w;
  w.http.Reply(200, kToken);
  w.http.Reply(404, "");
  w.http.Reply(200, "us-east-1a");
  Capture out, err;
  EXPECT_EQ(
      RunRegionWith(
          {"--explain"}, w.context(), [&w] { return w.trace.events(); }, out.file(), err.file()),
      0);
  EXPECT_EQ(out.text(), "us-east-1\n");
  const std::string explained = err.text();
  EXPECT_THAT(explained, HasSubstr(R"("region":"us-east-1")"));
  EXPECT_THAT(explained, HasSubstr(R"("path":"/latest/api/token")"));
  EXPECT_THAT(explained, HasSubstr(R"("path":"/latest/meta-data/placement/availability-zone")"));
  EXPECT_THAT(explained, HasSubstr(R"("status":404)"));
  EXPECT_THAT(explained, Not(HasSubstr(kToken)));
}

TEST(RegionCommandTest, NoRegionExitsOne) {
  FakeWorld w;
  w.env.Set("AWS_EC2_METADATA_DISABLED", "true");
  Capture out, err;
  EXPECT_EQ(RunRegionWith({}, w.context(), nullptr, out.file(), err.file()), 1);
  EXPECT_THAT(err.text(), HasSubstr("no region"));
}

}  // namespace
}  // namespace cli
}  // namespace chantless
