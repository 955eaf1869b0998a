// The transcript model: recorded HTTP exchanges of credential endpoints (EC2 IMDS,
// ECS/EKS/CloudShell container endpoints), loaded from and written to the versioned JSON format
// that docs/transcript-format.md specifies field by field.
//
// LoadTranscript validates everything the replay engine relies on (unknown fields, types, ranges,
// base64, faults only where they make sense, unique ids) and names the source and the JSON path in
// every error: "fixtures/x.json: $.exchanges[3].response.body_base64: invalid base64". It is a pure
// function over a string_view (a fuzz target) and never throws. SerializeTranscript writes the
// canonical form; Load(Serialize(t)) == t for every t that Load returned.
#ifndef CHANTLESS_REPLAY_TRANSCRIPT_H_
#define CHANTLESS_REPLAY_TRANSCRIPT_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "resolver/core/clock.h"
#include "resolver/core/secret.h"
#include "resolver/core/status.h"
#include "resolver/http/http_client.h"

namespace chantless {
namespace replay {

// The only format version this build reads and writes.
inline constexpr int kTranscriptFormatVersion = 1;
// IMDS refuses token TTLs above six hours.
inline constexpr int kMaxImdsTokenTtlSeconds = 21600;
// The header names IMDS uses for its session tokens (compared case-insensitively).
inline constexpr std::string_view kImdsTokenHeader = "X-aws-ec2-metadata-token";
inline constexpr std::string_view kImdsTokenTtlHeader = "X-aws-ec2-metadata-token-ttl-seconds";
// Placeholder in a "mint" exchange's response body replaced by the token minted at replay time.
inline constexpr std::string_view kImdsTokenPlaceholder = "{{imds_token}}";
// Special values in request.headers: the header must be present (any value) / must be absent.
inline constexpr std::string_view kHeaderPresent = "{{present}}";
inline constexpr std::string_view kHeaderAbsent = "{{absent}}";

// What an exchange does with IMDSv2 session tokens.
enum class ImdsTokenRole {
  kNone,     // tokens are not looked at
  kMint,     // this is the token PUT: the replay mints a fresh token (never a recorded value)
  kAccept,   // a token is optional, but one that is sent must be valid and unexpired (else 401)
  kRequire,  // a valid, unexpired token must be sent (else 401)
};

// "none", "mint", "accept", "require".
std::string_view ImdsTokenRoleName(ImdsTokenRole role);

enum class FaultKind {
  kDelayBeforeHeaders,  // wait `delay` before anything is written, then answer normally
  kDelayMidBody,        // write headers and `after_bytes` of the body, wait `delay`, write the rest
  kReset,               // reset the connection (TCP RST) without writing anything
  kCloseWithoutResponse,  // close the connection (FIN) without writing anything
  kTruncatedBody,         // declare the full Content-Length, write `after_bytes`, then close
  kWrongContentLength,    // declare `content_length` (!= body size), write the whole body, close
};

// "delay_before_headers", "delay_mid_body", "reset", "close_without_response", "truncated_body",
// "wrong_content_length".
std::string_view FaultKindName(FaultKind kind);

struct Fault {
  FaultKind kind = FaultKind::kReset;
  std::chrono::milliseconds delay{0};  // delay_* only
  uint64_t after_bytes = 0;            // delay_mid_body, truncated_body: < body size
  uint64_t content_length = 0;         // wrong_content_length: != body size

  bool operator==(const Fault& o) const {
    return kind == o.kind && delay == o.delay && after_bytes == o.after_bytes &&
           content_length == o.content_length;
  }
};

// What a request must look like to match an exchange. Header names compare case-insensitively;
// headers not listed are ignored (User-Agent may not be listed at all; the IMDS token header is
// checked by the token semantics, not here).
struct RequestMatcher {
  std::string method = "GET";       // exact, upper case
  std::string path = "/";           // exact, starts with '/', no '?'
  std::string query;                // exact raw query without '?'; empty = the request has no query
  HttpHeaders headers;              // value, or kHeaderPresent / kHeaderAbsent
  std::optional<std::string> body;  // exact when set

  bool operator==(const RequestMatcher& o) const {
    return method == o.method && path == o.path && query == o.query && headers == o.headers &&
           body == o.body;
  }
};

enum class BodyEncoding { kText, kBase64 };

struct RecordedResponse {
  int status = 200;  // 100..599
  HttpHeaders headers;
  std::string body;                             // raw bytes (decoded when written as body_base64)
  BodyEncoding encoding = BodyEncoding::kText;  // how the file spells it; kText needs valid UTF-8

  bool operator==(const RecordedResponse& o) const {
    return status == o.status && headers == o.headers && body == o.body && encoding == o.encoding;
  }
};

struct Repeat {
  int min = 1;  // consumed at least this often (ignored when the exchange is optional)
  int max = 1;  // and at most this often; 1 <= max, min <= max

