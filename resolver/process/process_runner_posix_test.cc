// Tests for PosixProcessRunner against a real helper program (fake_credential_process), one test
// per rule of the ProcessRunner contract. The helper's path is the first argument (Bazel passes it
// with $(rootpath)). Timeouts are short (200 ms) and only ever bound hangs; no test asserts a time.
#include "resolver/process/process_runner_posix.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::chantless::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

std::string* helper_path = nullptr;

std::vector<std::string> Helper(std::vector<std::string> args) {
  args.insert(args.begin(), *helper_path);
  return args;
}

ProcessLimits ShortLimits() {
  ProcessLimits limits;
  limits.timeout = std::chrono::milliseconds(200);
  return limits;
}

// The read loop's decision tables, row by row (process_runner_posix.h).
TEST(ProcessRunPolicyTest, NextRunStep) {
  const struct {
    bool past_deadline, exited, stdout_open, stderr_open;
    RunStep want;
  } rows[] = {
      {false, false, true, true, RunStep::kPoll},    {true, false, true, true, RunStep::kKill},
      {false, true, false, false, RunStep::kFinish}, {true, true, false, false, RunStep::kFinish},
      {true, true, true, false, RunStep::kKill},     {false, true, true, false, RunStep::kPoll},
      {false, false, false, false, RunStep::kPoll},  {true, false, false, false, RunStep::kKill},
  };
  for (const auto& r : rows) {
    EXPECT_EQ(NextRunStep(r.past_deadline, r.exited, r.stdout_open, r.stderr_open), r.want)
        << r.past_deadline << r.exited << r.stdout_open << r.stderr_open;
  }
}

TEST(ProcessRunPolicyTest, PollTimeoutMs) {
  using std::chrono::microseconds;
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  EXPECT_EQ(PollTimeoutMs(seconds(5), /*exited=*/true, /*have_pidfd=*/true), 0);
  EXPECT_EQ(PollTimeoutMs(seconds(5), false, true), 5000);
  EXPECT_EQ(PollTimeoutMs(microseconds(1500), false, true), 2);  // rounded up
  EXPECT_EQ(PollTimeoutMs(seconds(5), false, /*have_pidfd=*/false), 10);
  EXPECT_EQ(PollTimeoutMs(milliseconds(3), false, false), 3);
  EXPECT_EQ(PollTimeoutMs(std::chrono::hours(1), false, true), 1000000);
  EXPECT_EQ(PollTimeoutMs(milliseconds(0), false, true), 0);
}

TEST(ProcessRunPolicyTest, BytesThatFit) {
  EXPECT_EQ(BytesThatFit(10, 0, 100), 10u);
  EXPECT_EQ(BytesThatFit(10, 90, 100), 10u);
  EXPECT_EQ(BytesThatFit(10, 95, 100), 5u);
  EXPECT_EQ(BytesThatFit(10, 100, 100), 0u);
  EXPECT_EQ(BytesThatFit(0, 100, 100), 0u);
}

TEST(PosixProcessRunnerTest, CapturesStdoutAndExitCodeZero) {
  PosixProcessRunner runner;
  ASSERT_OK_AND_ASSIGN(ProcessResult r, runner.Run(Helper({"ok"}), ProcessLimits()));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_FALSE(r.timed_out);
  EXPECT_FALSE(r.stdout_overflow);
  EXPECT_THAT(r.stdout_data, HasSubstr("\"Version\": 1"));
  EXPECT_THAT(r.stderr_data, IsEmpty());
}

TEST(PosixProcessRunnerTest, PassesArgumentsVerbatimWithoutAShell) {
  PosixProcessRunner runner;
  ASSERT_OK_AND_ASSIGN(ProcessResult r,
                       runner.Run(Helper({"args", "a b", "$HOME", "*", "x;y"}), ProcessLimits()));
  EXPECT_EQ(r.stdout_data, "a b\n$HOME\n*\nx;y\n");
}

TEST(PosixProcessRunnerTest, StdinIsDevNull) {
  PosixProcessRunner runner;
  ASSERT_OK_AND_ASSIGN(ProcessResult r, runner.Run(Helper({"stdin"}), ProcessLimits()));
  EXPECT_EQ(r.stdout_data, "0\n");
}

TEST(PosixProcessRunnerTest, NonZeroExitIsAResultWithStderr) {
  PosixProcessRunner runner;
  ASSERT_OK_AND_ASSIGN(ProcessResult r, runner.Run(Helper({"fail"}), ProcessLimits()));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.stderr_data, HasSubstr("the token service said no"));
}

TEST(PosixProcessRunnerTest, StderrIsTruncatedAtItsCap) {
  PosixProcessRunner runner;
  ProcessLimits limits;
  limits.max_stderr_bytes = 1000;
  ASSERT_OK_AND_ASSIGN(ProcessResult r, runner.Run(Helper({"big-stderr"}), limits));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.stderr_data.size(), 1000u);
}

TEST(PosixProcessRunnerTest, SignalDeathIs128PlusSignal) {
  PosixProcessRunner runner;
  ASSERT_OK_AND_ASSIGN(ProcessResult r, runner.Run(Helper({"signal"}), ProcessLimits()));
  EXPECT_EQ(r.exit_code, 128 + SIGTERM);
}

TEST(PosixProcessRunnerTest, TimeoutKillsAHangingProcess) {
  PosixProcessRunner runner;
  ASSERT_OK_AND_ASSIGN(ProcessResult r, runner.Run(Helper({"hang"}), ShortLimits()));
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.exit_code, 128 + SIGKILL);
}

