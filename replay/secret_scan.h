// The secret scanner behind `chantless verify` and the recorder's last line of defence.
//
// It looks for credential-shaped strings that must never be committed:
//   access key id      AKIA/ASIA + 16 characters of [A-Z2-7], with plausible entropy;
//   secret access key  exactly 40 characters of [A-Za-z0-9/+] mixing upper, lower and digits;
//   session token      a base64 run of 100 characters or more;
//   IMDS token         a base64url run of 40-120 characters starting "AQA" (IMDSv2's shape), or
//                      any non-placeholder value of an X-aws-ec2-metadata-token header;
//   authorization      any non-placeholder value of an Authorization or X-Amz-Security-Token
//                      header;
//   bearer token       any non-placeholder value of an x-amz-sso_bearer_token header, or of an
//                      accessToken, refreshToken or clientSecret member (the SSO token cache,
//                      SSO-OIDC CreateToken);
//   web identity token a JWT (three base64url segments, the first two starting "eyJ") whose
//                      signature is not a placeholder: the redactor keeps a JWT's header and
//                      payload readable and replaces its signature, which is what makes it usable;
//   credential fields  any non-placeholder value of an AccessKeyId, SecretAccessKey, Token or
//                      SessionToken member (case-insensitive), whatever its shape — also inside
//                      bodies that are themselves JSON, reported as "<body path>:$.Member" — and
//                      of the XML elements <AccessKeyId>, <SecretAccessKey> and <SessionToken>
//                      (STS's Credentials).
// Allowed: anything containing "EXAMPLE" or "REDACTED" (the documented example keys
// AKIAIOSFODNN7EXAMPLE and wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY, and every placeholder the
// redactor writes) and template values starting "{{". Findings name the file, the JSON path and the
// kind, and show at most a masked prefix — never the secret.
#ifndef CHANTLESS_REPLAY_SECRET_SCAN_H_
#define CHANTLESS_REPLAY_SECRET_SCAN_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace chantless {
namespace replay {

enum class SecretKind {
  kAccessKeyId,
  kSecretAccessKey,
  kSessionToken,
  kImdsToken,
  kAuthorization,
  kBearerToken,
  kWebIdentityToken,
};

// "access key id", "secret access key", "session token", "IMDS token", "authorization header",
// "bearer token", "web identity token".
std::string_view SecretKindName(SecretKind kind);

// A secret-shaped substring of a text. Holds offsets only, so it is safe to log.
struct SecretSpan {
  SecretKind kind;
  size_t offset = 0;
  size_t length = 0;
};

// Secret-shaped substrings of `text` (any bytes), in order, not overlapping. Pure.
std::vector<SecretSpan> FindSecretsInText(std::string_view text);

// True for values verify accepts in a secret position: empty, containing EXAMPLE or REDACTED
// (case-insensitive), or a "{{…}}" template.
bool IsPlaceholderValue(std::string_view value);

// Header names whose values are secrets (case-insensitive): Authorization,
// X-aws-ec2-metadata-token, X-Amz-Security-Token, x-amz-sso_bearer_token.
bool IsSecretHeaderName(std::string_view name);

// "ASIA… (20 chars)" for key ids, "… (40 chars)" otherwise: never more than a 4-character prefix.
std::string MaskSecret(SecretKind kind, std::string_view value);

struct Finding {
  std::string file;
  std::string json_path;  // "$.exchanges[2].response.body"; "$" for a file that is not JSON
  SecretKind kind;
  std::string masked;  // MaskSecret()
  // "fixtures/ec2/x.json: $.exchanges[2].response.body: access key id ASIA… (20 chars)"
  std::string ToString() const;
};

// Scans a document: every JSON string value (and key) when `text` is JSON — strings under a key
// named "body_base64" (or HAR's "text" with "encoding": "base64") are decoded first, header values
// are checked by name (object keys or HAR/DVR {"name","value"} pairs) — or the raw text otherwise.
std::vector<Finding> ScanDocument(std::string_view text, std::string_view file);

}  // namespace replay
}  // namespace chantless

#endif  // CHANTLESS_REPLAY_SECRET_SCAN_H_
