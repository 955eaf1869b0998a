// AWS Signature Version 4 (header form) for the STS query call, on OpenSSL's libcrypto.
//
// Rules (docs/behaviour.md "STS building blocks"; botocore auth.py SigV4Auth is the reference):
//   - X-Amz-Date is the UTC signing time, YYYYMMDD'T'HHMMSS'Z'; the scope is
//     <date>/<region>/<service>/aws4_request.
//   - Canonical request = METHOD \n path \n query \n canonical headers \n \n signed headers \n
//     hex(SHA-256(body)). The path is the decoded path, URI-encoded once per byte except
//     A-Z a-z 0-9 - _ . ~ and '/' (no dot-segment normalisation; STS's path is "/"); an empty path
//     is "/". Query parameters (decoded name/value pairs) are URI-encoded (unreserved kept, space
//     %20) and sorted by encoded name, then value.
//   - Headers: names lower-cased, values trimmed with inner runs of whitespace collapsed to one
//     space (as botocore's ' '.join(value.split()) over ASCII whitespace), repeated names joined
//     with ',', sorted by name. Every supplied header is signed except user-agent, expect,
//     x-amzn-trace-id and the hop-by-hop headers (connection, keep-alive, proxy-authenticate,
//     proxy-authorization, proxy-connection, te, trailer, transfer-encoding, upgrade). The signer
//     owns host (from SigningInput::host, with ":port" when not the scheme's default),
//     x-amz-date, x-amz-security-token (signed when the keys have a session token) and
//     authorization: any such header in the input is replaced.
//   - Signing key = HMAC chain "AWS4"+secret → date → region → service → "aws4_request";
//     signature = hex HMAC(key, string to sign).
// The secret access key never appears in any returned string; the canonical request shows the
// session token as "<redacted>" (its hash, in the string to sign, is over the real value).
#ifndef CHANTLESS_RESOLVER_SIGV4_SIGV4_SIGNER_H_
#define CHANTLESS_RESOLVER_SIGV4_SIGV4_SIGNER_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "resolver/core/secret.h"
#include "resolver/core/status.h"

namespace chantless {

using SigningHeaders = std::vector<std::pair<std::string, std::string>>;

struct SigningInput {
  std::string method = "POST";
  std::string host;  // "sts.eu-west-1.amazonaws.com" or "127.0.0.1:8443" (port when not default)
  std::string path = "/";                                  // decoded
  std::vector<std::pair<std::string, std::string>> query;  // decoded name/value pairs
  SigningHeaders headers;  // e.g. {"Content-Type", "application/x-www-form-urlencoded; …"}
  std::string body;        // the exact bytes sent
  std::string region;      // "us-east-1" for the global endpoint
  std::string service = "sts";
  std::chrono::system_clock::time_point time;  // truncated to the second
};

struct SigningKeys {
  std::string access_key_id;
  Secret secret_access_key;
  Secret session_token;  // empty for long-term keys
};

struct SignedRequest {
  // The headers to add to the request, in this order: X-Amz-Date, X-Amz-Security-Token (only
  // with a session token; its value is the token: never log `headers`), Authorization.
  SigningHeaders headers;
  std::string amz_date;        // "20150830T123600Z"
  std::string scope;           // "20150830/us-east-1/sts/aws4_request"
  std::string signed_headers;  // "content-type;host;x-amz-date"
  std::string signature;       // 64 lower-case hex digits
  // Diagnostics (safe to log): the canonical request with the session token shown as
  // "<redacted>", and the string to sign.
  std::string canonical_request;
  std::string string_to_sign;
};

// URI-encodes every byte except A-Z a-z 0-9 - _ . ~ (and '/' when keep_slash), as %XX upper-case.
std::string SigV4UriEncode(std::string_view text, bool keep_slash);

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// Signs requests. The signing-key cache holds the derived key per (secret, date, region,
// service), so a second signature on the same day with the same keys costs one HMAC instead of
// five; it keeps at most kMaxCachedKeys entries (the oldest is dropped) and holds a copy of each
// secret it was given, as the caller's Credentials do. Thread-safe: Sign() may be called from any
// number of threads (the cache is guarded by a mutex held only for the lookup and the insert, not
// while hashing). With KeyCache::kDisabled every signature derives its key afresh.
class SigV4Signer {
 public:
  enum class KeyCache { kEnabled, kDisabled };
  static constexpr size_t kMaxCachedKeys = 16;

  explicit SigV4Signer(KeyCache cache = KeyCache::kEnabled)
      : cache_enabled_(cache == KeyCache::kEnabled) {}
  SigV4Signer(const SigV4Signer&) = delete;
  SigV4Signer& operator=(const SigV4Signer&) = delete;

  // kInvalidConfiguration when an input cannot be signed: empty method, host, region, service or
  // access key id, a '/' or whitespace in region, service or access key id, an empty secret, a
  // header name that is not an HTTP token, a header value holding CR, LF or NUL, or a time
  // outside the years 1970-9999. Messages name the field, never a value of the keys.
  StatusOr<SignedRequest> Sign(const SigningInput& input, const SigningKeys& keys) const;

  // Entries currently cached (tests).
  size_t CachedKeyCount() const;

 private:
  using Key = std::array<uint8_t, 32>;
  struct CacheEntry {
    Secret secret;
    std::string date;
    std::string region;
    std::string service;
    Key key;
  };

  Key SigningKey(const Secret& secret, const std::string& date, const std::string& region,
                 const std::string& service) const;

  const bool cache_enabled_;
  mutable std::mutex mu_;
  mutable std::deque<CacheEntry> cache_;  // guarded by mu_; newest at the back
};

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_SIGV4_SIGV4_SIGNER_H_
