// SystemWorld: the real seams for the `chantless` commands (resolve, imds, region, record).
//
// Owns one of each System… seam — SystemEnvironment, SystemFilesystem, SystemClock,
// PosixProcessRunner, HttplibHttpClient — a trace sink that keeps every event (and, with --debug,
// prints it to stderr at once in botocore's log shape), and the ProfileConfig of the selected
// profile, and hands out a ProviderContext over them.
#ifndef CHANTLESS_RESOLVER_SYSTEM_SYSTEM_WORLD_H_
#define CHANTLESS_RESOLVER_SYSTEM_SYSTEM_WORLD_H_

#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "resolver/clock.h"
#include "resolver/environment.h"
#include "resolver/filesystem.h"
#include "resolver/http_client.h"
#include "resolver/process_runner_posix.h"
#include "resolver/profile_config.h"
#include "resolver/provider.h"
#include "resolver/status.h"
#include "resolver/trace.h"

namespace chantless {
namespace cli {

// One trace event as a botocore-style debug line (no trailing newline), e.g.
// "2024-05-01 12:00:00,123 - MainThread - chantless.env - DEBUG - Looking for credentials via: env".
// Requests: "GET http://127.0.0.1:8080/latest/api/token -> 200 (3 ms)". No secret: events hold none.
std::string FormatDebugLine(const TraceEvent& event, WallTime now);

// Collects every event; when `out` is non-null, also writes each as a FormatDebugLine to `out`
// as it happens. Thread-safe.
class CliTraceSink : public TraceSink {
 public:
  explicit CliTraceSink(FILE* out = nullptr) : out_(out) {}
  void Record(const TraceEvent& event) override;
  void set_output(FILE* out);
  const CollectingTraceSink& collected() const { return collected_; }

 private:
  std::mutex mu_;
  FILE* out_;  // guarded by mu_
  CollectingTraceSink collected_;
};

// Not copyable or movable (the context points into it). Used by one command at a time; the seams
// themselves are thread-safe.
class SystemWorld {
 public:
  // `profile_override` is `--profile`; `debug_out` (may be null) receives debug lines as they
  // happen. The profile config is loaded here; a load failure (unreadable or malformed file,
  // explicit profile missing) is kept in profile_status() and leaves context().settings null — the
  // profile provider reports the same error if the chain reaches it.
  SystemWorld(std::optional<std::string> profile_override, FILE* debug_out);
  SystemWorld(const SystemWorld&) = delete;
  SystemWorld& operator=(const SystemWorld&) = delete;
  ~SystemWorld();

  ProviderContext context();
  const Status& profile_status() const { return profile_status_; }
  const ProfileConfig* profile_config() const { return profile_config_.get(); }
  const CliTraceSink& trace() const { return trace_; }
  CliTraceSink& trace() { return trace_; }
  const Environment& env() const { return env_; }
  const Clock& clock() const { return clock_; }

 private:
  std::optional<std::string> profile_override_;
  SystemEnvironment env_;
  SystemFilesystem fs_;
  SystemClock clock_;
  PosixProcessRunner process_;
  std::unique_ptr<HttpClient> http_;
  CliTraceSink trace_;
  Status profile_status_;
  std::unique_ptr<ProfileConfig> profile_config_;
};

}  // namespace cli
}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_SYSTEM_SYSTEM_WORLD_H_
