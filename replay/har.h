// Interop formats: import HAR 1.2 (mitmproxy, browsers, Charles, …) and smithy-rs DVR
// `NetworkTraffic` V0 (the http-traffic.json files of aws-sdk-rust's aws-config tests) into
// CapturedExchanges — which the caller then redacts and turns into a transcript (recording.h) —
// and export a transcript as HAR 1.2.
//
// HAR import: every `log.entries[i]` becomes one exchange in file order: request method, the path
// and query of `request.url`, headers, `postData.text`; response status, headers and
// `content.text` (decoded when `content.encoding` is "base64"); `time` as the upstream time and
// the earliest `startedDateTime` as the recording instant. A response with status 0 (aborted, as
// browsers write it) becomes a "reset" fault.
// DVR import: events are grouped per `connection_id`; a `Request` starts an exchange, `Data`
// events append to the request or response body (`Utf8` or `Base64`), `Response.Ok` sets status
// and headers (each header may have several values), `Response.Error` becomes a fault ("timeout"
// when the message says so, else "reset"). Exchanges keep the order of their `Request` events.
// Errors name the source and the JSON path: "x.har: $.log.entries[2].request.url: …" (always
// kInvalidConfiguration). No exception escapes.
#ifndef CHANTLESS_REPLAY_HAR_H_
#define CHANTLESS_REPLAY_HAR_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "replay/capture.h"
#include "replay/transcript.h"
#include "resolver/core/clock.h"
#include "resolver/core/status.h"

namespace chantless {
namespace replay {

struct ImportedTraffic {
  std::vector<CapturedExchange> exchanges;  // not redacted yet
  std::optional<WallTime> recorded_at;      // HAR: earliest startedDateTime; DVR: none
  std::string docs;                         // DVR "docs"; HAR log.comment
};

StatusOr<ImportedTraffic> ImportHar(std::string_view text, std::string_view source);
StatusOr<ImportedTraffic> ImportDvr(std::string_view text, std::string_view source);

// The host of an absolute URL as a transcript names it: "https://STS.us-east-1.amazonaws.com:443/"
// → "sts.us-east-1.amazonaws.com" (lower case, the scheme's default port dropped); "" for a bare
// path, a URL without a host, or a loopback host (127.0.0.1, ::1, localhost: any host).
std::string HostOfUrl(std::string_view url);

// The URL base an exchange's host is reached at: "https://<host>" for a DNS name without a port or
// with ":443" (STS, the SSO portal, SSO-OIDC), "http://<host>" for an IP address or another port
// (IMDS, the container endpoints).
std::string BaseUrlOfHost(std::string_view host);

// HAR 1.2 for `transcript`: one entry per exchange, URLs on the exchange's host (BaseUrlOfHost)
// when it names one, else on `endpoint` ("http://169.254.169.254").
// A "mint" exchange without a response is written as a 200 whose body is "{{imds_token}}"; a
// fault is written as a comment ("fault: reset") and, when it has no response, status 0.
std::string ExportHar(const Transcript& transcript, std::string_view endpoint);

}  // namespace replay
}  // namespace chantless

#endif  // CHANTLESS_REPLAY_HAR_H_
