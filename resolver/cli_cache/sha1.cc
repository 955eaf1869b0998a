// SHA-1 over OpenSSL's libcrypto (EVP), for the AWS CLI's cache file names.
#include "resolver/cli_cache/sha1.h"

#include <openssl/evp.h>

#include <cstdlib>

#include "resolver/core/ascii.h"

namespace chantless {

std::array<uint8_t, 20> Sha1(std::string_view data) {
  std::array<uint8_t, 20> digest{};
  unsigned int size = 0;
  // EVP_Digest with the built-in SHA-1 fails only when memory runs out: nothing sensible remains.
  if (EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha1(), nullptr) != 1 ||
      size != digest.size()) {
    std::abort();
  }
  return digest;
}

std::string Sha1Hex(std::string_view data) {
  std::array<uint8_t, 20> digest = Sha1(data);
  return LowerHex(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

}  // namespace chantless
