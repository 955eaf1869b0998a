// A throwaway certificate authority for https tests and for the replay's TLS listener (`chantless
// serve --tls`, replay/tls_setup.h), built with OpenSSL's C API at run time: nothing secret is
// checked in, and the keys live only in the files the caller writes them to (a test's TEST_TMPDIR;
// serve's private temporary directory, removed once the key is loaded).
//
// ThrowawayCa::Create() makes a P-256 key and a self-signed v3 CA certificate (basicConstraints
// critical CA:TRUE, keyUsage keyCertSign/cRLSign). Issue() makes a new P-256 key and a v3 server
// certificate signed by the CA: basicConstraints CA:FALSE, keyUsage digitalSignature,
// extendedKeyUsage serverAuth, subjectAltName from the spec's DNS names and IP addresses, and a
// validity window given relative to now (so an already expired certificate is one spec away).
// Certificates and keys are written as PEM; key files are created with mode 0600.
#ifndef CHANTLESS_RESOLVER_TESTING_THROWAWAY_PKI_H_
#define CHANTLESS_RESOLVER_TESTING_THROWAWAY_PKI_H_

#include <openssl/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "resolver/core/status.h"

namespace chantless {
namespace testing {

// What a server certificate names and when it is valid.
struct LeafSpec {
  // Deliberately not a host name: a host-name check must succeed through subjectAltName alone
  // (cpp-httplib falls back to the common name only when no subjectAltName matches).
  std::string common_name = "chantless throwaway server";
  std::vector<std::string> dns_names;     // subjectAltName DNS: entries
  std::vector<std::string> ip_addresses;  // subjectAltName IP: entries (IPv4 or IPv6 text)
  std::chrono::seconds not_before = -std::chrono::hours(1);  // relative to now
  std::chrono::seconds not_after = std::chrono::hours(24);   // relative to now
};

// Where Issue() wrote a certificate and its private key.
struct PemFiles {
  std::string cert_path;
  std::string key_path;
};

// Owns the CA's key and certificate (freed by the destructor). Immutable after Create(); meant for
// one test thread (a suite's set-up), not for concurrent use.
class ThrowawayCa {
 public:
  // Errors: kInternal naming the OpenSSL call that failed and OpenSSL's reason.
  static StatusOr<std::unique_ptr<ThrowawayCa>> Create(const std::string& common_name);
  ~ThrowawayCa();
  ThrowawayCa(const ThrowawayCa&) = delete;
  ThrowawayCa& operator=(const ThrowawayCa&) = delete;

  // Writes the CA certificate (PEM) to `path`: the file a client trusts.
  // Errors: kInternal naming the path.
  Status WriteCertificate(const std::string& path) const;

  // Issues a server certificate for a fresh key and writes `dir`/`stem`.crt and `dir`/`stem`.key.
  // Errors: kInternal naming the OpenSSL call or the path that failed.
  StatusOr<PemFiles> Issue(const LeafSpec& spec, const std::string& dir,
                           const std::string& stem) const;

 private:
  ThrowawayCa(EVP_PKEY* key, X509* cert) : key_(key), cert_(cert) {}
  EVP_PKEY* key_;  // owned
  X509* cert_;     // owned
};

}  // namespace testing
}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_TESTING_THROWAWAY_PKI_H_
