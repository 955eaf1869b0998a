// The replay engine (see engine.h for the rules it implements).
#include "replay/engine.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "nlohmann/json.hpp"
#include "replay/sigv4_verify.h"
#include "resolver/core/ascii.h"
#include "resolver/core/time_util.h"

namespace chantless {
namespace replay {
namespace {

using Json = nlohmann::ordered_json;

// Rebased times stay within 1970 ± 250 years, inside WallTime's nanosecond range.
constexpr int64_t kMaxEpochSeconds = int64_t{250} * 365 * 24 * 3600;

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s.substr(0, 200)) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (IsAsciiControl(c)) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", unsigned(uint8_t(c)));
      out += buf;
    } else {
      out += c;
    }
  }
  if (s.size() > 200) out += "…";
  return out + "\"";
}

// Headers that differ on every call (signing time, SigV4 signature, per-call SDK ids): a
// transcript may list them (a recorder writes what it saw) but they are never compared. Other
// Authorization values (a container endpoint's token) are compared as usual.
bool NeverCompared(std::string_view name, std::string_view recorded_value) {
  if (EqualsIgnoreCase(name, "Authorization")) {
    return StartsWithIgnoreCase(recorded_value, "AWS4-HMAC-SHA256");
  }
  return EqualsIgnoreCase(name, "X-Amz-Date") || EqualsIgnoreCase(name, "amz-sdk-invocation-id") ||
         EqualsIgnoreCase(name, "amz-sdk-request");
}

// "host:port" → {"host", "port"}; "[::1]:8" → {"::1", "8"}; lower-cased.
std::pair<std::string, std::string> SplitHostPort(std::string_view host) {
  std::string h = AsciiLower(host);
  if (!h.empty() && h[0] == '[') {
    size_t close = h.find(']');
    if (close == std::string::npos) return {h, ""};
    std::string port = close + 2 <= h.size() && h[close + 1] == ':' ? h.substr(close + 2) : "";
    return {h.substr(1, close - 1), port};
  }
  size_t colon = h.find(':');
  if (colon == std::string::npos || h.find(':', colon + 1) != std::string::npos) return {h, ""};
  return {h.substr(0, colon), h.substr(colon + 1)};
}

bool IsFormType(std::string_view content_type) {
  return StartsWithIgnoreCase(StripAsciiWhitespace(content_type),
                              "application/x-www-form-urlencoded");
}

bool IsJsonType(std::string_view content_type) {
  std::string_view t = StripAsciiWhitespace(content_type);
  t = t.substr(0, t.find(';'));
  t = StripAsciiWhitespace(t);
  return EqualsIgnoreCase(t, "application/json") ||
         StartsWithIgnoreCase(t, "application/x-amz-json") ||
         (t.size() > 5 && EqualsIgnoreCase(t.substr(t.size() - 5), "+json"));
}

