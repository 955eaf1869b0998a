// Decoders for the XML bodies STS answers AssumeRole and AssumeRoleWithWebIdentity with, and for
// its error bodies. Pure functions over resolver/xml's reader (fuzz targets).
//
// Success bodies (sts-sso-behaviour.md §1.4, §2): <AssumeRoleResponse> (or
// <AssumeRoleWithWebIdentityResponse>) in no namespace or in
// https://sts.amazonaws.com/doc/2011-06-15/, holding <…Result> with
//   Credentials/{AccessKeyId, SecretAccessKey, SessionToken, Expiration}   all required
//   AssumedRoleUser/{AssumedRoleId, Arn}                                    required
//   PackedPolicySize, SourceIdentity                                        optional
//   SubjectFromWebIdentityToken, Provider, Audience                         optional (web identity)
// and ResponseMetadata/RequestId (optional). Values are trimmed of surrounding ASCII whitespace;
// a required one that is missing, empty or given twice is an error naming the element.
// AccessKeyId, SecretAccessKey and SessionToken must not hold whitespace or control characters
// (they become request headers). Expiration is ISO-8601/RFC 3339 with an optional fraction
// ("2030-07-15T23:28:33.359Z"). The account id is the 5th ':' field of AssumedRoleUser/Arn and
// must be 12 digits, as botocore and the JS SDK take it.
//
// Error bodies: <ErrorResponse><Error>{Type, Code, Message}</Error><RequestId/></ErrorResponse>
// as STS sends them, or a root <Error> (RequestId inside or beside it), as some stubs do. Code is
// required.
//
// Every failure is kInvalidResponse, prefixed with the body it decoded ("STS AssumeRole
// response: "); it names elements, never quotes the body (it may hold the secret key or token).
#ifndef CHANTLESS_RESOLVER_STS_STS_RESPONSE_H_
#define CHANTLESS_RESOLVER_STS_STS_RESPONSE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "resolver/core/credentials.h"
#include "resolver/core/status.h"

namespace chantless {

inline constexpr char kStsNamespace[] = "https://sts.amazonaws.com/doc/2011-06-15/";

struct StsAssumedRole {
  // access_key_id, secret_access_key, session_token, expiration and account_id are set;
  // `provider` is left for the caller ("assume-role", "assume-role-with-web-identity").
  Credentials credentials;
  std::string assumed_role_id;   // "AROA3XFRBF535PLBIFPI4:s3-access-example"
  std::string assumed_role_arn;  // "arn:aws:sts::123456789012:assumed-role/demo/session"
  std::optional<std::string> request_id;
  std::optional<int64_t> packed_policy_size;
  std::optional<std::string> source_identity;
  // AssumeRoleWithWebIdentity only.
  std::optional<std::string> subject_from_web_identity_token;
  std::optional<std::string> provider;
  std::optional<std::string> audience;
};

struct StsError {
  std::string code;                    // "AccessDenied", never empty
  std::optional<std::string> type;     // "Sender" / "Receiver"
  std::optional<std::string> message;  // STS's text, as is (trimmed)
  std::optional<std::string> request_id;
};

StatusOr<StsAssumedRole> ParseAssumeRoleResponse(std::string_view body);
StatusOr<StsAssumedRole> ParseAssumeRoleWithWebIdentityResponse(std::string_view body);
StatusOr<StsError> ParseStsErrorResponse(std::string_view body);

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_STS_STS_RESPONSE_H_
