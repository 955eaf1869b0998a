// ASCII string helpers: the one place chantless trims, lower-cases, compares case-insensitively and
// checks for control characters.
//
// Every function works on bytes and treats only ASCII specially (no locale: std::tolower and
// std::isspace would depend on setlocale()). Trimming takes the whitespace set as an argument:
// which characters count as whitespace is part of the rule a caller implements, so each set below
// is named for the rules that use it. Pure functions, thread-safe.
#ifndef CHANTLESS_RESOLVER_CORE_ASCII_H_
#define CHANTLESS_RESOLVER_CORE_ASCII_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace chantless {

// C's isspace() in the "C" locale: space, \t, \n, \v, \f, \r. The default: text whose format does
// not say otherwise (a recorded body, a HAR value).
inline constexpr std::string_view kAsciiWhitespace = " \t\n\v\f\r";

// Space and tab: the blanks inside one line — around an environment variable's value (a blank
// value counts as unset, as botocore does) and around the items of a comma-separated list
// (CHANTLESS_CONTAINER_ALLOWED_HOSTS).
inline constexpr std::string_view kSpaceAndTab = " \t";

// Space, tab, CR and LF: around a value that arrives as a body or a line — an IMDS token, listing
// or region, a credential_process's words and output, a profile value checked for blankness.
inline constexpr std::string_view kBlanksAndLineBreaks = " \t\r\n";

// The profile file format (~/.aws/config, ~/.aws/credentials): lines are split at \n first; within
// a line space, tab, CR, FF and VT are whitespace — around section names, keys and values, and
// before an inline comment's "#" or ";" (botocore's configparser strips Python's whitespace; a
// file's lines never hold \n).
inline constexpr std::string_view kProfileFileWhitespace = " \t\r\f\v";

// `s` without the leading and trailing characters that are in `whitespace`.
std::string_view StripAsciiWhitespace(std::string_view s,
                                      std::string_view whitespace = kAsciiWhitespace);

// True when `s` is empty or holds only characters in `whitespace`.
bool IsBlank(std::string_view s, std::string_view whitespace = kAsciiWhitespace);

// 'A'–'Z' become 'a'–'z'; every other byte is kept.
char AsciiLower(char c);
std::string AsciiLower(std::string_view s);

// Equal ignoring ASCII case (HTTP header names, profile keys, booleans such as "True").
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix);
bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle);

// A C0 control character (0x00–0x1f) or DEL (0x7f): what may never reach a request line or a
// header (CR/LF would inject one).
inline bool IsAsciiControl(char c) {  // inline: request heads check it byte by byte
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}
bool HasControlChar(std::string_view s);

// RFC 3986 percent-encoding: the unreserved characters (A–Z a–z 0–9 - _ . ~) and any character in
// `also_keep` stay as they are; every other byte becomes %XX with upper-case hex. This is SigV4's
// UriEncode (with "/" kept for a path), an STS form body's encoding and a query value's.
std::string PercentEncode(std::string_view s, std::string_view also_keep = "");

// The inverse: each %XX (either case of hex) becomes its byte; a '%' not followed by two hex
// digits is kept as is (as Python's unquote does). With `plus_is_space` (form bodies,
// application/x-www-form-urlencoded) '+' becomes a space; otherwise it stays '+'.
std::string PercentDecode(std::string_view s, bool plus_is_space = false);

// The value of one hex digit (0–9, a–f, A–F), -1 for any other byte.
int HexDigitValue(char c);

// The length in bytes (1–4) of the well-formed UTF-8 sequence that starts at text[i] (RFC 3629:
// shortest form, no surrogate, nothing above U+10FFFF; ASCII is 1), 0 when none starts there
// (including i past the end).
size_t Utf8SequenceLength(std::string_view text, size_t i);

// `text` as an unsigned number written in decimal digits only (no sign, no blanks), 1 to 19 of
// them (so that it fits in 64 bits); false for anything else.
bool ParseDecimal(std::string_view text, uint64_t* out);

// The same in hex digits (either case), 1 to 15 of them.
bool ParseHex(std::string_view text, uint64_t* out);

// Each byte as two lower-case hex digits (hashlib's hexdigest(), SigV4's hex encoding).
std::string LowerHex(std::string_view bytes);

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_CORE_ASCII_H_
