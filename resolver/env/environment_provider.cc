// The environment provider (rules in environment_provider.h).
#include "resolver/env/environment_provider.h"

#include <optional>

#include "resolver/core/environment.h"
#include "resolver/core/expiry.h"
#include "resolver/core/time_util.h"
#include "resolver/core/trace.h"

namespace chantless {

StatusOr<Credentials> EnvironmentProvider::Resolve() {
  TraceInfo(ctx_.trace, Name(), "Looking for credentials via: " + Name());
  if (ctx_.env == nullptr) return InternalError("env: no Environment in the provider context");
  const Environment& env = *ctx_.env;

  std::optional<std::string> access_key_id = GetNonBlank(env, "AWS_ACCESS_KEY_ID");
  std::optional<std::string> secret_access_key = GetNonBlank(env, "AWS_SECRET_ACCESS_KEY");
  if (!access_key_id && !secret_access_key) {
    return NotConfiguredError("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set");
  }
  if (!secret_access_key) {
    return InvalidConfigurationError("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
  }
  if (!access_key_id) {
    return InvalidConfigurationError("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
  }

  Credentials credentials;
  credentials.access_key_id = *access_key_id;
  credentials.secret_access_key = Secret(*secret_access_key);
  std::optional<std::string> token = GetNonBlank(env, "AWS_SESSION_TOKEN");
  std::optional<std::string> legacy_token = GetNonBlank(env, "AWS_SECURITY_TOKEN");
  if (token && legacy_token && *token != *legacy_token) {
    TraceWarning(ctx_.trace, Name(),
                 "AWS_SESSION_TOKEN and AWS_SECURITY_TOKEN are both set and differ; using "
                 "AWS_SESSION_TOKEN (botocore and the AWS CLI would use AWS_SECURITY_TOKEN)");
  }
  if (!token) token = legacy_token;
  if (token) credentials.session_token = Secret(*token);

  if (std::optional<std::string> expiration = GetNonBlank(env, "AWS_CREDENTIAL_EXPIRATION")) {
    StatusOr<WallTime> parsed = ParseRfc3339(*expiration);
    if (!parsed.ok()) {
      return InvalidConfigurationError(
          "AWS_CREDENTIAL_EXPIRATION is not an RFC 3339 timestamp (such as "
          "2024-05-01T12:00:00Z)");
    }
    if (ctx_.clock != nullptr) {
      CHANTLESS_RETURN_IF_ERROR(CheckExpiry(*parsed, ctx_.clock->Now(),
                                            "env: AWS_CREDENTIAL_EXPIRATION", ctx_.trace, "env"));
    }
    credentials.expiration = *parsed;
  }
  credentials.account_id = GetNonBlank(env, "AWS_ACCOUNT_ID");
  if (credentials.account_id) credentials.account_id_source = "AWS_ACCOUNT_ID";
  credentials.provider = Name();
  TraceInfo(ctx_.trace, Name(), "Found credentials in environment variables.");
  return credentials;
}

}  // namespace chantless