// Whether `request` matches `e`. With `diff`, one line for each field that keeps it from matching
// (never a header value); without, the answer comes at the first difference and no line is built
// (FindMatch asks this of every candidate for every request).
bool Compare(const Exchange& e, const ReplayRequest& request, const std::string& path,
             const std::string& query, std::vector<std::string>* diff) {
  const RequestMatcher& m = e.request;
  if (diff == nullptr && (m.method != request.method || m.path != path)) return false;
  bool same = true;
  // Records a difference; true when the caller may stop (no lines wanted).
  auto differs = [&](auto line) {
    same = false;
    if (diff == nullptr) return true;
    diff->push_back(line());
    return false;
  };
  if (!HostMatches(e.host, request.host) &&
      differs([&] { return "host: recorded " + Quote(e.host) + ", got " + Quote(request.host); })) {
    return false;
  }
  if (m.method != request.method &&
      differs([&] { return "method: recorded " + m.method + ", got " + Quote(request.method); })) {
    return false;
  }
  if (m.path != path &&
      differs([&] { return "path: recorded " + Quote(m.path) + ", got " + Quote(path); })) {
    return false;
  }
  if (m.query != query) {
    // Parameters compare as decoded pairs in any order: SDKs order a query as they like (the JS
    // SDK sends account_id before role_name, botocore after).
    auto want = ParseFormBody(m.query);
    auto got = ParseFormBody(query);
    std::sort(want.begin(), want.end());
    std::sort(got.begin(), got.end());
    if (want != got &&
        differs([&] { return "query: recorded " + Quote(m.query) + ", got " + Quote(query); })) {
      return false;
    }
  }
  for (const auto& header : m.headers) {
    const std::string& name = header.first;  // named, not bound: the lambda below captures it
    const std::string& want = header.second;
    if (NeverCompared(name, want)) continue;
    std::optional<std::string> got = FindHeader(request.headers, name);
    const char* line = nullptr;
    if (want == kHeaderAbsent) {
      if (got) line = ": recorded absent, got one";
    } else if (!got) {
      line = ": recorded, got none";
    } else if (want != kHeaderPresent && *got != want) {
      line = ": value differs (values are not shown)";
    }
    if (line != nullptr && differs([&] { return "header " + name + line; })) return false;
  }
  if (m.body && *m.body != request.body) {
    // The type the client declared; else the one the transcript lists for the request.
    std::optional<std::string> type = FindHeader(request.headers, "Content-Type");
    if (!type) type = FindHeader(m.headers, "Content-Type");
    std::string why;
    if (!BodiesMatch(type.value_or(""), *m.body, request.body, &why) &&
        differs([&] { return "body: " + why; })) {
      return false;
    }
  }
  return same;
}

// One line per field that keeps `request` from matching `e` (never a header value).
std::vector<std::string> Diff(const Exchange& e, const ReplayRequest& request,
                              const std::string& path, const std::string& query) {
  std::vector<std::string> diff;
  Compare(e, request, path, query, &diff);
  return diff;
}

int DiffWeight(const std::string& line) {
  if (line.rfind("path:", 0) == 0) return 4;
  if (line.rfind("host:", 0) == 0) return 4;
  if (line.rfind("method:", 0) == 0) return 2;
  return 1;
}

void ReplaceAll(std::string* s, const std::string& from, const std::string& to) {
  size_t pos = 0;
  while ((pos = s->find(from, pos)) != std::string::npos) {
    s->replace(pos, from.size(), to);
    pos += to.size();
  }
}

HttpResponse TextResponse(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers = {{"Content-Type", "text/plain"}};
  r.body = std::move(body);
  return r;
}

Json MissJson(const Miss& m) {
  Json j = Json::object();
  j["method"] = m.method;
  j["target"] = m.target;
  j["nearest"] = m.nearest_id;
  j["diff"] = m.diff;
  if (!m.host.empty()) j["host"] = m.host;
  return j;
}

}  // namespace

std::string_view OutcomeKindName(OutcomeKind kind) {
  switch (kind) {
    case OutcomeKind::kServed:
      return "served";
    case OutcomeKind::kTokenRejected:
      return "token_rejected";
    case OutcomeKind::kUnmatched:
      return "unmatched";
    case OutcomeKind::kSignatureRejected:
      return "signature_rejected";
  }
  return "unmatched";
}

bool HostMatches(std::string_view recorded_host, std::string_view request_host) {
  if (recorded_host.empty() || request_host.empty()) return true;
  auto [want, want_port] = SplitHostPort(recorded_host);
  auto [got, got_port] = SplitHostPort(request_host);
  if (got == "localhost" || got == "::1" || got.rfind("127.", 0) == 0) return true;
  if (want != got) return false;
  return want_port.empty() || got_port.empty() || want_port == got_port;
}

