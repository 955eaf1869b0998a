// The replay server's HTTP/1.1 request reader (replay::ReadWireRequest, replay/wire_request.h) on
// arbitrary bytes: the input is what a client sent on one connection before closing it, read
// request after request as the server core reads a connection (a WireSource over the bytes, with
// the same line and byte semantics as ConnectionStream's).
//
// Invariants (a broken one traps): every result is a request, the end of the bytes or one of the
// documented refusals; a request has a token method, a non-empty target, HTTP/1.0 or 1.1, header
// names that are tokens, values without surrounding blanks, and a body within the limit; a
// "100 Continue" is only written for an HTTP/1.1 request; the reader always consumes bytes, so it
// never takes more requests than the bytes could hold.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "replay/wire_request.h"

namespace {

namespace replay = chantless::replay;

constexpr size_t kMaxBody = 4096;

class BytesSource final : public replay::WireSource {
 public:
  explicit BytesSource(std::string_view bytes) : bytes_(bytes) {}

  bool ReadLine(std::string* line, size_t max) override {
    const size_t newline = bytes_.find('\n', at_);
    const size_t end = newline == std::string_view::npos ? bytes_.size() : newline + 1;
    line->append(bytes_.substr(at_, end - at_));
    at_ = end;
    return newline != std::string_view::npos && line->size() <= max;
  }
  bool ReadBytes(size_t n, std::string* out) override {
    const size_t take = std::min(n, bytes_.size() - at_);
    out->append(bytes_.substr(at_, take));
    at_ += take;
    return take == n;
  }
  void Write(std::string_view bytes) override { written += bytes; }

  size_t at() const { return at_; }
  std::string written;

 private:
  std::string_view bytes_;
  size_t at_ = 0;
};

bool IsTokenChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr);
}

bool IsToken(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

void Check(const replay::WireRequest& r) {
  if (!IsToken(r.method) || r.target.empty()) __builtin_trap();
  if (r.version != "HTTP/1.1" && r.version != "HTTP/1.0") __builtin_trap();
  if (r.body.size() > kMaxBody) __builtin_trap();
  for (const auto& [name, value] : r.headers) {
    if (!IsToken(name)) __builtin_trap();
    if (!value.empty() && (IsBlank(value.front()) || IsBlank(value.back()))) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  BytesSource source(std::string_view(reinterpret_cast<const char*>(data), size));
  while (true) {
    const size_t before = source.at();
    const size_t written = source.written.size();
    replay::WireRequest request;
    const int read = replay::ReadWireRequest(source, kMaxBody, &request);
    if (read == replay::kWireClosed) break;
    if (read != replay::kWireRequest) {
      if (read != 400 && read != 413 && read != 414 && read != 431 && read != 501 && read != 505) {
        __builtin_trap();
      }
      break;
    }
    Check(request);
    if (source.written.size() != written && request.version != "HTTP/1.1") __builtin_trap();
    (void)replay::WireKeepAlive(request);
    if (source.at() <= before) __builtin_trap();  // a request that took no bytes: a loop
  }
  return 0;
}
