// Client fuzz target: the default chain (resolver/chain/default_chain.h) resolving role, web
// identity and SSO profiles — AssumeRoleProvider, WebIdentityProvider, SsoProvider with StsClient,
// SigV4, the AWS CLI cache and the SSO token cache — against FuzzHttpClient, whose answers (STS XML
// and ErrorResponse bodies, GetRoleCredentials and CreateToken JSON) come from the fuzz input
// (fuzz/fuzz_http_client.h).
//
// Input: bytes from the end choose the configuration (one byte each, in this order): the scenario
// (Scenario below), the region, the source session token (on/off), the role options (external_id,
// duration_seconds 900 / 43200), the web identity token file or the SSO token's expiry, the AWS CLI
// cache (off, or on with no entry, a valid entry, one expiring in 10 min, a corrupt one, or one
// read from the front of the input), the number of Resolve() calls 1-3; then before each call one
// byte moves the clock (0, 1 min, 20 min, 2 h) and FuzzHttpClient reads the answers.
//
// Invariants (a broken one traps):
// - Requests per Resolve() within the providers' retry rules: each STS call at most
//   StsClient::kMaxAttempts (3: throttling, 5xx, refused connections; for web identity also
//   IDPCommunicationError / InvalidIdentityToken), so 3 for one role, 6 for the two-hop chain;
//   SSO at most one CreateToken and one GetRoleCredentials (2; 1 for a legacy profile, which is
//   never refreshed).
// - Every request goes to the expected host: POST / at https://sts.<region>.amazonaws.com for the
//   STS scenarios; GET /federation/credentials at https://portal.sso.<region>.amazonaws.com and
//   POST /token at https://oidc.<region>.amazonaws.com (sso-session only) for the SSO ones.
//   AssumeRole is signed (X-Amz-Security-Token exactly when the signing credentials have a session
//   token); AssumeRoleWithWebIdentity is not signed; GetRoleCredentials carries a bearer token:
//   the token file's or one a CreateToken answer served. Backoff: at most kRetryMaxDelay before
//   each retry of each STS call.
// - No secret — the source secret key and session token, the web identity token, the SSO access
//   and refresh tokens and client secret, the cached secrets, every secret a response served, the
//   Authorization signature — in any trace event, error message or explanation JSON. Secrets are
//   checked when they carry the canary "EXAMPLE" (the signature always); a secret a response also
//   served outside its secret fields (an error Message quoting it) is the server's, not a leak.
// - Credentials returned have a non-empty access key id, secret access key and session token and
//   the scenario's provider name ("assume-role", "assume-role-with-web-identity", "sso"); none
//   without a request unless a cache entry could serve them.
// - Only documented status codes: never kInternal, never kNotConfigured (each scenario applies).
// - Files written — the AWS CLI cache entries and the SSO token file — have mode 0600 and parse
// back
//   (ParseCliCacheEntry hits, ParseSsoToken succeeds).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fuzz/fuzz_http_client.h"
#include "fuzz/fuzzed_data_provider.h"
#include "resolver/chain/chain.h"
#include "resolver/chain/default_chain.h"
#include "resolver/cli_cache/cli_cache.h"
#include "resolver/cli_cache/cli_cache_store.h"
#include "resolver/sso/sso_api.h"
#include "resolver/sso/sso_token.h"
#include "resolver/sts/sts_client.h"
#include "resolver/testing/fakes.h"

