// Fuzz target: the AWS CLI's JSON cache (resolver/cli_cache/cli_cache.h): ParseCliCacheEntry,
// RenderCliCacheEntry and the Python-compatible JSON strings of the cache keys.
//
// Properties (a broken one traps): a hit has a non-empty access key id, secret key and session
// token; rendering it and parsing the result is a hit with the same kind, key id, secrets, account
// id (and, for STS entries, AssumedRoleUser) and the expiration cut to whole seconds; a miss has a
// reason that holds none of the entry's string values carrying the canary "EXAMPLE";
// PythonJsonString of any bytes is printable ASCII, valid JSON, and for valid UTF-8 decodes back
// to the input; a cache key is 40 lower-case hex digits.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nlohmann/json.hpp"
#include "resolver/cli_cache/cli_cache.h"
#include "resolver/cli_cache/python_json.h"

namespace {

void CollectSecrets(const nlohmann::json& value, std::vector<std::string>* out) {
  if (const std::string* s = value.get_ptr<const std::string*>()) {
    if (s->find("EXAMPLE") != std::string::npos) out->push_back(*s);
    return;
  }
  if (value.is_structured()) {
    for (const auto& child : value) CollectSecrets(child, out);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);

  chantless::CliCacheLookup lookup = chantless::ParseCliCacheEntry(text);
  if (lookup.hit()) {
    const chantless::CliCacheEntry& e = *lookup.entry;
    if (!lookup.miss_reason.empty()) __builtin_trap();
    if (e.access_key_id.empty() || e.secret_access_key.empty() || e.session_token.empty()) {
      __builtin_trap();
    }
    chantless::CliCacheLookup back = chantless::ParseCliCacheEntry(RenderCliCacheEntry(e));
    if (!back.hit()) __builtin_trap();
    const chantless::CliCacheEntry& b = *back.entry;
    if (b.kind != e.kind || b.access_key_id != e.access_key_id ||
        b.secret_access_key != e.secret_access_key || b.session_token != e.session_token ||
        b.account_id != e.account_id) {
      __builtin_trap();
    }
    if (b.expiration != std::chrono::floor<std::chrono::seconds>(e.expiration)) __builtin_trap();
    if (e.kind == chantless::CliCacheEntryKind::kSts &&
        (b.assumed_role_id != e.assumed_role_id || b.assumed_role_arn != e.assumed_role_arn)) {
      __builtin_trap();
    }
  } else {
    if (lookup.miss_reason.empty()) __builtin_trap();
    std::vector<std::string> secrets;
    if (!parsed.is_discarded()) CollectSecrets(parsed, &secrets);
    for (const std::string& secret : secrets) {
      if (lookup.miss_reason.find(secret) != std::string::npos) __builtin_trap();
    }
  }

  std::string quoted = chantless::PythonJsonString(text);
  for (char c : quoted) {
    if (c < 0x20 || c > 0x7E) __builtin_trap();
  }
  auto decoded = nlohmann::json::parse(quoted, nullptr, false);
  if (decoded.is_discarded() || !decoded.is_string()) __builtin_trap();
  // Valid UTF-8 round-trips; nlohmann's own check tells which input is valid.
  bool valid_utf8 = true;
  try {
    (void)nlohmann::json(std::string(text)).dump();
  } catch (const nlohmann::json::exception&) {
    valid_utf8 = false;
  }
  if (valid_utf8 && decoded.get_ref<const std::string&>() != text) __builtin_trap();

  chantless::CliCacheArgs args{{"RoleArn", std::string(text)},
                               {"DurationSeconds", static_cast<int64_t>(size)}};
  std::string key = chantless::CliCacheKey(args);
  if (key.size() != 40) __builtin_trap();
  for (char c : key) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) __builtin_trap();
  }
  return 0;
}
