// Deterministic, obviously fake but secret-shaped values for redaction, scanner and recorder tests.
// They are generated at run time from a seed, so no secret-shaped literal sits in the source tree
// (a repository scanner stays quiet) while the values still look real to chantless's own scanner
// (they contain neither EXAMPLE nor REDACTED). Header only, testonly.
#ifndef CHANTLESS_REPLAY_FAKE_SECRETS_H_
#define CHANTLESS_REPLAY_FAKE_SECRETS_H_

#include <cstdint>
#include <string>

namespace chantless {
namespace replay {
namespace testing {

// A small LCG: the same seed always gives the same characters.
inline std::string FakeChars(uint32_t seed, size_t length, const std::string& alphabet) {
  uint64_t state = 0x9E3779B97F4A7C15ull ^ (uint64_t{seed} * 0x100000001B3ull);
  std::string out;
  for (size_t i = 0; i < length; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    out += alphabet[(state >> 33) % alphabet.size()];
  }
  return out;
}

inline const std::string& kBase32Upper() {
  static const std::string s = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  return s;
}
inline const std::string& kBase64Alphabet() {
  static const std::string s = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  return s;
}

// "ASIA" + 16 base32 characters.
inline std::string FakeAccessKeyId(uint32_t seed, const std::string& prefix = "ASIA") {
  return prefix + FakeChars(seed, 16, kBase32Upper());
}

// 40 base64 characters that mix upper case, lower case and digits.
inline std::string FakeSecretAccessKey(uint32_t seed) {
  return "Q" + FakeChars(seed + 1000, 37, kBase64Alphabet()) + "z7";
}

// A base64 session token of `length` characters.
inline std::string FakeSessionToken(uint32_t seed, size_t length = 356) {
  return "IQoJ" + FakeChars(seed + 2000, length - 5, kBase64Alphabet()) + "9";
}

// An IMDSv2-shaped token: "AQAE" + 50 base64url characters + "==".
inline std::string FakeImdsToken(uint32_t seed) {
  return "AQAE" +
         FakeChars(seed + 3000, 50,
                   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") +
         "==";
}

// A JWT shaped like an EKS service-account token: base64url header and payload (each starting
// "eyJ", as every JSON object does) and a 342-character base64url RS256 signature.
inline std::string FakeJwt(uint32_t seed) {
  const std::string url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  return "eyJhbGciOiJSUzI1NiIsImtpZCI6I" + FakeChars(seed + 4000, 20, url) + ".eyJhdWQiOlsic3Rz" +
         FakeChars(seed + 5000, 180, url) + "." + FakeChars(seed + 6000, 342, url);
}

}  // namespace testing
}  // namespace replay
}  // namespace chantless

#endif  // CHANTLESS_REPLAY_FAKE_SECRETS_H_
