// Benchmarks for the recording path's CPU work: redacting a recorded IMDSv2 session (token PUT,
// role listing, credentials with a 1 KB session token), scanning a transcript for secrets, and the
// whole `verify` of one transcript (strict load + scan). Run with -c opt:
//   bazel run -c opt //replay:redact_benchmark
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "replay/fake_secrets.h"
#include "replay/recording.h"
#include "replay/redact.h"
#include "replay/secret_scan.h"
#include "replay/transcript.h"
#include "replay/verify.h"

namespace chantless {
namespace replay {
namespace {

std::vector<CapturedExchange> ImdsSession() {
  std::string token = testing::FakeImdsToken(1);
  std::vector<CapturedExchange> ex(3);
  ex[0].method = "PUT";
  ex[0].path = "/latest/api/token";
  ex[0].request_headers = {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}};
  ex[0].status = 200;
  ex[0].response_body = token;
  ex[1].path = "/latest/meta-data/iam/security-credentials/";
  ex[1].request_headers = {{"X-aws-ec2-metadata-token", token}, {"User-Agent", "aws-cli/2.9.19"}};
  ex[1].status = 200;
  ex[1].response_headers = {{"Content-Type", "text/plain"}};
  ex[1].response_body = "TestRole";
  ex[2] = ex[1];
  ex[2].path += "TestRole";
  ex[2].response_body =
      "{\n  \"Code\" : \"Success\",\n  \"LastUpdated\" : \"2024-05-01T11:55:00Z\",\n"
      "  \"Type\" : \"AWS-HMAC\",\n  \"AccessKeyId\" : \"" +
      testing::FakeAccessKeyId(1) + "\",\n  \"SecretAccessKey\" : \"" +
      testing::FakeSecretAccessKey(1) + "\",\n  \"Token\" : \"" +
      testing::FakeSessionToken(1, 1024) + "\",\n  \"Expiration\" : \"2024-05-01T18:00:00Z\"\n}";
  return ex;
}

std::string RedactedTranscriptText() {
  std::vector<CapturedExchange> ex = ImdsSession();
  Redactor redactor;
  redactor.RedactAll(&ex);
  RecordingInfo info;
  return SerializeTranscript(BuildTranscript(ex, info).value());
}

void BM_RedactImdsSession(benchmark::State& state) {
  const std::vector<CapturedExchange> session = ImdsSession();
  for (auto _ : state) {
    std::vector<CapturedExchange> ex = session;
    Redactor redactor;
    redactor.RedactAll(&ex);
    benchmark::DoNotOptimize(ex);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(session.size()));
}
BENCHMARK(BM_RedactImdsSession);

void BM_ScanTranscript(benchmark::State& state) {
  const std::string text = RedactedTranscriptText();
  for (auto _ : state) benchmark::DoNotOptimize(ScanDocument(text, "t.json"));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_ScanTranscript);

void BM_VerifyTranscript(benchmark::State& state) {
  const std::string text = RedactedTranscriptText();
  for (auto _ : state) {
    VerifyReport report;
    VerifyTranscriptText(text, "t.json", &report);
    if (!report.ok()) state.SkipWithError("verify failed");
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_VerifyTranscript);

}  // namespace
}  // namespace replay
}  // namespace chantless

BENCHMARK_MAIN();
