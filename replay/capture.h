// CapturedExchange: one HTTP exchange exactly as the recorder (or an import) saw it, before
// redaction. It exists only in memory: the redactor rewrites it and the transcript writer turns it
// into a transcript exchange, so nothing unredacted ever reaches the disk.
#ifndef CHANTLESS_REPLAY_CAPTURE_H_
#define CHANTLESS_REPLAY_CAPTURE_H_

#include <chrono>
#include <string>

#include "resolver/http/http_client.h"

namespace chantless {
namespace replay {

struct CapturedExchange {
  // The host the client addressed ("sts.us-east-1.amazonaws.com", with ":port" when not the
  // scheme's default); empty when unknown or a loopback address (any host).
  std::string host;
  std::string method = "GET";
  std::string path = "/";  // path and query as the client sent them
  HttpHeaders request_headers;
  std::string request_body;

  int status = 0;  // 0 when `fault` is set
  HttpHeaders response_headers;
  std::string response_body;  // raw bytes, not necessarily UTF-8

  // Why the upstream gave no usable response: "" (it answered), "refused", "timeout", "reset"
  // (connection reset or closed without a response). A non-2xx answer is a response, not a fault.
  std::string fault;

  // When the client's request arrived, relative to the start of the recording, and how long the
  // upstream took to answer (for optional latency replay).
  std::chrono::milliseconds started{0};
  std::chrono::milliseconds upstream_elapsed{0};
};

}  // namespace replay
}  // namespace chantless

#endif  // CHANTLESS_REPLAY_CAPTURE_H_
