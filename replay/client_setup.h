// What a client needs to talk to `chantless serve` instead of AWS: the /etc/hosts lines that send
// a transcript's hosts to the replay (--hosts-file) and a shell-sourceable environment
// (--client-env) with a config and a credentials file beside it.
//
// The environment (one `export NAME='value'` per line, after an `unset` of the variables that
// would take precedence over the profile: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, AWS_PROFILE's siblings):
//   AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE  the files written beside it;
//   AWS_PROFILE                                  the first assume-role profile, else the source
//   one; AWS_CA_BUNDLE, NODE_EXTRA_CA_CERTS, SSL_CERT_FILE  the replay's CA, when there is one;
//   AWS_EC2_METADATA_SERVICE_ENDPOINT            the plain listener, when the transcript has IMDS
//                                                exchanges (family "imds…" or a /latest/ path);
//                                                else AWS_EC2_METADATA_DISABLED=true (a client
//                                                must never reach 169.254.169.254);
//   AWS_CONTAINER_CREDENTIALS_FULL_URI           the plain listener and the first container path,
//                                                when there are host-less non-IMDS GETs;
//   AWS_STS_REGIONAL_ENDPOINTS=regional          when an STS host is regional (sts.<region>.…);
//   AWS_ENDPOINT_URL_STS                         https://<bind>:<port> when the TLS listener is
//                                                not on 443 (host-file routing needs 443).
// The credentials file holds the transcript's source keys (sigv4_keys entries without a session
// token) as profile "chantless-source"; the config holds one "chantless-assume-role-N" profile per
// AssumeRole exchange (role_arn, role_session_name, external_id, duration_seconds from its form
// body, region from its host, source_profile chantless-source) and region/sts_regional_endpoints.
// Only fake keys from the transcript are ever written (the credentials file is 0600).
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
};

struct ClientFiles {
  std::string env;          // for --client-env
  std::string config;       // for config_path
  std::string credentials;  // for credentials_path (fake keys only)
};

// "127.0.0.1 localhost\n::1 localhost\n<address> <host>\n…" for every host name the transcript
// names (TranscriptHostNames).
std::string HostsFileText(const Transcript& transcript, const std::string& address);

ClientFiles MakeClientFiles(const Transcript& transcript, const ClientSetupInputs& inputs);

// Writes the env file, and the config and credentials files it names (0600), each atomically.
// Errors: kInternal naming the path.
Status WriteClientFiles(const Transcript& transcript, const ClientSetupInputs& inputs,
                        const std::string& env_path);

}  // namespace replay
}  // namespace chantless

#endif  // CHANTLESS_REPLAY_CLIENT_SETUP_H_