std::vector<std::pair<std::string, std::string>> ParseFormBody(std::string_view body) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start <= body.size()) {
    size_t end = body.find('&', start);
    if (end == std::string_view::npos) end = body.size();
    std::string_view field = body.substr(start, end - start);
    if (!field.empty()) {
      size_t eq = field.find('=');
      if (eq == std::string_view::npos) {
        out.emplace_back(PercentDecode(field, /*plus_is_space=*/true), "");
      } else {
        out.emplace_back(PercentDecode(field.substr(0, eq), /*plus_is_space=*/true),
                         PercentDecode(field.substr(eq + 1), /*plus_is_space=*/true));
      }
    }
    start = end + 1;
  }
  return out;
}

bool BodiesMatch(std::string_view content_type, const std::string& recorded,
                 const std::string& received, std::string* why) {
  if (recorded == received) return true;
  auto say = [why](std::string text) {
    if (why) *why = std::move(text);
    return false;
  };
  const std::string sizes = "recorded " + std::to_string(recorded.size()) + " bytes, got " +
                            std::to_string(received.size());
  if (IsFormType(content_type)) {
    auto want = ParseFormBody(recorded);
    auto got = ParseFormBody(received);
    std::sort(want.begin(), want.end());
    std::sort(got.begin(), got.end());
    if (want == got) return true;
    // Name the first field that differs (never its value).
    std::set<std::string> names;
    for (const auto& [name, value] : want) names.insert(name);
    for (const auto& [name, value] : got) names.insert(name);
    std::vector<std::string> differing;
    for (const std::string& name : names) {
      std::vector<std::string> a, b;
      for (const auto& [n, v] : want) {
        if (n == name) a.push_back(v);
      }
      for (const auto& [n, v] : got) {
        if (n == name) b.push_back(v);
      }
      if (a == b) continue;
      differing.push_back(a.empty()   ? Quote(name) + " not recorded"
                          : b.empty() ? Quote(name) + " missing"
                                      : Quote(name) + " value differs");
    }
    std::string list;
    for (size_t i = 0; i < differing.size() && i < 5; ++i) list += (i ? ", " : "") + differing[i];
    return say("form fields differ: " + list + " (" + sizes + ")");
  }
  if (IsJsonType(content_type)) {
    nlohmann::json want = nlohmann::json::parse(recorded, nullptr, false);
    nlohmann::json got = nlohmann::json::parse(received, nullptr, false);
    if (!want.is_discarded() && !got.is_discarded()) {
      if (want == got) return true;
      std::string list;
      if (want.is_object() && got.is_object()) {
        std::set<std::string> names;
        for (auto it = want.begin(); it != want.end(); ++it) names.insert(it.key());
        for (auto it = got.begin(); it != got.end(); ++it) names.insert(it.key());
        int shown = 0;
        for (const std::string& name : names) {
          auto a = want.find(name);
          auto b = got.find(name);
          if (a != want.end() && b != got.end() && *a == *b) continue;
          if (shown++ == 5) break;
          list += std::string(list.empty() ? "" : ", ") + Quote(name) +
                  (a == want.end()  ? " not recorded"
                   : b == got.end() ? " missing"
                                    : " value differs");
        }
      }
      return say("JSON " + (list.empty() ? std::string("differs") : "members differ: " + list) +
                 " (" + sizes + ")");
    }
  }
  return say("differs (" + sizes + ")");
}

std::pair<std::string, std::string> SplitTarget(const std::string& target) {
  size_t q = target.find('?');
  if (q == std::string::npos) return {target, ""};
  return {target.substr(0, q), target.substr(q + 1)};
}

