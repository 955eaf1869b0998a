// TraceSink: structured events explaining every decision the resolver makes.
//
// Events never hold a secret: no key, token, header value or process output. Providers emit
// botocore-style lines (`Looking for credentials via: env`) as kInfo events with `message` set,
// requests as kRequest events, cache files read or written as kCache events, and static-stability
// or hop-limit findings as kWarning events.
#ifndef CHANTLESS_RESOLVER_CORE_TRACE_H_
#define CHANTLESS_RESOLVER_CORE_TRACE_H_

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

namespace chantless {

struct TraceEvent {
  enum class Kind { kInfo, kWarning, kRequest, kDecision, kCache };
  Kind kind = Kind::kInfo;
  std::string provider;  // "env", "iam-role", "container-role", … ("" for the chain itself)
  std::string step;      // "token", "role", "credentials", "read-file", …
  std::string message;   // human readable, botocore's wording where it has one
  // kRequest only:
  std::string method;
  std::string endpoint;
  std::string path;  // kCache: the cache file
  int status = 0;    // 0: no response (the message says why)
  std::chrono::microseconds elapsed{0};
  // kRequest: the API action on endpoints that serve several ("AssumeRole", "GetRoleCredentials",
  // "CreateToken"); empty otherwise.
  std::string action;
  // kCache only: which cache ("aws-cli": ~/.aws/cli/cache, "sso-token": ~/.aws/sso/cache), `step`
  // "read" or "write", and what happened: "hit", "miss", "expired", "bad" (unreadable, ignored),
  // "written" or "not written".
  std::string cache;
  std::string result;
};

// Whether a kCache event reports a problem (a bad entry ignored, a write that failed): shown as a
// warning.
bool IsCacheProblem(const TraceEvent& event);

// Implementations must be thread-safe.
class TraceSink {
 public:
  virtual ~TraceSink() = default;
  virtual void Record(const TraceEvent& event) = 0;
};

// Discards everything.
class NullTraceSink : public TraceSink {
 public:
  void Record(const TraceEvent&) override {}
};

// Keeps every event, in order (thread-safe). Used by the CLI's --debug/--explain and by tests.
class CollectingTraceSink : public TraceSink {
 public:
  void Record(const TraceEvent& event) override;
  std::vector<TraceEvent> events() const;
  void Clear();

 private:
  mutable std::mutex mu_;
  std::vector<TraceEvent> events_;
};

// Convenience emitters.
void TraceInfo(TraceSink* sink, std::string provider, std::string message);
void TraceWarning(TraceSink* sink, std::string provider, std::string message);
// A kCache event; `message` is the human-readable line (--debug prints it).
void TraceCache(TraceSink* sink, std::string provider, std::string cache, std::string step,
                std::string path, std::string result, std::string message);

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_CORE_TRACE_H_
