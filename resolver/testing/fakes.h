// Fakes for every seam (testonly). Fakes over mocks: each one behaves like the real thing over
// in-memory state, and records what was asked of it.
#ifndef CHANTLESS_RESOLVER_TESTING_FAKES_H_
#define CHANTLESS_RESOLVER_TESTING_FAKES_H_

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "resolver/core/clock.h"
#include "resolver/core/environment.h"
#include "resolver/core/filesystem.h"
#include "resolver/core/provider.h"
#include "resolver/core/trace.h"
#include "resolver/http/http_client.h"
#include "resolver/process/process_runner.h"

namespace chantless {
namespace testing {

class FakeEnvironment : public Environment {
 public:
  FakeEnvironment() = default;
  FakeEnvironment(std::initializer_list<std::pair<const std::string, std::string>> vars)
      : vars_(vars) {}
  std::optional<std::string> Get(std::string_view name) const override;
  void Set(const std::string& name, const std::string& value);
  void Unset(const std::string& name);

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string, std::less<>> vars_;
};

class FakeFilesystem : public Filesystem {
 public:
  StatusOr<std::string> ReadFile(const std::string& path, size_t max_bytes) const override;
  std::optional<std::string> HomeDirectoryFallback() const override { return home_fallback_; }

  // Writes land in the in-memory files (parents need not exist) and are counted; the mode is kept
  // (file_mode). The modification time is the clock's Now() (SetClock), else FakeClock's start.
  Status WriteFileAtomic(const std::string& path, std::string_view contents,
                         int mode) const override;
  StatusOr<WallTime> ModificationTime(const std::string& path) const override;
  // A lock held by this fake (by any caller) is refused at once with kDeadlineExceeded: nothing
  // ever waits. Released when the returned FileLock is destroyed.
  StatusOr<std::unique_ptr<FileLock>> LockFile(const std::string& path,
                                               std::chrono::milliseconds timeout) const override;

  void SetFile(const std::string& path, std::string contents);
  void RemoveFile(const std::string& path);
  // ReadFile(path) fails with this status.
  void SetError(const std::string& path, Status status);
  // WriteFileAtomic(path) fails with this status (the file is left as it was).
  void SetWriteError(const std::string& path, Status status);
  void SetModificationTime(const std::string& path, WallTime t);
  void SetClock(const Clock* clock) { clock_ = clock; }
  void SetHomeDirectoryFallback(std::optional<std::string> home) { home_fallback_ = home; }
  int read_count(const std::string& path) const;
  int write_count(const std::string& path) const;
  int lock_count(const std::string& path) const;                // successful LockFile calls
  std::optional<int> file_mode(const std::string& path) const;  // as last written
  bool locked(const std::string& path) const;
  // Whether `path` exists, and its contents ("" when it does not).
  bool Exists(const std::string& path) const;
  std::string Contents(const std::string& path) const;

 private:
  class Lock;
  WallTime StampLocked() const;

  mutable std::mutex mu_;
  mutable std::map<std::string, std::string> files_;
  std::map<std::string, Status> errors_;
  std::map<std::string, Status> write_errors_;
  mutable std::map<std::string, WallTime> mtimes_;
  mutable std::map<std::string, int> modes_;
  mutable std::map<std::string, int> reads_;
  mutable std::map<std::string, int> writes_;
  mutable std::map<std::string, int> locks_;
  mutable std::map<std::string, bool> held_;
  const Clock* clock_ = nullptr;
  std::optional<std::string> home_fallback_;
};

// Starts at 2024-05-01T12:00:00Z (wall) and an arbitrary monotonic origin. SleepFor advances both
// and records the sleep; nothing ever blocks.
class FakeClock : public Clock {
 public:
  FakeClock();
  WallTime Now() const override;
  MonoTime MonotonicNow() const override;
  void SleepFor(Duration d) const override;

  void Advance(Duration d);
  void SetNow(WallTime t);  // moves wall time only
  std::vector<Duration> sleeps() const;

 private:
  mutable std::mutex mu_;
  mutable WallTime wall_;
  mutable MonoTime mono_;
  mutable std::vector<Duration> sleeps_;
};

// Answers requests from a queue of scripted replies, in order, and records every request.
// An exhausted queue answers kUnavailable("fake: no reply scripted for …").
class FakeHttpClient : public HttpClient {
 public:
  StatusOr<HttpResponse> Send(const HttpRequest& request) override;

  void Reply(int status, std::string body, HttpHeaders headers = {});
  void Fail(Status status);
  // Full control: called for the next request.
  void ReplyWith(std::function<StatusOr<HttpResponse>(const HttpRequest&)> fn);

  std::vector<HttpRequest> requests() const;
  size_t pending() const;

 private:
  mutable std::mutex mu_;
  std::deque<std::function<StatusOr<HttpResponse>(const HttpRequest&)>> replies_;
  std::vector<HttpRequest> requests_;
};

// Forwards every request to `next` (not owned) and replaces the message of every error it returns
// with "xyz", keeping the code: a policy that still behaves the same behind it reads status codes,
// never message text. Thread-safe when `next` is.
class RewordingHttpClient : public HttpClient {
 public:
  explicit RewordingHttpClient(HttpClient* next) : next_(next) {}
  StatusOr<HttpResponse> Send(const HttpRequest& request) override;

 private:
  HttpClient* const next_;
};

// Answers Run() from a scripted ProcessResult (or error) and records argv and limits.
class FakeProcessRunner : public ProcessRunner {
 public:
  StatusOr<ProcessResult> Run(const std::vector<std::string>& argv,
                              const ProcessLimits& limits) override;
  void SetResult(StatusOr<ProcessResult> result) { result_ = std::move(result); }
  std::vector<std::vector<std::string>> calls() const;
  ProcessLimits last_limits() const;

 private:
  mutable std::mutex mu_;
  StatusOr<ProcessResult> result_ = InternalError("FakeProcessRunner: no result set");
  std::vector<std::vector<std::string>> calls_;
  ProcessLimits last_limits_;
};

// Profile settings from a map; Where() answers "fake-config:<key>".
class FakeProfileSettings : public ProfileSettings {
 public:
  std::string ProfileName() const override { return name_; }
  std::optional<std::string> Get(std::string_view key) const override;
  std::string Where(std::string_view key) const override;
  void Set(const std::string& key, const std::string& value) { values_[key] = value; }
  void SetProfileName(std::string name) { name_ = std::move(name); }

 private:
  std::string name_ = "default";
  std::map<std::string, std::string, std::less<>> values_;
};

// The one way tests, benchmarks and examples wire a ProviderContext: from whichever seams they hold
// (fakes, real ones, a replay transport), none owned. A seam left null stays null in the context.
ProviderContext WireContext(const Environment* env, const Filesystem* fs, const Clock* clock,
                            HttpClient* http = nullptr, ProcessRunner* process = nullptr,
                            TraceSink* trace = nullptr);

// Owns one of each fake and hands out a ProviderContext over them (through WireContext).
struct FakeWorld {
  FakeEnvironment env;
  FakeFilesystem fs;
  FakeClock clock;
  FakeHttpClient http;
  FakeProcessRunner process;
  CollectingTraceSink trace;
  FakeProfileSettings settings;

  ProviderContext context();
  // Every trace event rendered to one string (messages, steps, endpoints, paths) for
  // "no secret in the trace" assertions.
  std::string TraceText() const;
};

// All text of a trace, joined by newlines (for secret-leak assertions).
std::string TraceToText(const std::vector<TraceEvent>& events);

}  // namespace testing
}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_TESTING_FAKES_H_
