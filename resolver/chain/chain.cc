// Chain: the continue/stop rule, the "no credentials" message and the explanation record.
#include "resolver/chain/chain.h"

#include <utility>

#include "nlohmann/json.hpp"

namespace chantless {
namespace {

constexpr char kLookingPrefix[] = "Looking for credentials via: ";

std::chrono::microseconds Since(const Clock* clock, MonoTime start) {
  if (clock == nullptr) return std::chrono::microseconds(0);
  return std::chrono::duration_cast<std::chrono::microseconds>(clock->MonotonicNow() - start);
}

}  // namespace

const char* OutcomeName(ProviderAttempt::Outcome outcome) {
  switch (outcome) {
    case ProviderAttempt::kResolved:
      return "resolved";
    case ProviderAttempt::kSkipped:
      return "skipped";
    case ProviderAttempt::kFailed:
      return "failed";
  }
  return "unknown";
}

std::string ChainExplanation::ToJson() const {
  using json = nlohmann::ordered_json;
  json out = json::object();
  std::string result = "no credentials";
  std::string provider;
  if (!attempts.empty() && attempts.back().outcome == ProviderAttempt::kResolved) {
    result = "resolved";
    provider = attempts.back().method.empty() ? attempts.back().name : attempts.back().method;
  } else if (!attempts.empty() && attempts.back().outcome == ProviderAttempt::kFailed) {
    result = "failed";
  }
  out["result"] = result;
  out["provider"] = provider.empty() ? json(nullptr) : json(provider);
  json list = json::array();
  for (const ProviderAttempt& a : attempts) {
    json item = json::object();
    item["provider"] = a.name;
    item["outcome"] = OutcomeName(a.outcome);
    if (a.outcome == ProviderAttempt::kResolved) {
      item["method"] = a.method;
    } else {
      item["code"] = std::string(StatusCodeName(a.status.code()));
      item["message"] = a.status.message();
    }
    item["elapsed_us"] = static_cast<int64_t>(a.elapsed.count());
    item["requests"] = a.requests;
    json log = json::array();
    for (const TraceEvent& r : a.request_log) {
      json entry = json::object();
      entry["method"] = r.method;
      entry["endpoint"] = r.endpoint;
      entry["path"] = r.path;
      if (!r.action.empty()) entry["action"] = r.action;
      entry["status"] = r.status;
      entry["elapsed_us"] = static_cast<int64_t>(r.elapsed.count());
      if (r.status == 0 && !r.message.empty()) entry["error"] = r.message;
      log.push_back(std::move(entry));
    }
    item["request_log"] = std::move(log);
    json cache = json::array();
    for (const TraceEvent& c : a.cache_log) {
      cache.push_back(
          json{{"cache", c.cache}, {"operation", c.step}, {"path", c.path}, {"result", c.result}});
    }
    item["cache_log"] = std::move(cache);
    list.push_back(std::move(item));
  }
  out["attempts"] = std::move(list);
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Whether a provider's message already starts with the link's name ("container-role: GET …"), so
// the chain does not say it twice.
static bool AlreadyNamed(const std::string& link, const Status& status) {
  const std::string& m = status.message();
  return m.size() > link.size() + 1 && m.compare(0, link.size(), link) == 0 &&
         m[link.size()] == ':';
}

void RequestCountingTraceSink::Record(const TraceEvent& event) {
  if (event.kind == TraceEvent::Kind::kRequest) {
    std::lock_guard<std::mutex> lock(mu_);
    requests_log_.push_back(event);
    requests_.fetch_add(1);
  }
  if (event.kind == TraceEvent::Kind::kCache) {
    std::lock_guard<std::mutex> lock(mu_);
    cache_log_.push_back(event);
  }
  if (event.kind == TraceEvent::Kind::kInfo && !event.provider.empty()) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!looking_line_.empty() && event.message == looking_line_) return;
  }
  if (next_ != nullptr) next_->Record(event);
}

std::vector<TraceEvent> RequestCountingTraceSink::RequestsSince(int from) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (from < 0 || static_cast<size_t>(from) >= requests_log_.size()) return {};
  return std::vector<TraceEvent>(requests_log_.begin() + from, requests_log_.end());
}

int RequestCountingTraceSink::cache_events() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(cache_log_.size());
}

std::vector<TraceEvent> RequestCountingTraceSink::CacheEventsSince(int from) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (from < 0 || static_cast<size_t>(from) >= cache_log_.size()) return {};
  return std::vector<TraceEvent>(cache_log_.begin() + from, cache_log_.end());
}

void RequestCountingTraceSink::BeginAttempt(const std::string& looking_line) {
  std::lock_guard<std::mutex> lock(mu_);
  looking_line_ = looking_line;
}

Chain::Chain(std::vector<ChainLink> links, const ProviderContext& ctx)
    : links_(std::move(links)), ctx_(ctx) {
  counter_ = dynamic_cast<RequestCountingTraceSink*>(ctx.trace);
}

