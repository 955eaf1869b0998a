// Fakes for the seams.
#include "resolver/testing/fakes.h"

#include "resolver/core/time_util.h"

namespace chantless {
namespace testing {

std::optional<std::string> FakeEnvironment::Get(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = vars_.find(name);
  if (it == vars_.end()) return std::nullopt;
  return it->second;
}

void FakeEnvironment::Set(const std::string& name, const std::string& value) {
  std::lock_guard<std::mutex> lock(mu_);
  vars_[name] = value;
}

void FakeEnvironment::Unset(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  vars_.erase(name);
}

StatusOr<std::string> FakeFilesystem::ReadFile(const std::string& path, size_t max_bytes) const {
  std::lock_guard<std::mutex> lock(mu_);
  ++reads_[path];
  auto err = errors_.find(path);
  if (err != errors_.end()) return err->second;
  auto it = files_.find(path);
  if (it == files_.end()) return NotConfiguredError(path + ": no such file");
  if (it->second.size() > max_bytes) {
    return InvalidConfigurationError(path + ": larger than " + std::to_string(max_bytes) +
                                     " bytes");
  }
  return it->second;
}

class FakeFilesystem::Lock : public FileLock {
 public:
  Lock(const FakeFilesystem* fs, std::string path) : fs_(fs), path_(std::move(path)) {}
  ~Lock() override {
    std::lock_guard<std::mutex> lock(fs_->mu_);
    fs_->held_[path_] = false;
  }

 private:
  const FakeFilesystem* fs_;
  std::string path_;
};

WallTime FakeFilesystem::StampLocked() const {
  if (clock_ != nullptr) return clock_->Now();
  return ParseRfc3339("2024-05-01T12:00:00Z").value();
}

Status FakeFilesystem::WriteFileAtomic(const std::string& path, std::string_view contents,
                                       int mode) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto err = write_errors_.find(path);
  if (err != write_errors_.end()) return err->second;
  ++writes_[path];
  files_[path] = std::string(contents);
  modes_[path] = mode;
  mtimes_[path] = StampLocked();
  return OkStatus();
}

StatusOr<WallTime> FakeFilesystem::ModificationTime(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (files_.find(path) == files_.end()) return NotConfiguredError(path + ": no such file");
  auto it = mtimes_.find(path);
  if (it == mtimes_.end()) return StampLocked();
  return it->second;
}

StatusOr<std::unique_ptr<FileLock>> FakeFilesystem::LockFile(const std::string& path,
                                                             std::chrono::milliseconds) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (held_[path]) return DeadlineExceededError(path + ": still locked by another process");
  held_[path] = true;
  ++locks_[path];
  return std::unique_ptr<FileLock>(new Lock(this, path));
}

void FakeFilesystem::SetFile(const std::string& path, std::string contents) {
  std::lock_guard<std::mutex> lock(mu_);
  errors_.erase(path);
  files_[path] = std::move(contents);
  mtimes_[path] = StampLocked();
}

void FakeFilesystem::RemoveFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  files_.erase(path);
  mtimes_.erase(path);
}

void FakeFilesystem::SetWriteError(const std::string& path, Status status) {
  std::lock_guard<std::mutex> lock(mu_);
  write_errors_[path] = std::move(status);
}

void FakeFilesystem::SetModificationTime(const std::string& path, WallTime t) {
  std::lock_guard<std::mutex> lock(mu_);
  mtimes_[path] = t;
}

int FakeFilesystem::write_count(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = writes_.find(path);
  return it == writes_.end() ? 0 : it->second;
}

int FakeFilesystem::lock_count(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = locks_.find(path);
  return it == locks_.end() ? 0 : it->second;
}

std::optional<int> FakeFilesystem::file_mode(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = modes_.find(path);
  if (it == modes_.end()) return std::nullopt;
  return it->second;
}

bool FakeFilesystem::locked(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = held_.find(path);
  return it != held_.end() && it->second;
}

bool FakeFilesystem::Exists(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  return files_.count(path) != 0;
}

std::string FakeFilesystem::Contents(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  return it == files_.end() ? std::string() : it->second;
}

void FakeFilesystem::SetError(const std::string& path, Status status) {
  std::lock_guard<std::mutex> lock(mu_);
  errors_[path] = std::move(status);
}

