// The replay server's HTTP/1.1 request reader (see the header).
#include "replay/wire_request.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

#include "resolver/core/ascii.h"
#include "resolver/http/http_client.h"

namespace chantless {
namespace replay {
namespace {

constexpr size_t kMaxWireHead = 64 * 1024;  // request line and headers
constexpr size_t kMaxChunkLine = 1024;

const char* ReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 421:
      return "Misdirected Request";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "";
  }
}

bool IsTokenChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr);  // strchr finds the NUL
}

bool IsToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsTokenChar);
}

// The line without its line end ("\r\n" or a bare "\n").
std::string_view Chomp(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// Optional whitespace around a header value or a list item (RFC 9110 OWS).
std::string_view TrimBlanks(std::string_view s) { return StripAsciiWhitespace(s, kSpaceAndTab); }

// Whether the comma-separated header value lists `token` (case-insensitive).
bool ListsToken(const std::optional<std::string>& value, std::string_view token) {
  if (!value) return false;
  std::string_view rest = *value;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    if (EqualsIgnoreCase(TrimBlanks(rest.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

std::string WireResponseHead(int status,
                             const std::vector<std::pair<std::string, std::string>>& headers,
                             size_t content_length, bool keep_alive) {
  std::string head = "HTTP/1.1 " + std::to_string(status) + " " + ReasonPhrase(status) + "\r\n";
  for (const auto& [name, value] : headers) {
    if (EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Transfer-Encoding") ||
        EqualsIgnoreCase(name, "Connection") || EqualsIgnoreCase(name, "Keep-Alive")) {
      continue;
    }
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  }
  head += "Content-Length: " + std::to_string(content_length) + "\r\n";
  if (!keep_alive) head += "Connection: close\r\n";
  head += "\r\n";
  return head;
}

int ReadWireRequest(WireSource& source, size_t max_body, WireRequest* out) {
  WireRequest& request = *out;
  request = WireRequest();
  std::string line;
  size_t head_bytes = 0;
  if (!source.ReadLine(&line, kMaxWireHead)) {
    return line.size() > kMaxWireHead ? 414 : line.empty() ? kWireClosed : 400;
  }
  head_bytes += line.size();
  {
    const std::string_view request_line = Chomp(line);
    const size_t first = request_line.find(' ');
    const size_t second =
        first == std::string_view::npos ? first : request_line.find(' ', first + 1);
    if (second == std::string_view::npos) return 400;
    request.method = std::string(request_line.substr(0, first));
    request.target = std::string(request_line.substr(first + 1, second - first - 1));
    request.version = std::string(request_line.substr(second + 1));
    if (!IsToken(request.method) || request.target.empty()) return 400;
    if (request.version != "HTTP/1.1" && request.version != "HTTP/1.0") {
      return request.version.rfind("HTTP/", 0) == 0 ? 505 : 400;
    }
  }
  while (true) {
    line.clear();
    if (!source.ReadLine(&line, kMaxWireHead - head_bytes)) {
      return head_bytes + line.size() > kMaxWireHead ? 431 : 400;
    }
    head_bytes += line.size();
    const std::string_view field = Chomp(line);
    if (field.empty()) break;
    const size_t colon = field.find(':');
    // A line folded onto the previous one (obsolete) or without a name is refused, as a name with
    // blanks before its colon (a smuggling vector).
    if (colon == std::string_view::npos || !IsToken(field.substr(0, colon))) return 400;
    request.headers.emplace_back(std::string(field.substr(0, colon)),
                                 std::string(TrimBlanks(field.substr(colon + 1))));
  }
  const std::optional<std::string> transfer_encoding =
      FindHeader(request.headers, "Transfer-Encoding");
  const std::optional<std::string> content_length = FindHeader(request.headers, "Content-Length");
  const bool http11 = request.version == "HTTP/1.1";
  const bool expects_body = transfer_encoding || (content_length && *content_length != "0");
  if (expects_body && http11 && ListsToken(FindHeader(request.headers, "Expect"), "100-continue")) {
    source.Write("HTTP/1.1 100 Continue\r\n\r\n");  // a connection flushes it before it reads
  }
  if (transfer_encoding) {
    if (content_length) return 400;  // both: which one frames it is ambiguous
    if (!EqualsIgnoreCase(*transfer_encoding, "chunked")) return 501;
    while (true) {
      line.clear();
      if (!source.ReadLine(&line, kMaxChunkLine)) return 400;
      std::string_view size_text = Chomp(line);
      size_text = size_text.substr(0, size_text.find(';'));  // chunk extensions are ignored
      size_text = TrimBlanks(size_text);
      uint64_t size = 0;
      if (size_text.size() > 8 || !ParseHex(size_text, &size)) return 400;
      if (size == 0) break;
      if (request.body.size() + size > max_body) return 413;
      if (!source.ReadBytes(size_t(size), &request.body)) return 400;
      line.clear();
      if (!source.ReadLine(&line, kMaxChunkLine) || !Chomp(line).empty()) return 400;
    }
    while (true) {  // trailers, up to the empty line
      line.clear();
      if (!source.ReadLine(&line, kMaxChunkLine)) return 400;
      if (Chomp(line).empty()) break;
    }
  } else if (content_length) {
    uint64_t size = 0;
    if (content_length->size() > 18 || !ParseDecimal(*content_length, &size)) return 400;
    if (size > max_body) return 413;
    if (!source.ReadBytes(size_t(size), &request.body)) return 400;
  }
  return kWireRequest;
}

bool WireKeepAlive(const WireRequest& request) {
  const std::optional<std::string> connection = FindHeader(request.headers, "Connection");
  return !ListsToken(connection, "close") &&
         (request.version == "HTTP/1.1" || ListsToken(connection, "keep-alive"));
}

}  // namespace replay
}  // namespace chantless
