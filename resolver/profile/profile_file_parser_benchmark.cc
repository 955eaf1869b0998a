// Benchmarks of the profile path: parsing and rendering profile files of growing size, and a whole
// ProfileProvider / EnvironmentProvider Resolve() over fakes (file loading, profile selection,
// lookup). Run: bazel run -c opt //resolver:profile_file_parser_benchmark.
#include <string>

#include "benchmark/benchmark.h"
#include "resolver/env/environment_provider.h"
#include "resolver/profile/profile_file_parser.h"
#include "resolver/profile/profile_provider.h"
#include "resolver/testing/fakes.h"

namespace chantless {
namespace {

// A config file with `profiles` profiles of 6 properties each (one with sub-properties), with
// comments and blank lines, shaped like a real multi-account ~/.aws/config.
std::string ConfigText(int profiles) {
  std::string text =
      "# generated for the benchmark\n[default]\nregion = us-east-1\noutput = json\n\n";
  for (int i = 0; i < profiles; ++i) {
    std::string n = std::to_string(i);
    text += "[profile account-" + n + "]\n";
    text += "region = eu-west-1 ; team " + n + "\n";
    text += "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n";
    text += "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";
    text += "s3 =\n  max_concurrent_requests = 20\n  addressing_style = path\n";
    text += "cli_pager =\n";
    text += "duration_seconds = 3600\n\n";
  }
  return text;
}

void BM_ParseProfileFile(benchmark::State& state) {
  const std::string text = ConfigText(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    StatusOr<ProfileFile> parsed = ParseProfileFile(text, ProfileFileKind::kConfig, "config");
    benchmark::DoNotOptimize(parsed);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_ParseProfileFile)->Arg(1)->Arg(10)->Arg(100)->Arg(1000);

void BM_RenderProfileFile(benchmark::State& state) {
  const std::string text = ConfigText(static_cast<int>(state.range(0)));
  ProfileFile file = ParseProfileFile(text, ProfileFileKind::kConfig, "config").value();
  for (auto _ : state) {
    std::string rendered = RenderProfileFile(file, ProfileFileKind::kConfig);
    benchmark::DoNotOptimize(rendered);
  }
}
BENCHMARK(BM_RenderProfileFile)->Arg(10)->Arg(100);

// The whole profile provider: both files loaded, parsed, the profile selected and its static keys
// read, as every uncached Resolve() does.
void BM_ProfileProviderResolve(benchmark::State& state) {
  testing::FakeWorld world;
  world.env.Set("HOME", "/home/u");
  world.env.Set("AWS_PROFILE", "account-" + std::to_string(state.range(0) / 2));
  world.fs.SetFile("/home/u/.aws/config", ConfigText(static_cast<int>(state.range(0))));
  world.fs.SetFile("/home/u/.aws/credentials",
                   "[default]\naws_access_key_id = AKIDEXAMPLE\n"
                   "aws_secret_access_key = secretEXAMPLEKEY\n");
  ProviderContext ctx = world.context();
  ctx.trace = nullptr;
  ProfileProvider provider(ctx);
  for (auto _ : state) {
    StatusOr<Credentials> credentials = provider.Resolve();
    if (!credentials.ok()) state.SkipWithError(credentials.status().message().c_str());
    benchmark::DoNotOptimize(credentials);
  }
}
BENCHMARK(BM_ProfileProviderResolve)->Arg(1)->Arg(10)->Arg(100);

void BM_EnvironmentProviderResolve(benchmark::State& state) {
  testing::FakeWorld world;
  world.env.Set("AWS_ACCESS_KEY_ID", "ASIAIOSFODNN7EXAMPLE");
  world.env.Set("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  world.env.Set("AWS_SESSION_TOKEN", "IQoJb3JpZ2luX2VjEXAMPLETOKEN");
  world.env.Set("AWS_CREDENTIAL_EXPIRATION", "2024-05-01T13:00:00Z");
  ProviderContext ctx = world.context();
  ctx.trace = nullptr;
  EnvironmentProvider provider(ctx);
  for (auto _ : state) {
    StatusOr<Credentials> credentials = provider.Resolve();
    benchmark::DoNotOptimize(credentials);
  }
}
BENCHMARK(BM_EnvironmentProviderResolve);

}  // namespace
}  // namespace chantless

BENCHMARK_MAIN();