  bool operator==(const Repeat& o) const { return min == o.min && max == o.max; }
};

// Whether the replay checks an exchange's SigV4 signature.
enum class SigV4Check {
  kIgnore,  // the Authorization header is not looked at (a SigV4 one is never compared)
  kVerify,  // recompute the signature with the transcript's sigv4_keys; refuse a wrong one (403)
};

// "ignore", "verify".
std::string_view SigV4CheckName(SigV4Check check);

// Fake keys a transcript handed out (in an STS response, a credentials file the replay writes):
// the replay verifies signatures made with them.
struct SigV4Key {
  std::string access_key_id;  // non-empty, no '/' or whitespace
  Secret secret_access_key;   // non-empty
  Secret session_token;       // empty: any (or no) X-Amz-Security-Token is accepted

  bool operator==(const SigV4Key& o) const {
    return access_key_id == o.access_key_id && secret_access_key == o.secret_access_key &&
           session_token == o.session_token;
  }
};

struct Exchange {
  std::string id;                  // unique within the transcript, non-empty
  std::string family = "default";  // strict order within a family, none across families
  // The host the request is sent to ("sts.us-east-1.amazonaws.com", optionally ":port"); empty:
  // any host. Compared case-insensitively; the port only when both sides name one.
  std::string host;
  RequestMatcher request;
  // Absent only for faults that write nothing (reset, close_without_response) and for "mint"
  // exchanges, which then answer 200 with the minted token.
  std::optional<RecordedResponse> response;
  ImdsTokenRole imds_token = ImdsTokenRole::kNone;
  Repeat repeat;
  bool optional = false;  // the verdict does not require it to be consumed
  std::optional<Fault> fault;
  SigV4Check sigv4 = SigV4Check::kIgnore;  // kVerify needs Transcript::sigv4_keys

  // How many times the verdict requires it.
  int RequiredCount() const { return optional ? 0 : repeat.min; }

  bool operator==(const Exchange& o) const {
    return id == o.id && family == o.family && host == o.host && request == o.request &&
           response == o.response && imds_token == o.imds_token && repeat == o.repeat &&
           optional == o.optional && fault == o.fault;
  }
};

struct ImdsTokenPolicy {
  // When true, exchanges of family "imds" default to imds_token "require", else to "accept".
  bool required = false;
  bool operator==(const ImdsTokenPolicy& o) const { return required == o.required; }
};

struct RebasePolicy {
  // JSON member names (at any depth of a JSON response body) whose RFC 3339 string values are
  // shifted by (replay anchor - recorded_at + shift).
  std::vector<std::string> json_fields;
  // JSON member names whose integer values are epoch milliseconds (SSO GetRoleCredentials'
  // `expiration`), shifted the same way.
  std::vector<std::string> json_epoch_ms_fields;
  // XML element names whose RFC 3339 text is shifted (STS's <Expiration>).
  std::vector<std::string> xml_elements;
  // Added to every rebased time: negative to serve credentials about to expire or already expired.
  std::chrono::seconds shift{0};

  bool empty() const {
    return json_fields.empty() && json_epoch_ms_fields.empty() && xml_elements.empty();
  }
  bool operator==(const RebasePolicy& o) const {
    return json_fields == o.json_fields && json_epoch_ms_fields == o.json_epoch_ms_fields &&
           xml_elements == o.xml_elements && shift == o.shift;
  }
};

struct Transcript {
  int version = kTranscriptFormatVersion;
  std::string name;  // "ec2/imdsv2"
  std::string docs;  // one line saying what it shows
  WallTime recorded_at;
  std::optional<ImdsTokenPolicy> imds_tokens;  // absent: no exchange defaults to token checks
  RebasePolicy rebase;
  std::vector<SigV4Key> sigv4_keys;  // unique access key ids
  std::vector<Exchange> exchanges;   // non-empty

  bool operator==(const Transcript& o) const {
    return version == o.version && name == o.name && docs == o.docs &&
           recorded_at == o.recorded_at && imds_tokens == o.imds_tokens && rebase == o.rebase &&
           sigv4_keys == o.sigv4_keys && exchanges == o.exchanges;
  }
};

// Parses and validates a transcript. `source` names it in errors (usually the file path).
// Errors: kInvalidConfiguration "<source>: <json path>: <what>" for a syntax error, an unknown
// field, a wrong type, a value out of range, invalid base64, a fault where it makes no sense, a
// duplicate id or an unsupported version.
StatusOr<Transcript> LoadTranscript(std::string_view text, std::string_view source);

// Reads `path` from disk and loads it (kInvalidConfiguration also when the file cannot be read).
StatusOr<Transcript> LoadTranscriptFile(const std::string& path);

// Canonical JSON (2-space indent, fields in documented order, every defaulted field written out).
std::string SerializeTranscript(const Transcript& transcript);

}  // namespace replay
}  // namespace chantless

#endif  // CHANTLESS_REPLAY_TRANSCRIPT_H_
