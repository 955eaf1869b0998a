// Python's json.dumps, byte for byte, for the small values whose SHA-1 names an AWS CLI cache file.
//
// botocore names `~/.aws/cli/cache/<key>.json` by sha1(json.dumps(args, sort_keys=True)) and the
// AWS CLI writes its cache entries with json.dumps(value): default separators ", " and ": ", no
// indentation, ensure_ascii=True. To find and write the same files chantless must produce the same
// bytes:
// - strings: `"` and `\` escaped with a backslash; \b \f \n \r \t by name; every other byte below
//   0x20, DEL (0x7f) and every non-ASCII code point as \uXXXX with lower-case hex; code points
//   above U+FFFF as a UTF-16 surrogate pair (\ud83d\ude00), as Python does. Input is UTF-8; a byte
//   that does not start a valid UTF-8 sequence becomes U+FFFD (Python strings cannot hold one, so
//   no botocore key has it);
// - integers in decimal; objects with sort_keys order, which for valid UTF-8 is byte order.
// Pure functions, thread-safe.
#ifndef CHANTLESS_RESOLVER_CLI_CACHE_PYTHON_JSON_H_
#define CHANTLESS_RESOLVER_CLI_CACHE_PYTHON_JSON_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>

namespace chantless {

// The arguments of one STS call as botocore keys the cache with them: a string or an integer per
// name ("DurationSeconds" is an int). std::map keeps them in sort_keys order.
using CliCacheArgs = std::map<std::string, std::variant<std::string, int64_t>>;

// `text` as a Python JSON string literal with ensure_ascii escaping, quotes included.
std::string PythonJsonString(std::string_view text);

// json.dumps(args, sort_keys=True): `{"DurationSeconds": 3600, "RoleArn": "arn:…"}`.
std::string PythonJsonDumpsSorted(const CliCacheArgs& args);

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_CLI_CACHE_PYTHON_JSON_H_
