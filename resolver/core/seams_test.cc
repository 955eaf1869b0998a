// Tests for the seams' shared helpers, the fakes, and Secret's refusal to print.
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/core/credentials.h"
#include "resolver/core/filesystem.h"
#include "resolver/testing/fakes.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::chantless::testing::FakeEnvironment;
using ::chantless::testing::FakeFilesystem;
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

}  // namespace
}  // namespace chantless