namespace {

using chantless::StatusCode;

enum Scenario : uint8_t {
  kRoleFromKeys = 0,  // source_profile with static keys
  kTwoHops = 1,       // role → role → static keys
  kEnvSource = 2,     // credential_source = Environment (--profile, so the env link is skipped)
  kWebIdentity = 3,   // AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN
  kSsoLegacy = 4,     // sso_start_url in the profile
  kSsoSession = 5,    // sso_session, refreshable token
};

constexpr const char* kRegions[] = {"us-east-1", "eu-west-1"};
constexpr const char* kRoleOptions[] = {"", "external_id = ext-id-0001\n",
                                        "duration_seconds = 900\n", "duration_seconds = 43200\n"};
// Web identity token file contents (nullptr: no file; "fuzzed": read from the input).
constexpr const char* kWebTokens[] = {"eyJhbGciOiJSUzI1NiJ9.web-identity-EXAMPLE-token.sig",
                                      "web-identity-EXAMPLE-token-with-newline\n", "", nullptr,
                                      "fuzzed"};
// The SSO token's expiresAt (FakeClock starts at 12:00:00Z); the fifth variant: no token file.
constexpr const char* kSsoExpiries[] = {"2024-05-01T12:03:00Z", "2024-05-01T11:59:00Z",
                                        "2024-05-01T20:00:00Z", "2024-05-01T12:03:00.500Z"};
constexpr int kClockMinutes[] = {0, 1, 20, 120};

constexpr char kHome[] = "/home/u";
constexpr char kCliCacheDir[] = "/home/u/.aws/cli/cache";
constexpr char kSsoCacheDir[] = "/home/u/.aws/sso/cache";
constexpr char kWebTokenPath[] = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token";
constexpr char kStartUrl[] = "https://d-abc.awsapps.com/start";
constexpr char kAccount[] = "123456789012";
constexpr char kSsoRole[] = "ReadOnly";
constexpr char kRoleArn[] = "arn:aws:iam::123456789012:role/demo";
constexpr char kHopArn[] = "arn:aws:iam::123456789012:role/second";
constexpr char kWebArn[] = "arn:aws:iam::123456789012:role/web";

constexpr char kSourceKeyId[] = "AKIDSOURCEEXAMPLE01";
constexpr char kSourceSecret[] = "source-EXAMPLE-secret-access-key";
constexpr char kSourceToken[] = "source-EXAMPLE-session-token";
constexpr char kSsoAccessToken[] = "sso-EXAMPLE-access-token";
constexpr char kSsoRefreshToken[] = "sso-EXAMPLE-refresh-token";
constexpr char kSsoClientSecret[] = "sso-EXAMPLE-client-secret";
constexpr char kCachedSecret[] = "cached-EXAMPLE-secret-access-key";
constexpr char kCachedToken[] = "cached-EXAMPLE-session-token";

size_t Occurrences(const std::string& haystack, const std::string& needle) {
  if (needle.empty()) return 0;
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

std::string CacheEntry(const char* expiration, bool sso) {
  std::string text = sso ? "{\"ProviderType\": \"sso\", " : "{";
  return text +
         "\"Credentials\": {\"AccessKeyId\": \"ASIACACHEDEXAMPLE\", \"SecretAccessKey\": \"" +
         kCachedSecret + "\", \"SessionToken\": \"" + kCachedToken + "\", \"Expiration\": \"" +
         expiration + "\"}}";
}

chantless::CliCacheArgs RoleArgs(const char* arn, const char* session, const std::string& options) {
  chantless::CliCacheArgs args;
  args["RoleArn"] = std::string(arn);
  args["RoleSessionName"] = std::string(session);
  if (options.find("external_id") != std::string::npos) args["ExternalId"] = "ext-id-0001";
  if (options.find("= 900") != std::string::npos) args["DurationSeconds"] = int64_t{900};
  if (options.find("= 43200") != std::string::npos) args["DurationSeconds"] = int64_t{43200};
  return args;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider input(data, size);
  chantless::testing::FakeWorld world;
  world.fs.SetClock(&world.clock);
  const auto scenario = static_cast<Scenario>(input.ConsumeIntegralInRange<uint8_t>(0, 5));
  const std::string region = input.PickValueInArray(kRegions);
  const bool source_token = input.ConsumeBool();
  const std::string role_options = input.PickValueInArray(kRoleOptions);
  const uint8_t variant = input.ConsumeIntegralInRange<uint8_t>(0, 4);
  const uint8_t cache_mode = input.ConsumeIntegralInRange<uint8_t>(0, 5);
  const int calls = input.ConsumeIntegralInRange<int>(1, 3);

  world.env.Set("HOME", kHome);
  std::string keys = std::string("[keys]\naws_access_key_id = ") + kSourceKeyId +
                     "\naws_secret_access_key = " + kSourceSecret + "\n";
  if (source_token) keys += std::string("aws_session_token = ") + kSourceToken + "\n";
  world.fs.SetFile(std::string(kHome) + "/.aws/credentials", keys);
  const std::string config =
      "[profile role]\nrole_arn = " + std::string(kRoleArn) +
      "\nsource_profile = keys\nrole_session_name = fuzz-session\nregion = " + region + "\n" +
      role_options + "\n[profile hop2]\nrole_arn = " + kHopArn +
      "\nsource_profile = role\nrole_session_name = hop-session\nregion = " + region +
      "\n\n[profile envsource]\nrole_arn = " + kRoleArn +
      "\ncredential_source = Environment\nrole_session_name = env-session\nregion = " + region +
      "\n" + role_options + "\n[profile webid]\nregion = " + region +
      "\n\n[profile legacy]\nsso_start_url = " + kStartUrl + "\nsso_region = " + region +
      "\nsso_account_id = " + kAccount + "\nsso_role_name = " + kSsoRole + "\nregion = " + region +
      "\n\n[profile dev]\nsso_session = my-sso\nsso_account_id = " + kAccount +
      "\nsso_role_name = " + kSsoRole + "\nregion = " + region +
      "\n\n[sso-session my-sso]\nsso_start_url = " + kStartUrl + "\nsso_region = " + region +
      "\nsso_registration_scopes = sso:account:access\n";
  world.fs.SetFile(std::string(kHome) + "/.aws/config", config);

  std::vector<std::string> secrets = {kSourceSecret,    kSourceToken,     kSsoAccessToken,
                                      kSsoRefreshToken, kSsoClientSecret, kCachedSecret,
                                      kCachedToken};
  chantless::ProviderContext ctx = world.context();
  const char* profile = nullptr;
  std::string provider_name = "assume-role";
  constexpr size_t kAttempts = chantless::StsClient::kMaxAttempts;
  size_t max_requests = kAttempts;
  // Each retry of each STS call sleeps at most kRetryMaxDelay.
  std::chrono::nanoseconds max_backoff = (kAttempts - 1) * chantless::StsClient::kRetryMaxDelay;
  bool sts = true;
  std::vector<std::string> cache_files;  // the AWS CLI cache entries it may write; first seeded
  std::string sso_token_path;
  switch (scenario) {
    case kRoleFromKeys:
      profile = "role";
      cache_files.push_back(
          chantless::CliCacheFileName(RoleArgs(kRoleArn, "fuzz-session", role_options)));
      break;
    case kTwoHops:
      profile = "hop2";
      max_requests = 2 * kAttempts;
      max_backoff = 2 * (kAttempts - 1) * chantless::StsClient::kRetryMaxDelay;
      cache_files.push_back(chantless::CliCacheFileName(RoleArgs(kHopArn, "hop-session", "")));
      cache_files.push_back(
          chantless::CliCacheFileName(RoleArgs(kRoleArn, "fuzz-session", role_options)));
      break;
    case kEnvSource:
      ctx.profile_override = "envsource";
      world.env.Set("AWS_ACCESS_KEY_ID", kSourceKeyId);
      world.env.Set("AWS_SECRET_ACCESS_KEY", kSourceSecret);
      if (source_token) world.env.Set("AWS_SESSION_TOKEN", kSourceToken);
      cache_files.push_back(
          chantless::CliCacheFileName(RoleArgs(kRoleArn, "env-session", role_options)));
      break;
    case kWebIdentity: {
      profile = "webid";
      provider_name = "assume-role-with-web-identity";
      world.env.Set("AWS_WEB_IDENTITY_TOKEN_FILE", kWebTokenPath);
      world.env.Set("AWS_ROLE_ARN", kWebArn);
      world.env.Set("AWS_ROLE_SESSION_NAME", "web-session");
      const char* token = kWebTokens[variant];
      if (token != nullptr) {
        std::string text = token;
        if (text == "fuzzed") text = "web-EXAMPLE-" + input.ConsumeRandomLengthString(64);
        world.fs.SetFile(kWebTokenPath, text);
        secrets.push_back(text);
      }
      chantless::CliCacheArgs args;
      args["RoleArn"] = std::string(kWebArn);
      args["RoleSessionName"] = std::string("web-session");
      cache_files.push_back(chantless::CliCacheFileName(args));
      break;
    }
    case kSsoLegacy:
    case kSsoSession: {
      const bool legacy = scenario == kSsoLegacy;
      profile = legacy ? "legacy" : "dev";
      provider_name = "sso";
      sts = false;
      max_requests = legacy ? 1 : 2;
      max_backoff = std::chrono::nanoseconds(0);  // SSO calls are not retried
      cache_files.push_back(
          chantless::SsoCliCacheFileName(kAccount, kSsoRole, legacy ? "" : "my-sso", kStartUrl));
      sso_token_path = chantless::SsoTokenCachePath(kSsoCacheDir, legacy ? kStartUrl : "my-sso");
      if (variant < 4) {
        std::string token = std::string("{\"accessToken\": \"") + kSsoAccessToken +
                            "\", \"expiresAt\": \"" + kSsoExpiries[variant] +
                            "\", \"startUrl\": \"" + kStartUrl + "\", \"region\": \"" + region +
                            "\"";
        if (!legacy) {
          token += std::string(", \"refreshToken\": \"") + kSsoRefreshToken +
                   "\", \"clientId\": \"EXAMPLEclientid\", \"clientSecret\": \"" +
                   kSsoClientSecret + "\", \"registrationExpiresAt\": \"2024-08-01T00:00:00Z\"";
        }
        world.fs.SetFile(sso_token_path, token + "}");
        world.fs.SetModificationTime(sso_token_path, world.clock.Now() - std::chrono::hours(1));
      }
      break;
    }
  }
  if (profile != nullptr) world.env.Set("AWS_PROFILE", profile);

  // The AWS CLI cache: off, or on with the first candidate entry seeded.
  std::unique_ptr<chantless::CliCacheStore> store;
  bool cache_can_serve = false;
  if (cache_mode > 0) {
    store = std::make_unique<chantless::CliCacheStore>(&world.fs, kCliCacheDir);
    ctx.cli_cache = store.get();
    const std::string path = store->PathOf(cache_files.front());
    const bool sso = !sts;
    switch (cache_mode) {
      case 2:
        world.fs.SetFile(path,
                         CacheEntry(sso ? "2024-05-01T18:00:00Z" : "2024-05-01T18:00:00UTC", sso));
        cache_can_serve = true;
        break;
      case 3:
        world.fs.SetFile(path, CacheEntry("2024-05-01T12:10:00Z", sso));
        break;
      case 4:
        world.fs.SetFile(path, "{\"Credentials\": {\"AccessKeyId\": ");
        break;
      case 5:
        world.fs.SetFile(path, input.ConsumeRandomLengthString(512));
        cache_can_serve = true;
        break;
      default:
        break;
    }
  }

  chantless::fuzz::FuzzHttpClient http(&input);
  ctx.http = &http;
  std::unique_ptr<chantless::Chain> chain = chantless::NewDefaultChain(ctx);
  std::vector<std::string> outputs;  // error messages and explanation JSON
  const std::string sts_endpoint = "https://sts." + region + ".amazonaws.com";
  const std::string portal = "https://portal.sso." + region + ".amazonaws.com";
  const std::string oidc = "https://oidc." + region + ".amazonaws.com";
  for (int call = 0; call < calls; ++call) {
    world.clock.Advance(std::chrono::minutes(input.PickValueInArray(kClockMinutes)));
    const size_t before = http.requests().size();
    const size_t sleeps_before = world.clock.sleeps().size();
    chantless::ChainExplanation explain;
    auto result = chain->Resolve(&explain);
    outputs.push_back(explain.ToJson());
    if (http.requests().size() - before > max_requests) __builtin_trap();
    const auto sleeps = world.clock.sleeps();
    std::chrono::nanoseconds slept{0};
    for (size_t i = sleeps_before; i < sleeps.size(); ++i) slept += sleeps[i];
    if (slept > max_backoff) __builtin_trap();
    if (result.ok()) {
      const chantless::Credentials& c = *result;
      if (c.access_key_id.empty() || c.secret_access_key.empty() || c.session_token.empty() ||
          c.provider != provider_name) {
        __builtin_trap();
      }
      // Credentials out of nowhere: only a cache entry (the seeded one, or one a call wrote).
      if (http.requests().size() == before && !cache_can_serve && !(store && call > 0)) {
        __builtin_trap();
      }
    } else {
      StatusCode code = result.status().code();
      if (code == StatusCode::kInternal || code == StatusCode::kNotConfigured) __builtin_trap();
      outputs.push_back(result.status().message());
    }
  }

  // The bearer tokens GetRoleCredentials may carry: the token file's and any CreateToken answered.
  std::vector<std::string> access_tokens = {kSsoAccessToken};
  for (const auto& served : http.served()) {
    if (served.request.endpoint != oidc) continue;
    for (std::string& s : chantless::fuzz::SecretsInSsoBody(served.response.body)) {
      access_tokens.push_back(std::move(s));
    }
  }

  // Where requests went and how they were authenticated.
  for (const chantless::HttpRequest& request : http.requests()) {
    auto authorization = chantless::FindHeader(request.headers, "Authorization");
    auto security_token = chantless::FindHeader(request.headers, "X-Amz-Security-Token");
    auto bearer = chantless::FindHeader(request.headers, "x-amz-sso_bearer_token");
    if (sts) {
      if (request.endpoint != sts_endpoint || request.method != "POST" || request.path != "/" ||
          bearer) {
        __builtin_trap();
      }
      if (scenario == kWebIdentity) {
        if (authorization || security_token) __builtin_trap();
      } else {
        if (!authorization || authorization->find("Signature=") == std::string::npos) {
          __builtin_trap();
        }
        // A hop signed with the source keys sends a session token exactly when they have one; the
        // two-hop chain's outer role is signed with assumed-role credentials, which always have
        // one.
        bool outer_hop = request.body.find("role%2Fsecond") != std::string::npos;
        if (security_token.has_value() != (outer_hop || source_token)) __builtin_trap();
      }
    } else if (request.endpoint == portal) {
      if (request.method != "GET" || request.path.rfind("/federation/credentials?", 0) != 0 ||
          !bearer || bearer->empty() || authorization) {
        __builtin_trap();
      }
      bool known = false;
      for (const std::string& t : access_tokens) known = known || *bearer == t;
      if (!known) __builtin_trap();
    } else if (request.endpoint == oidc && scenario == kSsoSession) {
      if (request.method != "POST" || request.path != "/token" || authorization || bearer) {
        __builtin_trap();
      }
    } else {
      __builtin_trap();
    }
  }

  // Secrets: the configured ones, every secret a response served, the signatures.
  std::string served_text;
  std::vector<std::string> served_secrets;
  for (const auto& served : http.served()) {
    served_text += served.response.body + "\n";
    // Each body is read the way its client reads it: an STS answer as XML, a portal or OIDC answer
    // as JSON (an STS tag inside an SSO error message is text, not a secret).
    auto extract = served.request.endpoint == sts_endpoint ? chantless::fuzz::SecretsInStsBody
                                                           : chantless::fuzz::SecretsInSsoBody;
    for (std::string& s : extract(served.response.body)) served_secrets.push_back(std::move(s));
  }
  std::string checked = world.TraceText();
  for (const std::string& output : outputs) checked += "\n" + output;
  auto check = [&](const std::string& secret, bool canary_only) {
    if (secret.empty()) return;
    if (canary_only && secret.find("EXAMPLE") == std::string::npos) return;
    size_t as_secret = 0;
    for (const std::string& s : served_secrets) as_secret += Occurrences(s, secret);
    if (Occurrences(served_text, secret) > as_secret) return;  // served in the open
    if (checked.find(secret) != std::string::npos) __builtin_trap();
  };
  for (const std::string& secret : secrets) check(secret, true);
  for (const std::string& secret : served_secrets) check(secret, true);
  for (const chantless::HttpRequest& request : http.requests()) {
    auto authorization = chantless::FindHeader(request.headers, "Authorization");
    if (!authorization) continue;
    size_t at = authorization->find("Signature=");
    if (at != std::string::npos) check(authorization->substr(at + 10), false);
  }

  // Files written: mode 0600, and they parse back.
  if (store) {
    for (const std::string& file : cache_files) {
      const std::string path = store->PathOf(file);
      if (world.fs.write_count(path) == 0) continue;
      if (world.fs.file_mode(path) != 0600) __builtin_trap();
      if (!chantless::ParseCliCacheEntry(world.fs.Contents(path)).hit()) __builtin_trap();
    }
  }
  if (!sso_token_path.empty() && world.fs.write_count(sso_token_path) > 0) {
    if (world.fs.file_mode(sso_token_path) != 0600) __builtin_trap();
    if (!chantless::ParseSsoToken(world.fs.Contents(sso_token_path), sso_token_path).ok()) {
      __builtin_trap();
    }
  }
  return 0;
}
