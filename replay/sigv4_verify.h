// SigV4 verification for the replay: recomputes a received request's signature with the fake keys
// a transcript handed out (Transcript::sigv4_keys) and, when it differs, says what it can about
// why. The engine calls it for exchanges marked "sigv4": "verify".
//
// The verifier cannot know the client's canonical request, only rebuild its own from what arrived
// (resolver/sigv4's SigV4Signer does the rebuilding, so client and replay agree on one reading of
// the rules). It checks, in order, and the first failure is the verdict:
//   - an Authorization header of the form "AWS4-HMAC-SHA256 Credential=<id>/<date>/<region>/
//     <service>/aws4_request, SignedHeaders=a;b;c, Signature=<64 hex>";
//   - the key id is one the transcript handed out (else InvalidClientTokenId);
//   - X-Amz-Date is present, well formed and on the scope's date;
//   - every signed header was received (host included), and the session token sent is the one
//     handed out with the key (when the transcript names one);
//   - the signature recomputed over method, path, query, the signed headers, the body's SHA-256,
//     the date and scope equals the one sent; otherwise "the signature differs; the server's
//     canonical request is: …" (session tokens and other secret-looking header values redacted).
// No secret (secret key, session token, signature) ever appears in a reason.
#ifndef CHANTLESS_REPLAY_SIGV4_VERIFY_H_
#define CHANTLESS_REPLAY_SIGV4_VERIFY_H_

#include <string>
#include <vector>

#include "replay/transcript.h"
#include "resolver/http/http_client.h"

namespace chantless {
namespace replay {

struct SigV4Result {
  bool ok = false;
  // STS's error code for the refusal: "SignatureDoesNotMatch", "InvalidClientTokenId",
  // "IncompleteSignature" or "MissingAuthenticationToken".
  std::string code;
  std::string reason;  // the first difference; never a secret
};

// `host` is the Host the client signed (the Host header, or the in-process request's endpoint
// host); `target` the path and query as sent on the request line.
SigV4Result VerifySigV4(const std::vector<SigV4Key>& keys, const std::string& method,
                        const std::string& host, const std::string& target,
                        const HttpHeaders& headers, const std::string& body);

// Signs the request again with `key` (the recorder's re-signing of a redacted request): the same
// X-Amz-Date, scope (date, region, service) and signed header list, the X-Amz-Security-Token sent
// (when signed); returns the new Authorization value (it holds no secret, only the signature).
// Errors: kInvalidConfiguration when the Authorization or X-Amz-Date cannot be read, a signed
// header is missing, or the signer would sign a different header list (it never signs e.g.
// user-agent).
StatusOr<std::string> ResignSigV4(const SigV4Key& key, const std::string& method,
                                  const std::string& host, const std::string& target,
                                  const HttpHeaders& headers, const std::string& body);

// STS's ErrorResponse XML for a refusal (HTTP 403): Type Sender, the code, the message (escaped),
// and a fixed fake RequestId.
std::string StsErrorXml(const std::string& code, const std::string& message);

}  // namespace replay
}  // namespace chantless

#endif  // CHANTLESS_REPLAY_SIGV4_VERIFY_H_
