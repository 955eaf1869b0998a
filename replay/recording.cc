// Captured exchanges → transcript, atomic verified writes (rules in recording.h).
#include "replay/recording.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "replay/base64.h"
#include "replay/sigv4_verify.h"
#include "resolver/core/ascii.h"

namespace chantless {
namespace replay {
namespace {

bool HasHeader(const HttpHeaders& headers, std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (EqualsIgnoreCase(n, name)) return true;
  }
  return false;
}

bool IsDroppedResponseHeader(std::string_view name) {
  std::string n = AsciiLower(name);
  return n == "content-length" || n == "transfer-encoding" || n == "connection" ||
         n == "keep-alive";
}

bool IsMint(const CapturedExchange& e) {
  return e.fault.empty() && e.method == "PUT" && e.status == 200 &&
         e.path.rfind("/latest/api/token", 0) == 0;
}

std::string Id(size_t index, const CapturedExchange& e, const std::string& path) {
  std::string segment;
  size_t end = path.size();
  while (end > 0 && path[end - 1] == '/') --end;
  size_t begin = path.rfind('/', end == 0 ? 0 : end - 1);
  segment = path.substr(begin == std::string::npos ? 0 : begin + 1,
                        end - (begin == std::string::npos ? 0 : begin + 1));
  std::string clean;
  for (char c : segment) {
    clean += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '-';
  }
  if (clean.size() > 40) clean.resize(40);
  if (clean.empty()) clean = "root";
  std::string number = std::to_string(index + 1);
  if (number.size() < 2) number.insert(0, "0");
  return number + "-" + AsciiLower(e.method) + "-" + clean;
}

// "AWS4-HMAC-SHA256 Credential=<id>/…" → <id>; "" when not SigV4.
std::string SigV4KeyId(const HttpHeaders& headers) {
  std::optional<std::string> authorization = FindHeader(headers, "Authorization");
  if (!authorization || authorization->rfind("AWS4-HMAC-SHA256", 0) != 0) return "";
  size_t at = authorization->find("Credential=");
  if (at == std::string::npos) return "";
  std::string id = authorization->substr(at + 11);
  return id.substr(0, id.find('/'));
}

// 40 characters, obviously fake: "RESIGNED/FAKE/SECRET/EXAMPLE/KEY/0000001".
std::string FakeSecretFor(size_t index) {
  std::string number = std::to_string(index + 1);
  return "RESIGNED/FAKE/SECRET/EXAMPLE/KEY/" +
         std::string(7 - std::min<size_t>(7, number.size()), '0') + number;
}

Status Errno(const std::string& what) {
  return UnavailableError(what + ": " + std::strerror(errno));
}

}  // namespace

std::vector<SigV4Key> ResignSigV4Exchanges(std::vector<CapturedExchange>* exchanges,
                                           std::vector<std::string>* log) {
  std::vector<SigV4Key> keys;
  for (CapturedExchange& e : *exchanges) {
    const std::string id = SigV4KeyId(e.request_headers);
    if (id.empty()) continue;
    if (e.host.empty()) {
      if (log) log->push_back(e.method + " " + e.path + ": not re-signed (no host recorded)");
      continue;
    }
    auto key = std::find_if(keys.begin(), keys.end(),
                            [&](const SigV4Key& k) { return k.access_key_id == id; });
    SigV4Key candidate;
    if (key == keys.end()) {
      candidate.access_key_id = id;
      candidate.secret_access_key = Secret(FakeSecretFor(keys.size()));
      if (std::optional<std::string> token =
              FindHeader(e.request_headers, "X-Amz-Security-Token")) {
        candidate.session_token = Secret(*token);
      }
    }
    const SigV4Key& use = key == keys.end() ? candidate : *key;
    StatusOr<std::string> authorization =
        ResignSigV4(use, e.method, e.host, e.path, e.request_headers, e.request_body);
    if (!authorization.ok()) {
      if (log) log->push_back(e.method + " " + e.path + ": " + authorization.status().message());
      continue;
    }
    for (auto& [name, value] : e.request_headers) {
      if (EqualsIgnoreCase(name, "authorization")) value = *authorization;
    }
    if (key == keys.end()) keys.push_back(std::move(candidate));
  }
  return keys;
}

StatusOr<Transcript> BuildTranscript(const std::vector<CapturedExchange>& exchanges,
                                     const RecordingInfo& info) {
  if (exchanges.empty()) {
    return InvalidConfigurationError("nothing was recorded: no request reached the proxy");
  }
  bool has_mint = false;
  for (const CapturedExchange& e : exchanges) has_mint |= IsMint(e);

  Transcript t;
  t.name = info.name;
  t.docs = info.docs;
  t.recorded_at = std::chrono::time_point_cast<std::chrono::seconds>(info.recorded_at);
  if (has_mint) t.imds_tokens = ImdsTokenPolicy{false};
  t.rebase.json_fields = {"Expiration", "LastUpdated"};
  // SSO GetRoleCredentials answers its expiration in epoch milliseconds.
  for (const CapturedExchange& e : exchanges) {
    if (e.path.rfind("/federation/credentials", 0) == 0) {
      t.rebase.json_epoch_ms_fields = {"expiration"};
      break;
    }
  }
  t.sigv4_keys = info.sigv4_keys;

  for (size_t i = 0; i < exchanges.size(); ++i) {
    const CapturedExchange& c = exchanges[i];
    Exchange x;
    std::string path = c.path;
    size_t q = path.find('?');
    if (q != std::string::npos) {
      x.request.query = path.substr(q + 1);
      path.resize(q);
    }
    if (path.empty() || path[0] != '/') path.insert(0, "/");
    x.id = Id(i, c, path);
    x.family = has_mint ? "imds" : "default";
    x.host = c.host;
    x.request.method = c.method;
    x.request.path = path;
    if (!c.request_body.empty()) x.request.body = c.request_body;
    if (HasHeader(c.request_headers, "authorization")) {
      x.request.headers.emplace_back("Authorization", std::string(kHeaderPresent));
      if (!info.sigv4_keys.empty() && !c.host.empty() &&
          VerifySigV4(info.sigv4_keys, c.method, c.host, c.path, c.request_headers, c.request_body)
              .ok) {
        x.sigv4 = SigV4Check::kVerify;
      }
    }

    // The SSO bearer token is what GetRoleCredentials is authorised by: kept (redacted, the same
    // placeholder as the accessToken that issued it) so that the replay requires it.
    if (std::optional<std::string> bearer =
            FindHeader(c.request_headers, "x-amz-sso_bearer_token")) {
      x.request.headers.emplace_back("x-amz-sso_bearer_token", *bearer);
    }

    if (IsMint(c)) {
      x.imds_token = ImdsTokenRole::kMint;
    } else if (HasHeader(c.request_headers, kImdsTokenHeader)) {
      x.imds_token = ImdsTokenRole::kRequire;
    } else {
      x.imds_token = has_mint ? ImdsTokenRole::kAccept : ImdsTokenRole::kNone;
    }

    if (c.fault == "reset") {
      x.fault = Fault{FaultKind::kReset};
    } else if (!c.fault.empty() && c.fault != "timeout") {
      x.fault = Fault{FaultKind::kCloseWithoutResponse};
    } else if (x.imds_token != ImdsTokenRole::kMint || c.fault == "timeout") {
      RecordedResponse r;
      if (c.fault == "timeout") {
        r.status = 504;
        Fault f{FaultKind::kDelayBeforeHeaders};
        f.delay = c.upstream_elapsed;
        x.fault = f;
      } else {
        r.status = c.status;
        for (const auto& [n, v] : c.response_headers) {
          if (!IsDroppedResponseHeader(n)) r.headers.emplace_back(n, v);
        }
        r.body = c.response_body;
        r.encoding = IsValidUtf8(r.body) ? BodyEncoding::kText : BodyEncoding::kBase64;
        if (info.latency) {
          Fault f{FaultKind::kDelayBeforeHeaders};
          f.delay = c.upstream_elapsed;
          x.fault = f;
        }
      }
      x.response = std::move(r);
    }
    t.exchanges.push_back(std::move(x));
  }
  return t;
}

Status WriteFileAtomically(const std::string& path, std::string_view contents) {
  std::string temp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno(temp + ": cannot create");
  size_t written = 0;
  while (written < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = Errno(temp + ": write failed");
      ::close(fd);
      ::unlink(temp.c_str());
      return s;
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    Status s = Errno(temp + ": flush failed");
    ::unlink(temp.c_str());
    return s;
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    Status s = Errno(path + ": rename failed");
    ::unlink(temp.c_str());
    return s;
  }
  return OkStatus();
}

Status WriteVerifiedTranscript(const Transcript& transcript, const std::string& path,
                               VerifyReport* report) {
  VerifyReport local;
  VerifyReport* r = report != nullptr ? report : &local;
  CHANTLESS_RETURN_IF_ERROR(WriteFileAtomically(path, SerializeTranscript(transcript)));
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  VerifyTranscriptText(buf.str(), path, r);
  if (!r->ok()) {
    ::unlink(path.c_str());
    return InvalidResponseError(path + ": failed verification after writing (" +
                                std::to_string(r->errors.size()) + " schema errors, " +
                                std::to_string(r->findings.size()) +
                                " secrets found); the file was deleted");
  }
  return OkStatus();
}

}  // namespace replay
}  // namespace chantless