std::string RebaseJsonTimes(const std::string& body, const std::vector<std::string>& fields,
                            std::chrono::seconds offset) {
  if (fields.empty()) return body;
  Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded() || !(j.is_object() || j.is_array())) return body;
  // Valid JSON: rewrite `"<field>" <ws> : <ws> "<time>"` in place, so formatting, member order and
  // same-valued members that are not listed stay as recorded.
  std::string out = body;
  for (const std::string& field : fields) {
    const std::string key = "\"" + field + "\"";
    size_t pos = 0;
    while ((pos = out.find(key, pos)) != std::string::npos) {
      size_t at = pos + key.size();
      if (pos > 0 && out[pos - 1] == '\\') {  // inside an escaped string
        pos = at;
        continue;
      }
      at = std::min(out.find_first_not_of(kAsciiWhitespace, at), out.size());
      if (at >= out.size() || out[at] != ':') {
        pos = at;
        continue;
      }
      ++at;
      at = std::min(out.find_first_not_of(kAsciiWhitespace, at), out.size());
      if (at >= out.size() || out[at] != '"') {
        pos = at;
        continue;
      }
      size_t close = out.find('"', at + 1);
      if (close == std::string::npos) break;
      StatusOr<WallTime> t = ParseRfc3339(std::string_view(out).substr(at + 1, close - at - 1));
      if (!t.ok()) {
        pos = close + 1;
        continue;
      }
      // In seconds, range-checked: WallTime (nanoseconds) spans only about 1678..2262.
      const int64_t when = std::chrono::floor<std::chrono::seconds>(*t).time_since_epoch().count() +
                           int64_t(offset.count());
      if (when <= -kMaxEpochSeconds || when >= kMaxEpochSeconds) {
        pos = close + 1;
        continue;
      }
      std::string rebased = FormatRfc3339(WallTime(std::chrono::seconds(when)));
      out.replace(at + 1, close - at - 1, rebased);
      pos = at + 1 + rebased.size() + 1;
    }
  }
  return out;
}

std::string RebaseJsonEpochMs(const std::string& body, const std::vector<std::string>& fields,
                              std::chrono::seconds offset) {
  if (fields.empty()) return body;
  Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded() || !(j.is_object() || j.is_array())) return body;
  std::string out = body;
  for (const std::string& field : fields) {
    const std::string key = "\"" + field + "\"";
    size_t pos = 0;
    while ((pos = out.find(key, pos)) != std::string::npos) {
      size_t at = pos + key.size();
      if (pos > 0 && out[pos - 1] == '\\') {
        pos = at;
        continue;
      }
      at = std::min(out.find_first_not_of(kAsciiWhitespace, at), out.size());
      if (at >= out.size() || out[at] != ':') {
        pos = at;
        continue;
      }
      at = std::min(out.find_first_not_of(kAsciiWhitespace, at + 1), out.size());
      size_t end = at;
      while (end < out.size() && end - at < 18 && out[end] >= '0' && out[end] <= '9') ++end;
      // An integer of at most 18 digits: not a fraction, an exponent or a longer number.
      bool integer =
          end > at && (end == out.size() ||
                       std::string_view("0123456789.eE").find(out[end]) == std::string_view::npos);
      if (!integer) {
        pos = at;
        continue;
      }
      const int64_t ms = std::stoll(out.substr(at, end - at));
      const int64_t shifted = ms + int64_t(offset.count()) * 1000;
      if (shifted < 0 || shifted / 1000 >= kMaxEpochSeconds) {
        pos = end;
        continue;
      }
      std::string rebased = std::to_string(shifted);
      out.replace(at, end - at, rebased);
      pos = at + rebased.size();
    }
  }
  return out;
}

std::string RebaseXmlTimes(const std::string& body, const std::vector<std::string>& fields,
                           std::chrono::seconds offset) {
  if (fields.empty()) return body;
  std::string_view head = StripAsciiWhitespace(body);
  if (head.empty() || head[0] != '<') return body;
  std::string out = body;
  for (const std::string& field : fields) {
    const std::string open = "<" + field + ">";
    const std::string close = "</" + field + ">";
    size_t pos = 0;
    while ((pos = out.find(open, pos)) != std::string::npos) {
      const size_t at = pos + open.size();
      const size_t end = out.find(close, at);
      if (end == std::string::npos) break;
      StatusOr<WallTime> t =
          ParseRfc3339(StripAsciiWhitespace(std::string_view(out).substr(at, end - at)));
      pos = end + close.size();
      if (!t.ok()) continue;
      const int64_t when = std::chrono::floor<std::chrono::seconds>(*t).time_since_epoch().count() +
                           int64_t(offset.count());
      if (when <= -kMaxEpochSeconds || when >= kMaxEpochSeconds) continue;
      std::string rebased = FormatRfc3339(WallTime(std::chrono::seconds(when)));
      out.replace(at, end - at, rebased);
      pos = at + rebased.size() + close.size();
    }
  }
  return out;
}

