// Client fuzz target through the replay stack: the input is a transcript
// (docs/transcript-format.md) that, when LoadTranscript accepts it, drives the replay Engine and
// the in-process Transport (replay/engine.h, replay/transport.h) answering first the whole
// ImdsProvider and then the whole ContainerProvider (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI set to
// the transcript's first non-IMDS path), each on a fresh engine. It fuzzes the engine's matching,
// IMDSv2 token semantics, time rebasing of JSON bodies and fault enactment together with both
// providers, where imds_client_fuzzer and container_client_fuzzer fuzz the providers against
// arbitrary answers.
//
// Invariants (a broken one traps): each Resolve() makes a bounded number of requests (IMDS 200,
// container 3); credentials returned have a non-empty access key id and secret access key (and a
// session token and expiration from IMDS); no kInternal error; the verdict's JSON is valid JSON
// and counts every request the transport saw.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "nlohmann/json.hpp"
#include "replay/engine.h"
#include "replay/transcript.h"
#include "replay/transport.h"
#include "resolver/container/container_provider.h"
#include "resolver/imds/imds_provider.h"
#include "resolver/testing/fakes.h"

namespace {

namespace replay = chantless::replay;

void CheckVerdict(const replay::Engine& engine, const replay::Transport& transport) {
  replay::Verdict verdict = engine.GetVerdict();
  if (verdict.requests != transport.requests()) __builtin_trap();
  auto json = nlohmann::json::parse(verdict.ToJson(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) __builtin_trap();
  (void)verdict.ToText();
}

void RunImds(const replay::Transcript& transcript) {
  chantless::testing::FakeWorld world;
  replay::Engine engine(transcript, replay::OnClock(&world.clock));
  replay::Transport transport(&engine, &world.clock);
  chantless::ProviderContext ctx = world.context();
  ctx.http = &transport;
  chantless::ImdsProviderOptions options;
  options.jitter_seed = 1;
  chantless::ImdsProvider provider(ctx, options);
  for (int call = 0; call < 2; ++call) {
    int before = transport.requests();
    auto result = provider.Resolve();
    if (transport.requests() - before > 200) __builtin_trap();
    if (result.ok()) {
      if (result->access_key_id.empty() || result->secret_access_key.empty() ||
          result->session_token.empty() || !result->expiration.has_value()) {
        __builtin_trap();
      }
    } else if (result.status().code() == chantless::StatusCode::kInternal) {
      __builtin_trap();
    }
    world.clock.Advance(std::chrono::hours(1));
  }
  CheckVerdict(engine, transport);
}

void RunContainer(const replay::Transcript& transcript) {
  chantless::testing::FakeWorld world;
  // The container path is the transcript's first non-IMDS path, so recorded ECS, EKS and
  // CloudShell transcripts replay as they were recorded.
  std::string path = "/v2/credentials/fuzz";
  for (const replay::Exchange& exchange : transcript.exchanges) {
    if (exchange.request.path.rfind("/latest/", 0) != 0) {
      path = exchange.request.path;
      break;
    }
  }
  world.env.Set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", path);
  replay::Engine engine(transcript, replay::OnClock(&world.clock));
  replay::Transport transport(&engine, &world.clock);
  chantless::ProviderContext ctx = world.context();
  ctx.http = &transport;
  chantless::ContainerProvider provider(ctx);
  auto result = provider.Resolve();
  if (transport.requests() > 3) __builtin_trap();
  if (result.ok()) {
    if (result->access_key_id.empty() || result->secret_access_key.empty()) __builtin_trap();
  } else if (result.status().code() == chantless::StatusCode::kInternal) {
    __builtin_trap();
  }
  CheckVerdict(engine, transport);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto transcript = replay::LoadTranscript(text, "fuzz/replay");
  if (!transcript.ok()) return 0;
  RunImds(*transcript);
  RunContainer(*transcript);
  return 0;
}
