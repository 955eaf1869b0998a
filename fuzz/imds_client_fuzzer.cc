// Client fuzz target: the whole ImdsProvider (resolver/imds/imds_provider.h) with its ImdsClient —
// token PUT, retries, throttling, v1 fallback, 401 refresh, role discovery, the decoder, static
// stability — against FuzzHttpClient, whose answers come from the fuzz input
// (fuzz/fuzz_http_client.h).
//
// Input: bytes from the end choose the configuration (one byte each, in this order:
// AWS_EC2_METADATA_SERVICE_ENDPOINT, AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE,
// AWS_EC2_METADATA_V1_DISABLED, AWS_METADATA_SERVICE_NUM_ATTEMPTS, AWS_METADATA_SERVICE_TIMEOUT,
// AWS_EC2_INSTANCE_PROFILE_NAME, AWS_EC2_METADATA_DISABLED, the number of Resolve() calls 1-3),
// then before each call one byte picks how far the clock moves (0, 1 h, 6 h or 7 h), and
// FuzzHttpClient reads the answers.
//
// Invariants (a broken one traps): a bounded number of requests (200) and of backoff (60 s) per
// Resolve(); every request goes to the configured endpoint (the variable with one trailing '/'
// dropped, else the endpoint mode's address) and none at all when the configuration is invalid or
// IMDS disabled; the session token header is never sent on the token PUT and only ever carries a
// token IMDS itself answered a PUT with; credentials returned have a non-empty access key id,
// secret access key and session token, an expiration (in the future when extended) and provider
// "iam-role"; no kInternal error; no secret (an IMDS token, a served SecretAccessKey or Token) in
// any trace event or error message.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fuzz/fuzz_http_client.h"
#include "fuzz/fuzzed_data_provider.h"
#include "resolver/core/ascii.h"
#include "resolver/imds/imds_client.h"
#include "resolver/imds/imds_provider.h"
#include "resolver/testing/fakes.h"

namespace {

using chantless::StatusCode;

constexpr const char* kEndpoints[] = {nullptr, "http://127.0.0.1:1338", "http://[fd00:ec2::254]/",
                                      "https://imds.example.com:8443//", "ftp://127.0.0.1"};
constexpr const char* kModes[] = {nullptr, "IPv6", "ipv4", "IPv5"};
constexpr const char* kBooleans[] = {nullptr, "true", "false", "yes"};
constexpr const char* kAttempts[] = {nullptr, "1", "3", "10", "0"};
constexpr const char* kTimeouts[] = {nullptr, "1", "0.5", "-1"};
constexpr const char* kProfiles[] = {nullptr, "TestEC2Role", "bad/role"};
constexpr const char* kDisabled[] = {nullptr, "false", "true"};
constexpr int kClockHours[] = {0, 1, 6, 7};

// Secrets are checked when they carry the canary "EXAMPLE" (every seed's fake secrets and tokens
// do, the dictionary offers it): the trace's own vocabulary never contains it.
bool Leaked(const std::string& haystack, const std::string& secret) {
  return secret.find("EXAMPLE") != std::string::npos && haystack.find(secret) != std::string::npos;
}

using ::chantless::EqualsIgnoreCase;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider input(data, size);
  chantless::testing::FakeWorld world;
  const char* endpoint_var = input.PickValueInArray(kEndpoints);
  const char* mode = input.PickValueInArray(kModes);
  const char* v1_disabled = input.PickValueInArray(kBooleans);
  const char* attempts = input.PickValueInArray(kAttempts);
  const char* timeout = input.PickValueInArray(kTimeouts);
  const char* profile = input.PickValueInArray(kProfiles);
  const char* disabled = input.PickValueInArray(kDisabled);
  const int calls = input.ConsumeIntegralInRange<int>(1, 3);
  auto set = [&](const char* name, const char* value) {
    if (value) world.env.Set(name, value);
  };
  set("AWS_EC2_METADATA_SERVICE_ENDPOINT", endpoint_var);
  set("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", mode);
  set("AWS_EC2_METADATA_V1_DISABLED", v1_disabled);
  set("AWS_METADATA_SERVICE_NUM_ATTEMPTS", attempts);
  set("AWS_METADATA_SERVICE_TIMEOUT", timeout);
  set("AWS_EC2_INSTANCE_PROFILE_NAME", profile);
  set("AWS_EC2_METADATA_DISABLED", disabled);

