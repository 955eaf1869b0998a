// The two SSO HTTP calls as pure request builders and reply decoders (no HTTP here):
// GetRoleCredentials on the SSO portal and CreateToken (refresh) on SSO-OIDC
// (sts-sso-behaviour.md §3.3, §3.4).
//
// GetRoleCredentials: `GET https://portal.sso.<sso_region>.amazonaws.com/federation/credentials
//   ?role_name=R&account_id=A` with header `x-amz-sso_bearer_token: <accessToken>`, unsigned.
//   Query values are percent-encoded as botocore does: every byte except A-Z a-z 0-9 - _ . ~ as
//   %XX with upper-case hex. Reply:
//   {"roleCredentials":{"accessKeyId","secretAccessKey","sessionToken","expiration":<epoch ms>}};
//   all four are required, the strings non-empty (JS's rule), expiration an integer number of
//   milliseconds from 1970 to 2262-04-11, the last instant a WallTime holds (a float with no
//   fraction is accepted).
// CreateToken: `POST https://oidc.<sso_region>.amazonaws.com/token`, Content-Type
//   application/json, unsigned, body {"grantType":"refresh_token","clientId":…,"clientSecret":…,
//   "refreshToken":…}. Reply {"accessToken","expiresIn" (seconds),"tokenType","refreshToken"?,
//   "idToken"?}: accessToken and tokenType non-empty strings, expiresIn a positive integer (at most
//   ten years), the optional ones non-empty strings when present.
// Decoder errors are kInvalidResponse, name the call and the field, and never quote a value.
// Pure functions, thread-safe.
#ifndef CHANTLESS_RESOLVER_SSO_SSO_API_H_
#define CHANTLESS_RESOLVER_SSO_SSO_API_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "resolver/core/credentials.h"
#include "resolver/core/status.h"

namespace chantless {

inline constexpr char kSsoBearerTokenHeader[] = "x-amz-sso_bearer_token";

// "/federation/credentials?role_name=<R>&account_id=<A>", both percent-encoded.
std::string GetRoleCredentialsPathAndQuery(std::string_view role_name, std::string_view account_id);

// RFC 3986 percent-encoding of a query value (unreserved characters kept, %XX upper-case).
std::string PercentEncodeQueryValue(std::string_view value);

struct SsoRoleCredentials {
  std::string access_key_id;
  Secret secret_access_key;
  Secret session_token;
  WallTime expiration;

  // The Credentials, with the profile's sso_account_id (botocore takes AccountId from the profile)
  // and the provider name ("sso").
  Credentials ToCredentials(std::string account_id, std::string provider) const;
};

StatusOr<SsoRoleCredentials> DecodeGetRoleCredentialsResponse(std::string_view body);

// The CreateToken request body (compact JSON, ASCII-escaped). The result holds secrets: send it,
// never log it.
std::string CreateTokenRefreshRequestBody(std::string_view client_id, const Secret& client_secret,
                                          const Secret& refresh_token);

struct SsoOidcToken {
  Secret access_token;
  std::chrono::seconds expires_in{0};
  std::string token_type;
  std::optional<Secret> refresh_token;
  std::optional<Secret> id_token;
};

StatusOr<SsoOidcToken> DecodeCreateTokenResponse(std::string_view body);

// The file name the AWS CLI v2 gives an SSO role's credentials in ~/.aws/cli/cache (its
// SSOCredentialFetcher._create_cache_key): sha1(json.dumps({"accountId", "roleName", and
// "sessionName" for sso_session profiles or "startUrl" for legacy ones}, sort_keys=True,
// separators=(',', ':'))) in lower-case hex, plus ".json". `session_name` empty: legacy profile.
std::string SsoCliCacheFileName(std::string_view account_id, std::string_view role_name,
                                std::string_view session_name, std::string_view start_url);

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_SSO_SSO_API_H_
