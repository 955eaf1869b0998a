// The `--debug` log: trace events as botocore-style debug lines on stderr.
//
// chantless --debug prints each trace event as it happens, shaped like botocore's debug log
// ("… - MainThread - chantless.env - DEBUG - …"), so a chantless trace and a botocore trace read
// alike. The logger name is "chantless." followed by the provider's Name().
#ifndef CHANTLESS_CLI_DEBUG_LOG_H_
#define CHANTLESS_CLI_DEBUG_LOG_H_

#include <cstdio>
#include <mutex>
#include <string>

#include "resolver/core/clock.h"
#include "resolver/core/trace.h"

namespace chantless {
namespace cli {

// One trace event as a botocore-style debug line (no trailing newline), e.g.
// "2024-05-01 12:00:00,123 - MainThread - chantless.env - DEBUG - Looking for credentials via:
// env". Requests: "GET http://127.0.0.1:8080/latest/api/token -> 200 (3 ms)". No secret: events
// hold none.
std::string FormatDebugLine(const TraceEvent& event, WallTime now);

// Writes each event as a FormatDebugLine to `out` (not owned) as it happens. Thread-safe.
class DebugLogSink : public TraceSink {
 public:
  explicit DebugLogSink(FILE* out) : out_(out) {}
  void Record(const TraceEvent& event) override;

 private:
  std::mutex mu_;
  FILE* const out_;
};

}  // namespace cli
}  // namespace chantless

#endif  // CHANTLESS_CLI_DEBUG_LOG_H_
