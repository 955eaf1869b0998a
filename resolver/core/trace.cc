// Trace sinks.
#include "resolver/core/trace.h"

namespace chantless {

void CollectingTraceSink::Record(const TraceEvent& event) {
  std::lock_guard<std::mutex> lock(mu_);
  events_.push_back(event);
}

std::vector<TraceEvent> CollectingTraceSink::events() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_;
}

void CollectingTraceSink::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  events_.clear();
}

void TraceInfo(TraceSink* sink, std::string provider, std::string message) {
  if (sink == nullptr) return;
  TraceEvent e;
  e.kind = TraceEvent::Kind::kInfo;
  e.provider = std::move(provider);
  e.message = std::move(message);
  sink->Record(e);
}

void TraceWarning(TraceSink* sink, std::string provider, std::string message) {
  if (sink == nullptr) return;
  TraceEvent e;
  e.kind = TraceEvent::Kind::kWarning;
  e.provider = std::move(provider);
  e.message = std::move(message);
  sink->Record(e);
}

bool IsCacheProblem(const TraceEvent& event) {
  return event.kind == TraceEvent::Kind::kCache &&
         (event.result == "bad" || event.result == "not written");
}

void TraceCache(TraceSink* sink, std::string provider, std::string cache, std::string step,
                std::string path, std::string result, std::string message) {
  if (sink == nullptr) return;
  TraceEvent e;
  e.kind = TraceEvent::Kind::kCache;
  e.provider = std::move(provider);
  e.step = std::move(step);
  e.path = std::move(path);
  e.cache = std::move(cache);
  e.result = std::move(result);
  e.message = std::move(message);
  sink->Record(e);
}

}  // namespace chantless
