// From captured exchanges to a committed-quality transcript file: BuildTranscript turns redacted
// CapturedExchanges into the transcript model (docs/transcript-format.md), and
// WriteVerifiedTranscript writes it atomically, re-reads it and verifies it, deleting it on any
// finding. Shared by `chantless record` and `chantless import`.
//
// Mapping rules (BuildTranscript):
//   - a successful `PUT /latest/api/token` becomes an `imds_token: "mint"` exchange without a
//     response (the replay mints a fresh token; the recorded one is never needed); requests that
//     carried X-aws-ec2-metadata-token become "require", the others "accept" (when the recording
//     has a mint) or "none";
//   - every exchange keeps recorded order in one family ("imds" when the recording has a token
//     PUT, else "default"), with id "NN-<method>-<last path segment>";
//   - request matchers hold method, path, query and body; an Authorization header that was sent
//     becomes "{{present}}" (the client must send one); no other header is matched;
//   - responses keep status, headers (minus Content-Length and hop-by-hop headers: the replay
//     computes them) and body (body_base64 when not UTF-8);
//   - upstream faults: "reset" → reset, "refused" → close_without_response, "timeout" →
//     delay_before_headers of the time waited then a 504; with `latency`, every answered exchange
//     gets delay_before_headers of its upstream time (optional latency replay);
//   - `rebase.json_fields` = Expiration, LastUpdated (times relative to `recorded_at`);
//   - `sigv4_keys` = RecordingInfo::sigv4_keys (ResignSigV4Exchanges), and every exchange whose
//     request, as captured, verifies with them (replay/sigv4_verify.h) is marked
//     `"sigv4": "verify"`.
//
// Re-signing (ResignSigV4Exchanges, after redaction): a redacted SigV4 request keeps its scope,
// date and signed header list but carries a placeholder key id and signature, so a replay could
// not check it. Each placeholder key id gets a fake secret access key (obviously fake: it
// contains EXAMPLE), the request is signed again with it (same X-Amz-Date, region, service,
// signed headers, and the redacted X-Amz-Security-Token when signed), and the key is returned for
// the transcript's `sigv4_keys` (with that session token, so a replay requires it). Exchanges
// without a host (the reverse proxy's, whose Host was the proxy) or whose signed header list
// chantless's signer cannot reproduce are left as they are.
#ifndef CHANTLESS_REPLAY_RECORDING_H_
#define CHANTLESS_REPLAY_RECORDING_H_

#include <string>
#include <string_view>
#include <vector>

#include "replay/capture.h"
#include "replay/transcript.h"
#include "replay/verify.h"
#include "resolver/core/clock.h"
#include "resolver/core/status.h"

namespace chantless {
namespace replay {

struct RecordingInfo {
  std::string name = "recorded";
  std::string docs;
  WallTime recorded_at;
  bool latency = false;              // write upstream timings as delay_before_headers faults
  std::vector<SigV4Key> sigv4_keys;  // from ResignSigV4Exchanges
};

// Re-signs the redacted SigV4 requests in `exchanges` (rules above); returns the fake keys used,
// one per key id, in order of first use. `log` (optional) hears why an exchange was not re-signed.
std::vector<SigV4Key> ResignSigV4Exchanges(std::vector<CapturedExchange>* exchanges,
                                           std::vector<std::string>* log = nullptr);

// `exchanges` must already be redacted. Errors: kInvalidConfiguration when there is nothing to
// write (no exchange).
StatusOr<Transcript> BuildTranscript(const std::vector<CapturedExchange>& exchanges,
                                     const RecordingInfo& info);

// Writes `contents` to a temporary file beside `path`, flushes it and renames it over `path`: a
// crash leaves either the old file or the new one, never half of one. kUnavailable on I/O errors.
Status WriteFileAtomically(const std::string& path, std::string_view contents);

// Serialises, writes atomically, re-reads and verifies (verify.h). When the re-read file fails
// validation or the scanner finds anything, the file is deleted and kInvalidResponse returned;
// `report` (optional) receives the details (findings are masked).
Status WriteVerifiedTranscript(const Transcript& transcript, const std::string& path,
                               VerifyReport* report);

}  // namespace replay
}  // namespace chantless

#endif  // CHANTLESS_REPLAY_RECORDING_H_