std::unique_ptr<Chain> Chain::Create(
    const ProviderContext& ctx,
    const std::function<std::vector<ChainLink>(const ProviderContext&)>& make_links) {
  auto sink = std::make_unique<RequestCountingTraceSink>(ctx.trace);
  std::unique_ptr<ResolutionPass> pass;
  ProviderContext inner = ctx;
  inner.trace = sink.get();
  if (inner.pass == nullptr) {
    pass = std::make_unique<ResolutionPass>();
    inner.pass = pass.get();
  }
  auto chain = std::make_unique<Chain>(make_links(inner), inner);
  chain->owned_sink_ = std::move(sink);
  chain->owned_pass_ = std::move(pass);
  return chain;
}

std::vector<std::string> Chain::LinkNames() const {
  std::vector<std::string> names;
  for (const ChainLink& link : links_) names.push_back(link.name);
  return names;
}

void Chain::TraceOutcome(const std::string& link, const StatusOr<Credentials>& result) {
  TraceSink* sink = counter_ != nullptr ? counter_ : ctx_.trace;
  if (sink == nullptr) return;
  TraceEvent event;
  event.kind = TraceEvent::Kind::kDecision;
  event.provider = link;
  if (result.ok()) {
    event.step = "resolved";
    event.message = "credentials from " + (result->provider.empty() ? link : result->provider);
  } else {
    event.step = IsNotConfigured(result.status()) ? "skipped" : "failed";
    event.message = result.status().ToString();
  }
  sink->Record(event);
}

namespace {

// Opens ctx.pass for one Resolve and closes it after, unless a pass is already open (a chain
// inside another chain's pass resolves within it).
class PassScope {
 public:
  explicit PassScope(ResolutionPass* pass)
      : pass_(pass != nullptr && !pass->is_open() ? pass : nullptr) {
    if (pass_ != nullptr) pass_->Open();
  }
  ~PassScope() {
    if (pass_ != nullptr) pass_->Close();
  }
  PassScope(const PassScope&) = delete;
  PassScope& operator=(const PassScope&) = delete;

 private:
  ResolutionPass* const pass_;
};

}  // namespace

StatusOr<Credentials> Chain::Resolve(ChainExplanation* explain) {
  if (explain != nullptr) explain->attempts.clear();
  PassScope pass(ctx_.pass);
  std::string why;
  for (ChainLink& link : links_) {
    const std::string looking = kLookingPrefix + link.name;
    TraceEvent event;
    event.kind = TraceEvent::Kind::kInfo;
    event.step = "chain";
    event.message = looking;
    if (counter_ != nullptr) {
      counter_->BeginAttempt("");
      counter_->Record(event);
      counter_->BeginAttempt(looking);
    } else if (ctx_.trace != nullptr) {
      ctx_.trace->Record(event);
    }

    ProviderAttempt attempt;
    attempt.name = link.name;
    const int requests_before = counter_ != nullptr ? counter_->requests() : 0;
    const int cache_before = counter_ != nullptr ? counter_->cache_events() : 0;
    const MonoTime start = ctx_.clock != nullptr ? ctx_.clock->MonotonicNow() : MonoTime();
    StatusOr<Credentials> result =
        link.provider != nullptr
            ? link.provider->Resolve()
            : StatusOr<Credentials>(InternalError("no provider in link " + link.name));
    attempt.elapsed = Since(ctx_.clock, start);
    attempt.requests = counter_ != nullptr ? counter_->requests() - requests_before : 0;
    if (counter_ != nullptr) {
      attempt.request_log = counter_->RequestsSince(requests_before);
      attempt.cache_log = counter_->CacheEventsSince(cache_before);
    }
    if (counter_ != nullptr) counter_->BeginAttempt("");
    TraceOutcome(link.name, result);

    if (result.ok()) {
      Credentials credentials = std::move(result).value();
      if (credentials.provider.empty()) credentials.provider = link.name;
      attempt.outcome = ProviderAttempt::kResolved;
      attempt.method = credentials.provider;
      if (explain != nullptr) explain->attempts.push_back(std::move(attempt));
      return credentials;
    }
    attempt.status = result.status();
    if (IsNotConfigured(result.status())) {
      attempt.outcome = ProviderAttempt::kSkipped;
      if (!why.empty()) why += "; ";
      why += AlreadyNamed(link.name, result.status())
                 ? result.status().message()
                 : link.name + ": " + result.status().message();
      if (explain != nullptr) explain->attempts.push_back(std::move(attempt));
      continue;
    }
    attempt.outcome = ProviderAttempt::kFailed;
    if (explain != nullptr) explain->attempts.push_back(std::move(attempt));
    return AlreadyNamed(link.name, result.status()) ? result.status()
                                                    : result.status().WithContext(link.name);
  }
  TraceInfo(ctx_.trace, "", "Unable to locate credentials");
  return NotConfiguredError("Unable to locate credentials: " +
                            (why.empty() ? std::string("no providers configured") : why));
}

}  // namespace chantless
