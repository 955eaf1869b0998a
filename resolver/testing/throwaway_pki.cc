// A throwaway CA and server certificates for https tests, on OpenSSL 3's C API (see the header).
#include "resolver/testing/throwaway_pki.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <utility>

namespace chantless {
namespace testing {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

// kInternal naming `what`, with every reason on OpenSSL's error queue (which this empties).
Status OpensslError(const std::string& what) {
  std::string reasons;
  while (unsigned long code = ERR_get_error()) {
    char text[256];
    ERR_error_string_n(code, text, sizeof(text));
    if (!reasons.empty()) reasons += "; ";
    reasons += text;
  }
  return InternalError("throwaway PKI: " + what + " failed" +
                       (reasons.empty() ? std::string() : ": " + reasons));
}

StatusOr<PkeyPtr> NewKey() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (key == nullptr) return OpensslError("EVP_EC_gen(P-256)");
  return key;
}

// A v3 certificate for `key` named CN=`common_name`, with a random serial and the given validity
// (relative to now). Issuer, extensions and signature are left to the caller.
StatusOr<X509Ptr> NewCertificate(const std::string& common_name, EVP_PKEY* key,
                                 std::chrono::seconds not_before, std::chrono::seconds not_after) {
  X509Ptr cert(X509_new());
  if (cert == nullptr) return OpensslError("X509_new");
  unsigned char random[8];
  if (RAND_bytes(random, sizeof(random)) != 1) return OpensslError("RAND_bytes");
  uint64_t serial = 0;
  for (unsigned char byte : random) serial = (serial << 8) | byte;
  serial = (serial >> 1) | 1;  // positive and non-zero, as RFC 5280 asks
  X509_NAME* subject = X509_get_subject_name(cert.get());
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), serial) != 1 ||
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), not_before.count()) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), not_after.count()) == nullptr ||
      X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                 -1, 0) != 1 ||
      X509_set_pubkey(cert.get(), key) != 1) {
    return OpensslError("building the certificate for \"" + common_name + "\"");
  }
  return cert;
}

// Adds one extension written in openssl's config syntax ("critical,CA:TRUE").
Status AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  if (extension == nullptr) {
    return OpensslError(std::string("extension ") + OBJ_nid2sn(nid) + "=" + value);
  }
  const int added = X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
  if (added != 1) return OpensslError(std::string("X509_add_ext(") + OBJ_nid2sn(nid) + ")");
  return OkStatus();
}

// Opens `path` for writing with `mode` (new files only get it; umask applies).
FILE* OpenForWriting(const std::string& path, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return nullptr;
  FILE* file = ::fdopen(fd, "w");
  if (file == nullptr) ::close(fd);
  return file;
}

Status WriteCertificatePem(X509* cert, const std::string& path) {
  FILE* file = OpenForWriting(path, 0644);
  if (file == nullptr) {
    return InternalError("throwaway PKI: cannot create " + path + ": " + std::strerror(errno));
  }
  const bool written = PEM_write_X509(file, cert) == 1;
  const bool closed = std::fclose(file) == 0;
  if (!written || !closed) return OpensslError("writing the certificate " + path);
  return OkStatus();
}

Status WriteKeyPem(EVP_PKEY* key, const std::string& path) {
  FILE* file = OpenForWriting(path, 0600);
  if (file == nullptr) {
    return InternalError("throwaway PKI: cannot create " + path + ": " + std::strerror(errno));
  }
  const bool written = PEM_write_PrivateKey(file, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  const bool closed = std::fclose(file) == 0;
  if (!written || !closed) return OpensslError("writing the key " + path);
  return OkStatus();
}

}  // namespace

StatusOr<std::unique_ptr<ThrowawayCa>> ThrowawayCa::Create(const std::string& common_name) {
  CHANTLESS_ASSIGN_OR_RETURN(PkeyPtr key, NewKey());
  CHANTLESS_ASSIGN_OR_RETURN(
      X509Ptr cert,
      NewCertificate(common_name, key.get(), -std::chrono::hours(1), std::chrono::hours(48)));
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())) != 1) {
    return OpensslError("X509_set_issuer_name(CA)");
  }
  CHANTLESS_RETURN_IF_ERROR(
      AddExtension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE"));
  CHANTLESS_RETURN_IF_ERROR(
      AddExtension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign"));
  CHANTLESS_RETURN_IF_ERROR(
      AddExtension(cert.get(), cert.get(), NID_subject_key_identifier, "hash"));
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) {
    return OpensslError("X509_sign(CA \"" + common_name + "\")");
  }
  return std::unique_ptr<ThrowawayCa>(new ThrowawayCa(key.release(), cert.release()));
}

ThrowawayCa::~ThrowawayCa() {
  X509_free(cert_);
  EVP_PKEY_free(key_);
}

Status ThrowawayCa::WriteCertificate(const std::string& path) const {
  return WriteCertificatePem(cert_, path);
}

StatusOr<PemFiles> ThrowawayCa::Issue(const LeafSpec& spec, const std::string& dir,
                                      const std::string& stem) const {
  CHANTLESS_ASSIGN_OR_RETURN(PkeyPtr key, NewKey());
  CHANTLESS_ASSIGN_OR_RETURN(
      X509Ptr cert, NewCertificate(spec.common_name, key.get(), spec.not_before, spec.not_after));
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(cert_)) != 1) {
    return OpensslError("X509_set_issuer_name(" + stem + ")");
  }
  CHANTLESS_RETURN_IF_ERROR(
      AddExtension(cert.get(), cert_, NID_basic_constraints, "critical,CA:FALSE"));
  CHANTLESS_RETURN_IF_ERROR(
      AddExtension(cert.get(), cert_, NID_key_usage, "critical,digitalSignature"));
  CHANTLESS_RETURN_IF_ERROR(AddExtension(cert.get(), cert_, NID_ext_key_usage, "serverAuth"));
  CHANTLESS_RETURN_IF_ERROR(AddExtension(cert.get(), cert_, NID_subject_key_identifier, "hash"));
  CHANTLESS_RETURN_IF_ERROR(
      AddExtension(cert.get(), cert_, NID_authority_key_identifier, "keyid:always"));
  std::string alt_names;
  for (const std::string& name : spec.dns_names) {
    alt_names += (alt_names.empty() ? "" : ",") + std::string("DNS:") + name;
  }
  for (const std::string& address : spec.ip_addresses) {
    alt_names += (alt_names.empty() ? "" : ",") + std::string("IP:") + address;
  }
  if (!alt_names.empty()) {
    CHANTLESS_RETURN_IF_ERROR(AddExtension(cert.get(), cert_, NID_subject_alt_name, alt_names));
  }
  if (X509_sign(cert.get(), key_, EVP_sha256()) <= 0) {
    return OpensslError("X509_sign(" + stem + ")");
  }
  PemFiles files{dir + "/" + stem + ".crt", dir + "/" + stem + ".key"};
  CHANTLESS_RETURN_IF_ERROR(WriteCertificatePem(cert.get(), files.cert_path));
  CHANTLESS_RETURN_IF_ERROR(WriteKeyPem(key.get(), files.key_path));
  return files;
}

}  // namespace testing
}  // namespace chantless
