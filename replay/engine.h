// The replay engine: the matching, IMDSv2 token, time-rebasing and bookkeeping logic shared by both
// replay front ends, the in-process transport (replay/transport.h) and the server
// (replay/server.h). It decides what to answer; the front ends enact it (including faults).
//
// Rules (docs/transcript-format.md, "Matching policy" and "imds_tokens"):
// - exchanges are grouped by family; strict recorded order within a family, none across families;
// - a request matches on host (when the exchange names one; see HostMatches), method, path, query,
//   listed headers (names case-insensitive, values exact, "{{present}}"/"{{absent}}";
//   X-Amz-Date, a SigV4 Authorization, amz-sdk-invocation-id and amz-sdk-request are never
//   compared), body
//   when recorded (form-encoded and JSON bodies as parsed maps: key order and '+'/"%20" do not
//   matter; see BodiesMatch), and fewer than repeat.max earlier matches;
// - token PUTs ("mint"): X-Forwarded-For → 403; TTL header missing/not an integer/0/>21600 → 400;
//   else a fresh token valid for TTL seconds on the replay clock. "require": missing, unknown or
//   expired token → 401; "accept": a token sent must be valid. Refusals do not consume the
//   exchange;
// - "sigv4": "verify" exchanges: the request's SigV4 signature is recomputed with the transcript's
//   sigv4_keys (replay/sigv4_verify.h); a wrong one is refused with STS's 403 ErrorResponse and
//   fails the verdict, without consuming the exchange;
// - recorded times in rebase.json_fields (JSON members, or XML elements of an XML body) are
//   shifted by anchor - recorded_at + shifts;
// - the verdict passes when every exchange reached its required count and nothing was unexpected.
// No header value (tokens, Authorization) ever appears in an outcome reason, a miss or a verdict.
#ifndef CHANTLESS_REPLAY_ENGINE_H_
#define CHANTLESS_REPLAY_ENGINE_H_

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "replay/transcript.h"
#include "resolver/core/clock.h"
#include "resolver/http/http_client.h"

namespace chantless {
namespace replay {

struct ReplayRequest {
  // The host the client addressed ("sts.us-east-1.amazonaws.com", "127.0.0.1:8080"): the
  // in-process transport takes it from the request's endpoint, the server from the Host header
  // (or the TLS SNI name). Empty: unknown, matches every exchange's host.
  std::string host;
  std::string method = "GET";
  std::string target = "/";  // path plus optional "?query", as on the request line
  HttpHeaders headers;
  std::string body;
};

// A request that matched nothing, with the nearest recorded exchange and what differs from it.
struct Miss {
  std::string host;  // as the front end knew it; empty when unknown
  std::string method;
  std::string target;
  std::string nearest_id;         // empty when the transcript has no exchange at all
  std::vector<std::string> diff;  // "path: recorded \"/a\", got \"/b\"", never a header value
};

enum class OutcomeKind {
  kServed,         // an exchange matched: send `response` (enacting `fault` if set)
  kTokenRejected,  // the IMDS token rules refused it: send `response` (400/401/403)
  kUnmatched,      // nothing matched: `miss` explains; `response` is a 404 diagnostic
  // A "sigv4": "verify" exchange matched but the signature did not verify: `response` is STS's
  // 403 ErrorResponse XML, `reason` the first difference. The exchange is not consumed.
  kSignatureRejected,
};

// "served", "token_rejected", "unmatched", "signature_rejected".
std::string_view OutcomeKindName(OutcomeKind kind);

struct Outcome {
  OutcomeKind kind = OutcomeKind::kUnmatched;
  std::string exchange_id;  // served / token_rejected
  // Served: the recorded response, rebased, with a minted token where asked. A reset or
  // close_without_response fault has no response (status 0).
  HttpResponse response;
  std::optional<Fault> fault;
  // token_rejected / signature_rejected: why ("token TTL header missing"); unmatched: summary
  std::string reason;
  Miss miss;  // unmatched only
};

struct Verdict {
  struct Unconsumed {
    std::string id;
    int consumed = 0;
    int required = 0;
  };
  struct SignatureRejection {
    std::string id;      // the exchange
    std::string reason;  // the first difference (never a secret)
  };
  bool ok = true;
  int requests = 0;
  int token_rejections = 0;
  std::vector<Unconsumed> unconsumed;
  std::vector<Miss> unexpected;
  std::vector<SignatureRejection> signature_rejections;  // each fails the verdict

