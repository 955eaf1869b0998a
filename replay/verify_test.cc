// Tests for `chantless verify`'s core: schema errors and secrets are reported per file with JSON
// paths; directories are walked; every bundled fixture is accepted.
#include "replay/verify.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "replay/fake_secrets.h"

namespace chantless {
namespace replay {
namespace {

namespace fs = std::filesystem;

std::string TranscriptWithBody(const std::string& body) {
  return R"({"format": "chantless-transcript", "version": 1, "name": "t", "docs": "d",
  "recorded_at": "2024-05-01T12:00:00Z",
  "exchanges": [{"id": "a", "request": {"path": "/x"}, "response": {"body": ")" +
         body + R"("}}]})";
}

fs::path TempDir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  fs::path dir = fs::path(tmp != nullptr ? tmp : "/tmp") / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void Write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

TEST(VerifyTest, AcceptsACleanTranscript) {
  VerifyReport report;
  VerifyTranscriptText(TranscriptWithBody("ASIAREDACTED00000001"), "t.json", &report);
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.transcripts_loaded, 1);
}

TEST(VerifyTest, ReportsSchemaErrorsWithTheirPath) {
  VerifyReport report;
  VerifyTranscriptText(R"({"format": "chantless-transcript", "version": 1, "bogus": 1})", "t.json",
                       &report);
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_NE(report.errors[0].find("t.json"), std::string::npos);
}

TEST(VerifyTest, ReportsAPlantedSecret) {
  VerifyReport report;
  VerifyTranscriptText(TranscriptWithBody(testing::FakeAccessKeyId(1)), "t.json", &report);
  EXPECT_TRUE(report.errors.empty());
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].json_path, "$.exchanges[0].response.body");
}

TEST(VerifyTest, WalksDirectoriesScanningNonTranscriptsToo) {
  fs::path dir = TempDir("verify_walk");
  Write(dir / "ec2" / "good.json", TranscriptWithBody("fine"));
  Write(dir / "chain" / "case" / "case.json",
        "{\"expect\": {\"secret\": \"" + testing::FakeSecretAccessKey(2) + "\"}}");
  Write(dir / "notes.txt", testing::FakeAccessKeyId(3));  // not .json: not looked at
  VerifyReport report;
  VerifyPath(dir.string(), &report);
  EXPECT_EQ(report.files_checked, 2);
  EXPECT_EQ(report.transcripts_loaded, 1);
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_NE(report.findings[0].file.find("case.json"), std::string::npos);
}

TEST(VerifyTest, MissingPathIsAnError) {
  VerifyReport report;
  VerifyPath("/nonexistent/transcript.json", &report);
  EXPECT_EQ(report.errors.size(), 1u);
}

TEST(VerifyTest, AcceptsEveryBundledFixture) {
  VerifyReport report;
  VerifyPath("fixtures", &report);
  for (const std::string& e : report.errors) ADD_FAILURE() << e;
  for (const Finding& f : report.findings) ADD_FAILURE() << f.ToString();
  EXPECT_GT(report.transcripts_loaded, 0);
}

}  // namespace
}  // namespace replay
}  // namespace chantless
