// SHA-1 as the AWS CLI uses it for cache file names, computed by OpenSSL's libcrypto (its
// low-level SHA-1: no library initialisation, no config file read).
//
// SHA-1 is not used here for security: botocore names `~/.aws/cli/cache/<hex>.json` and
// `~/.aws/sso/cache/<hex>.json` by the SHA-1 of a string, and chantless must find the same files.
// Pure functions, thread-safe.
#ifndef CHANTLESS_RESOLVER_CLI_CACHE_SHA1_H_
#define CHANTLESS_RESOLVER_CLI_CACHE_SHA1_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace chantless {

// The 20-byte digest of `data`.
std::array<uint8_t, 20> Sha1(std::string_view data);

// The digest of `data` as 40 lower-case hex digits (Python's hashlib.sha1(...).hexdigest()).
std::string Sha1Hex(std::string_view data);

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_CLI_CACHE_SHA1_H_
