// Pure decoders for the credential JSON that IMDS and container endpoints (ECS, EKS Pod Identity,
// CloudShell) answer. string_view in, typed value out: fuzz targets, no I/O.
//
// IMDS (`GET /latest/meta-data/iam/security-credentials[-extended]/<role>`):
//   {"Code":"Success","LastUpdated":"…","Type":"AWS-HMAC","AccessKeyId":"…","SecretAccessKey":"…",
//    "Token":"…","Expiration":"…"[,"AccountId":"…"]}
//   `Code` must be "Success" when present; AccessKeyId, SecretAccessKey, Token and Expiration are
//   required.
// Container (`AWS_CONTAINER_CREDENTIALS_{RELATIVE,FULL}_URI`):
//   {"AccessKeyId":"…","SecretAccessKey":"…","Token":"…","Expiration":"…"[,"RoleArn":"…"]
//    [,"AccountId":"…"]}; CloudShell adds "Type":"" and "Code":"Success" (and sometimes
//   "LastUpdated":"1970-01-01T00:00:00Z"). AccessKeyId and SecretAccessKey are required; Token and
//   Expiration are optional (a local endpoint may serve long-term keys); `Code`, when present, must
//   be "Success".
// Both: the body must be one JSON object; required fields must be non-empty strings; optional
// fields when present must be strings (null counts as absent); timestamps are strict RFC 3339
// (time_util.h); unknown fields are ignored. Errors are kInvalidResponse and never quote a value of
// the body (the JSON parser's own message is not used, since it echoes the last token read).
#ifndef CHANTLESS_RESOLVER_HTTP_CREDENTIALS_JSON_H_
#define CHANTLESS_RESOLVER_HTTP_CREDENTIALS_JSON_H_

#include <optional>
#include <string>
#include <string_view>

#include "resolver/core/credentials.h"
#include "resolver/core/status.h"

namespace chantless {

struct DecodedCredentials {
  std::string access_key_id;
  Secret secret_access_key;
  Secret token;
  std::optional<WallTime> expiration;
  std::optional<std::string> account_id;
  std::optional<std::string> role_arn;
  std::optional<std::string> code;
  std::optional<std::string> type;
  std::optional<WallTime> last_updated;
  std::optional<std::string> message;  // the endpoint's error "Message", when present

  // The Credentials these make, stamped with `provider`.
  Credentials ToCredentials(std::string provider) const;
};

StatusOr<DecodedCredentials> DecodeImdsCredentials(std::string_view body);
StatusOr<DecodedCredentials> DecodeContainerCredentials(std::string_view body);

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_HTTP_CREDENTIALS_JSON_H_
