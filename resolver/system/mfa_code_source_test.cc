// Tests for TerminalMfaCodeSource over a pseudo-terminal: each test names the rule of
// mfa_code_source.h it checks.
#include "resolver/system/mfa_code_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pty.h>
#include <unistd.h>

#include <string>

#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr char kSerial[] = "arn:aws:iam::123456789012:mfa/tester";

class Pty {
 public:
  Pty() {
    char name[256] = {0};
    ok_ = openpty(&master_, &slave_, name, nullptr, nullptr) == 0;
    path_ = name;
  }
  ~Pty() {
    if (ok_) {
      close(master_);
      close(slave_);
    }
  }
  bool ok() const { return ok_; }
  const std::string& path() const { return path_; }
  void Type(const std::string& text) {
    ASSERT_EQ(write(master_, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  }
  std::string Shown() {
    std::string out;
    char buf[256];
    fd_set set;
    struct timeval tv {
      0, 0
    };
    while (true) {
      FD_ZERO(&set);
      FD_SET(master_, &set);
      if (select(master_ + 1, &set, nullptr, nullptr, &tv) <= 0) break;
      const ssize_t n = read(master_, buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

 private:
  int master_ = -1;
  int slave_ = -1;
  bool ok_ = false;
  std::string path_;
};

TEST(TerminalMfaCodeSourceTest, GivenCodeIsReturnedWithoutATerminal) {
  TerminalMfaCodeSource source(std::string("123456"), "/nonexistent/tty");
  ASSERT_OK_AND_ASSIGN(Secret code, source.GetCode("dev", kSerial));
  EXPECT_EQ(code.reveal(), "123456");
}

TEST(TerminalMfaCodeSourceTest, GivenCodeServesOnceThenARefreshNeedsANewCode) {
  TerminalMfaCodeSource source(std::string("654321"), "/nonexistent/tty");
  ASSERT_OK(source.GetCode("dev", kSerial));
  StatusOr<Secret> again = source.GetCode("dev", kSerial);
  EXPECT_EQ(again.status().code(), StatusCode::kInvalidConfiguration);
  EXPECT_THAT(again.status().message(),
              HasSubstr("Cannot refresh credentials: MFA token required."));
  EXPECT_THAT(again.status().message(), ::testing::Not(HasSubstr("654321")));
}

TEST(TerminalMfaCodeSourceTest, NoTerminalNamesProfileSerialAndTheWayOut) {
  TerminalMfaCodeSource source(std::nullopt, "/nonexistent/tty");
  StatusOr<Secret> code = source.GetCode("dev", kSerial);
  EXPECT_EQ(code.status().code(), StatusCode::kInvalidConfiguration);
  EXPECT_THAT(code.status().message(),
              AllOf(HasSubstr("profile \"dev\""), HasSubstr(kSerial), HasSubstr("--mfa-code")));
}

TEST(TerminalMfaCodeSourceTest, PromptsOnTheTerminalAndReadsOneLine) {
  Pty pty;
  if (!pty.ok()) GTEST_SKIP() << "no pseudo-terminal available";
  pty.Type("654321\n");
  TerminalMfaCodeSource source(std::nullopt, pty.path(), std::chrono::seconds(10));
  ASSERT_OK_AND_ASSIGN(Secret code, source.GetCode("dev", kSerial));
  EXPECT_EQ(code.reveal(), "654321");
  EXPECT_THAT(pty.Shown(), HasSubstr(std::string("Enter MFA code for ") + kSerial + ": "));
}

TEST(TerminalMfaCodeSourceTest, NothingTypedEndsInAnErrorInsteadOfHanging) {
  Pty pty;
  if (!pty.ok()) GTEST_SKIP() << "no pseudo-terminal available";
  TerminalMfaCodeSource source(std::nullopt, pty.path(), std::chrono::milliseconds(50));
  StatusOr<Secret> code = source.GetCode("dev", kSerial);
  EXPECT_EQ(code.status().code(), StatusCode::kInvalidConfiguration);
  EXPECT_THAT(code.status().message(), HasSubstr("no code typed"));
}

}  // namespace
}  // namespace chantless
