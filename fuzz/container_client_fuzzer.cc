// Client fuzz target: the whole ContainerProvider (resolver/container/container_provider.h) —
// configuration from the environment and a token file, retries, the decoder — against
// FuzzHttpClient, whose answers come from the fuzz input (fuzz/fuzz_http_client.h).
//
// Input: bytes from the end choose the configuration (one byte each, in this order:
// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, AWS_CONTAINER_CREDENTIALS_FULL_URI,
// AWS_CONTAINER_AUTHORIZATION_TOKEN, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE and its contents, the
// number of Resolve() calls 1-3), then FuzzHttpClient reads the answers.
//
// Invariants (a broken one traps): at most options.attempts (3) requests per Resolve() and at most
// 2 s of backoff; every request goes to the one endpoint the configuration names (169.254.170.2
// for RELATIVE_URI, else the FULL_URI host, which must have passed ParseContainerFullUri); the
// Authorization header carries exactly the configured token (file wins; none when blank) and is
// never sent anywhere else; credentials returned have a non-empty access key id and secret access
// key and provider "container-role"; no error code outside the provider's documented set; no secret
// (the authorization token, a served SecretAccessKey or Token) in any trace event or error message.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fuzz/fuzz_http_client.h"
#include "fuzz/fuzzed_data_provider.h"
#include "resolver/container/container_provider.h"
#include "resolver/testing/fakes.h"

namespace {

using chantless::StatusCode;

constexpr const char* kRelativeUris[] = {nullptr, "/v2/credentials/0a1b2c3d-EXAMPLE", "v2/creds",
                                         "", "/v2/cr eds"};
constexpr const char* kFullUris[] = {nullptr,
                                     "http://127.0.0.1:8080/get-credentials",
                                     "http://localhost/creds?x=1",
                                     "https://creds.example.com:8443/v1",
                                     "http://169.254.170.23/v1/credentials",
                                     "http://[fd00:ec2::23]/v1/credentials",
                                     "http://evil.example/creds",
                                     "ftp://127.0.0.1/creds",
                                     "http://user@127.0.0.1/creds",
                                     "http://host.docker.internal:8080/creds",
                                     "http://[::1]:8080/creds",
                                     "http://[fd00:ec2::23/creds",
                                     "http://[::1]x/creds",
                                     "http://127.0.0.1:99999/creds",
                                     "127.0.0.1/creds",
                                     "http://127.0.0.1/cr eds"};
// The user allowlist (a chantless extra) is always set: host.docker.internal is allowed through it,
// evil.example still is not.
constexpr char kAllowedHosts[] = " Host.Docker.Internal , other.example";
constexpr const char* kTokens[] = {nullptr, "Bearer FAKE-AUTH-TOKEN-EXAMPLE-0001", "",
                                   "FAKE-AUTH\r\nX-Injected: EXAMPLE", "FAKE-AUTH\x01EXAMPLE"};
constexpr const char* kTokenFiles[] = {nullptr, "FILE-AUTH-TOKEN-EXAMPLE-0002\n",
                                       "FILE-AUTH-TOKEN-EXAMPLE-0003\r\n", "", "BAD\nTOKEN\n"};
constexpr char kTokenFilePath[] = "/var/run/secrets/pods.eks.amazonaws.com/token";

// Secrets are checked when they carry the canary "EXAMPLE" (every seed's fake secrets do, the
// dictionary offers it): the trace's own vocabulary ("container-role", "credentials", the endpoint)
// never contains it, so a hit is a leak, not a served body that happens to spell a trace word.
bool Contains(const std::string& haystack, const std::string& needle) {
  return needle.find("EXAMPLE") != std::string::npos && haystack.find(needle) != std::string::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider input(data, size);
  chantless::testing::FakeWorld world;
  const char* relative = input.PickValueInArray(kRelativeUris);
  const char* full = input.PickValueInArray(kFullUris);
  const char* token = input.PickValueInArray(kTokens);
  const char* token_file = input.PickValueInArray(kTokenFiles);
  const int calls = input.ConsumeIntegralInRange<int>(1, 3);
  world.env.Set("CHANTLESS_CONTAINER_ALLOWED_HOSTS", kAllowedHosts);
  if (relative) world.env.Set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", relative);
  if (full) world.env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", full);
  if (token) world.env.Set("AWS_CONTAINER_AUTHORIZATION_TOKEN", token);
  if (token_file) {
    world.env.Set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", kTokenFilePath);
    world.fs.SetFile(kTokenFilePath, token_file);
  }

  // What the configuration allows: the endpoint and the Authorization value.
  std::optional<std::string> endpoint;
  if (relative && *relative) {
    endpoint = "http://169.254.170.2";
  } else if (full && *full) {
    auto parsed =
        chantless::ParseContainerFullUri(full, "AWS_CONTAINER_CREDENTIALS_FULL_URI", kAllowedHosts);
    if (parsed.ok()) endpoint = parsed->endpoint;
  }
  std::vector<std::string> secrets;
  std::optional<std::string> authorization;
  if (token_file) {
    std::string t = token_file;
    if (t.size() >= 2 && t.compare(t.size() - 2, 2, "\r\n") == 0) {
      t.resize(t.size() - 2);
    } else if (!t.empty() && t.back() == '\n') {
      t.pop_back();
    }
    authorization = t;
  } else if (token && *token) {
    authorization = token;
  }
  if (authorization) secrets.push_back(*authorization);

  chantless::fuzz::FuzzHttpClient http(&input);
  chantless::ProviderContext ctx = world.context();
  ctx.http = &http;
  chantless::ContainerProvider provider(ctx);
  std::vector<std::string> messages;
  for (int call = 0; call < calls; ++call) {
    size_t before = http.requests().size();
    size_t sleeps_before = world.clock.sleeps().size();
    auto result = provider.Resolve();
    if (http.requests().size() - before > 3) __builtin_trap();
    auto sleeps = world.clock.sleeps();
    std::chrono::nanoseconds slept{0};
    for (size_t i = sleeps_before; i < sleeps.size(); ++i) slept += sleeps[i];
    if (slept > std::chrono::seconds(2)) __builtin_trap();
    if (result.ok()) {
      if (result->access_key_id.empty() || result->secret_access_key.empty()) __builtin_trap();
      if (result->provider != "container-role") __builtin_trap();
      if (http.requests().size() == before) __builtin_trap();  // credentials out of nowhere
    } else {
      StatusCode code = result.status().code();
      if (code == StatusCode::kInternal) __builtin_trap();
      if (code == StatusCode::kNotConfigured && http.requests().size() != before) __builtin_trap();
      messages.push_back(result.status().message());
    }
  }

  for (const chantless::HttpRequest& request : http.requests()) {
    if (!endpoint || request.endpoint != *endpoint) __builtin_trap();
    auto sent = chantless::FindHeader(request.headers, "Authorization");
    if (sent.has_value() != authorization.has_value()) __builtin_trap();
    if (sent && *sent != *authorization) __builtin_trap();
  }
  for (const auto& served : http.served()) {
    for (std::string& s : chantless::fuzz::SecretsInCredentialsBody(served.response.body)) {
      secrets.push_back(std::move(s));
    }
  }
  std::string trace = world.TraceText();
  for (const std::string& secret : secrets) {
    bool in_config = (relative && Contains(relative, secret)) || (full && Contains(full, secret));
    if (in_config) continue;  // a "secret" the fuzzer copied into a URI is quoted legitimately
    if (Contains(trace, secret)) __builtin_trap();
    for (const std::string& message : messages) {
      if (Contains(message, secret)) __builtin_trap();
    }
  }
  return 0;
}
