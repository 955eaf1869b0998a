// SystemWorld: the real seams bundled for an embedder and for the `chantless` commands.
//
// Owns one of each System… seam — SystemEnvironment, SystemFilesystem, SystemClock,
// PosixProcessRunner, DefaultHttpClient (http:// and https:// on PosixHttpClient, OpenSSL for
// TLS) — a trace sink that keeps every event (and hands each, as
// it happens, to a sink of the caller's: the CLI's --debug printer), and the ProfileConfig of the
// selected profile, and hands out a ProviderContext over them. An embedder depends on
// //resolver/system:system_world (never on cli/) and builds its chain from context().
#ifndef CHANTLESS_RESOLVER_SYSTEM_SYSTEM_WORLD_H_
#define CHANTLESS_RESOLVER_SYSTEM_SYSTEM_WORLD_H_

#include <memory>
#include <optional>
#include <string>

#include "resolver/core/clock.h"
#include "resolver/core/environment.h"
#include "resolver/core/filesystem.h"
#include "resolver/core/provider.h"
#include "resolver/core/status.h"
#include "resolver/core/trace.h"
#include "resolver/http/http_client.h"
#include "resolver/process/process_runner_posix.h"
#include "resolver/profile/profile_config.h"

namespace chantless {

// Keeps every event and hands each, as it happens, to `forward` (may be null, not owned: it must
// outlive the sink). Thread-safe when `forward` is.
class TeeTraceSink : public TraceSink {
 public:
  explicit TeeTraceSink(TraceSink* forward = nullptr) : forward_(forward) {}
  void Record(const TraceEvent& event) override;
  const CollectingTraceSink& collected() const { return collected_; }

 private:
  TraceSink* const forward_;
  CollectingTraceSink collected_;
};

// Not copyable or movable (the context points into it). Used by one caller at a time; the seams
// themselves are thread-safe, so providers built from context() may run on any thread.
class SystemWorld {
 public:
  // `profile_override` is `--profile` (wins over AWS_PROFILE); `trace_forward` (may be null, not
  // owned, must outlive the world) also receives every trace event as it happens. The profile
  // config is loaded here; a load failure (unreadable or malformed file, explicit profile missing)
  // is kept in profile_status() and leaves context().settings null — the profile provider reports
  // the same error if the chain reaches it.
  explicit SystemWorld(std::optional<std::string> profile_override,
                       TraceSink* trace_forward = nullptr);
  SystemWorld(const SystemWorld&) = delete;
  SystemWorld& operator=(const SystemWorld&) = delete;
  ~SystemWorld();

  ProviderContext context();
  const Status& profile_status() const { return profile_status_; }
  const ProfileConfig* profile_config() const { return profile_config_.get(); }
  // Every event recorded so far by providers built from context().
  const CollectingTraceSink& trace() const { return trace_.collected(); }
  const Environment& env() const { return env_; }
  const Clock& clock() const { return clock_; }

 private:
  std::optional<std::string> profile_override_;
  SystemEnvironment env_;
  SystemFilesystem fs_;
  SystemClock clock_;
  PosixProcessRunner process_;
  std::unique_ptr<HttpClient> http_;
  TeeTraceSink trace_;
  Status profile_status_;
  std::unique_ptr<ProfileConfig> profile_config_;
};

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_SYSTEM_SYSTEM_WORLD_H_