std::string RebaseTimes(const std::string& body, const RebasePolicy& policy,
                        std::chrono::seconds offset) {
  if (policy.empty()) return body;
  std::string out = RebaseJsonTimes(body, policy.json_fields, offset);
  out = RebaseJsonEpochMs(out, policy.json_epoch_ms_fields, offset);
  // json_fields name XML elements too (STS's <Expiration>); xml_elements name only XML ones. Each
  // name once: an element in both lists is shifted once.
  std::vector<std::string> elements = policy.json_fields;
  for (const std::string& e : policy.xml_elements) {
    if (std::find(elements.begin(), elements.end(), e) == elements.end()) elements.push_back(e);
  }
  return RebaseXmlTimes(out, elements, offset);
}

std::string Verdict::ToText() const {
  std::string out = std::string("verdict: ") + (ok ? "PASS" : "FAIL") + " (" +
                    std::to_string(requests) + " requests, " + std::to_string(token_rejections) +
                    " token rejections)\n";
  for (const Unconsumed& u : unconsumed) {
    out += "  unconsumed: " + u.id + " (" + std::to_string(u.consumed) + " of " +
           std::to_string(u.required) + " required)\n";
  }
  for (const SignatureRejection& r : signature_rejections) {
    out += "  signature rejected: " + r.id + ": ";
    // Indent the canonical request that may follow.
    for (char c : r.reason) out += c == '\n' ? std::string("\n      ") : std::string(1, c);
    out += "\n";
  }
  for (const Miss& m : unexpected) {
    out += "  unexpected: " + m.method + " " + Quote(m.target) +
           (m.host.empty() ? "" : " on " + Quote(m.host)) +
           (m.nearest_id.empty() ? "" : "; nearest: " + m.nearest_id) + "\n";
    for (const std::string& d : m.diff) out += "    " + d + "\n";
  }
  return out;
}

