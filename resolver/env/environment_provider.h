// EnvironmentProvider: credentials from the process environment (botocore's "env" method).
//
// Rules implemented (the map of every rule: docs/behaviour.md):
// - AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY hold the key pair. Blank values (empty or only
//   spaces/tabs) count as unset; values are trimmed.
// - Neither set: the provider does not apply (kNotConfigured).
// - Only one of the pair set: kInvalidConfiguration naming the variable that is missing (botocore
//   ignores a lone AWS_SECRET_ACCESS_KEY; chantless reports it, as it reports a lone key id).
// - AWS_SESSION_TOKEN is the session token; AWS_SECURITY_TOKEN, botocore's legacy name, is read
//   when AWS_SESSION_TOKEN is unset. When both are set and differ, AWS_SESSION_TOKEN (the name
//   every SDK reads) wins and a warning is traced: botocore and the AWS CLI prefer the legacy one.
// - AWS_CREDENTIAL_EXPIRATION, when set, is the expiration: strict RFC 3339 (time_util.h). A value
//   that does not parse is kInvalidConfiguration naming the variable, never quoting the value.
//   The expiry rule (expiry.h) applies: already expired credentials are kInvalidResponse naming
//   the variable (botocore refuses them after its refresh finds them "still expired"); absent
//   means never expires.
// - AWS_ACCOUNT_ID, when set, is the account id.
// - Credentials are stamped provider "env". Trace (provider "env"): "Looking for credentials via:
//   env", then "Found credentials in environment variables." on success. No value is ever traced.
#ifndef CHANTLESS_RESOLVER_ENV_ENVIRONMENT_PROVIDER_H_
#define CHANTLESS_RESOLVER_ENV_ENVIRONMENT_PROVIDER_H_

#include <string>

#include "resolver/core/credentials.h"
#include "resolver/core/provider.h"
#include "resolver/core/status.h"

namespace chantless {

// Holds a copy of the context (whose seams the caller keeps alive). Stateless between calls:
// Resolve() re-reads the environment each time and is thread-safe when the seams are.
class EnvironmentProvider : public CredentialsProvider {
 public:
  explicit EnvironmentProvider(const ProviderContext& ctx) : ctx_(ctx) {}

  std::string Name() const override { return "env"; }

  // Errors: kNotConfigured when neither key variable is set; kInvalidConfiguration for half a
  // pair or a malformed AWS_CREDENTIAL_EXPIRATION; kInvalidResponse for a past one (expiry.h);
  // kInternal when ctx.env is null.
  StatusOr<Credentials> Resolve() override;

 private:
  ProviderContext ctx_;
};

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_ENV_ENVIRONMENT_PROVIDER_H_
