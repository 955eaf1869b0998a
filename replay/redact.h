// Redactor: replaces every secret in captured exchanges with a deterministic placeholder of the
// same shape, consistently — the same secret becomes the same placeholder everywhere in a
// transcript (an IMDS token in the PUT response and in every later GET header; one access key id
// in two responses).
//
// Rules, applied in two passes over the whole recording (Learn every exchange, then Apply):
//   JSON bodies (nested at any depth, keys case-insensitive): AccessKeyId, SecretAccessKey,
//     Token, SessionToken, the SSO secrets accessToken, refreshToken and clientSecret (token cache,
//     CreateToken, GetRoleCredentials' roleCredentials), plus RedactOptions::json_keys; AccountId
//     and the account field of every ARN when RedactOptions::redact_account;
//   XML bodies: STS's <AccessKeyId>, <SecretAccessKey> and <SessionToken> (secret_scan.h);
//   JWTs anywhere (the web identity token of AssumeRoleWithWebIdentity's form body): the header
//     and payload are kept readable (issuer, subject, audience and expiry are what a test engineer
//     reads a transcript for, and they are not secret) and the signature — what makes the token
//     usable — is replaced;
//   headers (case-insensitive): Authorization, X-aws-ec2-metadata-token, X-Amz-Security-Token,
//     x-amz-sso_bearer_token, plus RedactOptions::header_names. A SigV4 Authorization
//     ("AWS4-HMAC-SHA256 Credential=AKID/scope, SignedHeaders=…, Signature=…") keeps its shape:
//     the key id and the signature are replaced, the scope and the signed header list are kept;
//   the body of a successful `PUT /latest/api/token` (an IMDSv2 token);
//   anything the secret scanner (secret_scan.h) recognises in any header, path or body, JSON or
//   not.
// Then every occurrence of every learned secret of 8 bytes or more is replaced in every header
// value, path and body, including inside larger strings and in bodies that are not UTF-8. JSON
// bodies that change are re-serialised (key order kept) and Content-Length is corrected.
// Placeholders:
//   access key id      ASIAREDACTED00000001 (the AKIA/ASIA prefix kept, 20 characters);
//   secret access key  REDACTED/SECRET/ACCESS/KEY/0000000000001 (40 characters);
//   session token      REDACTEDSESSIONTOKEN0001AAAA… (the original length, at least 24);
//   IMDS token         REDACTEDIMDSTOKEN0001AAAA… (the original length, at least 21);
//   authorization      REDACTED-AUTHORIZATION-0001 (a "Bearer "/"Basic " scheme kept);
//   SigV4 signature    REDACTEDSIGNATURE0001AAAA… (64 characters, as long as the hex signature);
//   bearer token       REDACTED-BEARER-TOKEN-0001 (SSO access/refresh tokens, client secrets);
//   JWT                <header>.<payload>.REDACTEDJWTSIGNATURE0001;
//   other              REDACTED-0001;   account id   000000000001.
#ifndef CHANTLESS_REPLAY_REDACT_H_
#define CHANTLESS_REPLAY_REDACT_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "replay/capture.h"

namespace chantless {
namespace replay {

struct RedactOptions {
  std::vector<std::string> json_keys;     // --redact-key, case-insensitive
  std::vector<std::string> header_names;  // --redact-header, case-insensitive
  bool redact_account = false;            // --redact-account
};

// Not thread-safe: one Redactor belongs to one recording and is used from one thread. It holds the
// learned secrets in memory only (never log it).
class Redactor {
 public:
  explicit Redactor(RedactOptions options = {});

  // Pass 1: remembers every secret in `exchange` and assigns its placeholder.
  void Learn(const CapturedExchange& exchange);
  // Pass 2: rewrites `exchange` with every learned secret replaced.
  void Apply(CapturedExchange* exchange) const;
  // Learn(all), then Apply(all).
  void RedactAll(std::vector<CapturedExchange>* exchanges);

  // Every learned secret replaced in `text` (for messages and metadata written beside exchanges).
  std::string ReplaceKnown(std::string_view text) const;

  size_t secret_count() const { return placeholders_.size(); }

 private:
  enum class Kind {
    kAccessKeyId,
    kSecretKey,
    kSessionToken,
    kImdsToken,
    kAuthorization,
    kSignature,
    kBearerToken,
    kJwt,
    kAccount,
    kOther
  };

  void Register(const std::string& value, Kind kind);
  std::string MakePlaceholder(const std::string& value, Kind kind);
  void LearnHeaders(const HttpHeaders& headers);
  void LearnBody(const std::string& body);
  void LearnText(std::string_view text);
  void ApplyHeaders(HttpHeaders* headers) const;
  // Returns true when the body changed.
  bool ApplyBody(std::string* body) const;
  bool IsUserHeader(std::string_view name) const;

  RedactOptions options_;
  std::map<std::string, std::string> placeholders_;  // secret -> placeholder
  std::map<Kind, int> counters_;
  // Secrets of 8 bytes or more, longest first, for substring replacement.
  std::vector<std::string> by_length_;
};

}  // namespace replay
}  // namespace chantless

#endif  // CHANTLESS_REPLAY_REDACT_H_
