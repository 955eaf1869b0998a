// The replay server's own HTTP/1.1 request reader and response head: what a request looks like
// once read (WireRequest), where its bytes come from (WireSource: a connection, or memory in the
// fuzz target), and the rules it reads them by, with no HTTP library.
//
// What it accepts: a request line "METHOD SP target SP HTTP/1.1|HTTP/1.0" (lines end in CRLF or a
// bare LF), header fields "token: value" (values without surrounding blanks; folded lines, names
// with blanks and a head over 64 KiB are refused), then a Content-Length body (digits only, at
// most `max_body` bytes) or a chunked one (hex sizes, extensions ignored, trailers read and
// dropped), never both. "Expect: 100-continue" on an HTTP/1.1 request with a body gets
// "HTTP/1.1 100 Continue" before the body is read. Pure functions over the source, thread-safe.
#ifndef CHANTLESS_REPLAY_WIRE_REQUEST_H_
#define CHANTLESS_REPLAY_WIRE_REQUEST_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chantless {
namespace replay {

// Where a request's bytes come from.
class WireSource {
 public:
  virtual ~WireSource() = default;
  // Appends bytes up to and including the next '\n' to *line; false when the bytes end first, or
  // when *line has grown past `max` bytes (it then holds more than `max`).
  virtual bool ReadLine(std::string* line, size_t max) = 0;
  // Appends exactly `n` bytes to *out; false when the bytes end first.
  virtual bool ReadBytes(size_t n, std::string* out) = 0;
  // Sends bytes back to the client before the request is read whole ("100 Continue").
  virtual void Write(std::string_view bytes) = 0;
};

// A request as ConnectionServer's own HTTP/1.1 reader parsed it (SetWireHandler).
struct WireRequest {
  std::string method;
  std::string target;   // as sent: origin form ("/path?query") or absolute form
  std::string version;  // "HTTP/1.1" or "HTTP/1.0"
  // In the order sent, names as sent, values without surrounding blanks.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // de-chunked
  std::string remote_ip;
};

// Reads one request from `source` (kWireRequest with `*request` filled, its remote_ip left to
// the caller), kWireClosed when the connection ended or failed before a byte of it, else the HTTP
// status to refuse it with (400, 413, 414, 431, 501, 505; the connection is then to be closed). A
// body over `max_body` bytes is 413 before it is read.
constexpr int kWireRequest = 0;
constexpr int kWireClosed = -1;
int ReadWireRequest(WireSource& source, size_t max_body, WireRequest* request);

// Whether the client lets the connection stay open after this request: HTTP/1.1 unless
// "Connection: close", HTTP/1.0 only with "Connection: keep-alive".
bool WireKeepAlive(const WireRequest& request);

// "HTTP/1.1 <status> <reason>\r\n", `headers` (except the ones that frame the message:
// Content-Length, Transfer-Encoding, Connection, Keep-Alive), "Content-Length: <n>", "Connection:
// close" unless `keep_alive`, and the empty line.
std::string WireResponseHead(int status,
                             const std::vector<std::pair<std::string, std::string>>& headers,
                             size_t content_length, bool keep_alive);

}  // namespace replay
}  // namespace chantless

#endif  // CHANTLESS_REPLAY_WIRE_REQUEST_H_