TEST(PosixProcessRunnerTest, TimeoutAppliesAfterThePipesAreClosed) {
  PosixProcessRunner runner;
  ASSERT_OK_AND_ASSIGN(ProcessResult r, runner.Run(Helper({"close-and-hang"}), ShortLimits()));
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.exit_code, 128 + SIGKILL);
}

TEST(PosixProcessRunnerTest, TimeoutKillsTheWholeProcessGroup) {
  // Orphans are re-parented to this process, so we can wait for the grandchild ourselves: if the
  // runner killed only its direct child, the waitpid below would block and the test time out.
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  PosixProcessRunner runner;
  ProcessLimits limits;
  limits.timeout = std::chrono::milliseconds(1000);  // time for the helper to print the pid
  ASSERT_OK_AND_ASSIGN(ProcessResult r, runner.Run(Helper({"hang-with-child"}), limits));
  EXPECT_TRUE(r.timed_out);
  ASSERT_THAT(r.stderr_data, Not(IsEmpty()));
  const pid_t grandchild = static_cast<pid_t>(std::stol(r.stderr_data));
  ASSERT_GT(grandchild, 0);
  int status = 0;
  ASSERT_EQ(::waitpid(grandchild, &status, 0), grandchild);
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
}

TEST(PosixProcessRunnerTest, FinishesBeforeTheTimeoutWhenTheProcessDoes) {
  PosixProcessRunner runner;
  ProcessLimits limits;
  limits.timeout = std::chrono::seconds(30);
  ASSERT_OK_AND_ASSIGN(ProcessResult r, runner.Run(Helper({"sleep-then-ok", "20"}), limits));
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.stdout_data, HasSubstr("AccessKeyId"));
}

TEST(PosixProcessRunnerTest, StdoutOverflowKillsTheProcess) {
  PosixProcessRunner runner;
  ProcessLimits limits;
  limits.max_stdout_bytes = 100 * 1024;
  limits.timeout = std::chrono::seconds(30);
  ASSERT_OK_AND_ASSIGN(ProcessResult r, runner.Run(Helper({"huge"}), limits));
  EXPECT_TRUE(r.stdout_overflow);
  EXPECT_FALSE(r.timed_out);
  EXPECT_LE(r.stdout_data.size(), limits.max_stdout_bytes);
  EXPECT_EQ(r.exit_code, 128 + SIGKILL);
}

TEST(PosixProcessRunnerTest, MissingProgramIsInvalidConfigurationNamingIt) {
  PosixProcessRunner runner;
  EXPECT_THAT(runner.Run({"/nonexistent/chantless-no-such-program", "x"}, ProcessLimits()),
              StatusIs(StatusCode::kInvalidConfiguration,
                       HasSubstr("/nonexistent/chantless-no-such-program")));
}

TEST(PosixProcessRunnerTest, ProgramNotInPathIsInvalidConfiguration) {
  PosixProcessRunner runner;
  EXPECT_THAT(
      runner.Run({"chantless-no-such-program-in-path"}, ProcessLimits()),
      StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("chantless-no-such-program-in-path")));
}

TEST(PosixProcessRunnerTest, NonExecutableFileIsInvalidConfiguration) {
  PosixProcessRunner runner;
  EXPECT_THAT(runner.Run({"/dev/null"}, ProcessLimits()),
              StatusIs(StatusCode::kInvalidConfiguration, HasSubstr("/dev/null")));
}

TEST(PosixProcessRunnerTest, EmptyArgvIsInvalidConfiguration) {
  PosixProcessRunner runner;
  EXPECT_THAT(runner.Run({}, ProcessLimits()),
              StatusIs(StatusCode::kInvalidConfiguration, Not(IsEmpty())));
}

// The same rules on the path for kernels without pidfd_open.
TEST(PosixProcessRunnerWithoutPidfdTest, CapturesOutputOfAShortProcess) {
  PosixProcessRunner runner(/*use_pidfd=*/false);
  ASSERT_OK_AND_ASSIGN(ProcessResult r,
                       runner.Run(Helper({"sleep-then-ok", "20"}), ProcessLimits()));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.stdout_data, HasSubstr("AccessKeyId"));
}

TEST(PosixProcessRunnerWithoutPidfdTest, NonZeroExitIsAResult) {
  PosixProcessRunner runner(/*use_pidfd=*/false);
  ASSERT_OK_AND_ASSIGN(ProcessResult r, runner.Run(Helper({"fail"}), ProcessLimits()));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.stderr_data, HasSubstr("the token service said no"));
}

TEST(PosixProcessRunnerWithoutPidfdTest, TimeoutKillsAProcessThatClosedItsPipes) {
  PosixProcessRunner runner(/*use_pidfd=*/false);
  ASSERT_OK_AND_ASSIGN(ProcessResult r, runner.Run(Helper({"close-and-hang"}), ShortLimits()));
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.exit_code, 128 + SIGKILL);
}

TEST(PosixProcessRunnerTest, ConcurrentRunsDoNotInterfere) {
  PosixProcessRunner runner;
  std::vector<std::thread> threads;
  std::vector<std::string> outputs(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      auto r = runner.Run(Helper({"args", std::to_string(i)}), ProcessLimits());
      outputs[i] = r.ok() ? r->stdout_data : r.status().ToString();
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(outputs[i], std::to_string(i) + "\n");
}

}  // namespace
}  // namespace chantless

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: process_runner_posix_test <path to fake_credential_process>\n");
    return 2;
  }
  static std::string path = argv[1];
  chantless::helper_path = &path;
  return RUN_ALL_TESTS();
}
