// SigV4 header signing on OpenSSL's libcrypto (rules in sigv4_signer.h).
#include "resolver/sigv4/sigv4_signer.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <initializer_list>
#include <map>

#include "resolver/core/ascii.h"

namespace chantless {
namespace {

std::string Hex(const uint8_t* data, size_t size) {
  return LowerHex(std::string_view(reinterpret_cast<const char*>(data), size));
}

// SHA-256 through a digest fetched once: OpenSSL 3's one-shot SHA256() and HMAC() look the
// algorithm up on every call, which cost more than the hashing of a small STS request.
const EVP_MD* Sha256Md() {
  static const EVP_MD* md = [] {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return fetched != nullptr ? fetched : EVP_sha256();
#else
    return EVP_sha256();
#endif
  }();
  return md;
}

std::array<uint8_t, 32> Sha256(std::initializer_list<std::string_view> parts) {
  std::array<uint8_t, 32> out{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned int size = 0;
  if (ctx == nullptr || EVP_DigestInit_ex(ctx, Sha256Md(), nullptr) != 1) std::abort();
  for (std::string_view part : parts) {
    if (EVP_DigestUpdate(ctx, part.data(), part.size()) != 1) std::abort();
  }
  if (EVP_DigestFinal_ex(ctx, out.data(), &size) != 1 || size != out.size()) std::abort();
  EVP_MD_CTX_free(ctx);
  return out;
}

std::string_view View(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

// HMAC-SHA256 (RFC 2104) over Sha256.
std::array<uint8_t, 32> Hmac(const uint8_t* key, size_t key_size, std::string_view data) {
  uint8_t block[64] = {};
  if (key_size > sizeof block) {
    const std::array<uint8_t, 32> hashed = Sha256({View(key, key_size)});
    std::memcpy(block, hashed.data(), hashed.size());
  } else if (key_size > 0) {
    std::memcpy(block, key, key_size);
  }
  uint8_t ipad[64], opad[64];
  for (size_t i = 0; i < sizeof block; ++i) {
    ipad[i] = block[i] ^ 0x36;
    opad[i] = block[i] ^ 0x5c;
  }
  const std::array<uint8_t, 32> inner = Sha256({View(ipad, sizeof ipad), data});
  std::array<uint8_t, 32> out = Sha256({View(opad, sizeof opad), View(inner.data(), inner.size())});
  OPENSSL_cleanse(block, sizeof block);
  OPENSSL_cleanse(ipad, sizeof ipad);
  OPENSSL_cleanse(opad, sizeof opad);
  return out;
}

bool IsAsciiSpace(char c) { return kAsciiWhitespace.find(c) != std::string_view::npos; }

// RFC 7230 tchar.
bool IsTokenChar(unsigned char c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

std::string Lower(std::string_view s) { return AsciiLower(s); }

// Trims and collapses runs of ASCII whitespace to one space.
std::string TrimAll(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (char c : value) {
    if (IsAsciiSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

bool IsUnsigned(const std::string& lower_name) {
  static const char* const kUnsigned[] = {"user-agent",
                                          "expect",
                                          "x-amzn-trace-id",
                                          "connection",
                                          "keep-alive",
                                          "proxy-authenticate",
                                          "proxy-authorization",
                                          "proxy-connection",
                                          "te",
                                          "trailer",
                                          "transfer-encoding",
                                          "upgrade"};
  for (const char* name : kUnsigned) {
    if (lower_name == name) return true;
  }
  return false;
}

// Headers the signer sets itself; any copy in the input is dropped.
bool IsOwnedBySigner(const std::string& lower_name) {
  return lower_name == "host" || lower_name == "x-amz-date" ||
         lower_name == "x-amz-security-token" || lower_name == "authorization";
}

bool HasSlashOrSpace(std::string_view s) {
  for (char c : s) {
    if (c == '/' || IsAsciiSpace(c)) return true;
  }
  return false;
}

Status Invalid(const std::string& what) {
  return InvalidConfigurationError("SigV4 signing: " + what);
}

}  // namespace

std::string SigV4UriEncode(std::string_view text, bool keep_slash) {
  return PercentEncode(text, keep_slash ? "/" : "");
}

std::string Sha256Hex(std::string_view data) {
  const std::array<uint8_t, 32> digest = Sha256({data});
  return Hex(digest.data(), digest.size());
}

SigV4Signer::Key SigV4Signer::SigningKey(const Secret& secret, const std::string& date,
                                         const std::string& region,
                                         const std::string& service) const {
  if (cache_enabled_) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const CacheEntry& e : cache_) {
      if (e.date == date && e.region == region && e.service == service && e.secret == secret) {
        return e.key;
      }
    }
  }
  std::string first = "AWS4" + secret.reveal();
  Key k = Hmac(reinterpret_cast<const uint8_t*>(first.data()), first.size(), date);
  OPENSSL_cleanse(first.data(), first.size());
  k = Hmac(k.data(), k.size(), region);
  k = Hmac(k.data(), k.size(), service);
  k = Hmac(k.data(), k.size(), "aws4_request");
  if (cache_enabled_) {
    std::lock_guard<std::mutex> lock(mu_);
    // Another thread may have added the same entry meanwhile: harmless (same key), bounded.
    if (cache_.size() >= kMaxCachedKeys) cache_.pop_front();
    cache_.push_back(CacheEntry{secret, date, region, service, k});
  }
  return k;
}

size_t SigV4Signer::CachedKeyCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cache_.size();
}

StatusOr<SignedRequest> SigV4Signer::Sign(const SigningInput& input,
                                          const SigningKeys& keys) const {
  if (input.method.empty()) return Invalid("the HTTP method is empty");
  for (char c : input.method) {
    if (!IsTokenChar(static_cast<unsigned char>(c))) {
      return Invalid("the HTTP method is not an HTTP token");
    }
  }
  if (input.host.empty()) return Invalid("the host is empty");
  for (char c : input.host) {
    if (IsAsciiSpace(c) || c == '/' || c == '\0')
      return Invalid("the host holds '/' or whitespace");
  }
  if (input.region.empty()) return Invalid("the region is empty");
  if (HasSlashOrSpace(input.region)) return Invalid("the region holds '/' or whitespace");
  if (input.service.empty()) return Invalid("the service is empty");
  if (HasSlashOrSpace(input.service)) return Invalid("the service holds '/' or whitespace");
  if (keys.access_key_id.empty()) return Invalid("the access key id is empty");
  if (HasSlashOrSpace(keys.access_key_id)) {
    return Invalid("the access key id holds '/' or whitespace");
  }
  if (keys.secret_access_key.empty()) return Invalid("the secret access key is empty");
  for (char c : keys.session_token.reveal()) {
    if (c == '\r' || c == '\n' || c == '\0') {
      return Invalid("the session token holds CR, LF or NUL");
    }
  }

  // Time: whole seconds, UTC.
  const int64_t seconds =
      std::chrono::duration_cast<std::chrono::seconds>(
          std::chrono::floor<std::chrono::seconds>(input.time).time_since_epoch())
          .count();
  if (seconds < 0 || seconds > 253402300799) {  // 9999-12-31T23:59:59Z
    return Invalid("the signing time is outside the years 1970-9999");
  }
  std::time_t tt = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char amz_date[17];
  std::strftime(amz_date, sizeof amz_date, "%Y%m%dT%H%M%SZ", &tm);

  SignedRequest out;
  out.amz_date = amz_date;
  const std::string date = out.amz_date.substr(0, 8);
  out.scope = date + "/" + input.region + "/" + input.service + "/aws4_request";

  // Headers to sign: name → values in input order.
  std::map<std::string, std::vector<std::string>> signed_values;
  for (const auto& [name, value] : input.headers) {
    if (name.empty()) return Invalid("a header name is empty");
    for (char c : name) {
      if (!IsTokenChar(static_cast<unsigned char>(c))) {
        return Invalid("header name is not an HTTP token");
      }
    }
    for (char c : value) {
      if (c == '\r' || c == '\n' || c == '\0') {
        return Invalid("the value of header " + name + " holds CR, LF or NUL");
      }
    }
    std::string lower = Lower(name);
    if (IsUnsigned(lower) || IsOwnedBySigner(lower)) continue;
    signed_values[lower].push_back(TrimAll(value));
  }
  signed_values["host"] = {Lower(input.host)};
  signed_values["x-amz-date"] = {out.amz_date};
  const bool has_token = !keys.session_token.empty();
  if (has_token) signed_values["x-amz-security-token"] = {TrimAll(keys.session_token.reveal())};

  // The canonical request is built twice in one pass: the real one (hashed) and the diagnostic
  // one (token redacted).
  std::string head = input.method + "\n";
  head += input.path.empty() ? "/" : SigV4UriEncode(input.path, /*keep_slash=*/true);
  head += "\n";
  std::vector<std::pair<std::string, std::string>> query;
  query.reserve(input.query.size());
  for (const auto& [k, v] : input.query) {
    query.emplace_back(SigV4UriEncode(k, false), SigV4UriEncode(v, false));
  }
  std::sort(query.begin(), query.end());
  for (size_t i = 0; i < query.size(); ++i) {
    if (i > 0) head += "&";
    head += query[i].first + "=" + query[i].second;
  }
  head += "\n";

  std::string canonical = head;
  std::string redacted = head;
  for (const auto& [name, values] : signed_values) {
    std::string joined;
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) joined += ",";
      joined += values[i];
    }
    canonical += name + ":" + joined + "\n";
    redacted += name + ":" + (name == "x-amz-security-token" ? "<redacted>" : joined) + "\n";
    if (!out.signed_headers.empty()) out.signed_headers += ";";
    out.signed_headers += name;
  }
  std::string tail = "\n" + out.signed_headers + "\n" + Sha256Hex(input.body);
  canonical += tail;
  redacted += tail;
  out.canonical_request = std::move(redacted);

  out.string_to_sign =
      "AWS4-HMAC-SHA256\n" + out.amz_date + "\n" + out.scope + "\n" + Sha256Hex(canonical);
  OPENSSL_cleanse(canonical.data(), canonical.size());  // holds the session token

  const Key key = SigningKey(keys.secret_access_key, date, input.region, input.service);
  const Key sig = Hmac(key.data(), key.size(), out.string_to_sign);
  out.signature = Hex(sig.data(), sig.size());

  out.headers.emplace_back("X-Amz-Date", out.amz_date);
  if (has_token) out.headers.emplace_back("X-Amz-Security-Token", keys.session_token.reveal());
  out.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=" + keys.access_key_id +
                                                "/" + out.scope +
                                                ", SignedHeaders=" + out.signed_headers +
                                                ", Signature=" + out.signature);
  return out;
}

}  // namespace chantless
