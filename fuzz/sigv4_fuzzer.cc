// Fuzz target: SigV4Signer::Sign (resolver/sigv4/sigv4_signer.h) on fuzzed methods, hosts, paths,
// query parameters, headers, bodies, regions, services, times and keys.
//
// Properties (a broken one traps): signing is deterministic (a fresh signer, a cached one and the
// cached one again agree byte for byte); a success has a 64-hex signature, an X-Amz-Date of 16
// characters, an X-Amz-Security-Token header exactly when there is a token, and an Authorization
// header that parses back into the key id, the scope and the signed-header list; that list is
// sorted, unique, lower-case, holds host and x-amz-date (and x-amz-security-token with a token),
// never user-agent, expect or a hop-by-hop header, and equals both the canonical request's list
// line and the names of its header lines, in order; the diagnostics do not depend on the keys
// (signing again with another secret and another token gives the same canonical request, scope,
// signed-header list and error, and an Authorization value differing only in its signature), so
// neither the secret nor the token can be in them; a failure is kInvalidConfiguration.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzzed_data_provider.h"
#include "resolver/sigv4/sigv4_signer.h"

namespace {

bool SameResult(const chantless::StatusOr<chantless::SignedRequest>& a,
                const chantless::StatusOr<chantless::SignedRequest>& b) {
  if (a.ok() != b.ok()) return false;
  if (!a.ok()) return a.status() == b.status();
  return a->headers == b->headers && a->amz_date == b->amz_date && a->scope == b->scope &&
         a->signed_headers == b->signed_headers && a->signature == b->signature &&
         a->canonical_request == b->canonical_request && a->string_to_sign == b->string_to_sign;
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t at = s.find(sep, start);
    out.emplace_back(
        s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

bool IsUnsignedName(const std::string& n) {
  for (const char* u : {"user-agent", "expect", "x-amzn-trace-id", "connection", "keep-alive",
                        "proxy-authenticate", "proxy-authorization", "proxy-connection", "te",
                        "trailer", "transfer-encoding", "upgrade", "authorization"}) {
    if (n == u) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider fdp(data, size);
  // system_clock counts nanoseconds in 64 bits: its time points end in April 2262.
  constexpr int64_t kMaxSeconds = 9200000000;
  chantless::SigningInput in;
  static const char* const kMethods[] = {"POST", "GET", "PUT", ""};
  static const char* const kNames[] = {"Content-Type", "User-Agent",   "X-Amz-Meta", "Expect",
                                       "Connection",   "Host",         "x-amz-date", "My-Header",
                                       "TE",           "Authorization"};
  in.method = fdp.ConsumeBool() ? fdp.ConsumeRandomLengthString(8)
                                : kMethods[fdp.ConsumeIntegralInRange<int>(0, 3)];
  in.host = fdp.ConsumeRandomLengthString(64);
  in.path = fdp.ConsumeRandomLengthString(64);
  in.region = fdp.ConsumeRandomLengthString(16);
  in.service = fdp.ConsumeBool() ? "sts" : fdp.ConsumeRandomLengthString(8);
  const int queries = fdp.ConsumeIntegralInRange<int>(0, 4);
  for (int i = 0; i < queries; ++i) {
    std::string k = fdp.ConsumeRandomLengthString(16);
    in.query.emplace_back(std::move(k), fdp.ConsumeRandomLengthString(16));
  }
  const int headers = fdp.ConsumeIntegralInRange<int>(0, 8);
  for (int i = 0; i < headers; ++i) {
    std::string name = fdp.ConsumeBool()
                           ? std::string(kNames[fdp.ConsumeIntegralInRange<int>(0, 9)])
                           : fdp.ConsumeRandomLengthString(16);
    in.headers.emplace_back(std::move(name), fdp.ConsumeRandomLengthString(64));
  }
  in.time = std::chrono::system_clock::time_point(
      std::chrono::seconds(fdp.ConsumeIntegralInRange<int64_t>(-100, kMaxSeconds)));
  chantless::SigningKeys keys;
  keys.access_key_id = fdp.ConsumeRandomLengthString(24);
  keys.secret_access_key = chantless::Secret(fdp.ConsumeRandomLengthString(48));
  keys.session_token = chantless::Secret(fdp.ConsumeRandomLengthString(64));
  in.body = fdp.ConsumeRemainingBytesAsString();

  chantless::SigV4Signer fresh(chantless::SigV4Signer::KeyCache::kDisabled);
  static chantless::SigV4Signer* cached = new chantless::SigV4Signer();
  auto a = fresh.Sign(in, keys);
  auto b = cached->Sign(in, keys);
  auto c = cached->Sign(in, keys);
  if (!SameResult(a, b) || !SameResult(b, c)) __builtin_trap();

  const std::string& token = keys.session_token.reveal();
  // The same request with another secret and another token: the diagnostics must not change
  // (the canonical request and any error are independent of both; the Authorization value only
  // in its signature), so no part of either can be in them.
  chantless::SigningKeys other = keys;
  if (!keys.secret_access_key.empty()) {  // an empty secret is an error either way
    other.secret_access_key = chantless::Secret(keys.secret_access_key.reveal() + "x");
  }
  if (!token.empty()) other.session_token = chantless::Secret(token + "x");
  auto o = fresh.Sign(in, other);
  if (a.ok() != o.ok()) __builtin_trap();

  if (!a.ok()) {
    if (a.status().code() != chantless::StatusCode::kInvalidConfiguration) __builtin_trap();
    if (a.status() != o.status()) __builtin_trap();
    return 0;
  }
  if (o->canonical_request != a->canonical_request || o->signed_headers != a->signed_headers ||
      o->scope != a->scope) {
    __builtin_trap();
  }
  const std::string& other_auth = o->headers.back().second;
  if (other_auth.substr(0, other_auth.size() - 64) !=
      a->headers.back().second.substr(0, a->headers.back().second.size() - 64)) {
    __builtin_trap();
  }
  const chantless::SignedRequest& r = *a;
  if (r.signature.size() != 64 || r.amz_date.size() != 16) __builtin_trap();
  for (char ch : r.signature) {
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) __builtin_trap();
  }
  const bool has_token = !token.empty();
  if (r.headers.size() != (has_token ? 3u : 2u)) __builtin_trap();
  if (r.headers.front().first != "X-Amz-Date" || r.headers.front().second != r.amz_date) {
    __builtin_trap();
  }
  if (has_token && (r.headers[1].first != "X-Amz-Security-Token" || r.headers[1].second != token)) {
    __builtin_trap();
  }
  // Authorization round trip.
  const std::string& auth = r.headers.back().second;
  const std::string head = "AWS4-HMAC-SHA256 Credential=";
  if (r.headers.back().first != "Authorization" || auth.rfind(head, 0) != 0) __builtin_trap();
  const size_t sh = auth.find(", SignedHeaders=");
  const size_t sg = auth.rfind(", Signature=");
  if (sh == std::string::npos || sg == std::string::npos || sg < sh) __builtin_trap();
  const std::string credential = auth.substr(head.size(), sh - head.size());
  const std::string signed_list = auth.substr(sh + 16, sg - sh - 16);
  if (credential != keys.access_key_id + "/" + r.scope) __builtin_trap();
  if (signed_list != r.signed_headers || auth.substr(sg + 12) != r.signature) __builtin_trap();
  if (r.scope != r.amz_date.substr(0, 8) + "/" + in.region + "/" + in.service + "/aws4_request") {
    __builtin_trap();
  }

  // The signed-header list: sorted, unique, lower-case, the required names, no unsigned ones.
  std::vector<std::string> names = Split(r.signed_headers, ';');
  bool host = false, date = false, tok = false;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i].empty() || (i > 0 && !(names[i - 1] < names[i]))) __builtin_trap();
    for (char ch : names[i]) {
      if (ch >= 'A' && ch <= 'Z') __builtin_trap();
    }
    if (IsUnsignedName(names[i])) __builtin_trap();
    host |= names[i] == "host";
    date |= names[i] == "x-amz-date";
    tok |= names[i] == "x-amz-security-token";
  }
  if (!host || !date || tok != has_token) __builtin_trap();

  // The canonical request: METHOD, path, query, header lines, blank, list, payload hash.
  std::vector<std::string> lines = Split(r.canonical_request, '\n');
  if (lines.size() != names.size() + 6) __builtin_trap();
  if (lines[0] != in.method || lines[lines.size() - 3] != "") __builtin_trap();
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& line = lines[3 + i];
    if (line.compare(0, names[i].size() + 1, names[i] + ":") != 0) __builtin_trap();
  }
  if (lines[lines.size() - 2] != r.signed_headers) __builtin_trap();
  if (lines.back() != chantless::Sha256Hex(in.body)) __builtin_trap();
  if (Split(r.string_to_sign, '\n').size() != 4) __builtin_trap();

  return 0;
}
