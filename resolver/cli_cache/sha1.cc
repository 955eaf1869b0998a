// SHA-1 for the AWS CLI's cache file names, with OpenSSL's low-level SHA-1 (libcrypto).
#include "resolver/cli_cache/sha1.h"

#include <openssl/sha.h>

#include "resolver/core/ascii.h"

namespace chantless {

// OpenSSL 3 marks SHA1_Init/Update/Final deprecated in favour of EVP, but EVP's first use
// initialises the library: it reads and parses openssl.cnf and starts the default provider. A
// `chantless resolve` that finds its role in a warm `~/.aws/cli/cache` would pay that (a config
// file and some 70 page faults) for one file name. The low-level functions hash in place, with
// the same assembly, and touch nothing else. SHA-1 names a file here; it protects nothing.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
std::array<uint8_t, 20> Sha1(std::string_view data) {
  static_assert(SHA_DIGEST_LENGTH == 20);
  std::array<uint8_t, 20> digest{};
  SHA_CTX context;
  SHA1_Init(&context);
  SHA1_Update(&context, data.data(), data.size());
  SHA1_Final(digest.data(), &context);
  return digest;
}
#pragma GCC diagnostic pop

std::string Sha1Hex(std::string_view data) {
  std::array<uint8_t, 20> digest = Sha1(data);
  return LowerHex(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

}  // namespace chantless
