// SystemWorld and the CLI's trace sink (see the header).
#include "resolver/system/system_world.h"

#include <time.h>

#include <chrono>
#include <cinttypes>

#include "resolver/http_client_httplib.h"

namespace chantless {
namespace cli {

std::string FormatDebugLine(const TraceEvent& event, WallTime now) {
  const auto since_epoch = now.time_since_epoch();
  const auto secs = std::chrono::floor<std::chrono::seconds>(since_epoch);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - secs);
  time_t t = static_cast<time_t>(secs.count());
  struct tm tm_utc;
  gmtime_r(&t, &tm_utc);
  char stamp[64];
  std::snprintf(stamp, sizeof(stamp), "%04d-%02d-%02d %02d:%02d:%02d,%03d",
                tm_utc.tm_year + 1900, tm_utc.tm_mon + 1, tm_utc.tm_mday, tm_utc.tm_hour,
                tm_utc.tm_min, tm_utc.tm_sec, static_cast<int>(ms.count()));
  const char* level = event.kind == TraceEvent::Kind::kWarning ? "WARNING" : "DEBUG";
  std::string logger = "chantless." + (event.provider.empty() ? std::string("chain")
                                                              : event.provider);
  std::string message;
  if (event.kind == TraceEvent::Kind::kRequest) {
    message = event.method + " " + event.endpoint + event.path + " -> ";
    message += event.status != 0 ? std::to_string(event.status) : std::string("no response");
    message += " (" + std::to_string(event.elapsed.count() / 1000) + " ms)";
    if (!event.message.empty()) message += ": " + event.message;
  } else {
    message = event.message;
    if (!event.step.empty() && event.kind == TraceEvent::Kind::kDecision) {
      message = event.step + ": " + message;
    }
  }
  return std::string(stamp) + " - MainThread - " + logger + " - " + level + " - " + message;
}

void CliTraceSink::Record(const TraceEvent& event) {
  collected_.Record(event);
  std::lock_guard<std::mutex> lock(mu_);
  if (out_ != nullptr) {
    std::string line = FormatDebugLine(event, std::chrono::system_clock::now()) + "\n";
    std::fwrite(line.data(), 1, line.size(), out_);
    std::fflush(out_);
  }
}

void CliTraceSink::set_output(FILE* out) {
  std::lock_guard<std::mutex> lock(mu_);
  out_ = out;
}

SystemWorld::SystemWorld(std::optional<std::string> profile_override, FILE* debug_out)
    : profile_override_(std::move(profile_override)),
      http_(std::make_unique<HttplibHttpClient>()),
      trace_(debug_out) {
  StatusOr<std::unique_ptr<ProfileConfig>> config =
      LoadProfileConfig(env_, fs_, profile_override_, &trace_);
  if (config.ok()) {
    profile_config_ = std::move(config).value();
  } else {
    profile_status_ = config.status();
  }
}

SystemWorld::~SystemWorld() = default;

ProviderContext SystemWorld::context() {
  ProviderContext ctx;
  ctx.env = &env_;
  ctx.fs = &fs_;
  ctx.clock = &clock_;
  ctx.http = http_.get();
  ctx.process = &process_;
  ctx.trace = &trace_;
  ctx.settings = profile_config_.get();
  ctx.profile_override = profile_override_;
  return ctx;
}

}  // namespace cli
}  // namespace chantless
