// TLS for the replay server (`chantless serve --tls`): the server's SSL_CTX, from the user's
// certificate and key or from a throwaway CA made at start-up whose one server certificate names
// every host a transcript sends requests to, plus 127.0.0.1, ::1 and localhost.
//
// The throwaway CA's certificate is written where the user asks (--ca-out): the file clients trust
// (AWS_CA_BUNDLE, NODE_EXTRA_CA_CERTS, SSL_CERT_FILE). The CA key is never written; the server key
// is written to a private temporary directory (0700, key file 0600), loaded, and removed with the
// directory before MakeThrowawayTls returns.
#ifndef CHANTLESS_REPLAY_TLS_SETUP_H_
#define CHANTLESS_REPLAY_TLS_SETUP_H_

#include <openssl/types.h>

#include <memory>
#include <string>
#include <vector>

#include "replay/transcript.h"
#include "resolver/core/status.h"

namespace chantless {
namespace replay {

// Owns a server SSL_CTX (TLS 1.2 and later, certificate chain and key loaded and checked).
class ServerTlsContext {
 public:
  // Errors: kInvalidConfiguration naming the file that cannot be loaded, or a key that does not
  // match the certificate (never the key's contents).
  static StatusOr<std::unique_ptr<ServerTlsContext>> FromFiles(const std::string& cert_path,
                                                               const std::string& key_path);
  ~ServerTlsContext();
  ServerTlsContext(const ServerTlsContext&) = delete;
  ServerTlsContext& operator=(const ServerTlsContext&) = delete;

  SSL_CTX* get() const { return ctx_; }

 private:
  explicit ServerTlsContext(SSL_CTX* ctx) : ctx_(ctx) {}
  SSL_CTX* ctx_;  // owned
};

// Host names (without ports) the transcript's exchanges name, sorted and unique; IP literals are
// left out (they go into IP subjectAltNames, see MakeThrowawayTls).
std::vector<std::string> TranscriptHostNames(const Transcript& transcript);

// A throwaway CA (written to `ca_out` as PEM) and a server context whose certificate's
// subjectAltNames are `dns_names`, localhost, 127.0.0.1 and ::1 (plus `ip_addresses`).
// Errors: kInternal from OpenSSL or the file system, naming the path.
StatusOr<std::unique_ptr<ServerTlsContext>> MakeThrowawayTls(
    const std::vector<std::string>& dns_names, const std::vector<std::string>& ip_addresses,
    const std::string& ca_out);

}  // namespace replay
}  // namespace chantless

#endif  // CHANTLESS_REPLAY_TLS_SETUP_H_
