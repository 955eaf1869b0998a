// The `--debug` log's line format and sink (see the header).
#include "cli/debug_log.h"

#include <time.h>

#include <chrono>

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
  std::snprintf(stamp, sizeof(stamp), "%04d-%02d-%02d %02d:%02d:%02d,%03d", tm_utc.tm_year + 1900,
                tm_utc.tm_mon + 1, tm_utc.tm_mday, tm_utc.tm_hour, tm_utc.tm_min, tm_utc.tm_sec,
                static_cast<int>(ms.count()));
  const char* level =
      event.kind == TraceEvent::Kind::kWarning || IsCacheProblem(event) ? "WARNING" : "DEBUG";
  std::string logger =
      "chantless." + (event.provider.empty() ? std::string("chain") : event.provider);
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

void DebugLogSink::Record(const TraceEvent& event) {
  std::string line = FormatDebugLine(event, std::chrono::system_clock::now()) + "\n";
  std::lock_guard<std::mutex> lock(mu_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace cli
}  // namespace chantless
