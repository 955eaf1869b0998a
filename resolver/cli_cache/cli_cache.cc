// The AWS CLI's JSON credential cache: keys, entry decoding and rendering (rules in cli_cache.h).
#include "resolver/cli_cache/cli_cache.h"

#include "nlohmann/json.hpp"
#include "resolver/cli_cache/cache_time.h"
#include "resolver/cli_cache/sha1.h"

namespace chantless {
namespace {

using json = nlohmann::json;

CliCacheLookup Miss(std::string reason) {
  CliCacheLookup lookup;
  lookup.miss_reason = std::move(reason);
  return lookup;
}

// The non-empty string member `key` of `object`; nullptr when absent, not a string or empty, with
// *why set.
const std::string* RequiredString(const json& object, const char* path, const char* key,
                                  std::string* why) {
  auto it = object.find(key);
  std::string name = std::string(path) + "." + key;
  if (it == object.end() || it->is_null()) {
    *why = "field \"" + name + "\" is missing";
    return nullptr;
  }
  const std::string* value = it->get_ptr<const std::string*>();
  if (value == nullptr) {
    *why = "field \"" + name + "\" is a " + it->type_name() + ", expected a string";
    return nullptr;
  }
  if (value->empty()) {
    *why = "field \"" + name + "\" is empty";
    return nullptr;
  }
  return value;
}

// The string member `key` when present, a string and non-empty.
std::optional<std::string> OptionalString(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  const std::string* value = it->get_ptr<const std::string*>();
  if (value == nullptr || value->empty()) return std::nullopt;
  return *value;
}

}  // namespace

std::string CliCacheKey(const CliCacheArgs& args) { return Sha1Hex(PythonJsonDumpsSorted(args)); }

std::string CliCacheFileName(const CliCacheArgs& args) { return CliCacheKey(args) + ".json"; }

Credentials CliCacheEntry::ToCredentials(std::string provider) const {
  Credentials c;
  c.access_key_id = access_key_id;
  c.secret_access_key = secret_access_key;
  c.session_token = session_token;
  c.expiration = expiration;
  c.account_id = account_id;
  c.provider = std::move(provider);
  return c;
}

CliCacheLookup ParseCliCacheEntry(std::string_view text) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return Miss("the file is empty");
  }
  json parsed = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return Miss("not valid JSON");
  if (!parsed.is_object())
    return Miss(std::string("expected a JSON object, got a ") + parsed.type_name());

  CliCacheEntry entry;
  auto provider_type = parsed.find("ProviderType");
  if (provider_type != parsed.end()) {
    const std::string* type = provider_type->get_ptr<const std::string*>();
    if (type == nullptr || *type != "sso") return Miss("field \"ProviderType\" is not \"sso\"");
    entry.kind = CliCacheEntryKind::kSso;
  }

  auto credentials = parsed.find("Credentials");
  if (credentials == parsed.end()) return Miss("field \"Credentials\" is missing");
  if (!credentials->is_object()) {
    return Miss(std::string("field \"Credentials\" is a ") + credentials->type_name() +
                ", expected an object");
  }
  std::string why;
  const std::string* key_id = RequiredString(*credentials, "Credentials", "AccessKeyId", &why);
  if (key_id == nullptr) return Miss(why);
  const std::string* secret = RequiredString(*credentials, "Credentials", "SecretAccessKey", &why);
  if (secret == nullptr) return Miss(why);
  const std::string* token = RequiredString(*credentials, "Credentials", "SessionToken", &why);
  if (token == nullptr) return Miss(why);
  const std::string* expiration = RequiredString(*credentials, "Credentials", "Expiration", &why);
  if (expiration == nullptr) return Miss(why);
  StatusOr<WallTime> when = ParseCacheTimestamp(*expiration);
  if (!when.ok()) {
    return Miss(
        "field \"Credentials.Expiration\" is not a timestamp in a form the AWS CLI "
        "writes (…UTC, …Z or +00:00)");
  }

  entry.access_key_id = *key_id;
  entry.secret_access_key = Secret(*secret);
  entry.session_token = Secret(*token);
  entry.expiration = *when;
  entry.account_id = OptionalString(*credentials, "AccountId");
  auto user = parsed.find("AssumedRoleUser");
  if (user != parsed.end() && user->is_object()) {
    entry.assumed_role_id = OptionalString(*user, "AssumedRoleId");
    entry.assumed_role_arn = OptionalString(*user, "Arn");
  }
  CliCacheLookup lookup;
  lookup.entry = std::move(entry);
  return lookup;
}

CliCacheLookup ReadCliCacheEntry(const Filesystem& fs, const std::string& path) {
  StatusOr<std::string> text = fs.ReadFile(path, 1024 * 1024);
  if (!text.ok()) {
    if (IsNotConfigured(text.status())) return Miss("no such file: " + path);
    return Miss("cannot read " + path + ": " + text.status().message());
  }
  CliCacheLookup lookup = ParseCliCacheEntry(*text);
  if (!lookup.hit()) lookup.miss_reason = path + ": " + lookup.miss_reason;
  return lookup;
}

std::string RenderCliCacheEntry(const CliCacheEntry& entry) {
  const bool sso = entry.kind == CliCacheEntryKind::kSso;
  std::string out = "{";
  if (sso) out.append("\"ProviderType\": \"sso\", ");
  out.append("\"Credentials\": {\"AccessKeyId\": ");
  out.append(PythonJsonString(entry.access_key_id));
  out.append(", \"SecretAccessKey\": ");
  out.append(PythonJsonString(entry.secret_access_key.reveal()));
  out.append(", \"SessionToken\": ");
  out.append(PythonJsonString(entry.session_token.reveal()));
  out.append(", \"Expiration\": ");
  out.append(PythonJsonString(sso ? FormatRfc3339(entry.expiration)
                                  : FormatCliCacheUtc(entry.expiration)));
  if (entry.account_id) {
    out.append(", \"AccountId\": ");
    out.append(PythonJsonString(*entry.account_id));
  }
  out.push_back('}');
  if (!sso && (entry.assumed_role_id || entry.assumed_role_arn)) {
    out.append(", \"AssumedRoleUser\": {");
    bool first = true;
    if (entry.assumed_role_id) {
      out.append("\"AssumedRoleId\": ");
      out.append(PythonJsonString(*entry.assumed_role_id));
      first = false;
    }
    if (entry.assumed_role_arn) {
      if (!first) out.append(", ");
      out.append("\"Arn\": ");
      out.append(PythonJsonString(*entry.assumed_role_arn));
    }
    out.push_back('}');
  }
  out.push_back('}');
  return out;
}

bool ShouldReuseCliCacheEntry(WallTime expiration, WallTime now) {
  return expiration - now >= kCliCacheMinimumRemaining;
}

}  // namespace chantless
