// TLS for the replay server (see tls_setup.h).
#include "replay/tls_setup.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "resolver/core/ascii.h"
#include "resolver/testing/throwaway_pki.h"

namespace chantless {
namespace replay {
namespace {

std::string OpensslReasons() {
  std::string reasons;
  while (unsigned long code = ERR_get_error()) {
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    if (!reasons.empty()) reasons += "; ";
    reasons += text;
  }
  return reasons;
}

// "host:port" / "[v6]:port" → the host part.
std::string HostPart(const std::string& host) {
  if (!host.empty() && host[0] == '[') return host.substr(1, host.find(']') - 1);
  return host.substr(0, host.find(':'));
}

bool IsIpLiteral(const std::string& host) {
  if (host.find(':') != std::string::npos) return true;  // IPv6
  return !host.empty() && host.find_first_not_of("0123456789.") == std::string::npos;
}

}  // namespace

ServerTlsContext::~ServerTlsContext() { SSL_CTX_free(ctx_); }

StatusOr<std::unique_ptr<ServerTlsContext>> ServerTlsContext::FromFiles(
    const std::string& cert_path, const std::string& key_path) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) return InternalError("TLS: SSL_CTX_new failed: " + OpensslReasons());
  std::unique_ptr<ServerTlsContext> out(new ServerTlsContext(ctx));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_path.c_str()) != 1) {
    return InvalidConfigurationError(
        cert_path + ": cannot load the TLS certificate (PEM): " + OpensslReasons());
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key_path.c_str(), SSL_FILETYPE_PEM) != 1) {
    ERR_clear_error();  // the reasons could quote the file
    return InvalidConfigurationError(key_path + ": cannot load the TLS private key (PEM)");
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    ERR_clear_error();
    return InvalidConfigurationError(key_path + ": the private key does not match " + cert_path);
  }
  return out;
}

std::vector<std::string> TranscriptHostNames(const Transcript& transcript) {
  std::set<std::string> names;
  for (const Exchange& e : transcript.exchanges) {
    if (e.host.empty()) continue;
    std::string host = AsciiLower(HostPart(e.host));
    if (!IsIpLiteral(host)) names.insert(host);
  }
  return std::vector<std::string>(names.begin(), names.end());
}

StatusOr<std::unique_ptr<ServerTlsContext>> MakeThrowawayTls(
    const std::vector<std::string>& dns_names, const std::vector<std::string>& ip_addresses,
    const std::string& ca_out) {
  StatusOr<std::unique_ptr<testing::ThrowawayCa>> ca =
      testing::ThrowawayCa::Create("chantless replay throwaway CA");
  if (!ca.ok()) return ca.status();
  Status written = (*ca)->WriteCertificate(ca_out);
  if (!written.ok()) return written;

  testing::LeafSpec spec;
  spec.common_name = "chantless replay server";
  spec.dns_names = dns_names;
  if (std::find(spec.dns_names.begin(), spec.dns_names.end(), "localhost") ==
      spec.dns_names.end()) {
    spec.dns_names.push_back("localhost");
  }
  spec.ip_addresses = {"127.0.0.1", "::1"};
  for (const std::string& ip : ip_addresses) {
    if (std::find(spec.ip_addresses.begin(), spec.ip_addresses.end(), ip) ==
        spec.ip_addresses.end()) {
      spec.ip_addresses.push_back(ip);
    }
  }
  spec.not_after = std::chrono::hours(24 * 7);

  const char* tmp = std::getenv("TMPDIR");
  std::string dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/chantless-tls-XXXXXX";
  if (mkdtemp(dir.data()) == nullptr) {
    return InternalError("TLS: cannot create a private directory under " +
                         dir.substr(0, dir.rfind('/')));
  }
  StatusOr<testing::PemFiles> leaf = (*ca)->Issue(spec, dir, "server");
  StatusOr<std::unique_ptr<ServerTlsContext>> context =
      leaf.ok() ? ServerTlsContext::FromFiles(leaf->cert_path, leaf->key_path)
                : StatusOr<std::unique_ptr<ServerTlsContext>>(leaf.status());
  // The key lives on only in memory.
  std::remove((dir + "/server.key").c_str());
  std::remove((dir + "/server.crt").c_str());
  rmdir(dir.c_str());
  return context;
}

}  // namespace replay
}  // namespace chantless
