// HAR 1.2 and smithy-rs DVR import, HAR export (rules in har.h).
#include "replay/har.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "nlohmann/json.hpp"
#include "replay/base64.h"
#include "resolver/core/ascii.h"
#include "resolver/core/time_util.h"

namespace chantless {
namespace replay {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

Status Error(std::string_view source, const std::string& path, const std::string& what) {
  return InvalidConfigurationError(std::string(source) + ": " + path + ": " + what);
}

const json* Member(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::string StringOr(const json& object, const char* key, const std::string& fallback = "") {
  const json* v = Member(object, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : fallback;
}

// "http://169.254.169.254/latest/api/token?x=1" → "/latest/api/token?x=1"; a bare path is kept.
std::optional<std::string> PathOfUrl(const std::string& url) {
  if (!url.empty() && url[0] == '/') return url;
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return std::nullopt;
  size_t slash = url.find('/', scheme + 3);
  if (slash == std::string::npos) {
    size_t q = url.find('?', scheme + 3);
    return q == std::string::npos ? "/" : "/" + url.substr(q);
  }
  std::string path = url.substr(slash);
  size_t hash = path.find('#');
  if (hash != std::string::npos) path.resize(hash);
  return path;
}

}  // namespace

std::string HostOfUrl(std::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return "";
  std::string scheme = AsciiLower(url.substr(0, scheme_end));
  std::string_view rest = url.substr(scheme_end + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string host = AsciiLower(authority);
  std::string port;
  size_t colon = host.rfind(':');
  if (colon != std::string::npos && host.find(']', colon) == std::string::npos) {
    port = host.substr(colon + 1);
    host.resize(colon);
  }
  if (host.empty() || host == "127.0.0.1" || host == "[::1]" || host == "localhost") return "";
  bool default_port =
      port.empty() || (scheme == "https" && port == "443") || (scheme == "http" && port == "80");
  return default_port ? host : host + ":" + port;
}

std::string BaseUrlOfHost(std::string_view host) {
  std::string h(host);
  std::string port;
  size_t colon = h.rfind(':');
  if (colon != std::string::npos && h.find(']', colon) == std::string::npos) {
    port = h.substr(colon + 1);
  }
  std::string name = port.empty() ? h : h.substr(0, colon);
  bool ip = name.find_first_not_of("0123456789.") == std::string::npos ||
            (!name.empty() && name.front() == '[');
  bool tls = port == "443" || (port.empty() && !ip && name != "localhost");
  if (tls && port == "443") h = name;
  return std::string(tls ? "https://" : "http://") + h;
}

namespace {

Status ReadHarHeaders(const json& headers, std::string_view source, const std::string& path,
                      HttpHeaders* out) {
  if (headers.is_null()) return OkStatus();
  if (!headers.is_array()) return Error(source, path, "expected an array of {name, value}");
  for (size_t i = 0; i < headers.size(); ++i) {
    const json& h = headers[i];
    const json* name = Member(h, "name");
    const json* value = Member(h, "value");
    if (name == nullptr || !name->is_string() || value == nullptr || !value->is_string()) {
      return Error(source, path + "[" + std::to_string(i) + "]", "expected {name, value} strings");
    }
    const std::string& n = name->get_ref<const std::string&>();
    if (!n.empty() && n[0] == ':') continue;  // HTTP/2 pseudo-headers
    out->emplace_back(n, value->get<std::string>());
  }
  return OkStatus();
}

Status ReadDvrHeaders(const json* headers, std::string_view source, const std::string& path,
                      HttpHeaders* out) {
  if (headers == nullptr || headers->is_null()) return OkStatus();
  if (!headers->is_object()) return Error(source, path, "expected an object of name: [values]");
  for (auto it = headers->begin(); it != headers->end(); ++it) {
    if (it->is_string()) {
      out->emplace_back(it.key(), it->get<std::string>());
      continue;
    }
    if (!it->is_array()) return Error(source, path + "." + it.key(), "expected an array");
    for (const json& v : *it) {
      if (!v.is_string()) return Error(source, path + "." + it.key(), "expected strings");
      out->emplace_back(it.key(), v.get<std::string>());
    }
  }
  return OkStatus();
}

}  // namespace

StatusOr<ImportedTraffic> ImportHar(std::string_view text, std::string_view source) {
  json doc = json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded()) return Error(source, "$", "not valid JSON");
  const json* log = Member(doc, "log");
  if (log == nullptr || !log->is_object()) return Error(source, "$.log", "missing HAR log object");
  const json* entries = Member(*log, "entries");
  if (entries == nullptr || !entries->is_array()) {
    return Error(source, "$.log.entries", "missing entries array");
  }
  ImportedTraffic out;
  out.docs = StringOr(*log, "comment");
  for (size_t i = 0; i < entries->size(); ++i) {
    const json& entry = (*entries)[i];
    std::string path = "$.log.entries[" + std::to_string(i) + "]";
    const json* request = Member(entry, "request");
    const json* response = Member(entry, "response");
    if (request == nullptr || !request->is_object()) {
      return Error(source, path + ".request", "missing request object");
    }
    CapturedExchange e;
    e.method = StringOr(*request, "method", "GET");
    e.host = HostOfUrl(StringOr(*request, "url"));
    std::optional<std::string> url_path = PathOfUrl(StringOr(*request, "url"));
    if (!url_path) return Error(source, path + ".request.url", "expected an absolute URL");
    e.path = *url_path;
    if (const json* h = Member(*request, "headers")) {
      CHANTLESS_RETURN_IF_ERROR(
          ReadHarHeaders(*h, source, path + ".request.headers", &e.request_headers));
    }
    if (const json* post = Member(*request, "postData")) {
      e.request_body = StringOr(*post, "text");
      if (StringOr(*post, "encoding") == "base64") {
        std::optional<std::string> decoded = Base64Decode(e.request_body);
        if (!decoded) return Error(source, path + ".request.postData.text", "invalid base64");
        e.request_body = *decoded;
      }
    }
    if (const json* t = Member(entry, "time"); t != nullptr && t->is_number() && *t >= 0) {
      e.upstream_elapsed = std::chrono::milliseconds(static_cast<int64_t>(t->get<double>()));
    }
    std::string started = StringOr(entry, "startedDateTime");
    if (!started.empty()) {
      StatusOr<WallTime> when = ParseRfc3339(started);
      if (when.ok() && (!out.recorded_at || *when < *out.recorded_at)) out.recorded_at = *when;
    }
    if (response == nullptr || !response->is_object()) {
      return Error(source, path + ".response", "missing response object");
    }
    const json* status = Member(*response, "status");
    if (status == nullptr || !status->is_number_integer() || *status < 0 || *status > 599) {
      return Error(source, path + ".response.status", "expected an integer status");
    }
    e.status = status->get<int>();
    if (e.status == 0) {
      e.fault = "reset";
    } else {
      if (const json* h = Member(*response, "headers")) {
        CHANTLESS_RETURN_IF_ERROR(
            ReadHarHeaders(*h, source, path + ".response.headers", &e.response_headers));
      }
      if (const json* content = Member(*response, "content")) {
        e.response_body = StringOr(*content, "text");
        if (StringOr(*content, "encoding") == "base64") {
          std::optional<std::string> decoded = Base64Decode(e.response_body);
          if (!decoded) return Error(source, path + ".response.content.text", "invalid base64");
          e.response_body = *decoded;
        }
      }
    }
    out.exchanges.push_back(std::move(e));
  }
  return out;
}

StatusOr<ImportedTraffic> ImportDvr(std::string_view text, std::string_view source) {
  json doc = json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded()) return Error(source, "$", "not valid JSON");
  if (StringOr(doc, "version") != "V0") {
    return Error(source, "$.version", "expected \"V0\" (smithy-rs DVR NetworkTraffic)");
  }
  const json* events = Member(doc, "events");
  if (events == nullptr || !events->is_array()) return Error(source, "$.events", "missing array");
  ImportedTraffic out;
  out.docs = StringOr(doc, "docs");
  std::map<int64_t, size_t> open;  // connection id -> index in out.exchanges
  for (size_t i = 0; i < events->size(); ++i) {
    const json& event = (*events)[i];
    std::string path = "$.events[" + std::to_string(i) + "]";
    const json* id = Member(event, "connection_id");
    const json* action = Member(event, "action");
    if (id == nullptr || !id->is_number_integer()) {
      return Error(source, path + ".connection_id", "expected an integer");
    }
    if (action == nullptr || !action->is_object() || action->size() != 1) {
      return Error(source, path + ".action", "expected one of Request, Response, Data, Eof");
    }
    int64_t conn = id->get<int64_t>();
    const std::string& kind = action->begin().key();
    const json& body = action->begin().value();
    std::string apath = path + ".action." + kind;
    if (kind == "Request") {
      const json* request = Member(body, "request");
      if (request == nullptr || !request->is_object()) {
        return Error(source, apath + ".request", "missing request object");
      }
      CapturedExchange e;
      e.method = StringOr(*request, "method", "GET");
      e.host = HostOfUrl(StringOr(*request, "uri"));
      std::optional<std::string> p = PathOfUrl(StringOr(*request, "uri"));
      if (!p) return Error(source, apath + ".request.uri", "expected a URI");
      e.path = *p;
      CHANTLESS_RETURN_IF_ERROR(ReadDvrHeaders(Member(*request, "headers"), source,
                                               apath + ".request.headers", &e.request_headers));
      out.exchanges.push_back(std::move(e));
      open[conn] = out.exchanges.size() - 1;
      continue;
    }
    auto it = open.find(conn);
    if (it == open.end()) {
      return Error(source, path + ".connection_id", "event before the connection's Request");
    }
    CapturedExchange& e = out.exchanges[it->second];
    if (kind == "Response") {
      const json* response = Member(body, "response");
      if (response == nullptr || !response->is_object()) {
        return Error(source, apath + ".response", "missing response object");
      }
      if (const json* ok = Member(*response, "Ok")) {
        const json* status = Member(*ok, "status");
        if (status == nullptr || !status->is_number_integer()) {
          return Error(source, apath + ".response.Ok.status", "expected an integer");
        }
        e.status = status->get<int>();
        CHANTLESS_RETURN_IF_ERROR(ReadDvrHeaders(
            Member(*ok, "headers"), source, apath + ".response.Ok.headers", &e.response_headers));
      } else if (const json* err = Member(*response, "Error")) {
        std::string message = err->is_string() ? err->get<std::string>() : err->dump();
        // DVR records the client's error text; a timeout is the only fault it names.
        e.fault = ContainsIgnoreCase(message, "timeout") || ContainsIgnoreCase(message, "timed out")
                      ? "timeout"
                      : "reset";
      } else {
        return Error(source, apath + ".response", "expected Ok or Error");
      }
    } else if (kind == "Data") {
      const json* data = Member(body, "data");
      std::string direction = StringOr(body, "direction");
      if (data == nullptr || !data->is_object()) {
        return Error(source, apath + ".data", "expected {Utf8} or {Base64}");
      }
      std::string bytes;
      if (const json* utf8 = Member(*data, "Utf8"); utf8 != nullptr && utf8->is_string()) {
        bytes = utf8->get<std::string>();
      } else if (const json* b64 = Member(*data, "Base64"); b64 != nullptr && b64->is_string()) {
        std::optional<std::string> decoded = Base64Decode(b64->get<std::string>());
        if (!decoded) return Error(source, apath + ".data.Base64", "invalid base64");
        bytes = *decoded;
      } else {
        return Error(source, apath + ".data", "expected {Utf8} or {Base64}");
      }
      if (direction == "Request") {
        e.request_body += bytes;
      } else if (direction == "Response") {
        e.response_body += bytes;
      } else {
        return Error(source, apath + ".direction", "expected Request or Response");
      }
    } else if (kind != "Eof") {
      return Error(source, apath, "unknown action");
    }
  }
  return out;
}

std::string ExportHar(const Transcript& transcript, std::string_view endpoint) {
  std::string base(endpoint);
  while (!base.empty() && base.back() == '/') base.pop_back();
  ordered_json entries = ordered_json::array();
  auto headers_json = [](const HttpHeaders& headers) {
    ordered_json out = ordered_json::array();
    for (const auto& [n, v] : headers) out.push_back({{"name", n}, {"value", v}});
    return out;
  };
  for (size_t i = 0; i < transcript.exchanges.size(); ++i) {
    const Exchange& x = transcript.exchanges[i];
    std::string url = (x.host.empty() ? base : BaseUrlOfHost(x.host)) + x.request.path +
                      (x.request.query.empty() ? "" : "?" + x.request.query);
    ordered_json request = {
        {"method", x.request.method},
        {"url", url},
        {"httpVersion", "HTTP/1.1"},
        {"cookies", ordered_json::array()},
        {"headers", headers_json(x.request.headers)},
        {"queryString", ordered_json::array()},
        {"headersSize", -1},
        {"bodySize", x.request.body ? static_cast<int64_t>(x.request.body->size()) : 0}};
    if (x.request.body) {
      request["postData"] = {{"mimeType", "application/octet-stream"}, {"text", *x.request.body}};
    }
    int status = 0;
    HttpHeaders response_headers;
    std::string body;
    if (x.response) {
      status = x.response->status;
      response_headers = x.response->headers;
      body = x.response->body;
    } else if (x.imds_token == ImdsTokenRole::kMint) {
      status = 200;
      response_headers = {{"Content-Type", "text/plain"}};
      body = std::string(kImdsTokenPlaceholder);
    }
    std::string mime = "text/plain";
    for (const auto& [n, v] : response_headers) {
      if (EqualsIgnoreCase(n, "content-type")) mime = v;
    }
    ordered_json content = {{"size", static_cast<int64_t>(body.size())}, {"mimeType", mime}};
    if (IsValidUtf8(body)) {
      content["text"] = body;
    } else {
      content["text"] = Base64Encode(body);
      content["encoding"] = "base64";
    }
    int64_t wait = x.fault && x.fault->kind == FaultKind::kDelayBeforeHeaders
                       ? static_cast<int64_t>(x.fault->delay.count())
                       : 0;
    ordered_json entry = {
        {"startedDateTime", FormatRfc3339(transcript.recorded_at)},
        {"time", wait},
        {"request", request},
        {"response",
         {{"status", status},
          {"statusText", ""},
          {"httpVersion", "HTTP/1.1"},
          {"cookies", ordered_json::array()},
          {"headers", headers_json(response_headers)},
          {"content", content},
          {"redirectURL", ""},
          {"headersSize", -1},
          {"bodySize", static_cast<int64_t>(body.size())}}},
        {"cache", ordered_json::object()},
        {"timings", {{"send", 0}, {"wait", wait}, {"receive", 0}}},
        {"comment", x.id + (x.fault ? " fault: " + std::string(FaultKindName(x.fault->kind)) : "") +
                        (x.imds_token == ImdsTokenRole::kMint ? " (token minted at replay)" : "")}};
    entries.push_back(std::move(entry));
  }
  ordered_json har = {{"log",
                       {{"version", "1.2"},
                        {"creator", {{"name", "chantless"}, {"version", "1"}}},
                        {"comment", transcript.name + ": " + transcript.docs},
                        {"entries", entries}}}};
  return har.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace replay
}  // namespace chantless
