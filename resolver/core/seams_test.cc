// Tests for the seams' shared helpers, the fakes, and Secret's refusal to print.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/core/credentials.h"
#include "resolver/core/filesystem.h"
#include "resolver/core/time_util.h"
#include "resolver/testing/fakes.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::chantless::testing::FakeEnvironment;
using ::chantless::testing::FakeFilesystem;
using ::chantless::testing::StatusHasCode;
using ::chantless::testing::StatusIs;
using ::testing::HasSubstr;

TEST(SecretTest, NeverPrintsItsValue) {
  Secret s("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  std::ostringstream os;
  os << s;
  EXPECT_EQ(os.str(), "<redacted>");
  EXPECT_EQ(::testing::PrintToString(s), "<redacted>");
  EXPECT_EQ(s.reveal(), "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
}

TEST(CredentialsTest, DebugStringHoldsNoKeyMaterial) {
  Credentials c;
  c.access_key_id = "AKIDEXAMPLE1234";
  c.secret_access_key = Secret("SECRETVALUE");
  c.session_token = Secret("TOKENVALUE");
  c.provider = "env";
  std::string text = DebugString(c);
  EXPECT_EQ(text.find("AKIDEXAMPLE1234"), std::string::npos);
  EXPECT_EQ(text.find("SECRETVALUE"), std::string::npos);
  EXPECT_EQ(text.find("TOKENVALUE"), std::string::npos);
  EXPECT_THAT(text, HasSubstr("provider=env"));
}

TEST(EnvironmentTest, BlankCountsAsUnset) {
  FakeEnvironment env{{"A", "  \t"}, {"B", " x "}, {"C", ""}};
  EXPECT_FALSE(GetNonBlank(env, "A").has_value());
  EXPECT_EQ(GetNonBlank(env, "B").value(), "x");
  EXPECT_FALSE(GetNonBlank(env, "C").has_value());
  EXPECT_FALSE(GetNonBlank(env, "D").has_value());
}

TEST(ExpandHomeTest, UsesHomeThenFallbacks) {
  FakeFilesystem fs;
  FakeEnvironment env{{"HOME", "/home/u"}};
  EXPECT_EQ(*ExpandHome("~/.aws/config", env, fs), "/home/u/.aws/config");
  EXPECT_EQ(*ExpandHome("/abs/path", env, fs), "/abs/path");
  EXPECT_EQ(*ExpandHome("~other/x", env, fs), "~other/x");
  FakeEnvironment win{{"USERPROFILE", "C:\\Users\\u"}};
  EXPECT_EQ(*ExpandHome("~/x", win, fs), "C:\\Users\\u/x");
  FakeEnvironment none;
  EXPECT_THAT(ExpandHome("~/x", none, fs),
              StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("HOME")));
  fs.SetHomeDirectoryFallback("/root");
  EXPECT_EQ(*ExpandHome("~", none, fs), "/root");
}

TEST(SystemFilesystemTest, MissingFileIsNotConfigured) {
  SystemFilesystem fs;
  EXPECT_THAT(fs.ReadFile("/nonexistent/chantless/file", 100),
              StatusIs(StatusCode::kNotConfigured, HasSubstr("/nonexistent/chantless/file")));
  EXPECT_THAT(fs.ReadFile("/", 100), StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("/")));
}

// A fresh directory under TEST_TMPDIR (or /tmp) for one test.
std::string TempDir(const char* name) {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string dir =
      std::string(base != nullptr ? base : "/tmp") + "/" + name + "." + std::to_string(::getpid());
  return dir;
}

