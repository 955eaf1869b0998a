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

}  // namespace chantless