std::string Verdict::ToJson() const {
  Json j = Json::object();
  j["ok"] = ok;
  j["requests"] = requests;
  j["token_rejections"] = token_rejections;
  j["unconsumed"] = Json::array();
  for (const Unconsumed& u : unconsumed) {
    j["unconsumed"].push_back({{"id", u.id}, {"consumed", u.consumed}, {"required", u.required}});
  }
  j["unexpected"] = Json::array();
  for (const Miss& m : unexpected) j["unexpected"].push_back(MissJson(m));
  j["signature_rejections"] = Json::array();
  for (const SignatureRejection& r : signature_rejections) {
    j["signature_rejections"].push_back({{"id", r.id}, {"reason", r.reason}});
  }
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Engine::Engine(Transcript transcript, EngineOptions options)
    : transcript_(std::move(transcript)), clock_(options.clock ? options.clock : &system_clock_) {
  WallTime anchor = options.now ? *options.now : clock_->Now();
  // Whole seconds on each side first: the nanosecond difference of two far-apart instants could
  // overflow.
  offset_ = std::chrono::floor<std::chrono::seconds>(anchor).time_since_epoch() -
            std::chrono::floor<std::chrono::seconds>(transcript_.recorded_at).time_since_epoch() +
            transcript_.rebase.shift + options.shift;
  for (const Exchange& e : transcript_.exchanges) {
    rebased_bodies_.push_back(
        e.response ? RebaseTimes(e.response->body, transcript_.rebase, offset_) : std::string());
  }
  consumed_.assign(transcript_.exchanges.size(), 0);
  for (size_t i = 0; i < transcript_.exchanges.size(); ++i) {
    const std::string& name = transcript_.exchanges[i].family;
    Family* family = nullptr;
    for (Family& f : families_) {
      if (f.name == name) family = &f;
    }
    if (!family) {
      families_.push_back(Family{name, {}, 0});
      family = &families_.back();
    }
    family->exchanges.push_back(i);
  }
}

std::optional<size_t> Engine::FindMatch(const ReplayRequest& request, const std::string& path,
                                        const std::string& query) const {
  for (const Family& f : families_) {
    for (size_t pos = f.cursor; pos < f.exchanges.size(); ++pos) {
      size_t i = f.exchanges[pos];
      const Exchange& e = transcript_.exchanges[i];
      if (consumed_[i] < e.repeat.max && Compare(e, request, path, query, nullptr)) return i;
      if (consumed_[i] < e.RequiredCount()) break;  // strict order: this one must come first
    }
  }
  return std::nullopt;
}

Miss Engine::Explain(const ReplayRequest& request, const std::string& path,
                     const std::string& query) const {
  Miss miss;
  miss.host = request.host;
  miss.method = request.method;
  miss.target = request.target;
  int best = -1;
  size_t best_common = 0;
  for (size_t i = 0; i < transcript_.exchanges.size(); ++i) {
    const Exchange& e = transcript_.exchanges[i];
    std::vector<std::string> diff = Diff(e, request, path, query);
    int weight = 0;
    for (const std::string& d : diff) weight += DiffWeight(d);
    if (diff.empty()) {
      // Everything matches: it is exhausted or out of order.
      if (consumed_[i] >= e.repeat.max) {
        diff.push_back("repeat: already consumed " + std::to_string(consumed_[i]) +
                       " time(s), max " + std::to_string(e.repeat.max));
      } else {
        diff.push_back("order: an earlier exchange of family \"" + e.family +
                       "\" is still required, or a later one was already consumed");
      }
    }
    // Ties go to the longest common path prefix ("/latest/meta-data/iam/…" over "/latest/api/…").
    size_t common = 0;
    while (common < path.size() && common < e.request.path.size() &&
           path[common] == e.request.path[common]) {
      ++common;
    }
    if (best < 0 || weight < best || (weight == best && common > best_common)) {
      best = weight;
      best_common = common;
      miss.nearest_id = e.id;
      miss.diff = std::move(diff);
    }
  }
  return miss;
}

std::string Engine::MintToken(int ttl_seconds) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "AQAEAChantlessReplayToken%08dEXAMPLE==", next_token_++);
  std::string token = buf;
  tokens_[token] = clock_->Now() + std::chrono::seconds(ttl_seconds);
  return token;
}

bool Engine::TokenValid(const std::string& token) const {
  auto it = tokens_.find(token);
  return it != tokens_.end() && clock_->Now() < it->second;
}