TEST(SystemFilesystemWriteTest, WritesAtomicallyWithModeAndCreatesParents) {
  SystemFilesystem fs;
  std::string path = TempDir("write") + "/a/b/entry.json";
  ::umask(022);
  ASSERT_TRUE(fs.WriteFileAtomic(path, "{\"one\": 1}", 0600).ok());
  EXPECT_EQ(fs.ReadFile(path, 100).value(), "{\"one\": 1}");
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(ParentDirectory(path).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  // Replacing keeps no temporary file behind.
  ASSERT_TRUE(fs.WriteFileAtomic(path, "two", 0600).ok());
  EXPECT_EQ(fs.ReadFile(path, 100).value(), "two");
  std::string listing;
  FILE* ls = ::popen(("ls -a " + ParentDirectory(path)).c_str(), "r");
  char buf[256];
  while (ls != nullptr && std::fgets(buf, sizeof buf, ls) != nullptr) listing += buf;
  if (ls != nullptr) ::pclose(ls);
  EXPECT_THAT(listing, ::testing::Not(HasSubstr(".tmp")));
}

TEST(SystemFilesystemWriteTest, FailureNamesThePathNotTheContents) {
  SystemFilesystem fs;
  std::string file = TempDir("notdir");
  ASSERT_TRUE(fs.WriteFileAtomic(file, "x", 0600).ok());
  Status s = fs.WriteFileAtomic(file + "/child.json", "SECRETCONTENTS", 0600);
  EXPECT_THAT(s, StatusIs(StatusCode::kUnavailable, HasSubstr(file)));
  EXPECT_THAT(s.message(), ::testing::Not(HasSubstr("SECRETCONTENTS")));
}

TEST(SystemFilesystemWriteTest, ModificationTimeOfMissingFileIsNotConfigured) {
  SystemFilesystem fs;
  std::string path = TempDir("mtime");
  EXPECT_THAT(fs.ModificationTime(path).status(), StatusHasCode(StatusCode::kNotConfigured));
  ASSERT_TRUE(fs.WriteFileAtomic(path, "x", 0600).ok());
  auto t = fs.ModificationTime(path);
  ASSERT_TRUE(t.ok());
  EXPECT_LT(std::chrono::abs(std::chrono::system_clock::now() - *t), std::chrono::minutes(5));
}

TEST(SystemFilesystemLockTest, SecondLockerTimesOutUntilTheFirstReleases) {
  SystemFilesystem fs;
  std::string path = TempDir("lock") + "/x.lock";
  auto first = fs.LockFile(path, std::chrono::milliseconds(100));
  ASSERT_TRUE(first.ok());
  // flock locks belong to the open file description: another open in a child process conflicts.
  pid_t child = ::fork();
  if (child == 0) {
    auto second = fs.LockFile(path, std::chrono::milliseconds(30));
    ::_exit(second.ok() ? 1 : (second.status().code() == StatusCode::kDeadlineExceeded ? 0 : 2));
  }
  int wstatus = 0;
  ASSERT_EQ(::waitpid(child, &wstatus, 0), child);
  EXPECT_EQ(WEXITSTATUS(wstatus), 0);
  first->reset();
  child = ::fork();
  if (child == 0) {
    auto third = fs.LockFile(path, std::chrono::milliseconds(30));
    ::_exit(third.ok() ? 0 : 1);
  }
  ASSERT_EQ(::waitpid(child, &wstatus, 0), child);
  EXPECT_EQ(WEXITSTATUS(wstatus), 0);
}

TEST(ReadOnlyFilesystemTest, WritesAndLocksAreRefusedNamingThePath) {
  class ReadOnly : public Filesystem {
   public:
    StatusOr<std::string> ReadFile(const std::string& path, size_t) const override {
      return NotConfiguredError(path);
    }
    std::optional<std::string> HomeDirectoryFallback() const override { return std::nullopt; }
  } fs;
  EXPECT_THAT(fs.WriteFileAtomic("/c/x.json", "v"),
              StatusIs(StatusCode::kUnavailable, HasSubstr("/c/x.json")));
  EXPECT_THAT(fs.LockFile("/c/x.lock", std::chrono::milliseconds(1)).status(),
              StatusIs(StatusCode::kUnavailable, HasSubstr("read-only")));
}

TEST(ParentDirectoryTest, Cases) {
  EXPECT_EQ(ParentDirectory("/a/b/c.json"), "/a/b");
  EXPECT_EQ(ParentDirectory("c.json"), ".");
  EXPECT_EQ(ParentDirectory("/c"), "/");
}

TEST(FakeFilesystemWriteTest, RecordsWritesModesLocksAndErrors) {
  FakeFilesystem fs;
  ASSERT_TRUE(fs.WriteFileAtomic("/h/.aws/cli/cache/k.json", "v1", 0600).ok());
  EXPECT_EQ(fs.ReadFile("/h/.aws/cli/cache/k.json", 100).value(), "v1");
  EXPECT_EQ(fs.write_count("/h/.aws/cli/cache/k.json"), 1);
  EXPECT_EQ(fs.file_mode("/h/.aws/cli/cache/k.json"), 0600);
  fs.SetWriteError("/h/x", UnavailableError("/h/x: disk full"));
  EXPECT_THAT(fs.WriteFileAtomic("/h/x", "v", 0600), StatusHasCode(StatusCode::kUnavailable));
  EXPECT_FALSE(fs.Exists("/h/x"));
  auto lock = fs.LockFile("/h/l", std::chrono::milliseconds(1));
  ASSERT_TRUE(lock.ok());
  EXPECT_TRUE(fs.locked("/h/l"));
  EXPECT_THAT(fs.LockFile("/h/l", std::chrono::milliseconds(1)).status(),
              StatusHasCode(StatusCode::kDeadlineExceeded));
  lock->reset();
  EXPECT_FALSE(fs.locked("/h/l"));
  EXPECT_TRUE(fs.LockFile("/h/l", std::chrono::milliseconds(1)).ok());
  EXPECT_EQ(fs.lock_count("/h/l"), 2);
  WallTime t = ParseRfc3339("2030-01-01T00:00:00Z").value();
  fs.SetModificationTime("/h/.aws/cli/cache/k.json", t);
  EXPECT_EQ(fs.ModificationTime("/h/.aws/cli/cache/k.json").value(), t);
  EXPECT_THAT(fs.ModificationTime("/nope").status(), StatusHasCode(StatusCode::kNotConfigured));
}

}  // namespace
}  // namespace chantless
