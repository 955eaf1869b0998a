// The bodies of the STS AssumeRole and AssumeRoleWithWebIdentity query calls, and the checks of
// their parameters against STS's own limits, made before anything is sent.
//
// Body: application/x-www-form-urlencoded, "Action=AssumeRole&Version=2011-06-15&RoleArn=…" in a
// fixed order (Action, Version, RoleArn, RoleSessionName, then DurationSeconds, ExternalId,
// SerialNumber, TokenCode, SourceIdentity, WebIdentityToken when set). Every byte but
// A-Z a-z 0-9 - _ . ~ is percent-encoded (%20 for a space, as aws-c-auth sends; botocore sends '+',
// STS takes both).
//
// Limits (STS's API model, botocore data/sts service-2):
//   RoleArn            20-2048 characters, shaped arn:<partition>:iam::<12 digits>:role/<name>
//   RoleSessionName    2-64 characters of [A-Za-z0-9_+=,.@-]
//   DurationSeconds    900-43200 (role chaining caps it at 3600 on STS's side)
//   ExternalId         2-1224 characters of [A-Za-z0-9_+=,.@:/-]
//   SerialNumber       9-256 characters of [A-Za-z0-9_+=/:,.@-]; required with TokenCode
//   TokenCode          exactly 6 digits
//   SourceIdentity     2-64 characters of [A-Za-z0-9_+=,.@-]
//   WebIdentityToken   4-20000 characters
// A violation is kInvalidConfiguration naming the parameter and the rule; messages never quote
// TokenCode or WebIdentityToken.
#ifndef CHANTLESS_RESOLVER_STS_STS_REQUEST_H_
#define CHANTLESS_RESOLVER_STS_STS_REQUEST_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "resolver/core/secret.h"
#include "resolver/core/status.h"

namespace chantless {

inline constexpr char kStsApiVersion[] = "2011-06-15";
inline constexpr char kStsFormContentType[] = "application/x-www-form-urlencoded; charset=utf-8";

struct AssumeRoleParams {
  std::string role_arn;
  std::string role_session_name;
  std::optional<int> duration_seconds;
  std::optional<std::string> external_id;
  std::optional<std::string> serial_number;
  std::optional<Secret> token_code;
  std::optional<std::string> source_identity;
};

struct AssumeRoleWithWebIdentityParams {
  std::string role_arn;
  std::string role_session_name;
  Secret web_identity_token;  // the file's contents, as read
  std::optional<int> duration_seconds;
};

// "a=b&c=d" with the encoding above; names and values as given, in order.
std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& params);

Status ValidateAssumeRoleParams(const AssumeRoleParams& params);
Status ValidateAssumeRoleWithWebIdentityParams(const AssumeRoleWithWebIdentityParams& params);

// The validated request body. The web identity body holds the token: never log it.
StatusOr<std::string> AssumeRoleRequestBody(const AssumeRoleParams& params);
StatusOr<std::string> AssumeRoleWithWebIdentityRequestBody(
    const AssumeRoleWithWebIdentityParams& params);

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_STS_STS_REQUEST_H_