  // Multi-line, for people: "verdict: FAIL (3 requests)\n  unconsumed: credentials (0 of 1)\n…".
  std::string ToText() const;
  // {"ok":…,"requests":…,"token_rejections":…,"unconsumed":[…],"unexpected":[{"method","target",
  //  "nearest","diff",("host" when known)}],
  //  "signature_rejections":[{"id","reason"}]} (one line).
  std::string ToJson() const;
};

struct EngineOptions {
  // The replay clock: token TTLs, and the rebase anchor unless `now` is set. Not owned; must
  // outlive the engine. nullptr means a SystemClock owned by the engine.
  const Clock* clock = nullptr;
  // Pins the rebase anchor (a test's or `serve --now`'s instant) instead of clock->Now().
  std::optional<WallTime> now;
  // Added to the transcript's rebase.shift_seconds.
  std::chrono::seconds shift{0};
};

// EngineOptions on `clock`, anchored at its Now(), no shift.
inline EngineOptions OnClock(const Clock* clock) {
  EngineOptions options;
  options.clock = clock;
  return options;
}

// Owns its transcript. Thread-safe: Handle() and GetVerdict() may be called from any thread.
class Engine {
 public:
  Engine(Transcript transcript, EngineOptions options = {});
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  Outcome Handle(const ReplayRequest& request);
  Verdict GetVerdict() const;

  const Transcript& transcript() const { return transcript_; }
  // The rebase offset in use (anchor - recorded_at + shifts).
  std::chrono::seconds rebase_offset() const { return offset_; }

 private:
  struct Family {
    std::string name;
    std::vector<size_t> exchanges;  // indices into transcript_.exchanges, recorded order
    size_t cursor = 0;              // position in `exchanges`
  };

  std::optional<size_t> FindMatch(const ReplayRequest& request, const std::string& path,
                                  const std::string& query) const;
  Miss Explain(const ReplayRequest& request, const std::string& path,
               const std::string& query) const;
  std::string MintToken(int ttl_seconds);
  bool TokenValid(const std::string& token) const;

  const Transcript transcript_;
  SystemClock system_clock_;
  const Clock* clock_;
  std::chrono::seconds offset_{0};
  std::vector<std::string> rebased_bodies_;  // per exchange (empty when no response)

  mutable std::mutex mu_;
  std::vector<Family> families_;
  std::vector<int> consumed_;               // per exchange
  std::map<std::string, WallTime> tokens_;  // minted token -> expiry
  int next_token_ = 1;
  int requests_ = 0;
  int token_rejections_ = 0;
  std::vector<Miss> unexpected_;
  std::vector<Verdict::SignatureRejection> signature_rejections_;
};

// Whether a request sent to `request_host` may match an exchange recorded for `recorded_host`:
// an empty recorded or request host matches anything, as does a request host that is a loopback
// address (127.0.0.1, ::1, localhost: a client pointed at the replay by address names no host);
// otherwise the host names compare case-insensitively and the ports only when both name one.
bool HostMatches(std::string_view recorded_host, std::string_view request_host);

// Whether a received body matches the recorded one. With a form Content-Type
// (application/x-www-form-urlencoded) both are decoded into sorted name/value pairs ('+' and
// "%20" alike); with a JSON one (application/json, application/x-amz-json-1.1, …) both are parsed
// and compared as values (member order ignored). Anything else, or a body that does not parse,
// compares byte for byte. On a mismatch `why` (when given) says what differs, naming form fields
// or JSON members but never their values.
bool BodiesMatch(std::string_view content_type, const std::string& recorded,
                 const std::string& received, std::string* why = nullptr);

// Decodes an application/x-www-form-urlencoded body into name/value pairs in order ('+' is a
// space, %XX a byte; a malformed escape is kept as written).
std::vector<std::pair<std::string, std::string>> ParseFormBody(std::string_view body);

// The same for XML bodies (STS's): the text of every element named in `fields` (`<Expiration>…
// </Expiration>`, no attributes) that is an RFC 3339 time. Bodies that do not start with '<' come
// back unchanged.
std::string RebaseXmlTimes(const std::string& body, const std::vector<std::string>& fields,
                           std::chrono::seconds offset);

// Splits "/a/b?x=1" into {"/a/b", "x=1"}.
std::pair<std::string, std::string> SplitTarget(const std::string& target);

// Rewrites, in place in `body`, every RFC 3339 string value of a member named in `fields` (at any
// depth of a JSON document) to FormatRfc3339(value + offset). Non-JSON bodies come back unchanged.
std::string RebaseJsonTimes(const std::string& body, const std::vector<std::string>& fields,
                            std::chrono::seconds offset);

// The same for members whose values are integers of epoch milliseconds (SSO's `expiration`).
std::string RebaseJsonEpochMs(const std::string& body, const std::vector<std::string>& fields,
                              std::chrono::seconds offset);

// All of them, as `policy` lists them: json_fields in JSON and XML bodies, json_epoch_ms_fields,
// xml_elements.
std::string RebaseTimes(const std::string& body, const RebasePolicy& policy,
                        std::chrono::seconds offset);

}  // namespace replay
}  // namespace chantless

#endif  // CHANTLESS_REPLAY_ENGINE_H_
