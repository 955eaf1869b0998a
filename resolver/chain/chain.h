// Chain: tries credential providers in order, and the one place the continue/stop rule lives.
//
// Rules:
// - Each link is tried in order. A provider answering kNotConfigured does not apply: the chain
//   records why and tries the next link. Any other error stops the chain: it is returned with its
//   code kept and its message prefixed by the link's name ("profile: /home/u/.aws/config:7 …").
// - The first provider that returns credentials wins; credentials without a provider name are
//   stamped with the link's name.
// - When no provider applies, the answer is kNotConfigured "Unable to locate credentials: env:
//   <why>; profile: <why>; …", listing every link in order.
// - Before each attempt the chain traces botocore's "Looking for credentials via: <name>" (a
//   provider that traces the same line itself within that attempt is not repeated), and after it a
//   kDecision event (provider = the link, step = "resolved" / "skipped" / "failed", message = the
//   status or the method that produced the credentials), so that --debug says why.
// - The explanation (ChainExplanation) records for every attempt the outcome, the status, the
//   time taken (ctx.clock's monotonic reading) and the number of HTTP requests, counted from the
//   kRequest trace events the provider emitted during the attempt. Counting needs the providers to
//   trace into a RequestCountingTraceSink: Chain::Create (and NewDefaultChain) arranges it; with
//   the plain constructor requests are counted only if ctx.trace is one.
// - Each Resolve is one pass (ResolutionPass, core/provider.h): the links that read the profile
//   files share one load of them within it. Chain::Create gives the links a pass when the context
//   has none; with the plain constructor the links share only the pass in ctx, if any.
// - Nothing secret is recorded: statuses carry no secrets by the providers' contract.
#ifndef CHANTLESS_RESOLVER_CHAIN_CHAIN_H_
#define CHANTLESS_RESOLVER_CHAIN_CHAIN_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "resolver/core/credentials.h"
#include "resolver/core/provider.h"
#include "resolver/core/status.h"
#include "resolver/core/trace.h"

namespace chantless {

// One link of a chain: a provider, named by its own Name() (botocore's method name: "env",
// "container-role", "iam-role", …), so the chain, its explanation, the trace and the --debug log
// (chantless.<name>) all use the name the provider gives itself.
struct ChainLink {
  explicit ChainLink(std::unique_ptr<CredentialsProvider> p)
      : name(p->Name()), provider(std::move(p)) {}

  std::string name;
  std::unique_ptr<CredentialsProvider> provider;
};

struct ProviderAttempt {
  enum Outcome { kResolved, kSkipped, kFailed };
  std::string name;
  Outcome outcome = kSkipped;
  Status status;  // OK when resolved; why it was skipped or failed otherwise
  std::chrono::microseconds elapsed{0};
  int requests = 0;
  std::string method;  // kResolved: Credentials::provider ("custom-process", …)
  // Each HTTP exchange the attempt made, in order (kRequest trace events: method, endpoint, path,
  // status, elapsed, message — never a header value or a body).
  std::vector<TraceEvent> request_log;
  // Each cache file the attempt read or wrote, in order (kCache trace events: cache, step, path,
  // result).
  std::vector<TraceEvent> cache_log;
};

// "resolved", "skipped", "failed".
const char* OutcomeName(ProviderAttempt::Outcome outcome);

struct ChainExplanation {
  std::vector<ProviderAttempt> attempts;
  // {"result":"resolved"|"no credentials"|"failed","provider":…,"attempts":[{"provider":"env",
  //  "outcome":"skipped","code":"not configured","message":"…","elapsed_us":12,"requests":0,
  //  "request_log":[{"method":"POST","endpoint":…,"path":…,"action":"AssumeRole","status":200,
  //  "elapsed_us":…}, …],"cache_log":[{"cache":"aws-cli","operation":"read","path":…,
  //  "result":"miss"}, …]}, …]} ("action" only where the endpoint has several).
  // One line, keys in that order; no secret (messages are statuses).
  std::string ToJson() const;
};

// Forwards every event to `next` (may be null), counts kRequest events and keeps kRequest and
// kCache events for the explanation. It also drops an exact
// repeat of the chain's "Looking for credentials via: X" line within one attempt. Thread-safe.
class RequestCountingTraceSink : public TraceSink {
 public:
  explicit RequestCountingTraceSink(TraceSink* next) : next_(next) {}
  void Record(const TraceEvent& event) override;
  int requests() const { return requests_.load(); }
  // The kRequest events recorded since index `from` (requests() before an attempt).
  std::vector<TraceEvent> RequestsSince(int from) const;
  int cache_events() const;
  // The kCache events recorded since index `from` (cache_events() before an attempt).
  std::vector<TraceEvent> CacheEventsSince(int from) const;

 private:
  friend class Chain;
  void BeginAttempt(const std::string& looking_line);

  TraceSink* const next_;
  std::atomic<int> requests_{0};
  mutable std::mutex mu_;
  std::string looking_line_;              // guarded by mu_
  std::vector<TraceEvent> requests_log_;  // guarded by mu_
  std::vector<TraceEvent> cache_log_;     // guarded by mu_
};

// Owns its links (and, when built by Create, the counting sink the links trace into). The context
// passed in must outlive the chain. Resolve() is not thread-safe (nor are most providers): put a
// CredentialsCache in front for concurrent use.
class Chain : public CredentialsProvider {
 public:
  Chain(std::vector<ChainLink> links, const ProviderContext& ctx);

  // Wraps ctx.trace in a RequestCountingTraceSink, calls make_links with a context tracing into
  // it, and returns a chain that owns the sink: every attempt's requests are counted.
  static std::unique_ptr<Chain> Create(
      const ProviderContext& ctx,
      const std::function<std::vector<ChainLink>(const ProviderContext&)>& make_links);

  std::string Name() const override { return "chain"; }
  StatusOr<Credentials> Resolve() override { return Resolve(nullptr); }

  // `explain` (may be null) is cleared and filled with one attempt per link tried.
  // Errors: kNotConfigured when no link applies (message lists every link and why); otherwise the
  // first non-kNotConfigured error, its code kept, prefixed with the link's name.
  StatusOr<Credentials> Resolve(ChainExplanation* explain);

  // The links' names, in order.
  std::vector<std::string> LinkNames() const;

 private:
  void TraceOutcome(const std::string& link, const StatusOr<Credentials>& result);

  std::unique_ptr<RequestCountingTraceSink> owned_sink_;
  std::unique_ptr<ResolutionPass> owned_pass_;  // Create's, when ctx.pass was null
  std::vector<ChainLink> links_;
  ProviderContext ctx_;
  RequestCountingTraceSink* counter_ = nullptr;
};

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_CHAIN_CHAIN_H_