Outcome Engine::Handle(const ReplayRequest& request) {
  auto [path, query] = SplitTarget(request.target);
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_;
  Outcome out;
  std::optional<size_t> match = FindMatch(request, path, query);
  if (!match) {
    out.kind = OutcomeKind::kUnmatched;
    out.miss = Explain(request, path, query);
    out.reason = "no recorded exchange matches " + request.method + " " + Quote(request.target);
    std::string body = "chantless replay: " + out.reason + "\n";
    if (!out.miss.nearest_id.empty()) {
      body += "nearest recorded exchange: " + out.miss.nearest_id + "\n";
      for (const std::string& d : out.miss.diff) body += "  " + d + "\n";
    }
    out.response = TextResponse(404, std::move(body));
    unexpected_.push_back(out.miss);
    return out;
  }
  const size_t i = *match;
  const Exchange& e = transcript_.exchanges[i];
  out.exchange_id = e.id;

  auto reject = [&](int status, std::string reason) {
    out.kind = OutcomeKind::kTokenRejected;
    out.reason = std::move(reason);
    out.response = TextResponse(status, "");
    ++token_rejections_;
    return out;
  };

  if (e.sigv4 == SigV4Check::kVerify) {
    SigV4Result check = VerifySigV4(transcript_.sigv4_keys, request.method, request.host,
                                    request.target, request.headers, request.body);
    if (!check.ok) {
      out.kind = OutcomeKind::kSignatureRejected;
      out.reason = check.reason;
      std::string message =
          check.code == "SignatureDoesNotMatch"
              ? "The request signature we calculated does not match the signature you provided. "
                "Check your AWS Secret Access Key and signing method."
          : check.code == "InvalidClientTokenId"
              ? "The security token included in the request is invalid."
              : "The request signature is incomplete or missing.";
      out.response.status = 403;
      out.response.headers = {{"Content-Type", "text/xml"}};
      out.response.body =
          StsErrorXml(check.code, message + " (chantless replay: " + check.reason + ")");
      signature_rejections_.push_back({e.id, check.reason});
      return out;
    }
  }

  std::string token;
  if (e.imds_token == ImdsTokenRole::kMint) {
    if (FindHeader(request.headers, "X-Forwarded-For")) {
      return reject(403, "token PUT carries X-Forwarded-For");
    }
    std::optional<std::string> ttl_text = FindHeader(request.headers, kImdsTokenTtlHeader);
    if (!ttl_text) return reject(400, "token TTL header missing");
    int ttl = 0;
    bool digits = !ttl_text->empty() && ttl_text->size() <= 6;
    for (char c : *ttl_text) digits = digits && c >= '0' && c <= '9';
    if (digits) ttl = std::stoi(*ttl_text);
    if (!digits || ttl < 1 || ttl > kMaxImdsTokenTtlSeconds) {
      return reject(400, "token TTL header is not an integer in 1..21600");
    }
    token = MintToken(ttl);
  } else if (e.imds_token == ImdsTokenRole::kRequire || e.imds_token == ImdsTokenRole::kAccept) {
    std::optional<std::string> sent = FindHeader(request.headers, kImdsTokenHeader);
    if (!sent && e.imds_token == ImdsTokenRole::kRequire) {
      return reject(401, "token required but none sent");
    }
    if (sent && !TokenValid(*sent)) {
      return reject(401, tokens_.count(*sent) ? "token expired" : "token unknown to this replay");
    }
  }

  // Consumed: move the family's cursor to this exchange.
  ++consumed_[i];
  for (Family& f : families_) {
    if (f.name != e.family) continue;
    for (size_t pos = f.cursor; pos < f.exchanges.size(); ++pos) {
      if (f.exchanges[pos] == i) f.cursor = pos;
    }
  }
  out.kind = OutcomeKind::kServed;
  out.fault = e.fault;
  if (e.response) {
    out.response.status = e.response->status;
    out.response.headers = e.response->headers;
    out.response.body = rebased_bodies_[i];
    if (!token.empty()) ReplaceAll(&out.response.body, std::string(kImdsTokenPlaceholder), token);
  } else if (!token.empty()) {
    out.response = TextResponse(200, token);
    out.response.headers.emplace_back(std::string(kImdsTokenTtlHeader),
                                      *FindHeader(request.headers, kImdsTokenTtlHeader));
  }
  return out;
}

Verdict Engine::GetVerdict() const {
  std::lock_guard<std::mutex> lock(mu_);
  Verdict v;
  v.requests = requests_;
  v.token_rejections = token_rejections_;
  v.unexpected = unexpected_;
  for (size_t i = 0; i < transcript_.exchanges.size(); ++i) {
    const Exchange& e = transcript_.exchanges[i];
    if (consumed_[i] < e.RequiredCount()) {
      v.unconsumed.push_back({e.id, consumed_[i], e.RequiredCount()});
    }
  }
  v.signature_rejections = signature_rejections_;
  v.ok = v.unconsumed.empty() && v.unexpected.empty() && v.signature_rejections.empty();
  return v;
}

}  // namespace replay
}  // namespace chantless
