// Base64 (RFC 4648 section 4, with padding) for bodies that are not UTF-8: the recorder, HAR import
// and export, and the secret scanner use it to move raw bytes through JSON text.
#ifndef CHANTLESS_REPLAY_BASE64_H_
#define CHANTLESS_REPLAY_BASE64_H_

#include <optional>
#include <string>
#include <string_view>

namespace chantless {
namespace replay {

// Standard alphabet, '=' padding.
std::string Base64Encode(std::string_view bytes);

// Accepts the standard alphabet with or without padding; ASCII whitespace is skipped. nullopt on
// any other character or an impossible length.
std::optional<std::string> Base64Decode(std::string_view text);

// Strict: only the canonical encoding (padding required, no whitespace, zero trailing bits), i.e.
// succeeds exactly when Base64Encode(result) == text. Transcripts use it so that a round trip is
// exact.
std::optional<std::string> Base64DecodeCanonical(std::string_view text);

// True when `bytes` is valid UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view bytes);

}  // namespace replay
}  // namespace chantless

#endif  // CHANTLESS_REPLAY_BASE64_H_