  // Where requests may go, from the rules in imds_client.h (nullopt: nowhere).
  std::optional<std::string> endpoint;
  // The mode is read only when no endpoint is set (an explicit endpoint wins, as in botocore).
  bool valid =
      (endpoint_var || !mode || EqualsIgnoreCase(mode, "ipv6") || EqualsIgnoreCase(mode, "ipv4")) &&
      (!v1_disabled || std::string(v1_disabled) != "yes") &&
      (!attempts || std::string(attempts) != "0") && (!timeout || std::string(timeout) != "-1") &&
      (!endpoint_var || std::string(endpoint_var).rfind("http", 0) == 0);
  if (valid && !(disabled && std::string(disabled) == "true")) {
    if (endpoint_var) {
      endpoint = endpoint_var;
      if (endpoint->back() == '/') endpoint->pop_back();
    } else if (mode && EqualsIgnoreCase(mode, "ipv6")) {
      endpoint = chantless::kImdsDefaultIpv6Endpoint;
    } else {
      endpoint = chantless::kImdsDefaultIpv4Endpoint;
    }
  }

  chantless::fuzz::FuzzHttpClient http(&input);
  chantless::ProviderContext ctx = world.context();
  ctx.http = &http;
  chantless::ImdsProviderOptions options;
  options.jitter_seed = 1;
  chantless::ImdsProvider provider(ctx, options);
  std::vector<std::string> messages;
  for (int call = 0; call < calls; ++call) {
    world.clock.Advance(std::chrono::hours(input.PickValueInArray(kClockHours)));
    size_t before = http.requests().size();
    size_t sleeps_before = world.clock.sleeps().size();
    auto result = provider.Resolve();
    if (http.requests().size() - before > 200) __builtin_trap();
    auto sleeps = world.clock.sleeps();
    std::chrono::nanoseconds slept{0};
    for (size_t i = sleeps_before; i < sleeps.size(); ++i) slept += sleeps[i];
    if (slept > std::chrono::seconds(60)) __builtin_trap();
    if (result.ok()) {
      const chantless::Credentials& c = *result;
      if (c.access_key_id.empty() || c.secret_access_key.empty() || c.session_token.empty() ||
          !c.expiration.has_value() || c.provider != "iam-role") {
        __builtin_trap();
      }
      if (c.extended && *c.expiration <= world.clock.Now()) __builtin_trap();
    } else {
      if (result.status().code() == StatusCode::kInternal) __builtin_trap();
      messages.push_back(result.status().message());
    }
  }

  std::vector<std::string> secrets;
  for (const auto& served : http.served()) {
    bool token_answer = served.request.method == "PUT" &&
                        served.request.path == chantless::kImdsTokenPath &&
                        served.response.status == 200;
    if (token_answer) secrets.push_back(served.response.body);
    for (std::string& s : chantless::fuzz::SecretsInCredentialsBody(served.response.body)) {
      secrets.push_back(std::move(s));
    }
  }
  std::string paths;
  for (const chantless::HttpRequest& request : http.requests()) {
    if (!endpoint || request.endpoint != *endpoint) __builtin_trap();
    paths += request.path + "\n";
    auto token = chantless::FindHeader(request.headers, chantless::kImdsTokenHeader);
    if (!token) continue;
    if (request.method == "PUT") __builtin_trap();
    bool minted = false;
    for (const auto& served : http.served()) {
      minted =
          minted || (served.request.method == "PUT" && served.response.status == 200 &&
                     !token->empty() && served.response.body.find(*token) != std::string::npos);
    }
    if (!minted) __builtin_trap();
  }
  std::string trace = world.TraceText();
  for (const std::string& secret : secrets) {
    if (Leaked(paths, secret)) continue;  // a role name the fuzzer made equal to a secret
    if (Leaked(trace, secret)) __builtin_trap();
    for (const std::string& message : messages) {
      if (Leaked(message, secret)) __builtin_trap();
    }
  }
  return 0;
}