int FakeFilesystem::read_count(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = reads_.find(path);
  return it == reads_.end() ? 0 : it->second;
}

FakeClock::FakeClock()
    : wall_(ParseRfc3339("2024-05-01T12:00:00Z").value()),
      mono_(MonoTime(std::chrono::hours(1000))) {}

WallTime FakeClock::Now() const {
  std::lock_guard<std::mutex> lock(mu_);
  return wall_;
}

MonoTime FakeClock::MonotonicNow() const {
  std::lock_guard<std::mutex> lock(mu_);
  return mono_;
}

void FakeClock::SleepFor(Duration d) const {
  std::lock_guard<std::mutex> lock(mu_);
  sleeps_.push_back(d);
  if (d > Duration::zero()) {
    wall_ += std::chrono::duration_cast<WallTime::duration>(d);
    mono_ += d;
  }
}

void FakeClock::Advance(Duration d) {
  std::lock_guard<std::mutex> lock(mu_);
  wall_ += std::chrono::duration_cast<WallTime::duration>(d);
  mono_ += d;
}

void FakeClock::SetNow(WallTime t) {
  std::lock_guard<std::mutex> lock(mu_);
  wall_ = t;
}

std::vector<Duration> FakeClock::sleeps() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sleeps_;
}

StatusOr<HttpResponse> FakeHttpClient::Send(const HttpRequest& request) {
  std::function<StatusOr<HttpResponse>(const HttpRequest&)> fn;
  {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(request);
    if (replies_.empty()) {
      return UnavailableError("fake: no reply scripted for " + request.method + " " +
                              request.endpoint + request.path);
    }
    fn = std::move(replies_.front());
    replies_.pop_front();
  }
  return fn(request);
}

void FakeHttpClient::Reply(int status, std::string body, HttpHeaders headers) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  response.headers = std::move(headers);
  ReplyWith([response](const HttpRequest&) { return StatusOr<HttpResponse>(response); });
}

void FakeHttpClient::Fail(Status status) {
  ReplyWith([status](const HttpRequest&) { return StatusOr<HttpResponse>(status); });
}

void FakeHttpClient::ReplyWith(std::function<StatusOr<HttpResponse>(const HttpRequest&)> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  replies_.push_back(std::move(fn));
}

std::vector<HttpRequest> FakeHttpClient::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

size_t FakeHttpClient::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return replies_.size();
}

StatusOr<ProcessResult> FakeProcessRunner::Run(const std::vector<std::string>& argv,
                                               const ProcessLimits& limits) {
  std::lock_guard<std::mutex> lock(mu_);
  calls_.push_back(argv);
  last_limits_ = limits;
  return result_;
}

std::vector<std::vector<std::string>> FakeProcessRunner::calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return calls_;
}

ProcessLimits FakeProcessRunner::last_limits() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_limits_;
}

std::optional<std::string> FakeProfileSettings::Get(std::string_view key) const {
  auto it = values_.find(key);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string FakeProfileSettings::Where(std::string_view key) const {
  return values_.count(key) ? "fake-config:" + std::string(key) : "";
}

StatusOr<HttpResponse> RewordingHttpClient::Send(const HttpRequest& request) {
  StatusOr<HttpResponse> response = next_->Send(request);
  if (response.ok()) return response;
  return Status(response.status().code(), "xyz");
}

ProviderContext WireContext(const Environment* env, const Filesystem* fs, const Clock* clock,
                            HttpClient* http, ProcessRunner* process, TraceSink* trace) {
  ProviderContext ctx;
  ctx.env = env;
  ctx.fs = fs;
  ctx.clock = clock;
  ctx.http = http;
  ctx.process = process;
  ctx.trace = trace;
  return ctx;
}

ProviderContext FakeWorld::context() {
  ProviderContext ctx = WireContext(&env, &fs, &clock, &http, &process, &trace);
  ctx.settings = &settings;
  return ctx;
}

std::string TraceToText(const std::vector<TraceEvent>& events) {
  std::string out;
  for (const TraceEvent& e : events) {
    out += e.provider + " " + e.step + " " + e.message + " " + e.method + " " + e.endpoint +
           e.path + " " + std::to_string(e.status) + "\n";
  }
  return out;
}

std::string FakeWorld::TraceText() const { return TraceToText(trace.events()); }

}  // namespace testing
}  // namespace chantless
