// What a client needs to talk to `chantless serve` instead of AWS: the /etc/hosts lines that send
// a transcript's hosts to the replay (--hosts-file) and a shell-sourceable environment
// (--client-env F) with, beside it, a config and a credentials file holding the profiles the
// transcript's exchanges imply, the web identity token files they name, and an SSO token cache.
//
// The environment (one `export NAME='value'` per line, after an `unset` of the variables that
// would take precedence over the profile: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, AWS_PROFILE's siblings, AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE, …):
//   AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE  the files written beside it;
//   HOME                                         F.home, only when the transcript has SSO
//                                                exchanges: clients look for the SSO token cache
//                                                under $HOME/.aws/sso/cache, so the client runs
//                                                with a HOME of its own (its other caches land
//                                                there too);
//   AWS_PROFILE                                  the first assume-role profile; else the first
//                                                web identity profile; else the first SSO
//                                                profile; else the source one;
//   AWS_CA_BUNDLE, NODE_EXTRA_CA_CERTS, SSL_CERT_FILE  the replay's CA, when there is one;
//   AWS_EC2_METADATA_SERVICE_ENDPOINT            the plain listener, when the transcript has IMDS
//                                                exchanges (family "imds…" or a /latest/ path);
//                                                else AWS_EC2_METADATA_DISABLED=true (a client
//                                                must never reach 169.254.169.254);
//   AWS_CONTAINER_CREDENTIALS_FULL_URI           the plain listener and the first container path,
//                                                when there are host-less non-IMDS GETs;
//   AWS_STS_REGIONAL_ENDPOINTS=regional          when an STS host is regional (sts.<region>.…);
//   AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL_SSO   https://<bind>:<port> when the TLS listener is
//                                                not on 443 (host-file routing needs 443), for
//                                                STS (assume-role, web identity) and SSO profiles.
// The profiles:
//   chantless-source            (credentials file) the transcript's source keys: its first
//                               sigv4_keys entry without a session token.
//   chantless-assume-role-N     one per AssumeRole exchange: role_arn, role_session_name,
//                               external_id, duration_seconds from its form body, region from its
//                               host, source_profile chantless-source.
//   chantless-web-identity-N    one per distinct AssumeRoleWithWebIdentity exchange: role_arn,
//                               role_session_name and the token (written to the file
//                               web_identity_token_file names) from its form body; an exchange that
//                               recorded no body (it matches any) gives the role and session from
//                               its response's AssumedRoleUser ARN and an invented, JWT-shaped
//                               token. Region from the STS host, as for assume-role.
//   chantless-sso-N             one per distinct SSO GetRoleCredentials exchange (GET
//                               /federation/credentials?role_name=R&account_id=A to
//                               portal.sso.<region>.amazonaws.com with an x-amz-sso_bearer_token
//                               header): sso_session, sso_account_id, sso_role_name, region.
//   [sso-session chantless-sso] sso_start_url (the first "startUrl" of a JSON request body, e.g.
//                               SSO-OIDC StartDeviceAuthorization, else the invented
//                               https://chantless-replay.awsapps.com/start) and sso_region; one
//                               more session (chantless-sso-2, …) per further distinct
//                               (region, bearer token). Each session's token cache entry is
//                               F.home/.aws/sso/cache/<sha1 hex of the session name>.json (the
//                               sso-session form of the cache key, SsoTokenCacheKey) holding
//                               startUrl, region, accessToken (the recorded bearer token, or an
//                               invented one for a "{{present}}" matcher) and an expiresAt far in
//                               the future, so that no client tries to refresh it.
// The config also holds region/sts_regional_endpoints for the source profile. Only fake keys and
// tokens from the transcript are ever written (every file but the environment is 0600).
#ifndef CHANTLESS_REPLAY_CLIENT_SETUP_H_
#define CHANTLESS_REPLAY_CLIENT_SETUP_H_

#include <string>
#include <vector>

#include "replay/transcript.h"

namespace chantless {
namespace replay {

struct ClientSetupInputs {
  std::string bind = "127.0.0.1";
  int http_port = 0;
  int https_port = 0;   // 0: no TLS listener
  std::string ca_path;  // empty: no CA to trust
  std::string config_path;
  std::string credentials_path;
  // Web identity token N goes to "<web_identity_token_prefix>N" (serve: "F.web-identity-token-");
  // empty: no web identity profiles.
  std::string web_identity_token_prefix;
  // The HOME the environment sets when there are SSO exchanges (serve: "F.home"); empty: no SSO
  // profiles.
  std::string home_path;
};

struct ClientFile {
  std::string path;
  std::string text;
};

struct ClientFiles {
  std::string env;                              // for --client-env
  std::string config;                           // for config_path
  std::string credentials;                      // for credentials_path (fake keys only)
  std::vector<ClientFile> web_identity_tokens;  // the token files the profiles name
  std::vector<ClientFile> sso_token_cache;      // under home_path/.aws/sso/cache
};

// "127.0.0.1 localhost\n::1 localhost\n<address> <host>\n…" for every host name the transcript
// names (TranscriptHostNames).
std::string HostsFileText(const Transcript& transcript, const std::string& address);

ClientFiles MakeClientFiles(const Transcript& transcript, const ClientSetupInputs& inputs);

// Writes the env file, and the config, credentials, web identity token and SSO token cache files
// it names (0600; the cache's directories 0700), each atomically. Errors: kInternal naming the
// path.
Status WriteClientFiles(const Transcript& transcript, const ClientSetupInputs& inputs,
                        const std::string& env_path);

}  // namespace replay
}  // namespace chantless

#endif  // CHANTLESS_REPLAY_CLIENT_SETUP_H_
