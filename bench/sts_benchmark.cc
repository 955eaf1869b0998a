// sts_benchmark: the STS building blocks, timed.
//
//   BM_Sigv4_SignAssumeRole              SigV4Signer::Sign of the AssumeRole request of
//                                        sts-sso-behaviour.md §4 (with a session token), one signer
//                                        reused: after the first call the day's signing key comes
//                                        from the cache, so a signature costs two SHA-256 and one
//                                        HMAC.
//   BM_Sigv4_SignAssumeRole_NoKeyCache   the same with KeyCache::kDisabled: the key is derived each
//                                        time (four more HMACs).
//   BM_Parse_StsXml                      ParseAssumeRoleResponse of a body shaped as STS answers
//                                        (namespace, whitespace, a 100-byte-class session token),
//                                        with bytes/second.
//   BM_Parse_StsErrorXml                 ParseStsErrorResponse of an AccessDenied body.
//
// Run with `bazel run -c opt //bench:sts_benchmark`; sts_benchmark_smoke_test runs each once
// under `./dev test`.
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>

#include "resolver/sigv4/sigv4_signer.h"
#include "resolver/sts/sts_response.h"

namespace {

chantless::SigningInput AssumeRoleInput() {
  chantless::SigningInput in;
  in.method = "POST";
  in.host = "sts.eu-west-1.amazonaws.com";
  in.path = "/";
  in.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                {"User-Agent", "chantless/0.1"}};
  in.body =
      "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo"
      "&RoleSessionName=chantless-1796457094&DurationSeconds=3600&ExternalId=ext-123";
  in.region = "eu-west-1";
  in.service = "sts";
  in.time = std::chrono::system_clock::time_point(std::chrono::seconds(1796457094));
  return in;
}

chantless::SigningKeys SourceKeys() {
  return {"ASIAQEXAMPLESOURCEKEY", chantless::Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
          chantless::Secret(
              std::string(
                  "IQoJb3JpZ2luX2VjEXAMPLESOURCESESSIONTOKEN//////////wEaCXVzLWVhc3QtMSJHMEUCIQD") +
              std::string(600, 'T'))};
}

void SignLoop(benchmark::State& state, chantless::SigV4Signer::KeyCache cache) {
  chantless::SigV4Signer signer(cache);
  const chantless::SigningInput in = AssumeRoleInput();
  const chantless::SigningKeys keys = SourceKeys();
  for (auto _ : state) {
    auto signed_request = signer.Sign(in, keys);
    if (!signed_request.ok()) {
      state.SkipWithError("signing failed");
      break;
    }
    benchmark::DoNotOptimize(signed_request->signature.data());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Sigv4_SignAssumeRole(benchmark::State& state) {
  SignLoop(state, chantless::SigV4Signer::KeyCache::kEnabled);
}
BENCHMARK(BM_Sigv4_SignAssumeRole);

void BM_Sigv4_SignAssumeRole_NoKeyCache(benchmark::State& state) {
  SignLoop(state, chantless::SigV4Signer::KeyCache::kDisabled);
}
BENCHMARK(BM_Sigv4_SignAssumeRole_NoKeyCache);

const std::string& AssumeRoleBody() {
  static const std::string* body = new std::string(
      std::string(
          "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
          "  <AssumeRoleResult>\n"
          "    <SourceIdentity>alice</SourceIdentity>\n"
          "    <AssumedRoleUser>\n"
          "      <AssumedRoleId>AROA3XFRBF535PLBIFPI4:chantless-1796457094</AssumedRoleId>\n"
          "      <Arn>arn:aws:sts::123456789012:assumed-role/demo/chantless-1796457094</Arn>\n"
          "    </AssumedRoleUser>\n"
          "    <Credentials>\n"
          "      <AccessKeyId>ASIAQEXAMPLESTSKEY01</AccessKeyId>\n"
          "      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzSTSEXAMPLEKEY</SecretAccessKey>\n"
          "      <SessionToken>") +
      std::string(1000, 'T') +
      "</SessionToken>\n"
      "      <Expiration>2026-12-05T08:51:34.359Z</Expiration>\n"
      "    </Credentials>\n"
      "    <PackedPolicySize>6</PackedPolicySize>\n"
      "  </AssumeRoleResult>\n"
      "  <ResponseMetadata>\n"
      "    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>\n"
      "  </ResponseMetadata>\n"
      "</AssumeRoleResponse>\n");
  return *body;
}

void BM_Parse_StsXml(benchmark::State& state) {
  const std::string& body = AssumeRoleBody();
  for (auto _ : state) {
    auto parsed = chantless::ParseAssumeRoleResponse(body);
    if (!parsed.ok()) {
      state.SkipWithError("parse failed");
      break;
    }
    benchmark::DoNotOptimize(parsed->credentials.access_key_id.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_Parse_StsXml);

void BM_Parse_StsErrorXml(benchmark::State& state) {
  const std::string body =
      "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
      "  <Error>\n    <Type>Sender</Type>\n    <Code>AccessDenied</Code>\n"
      "    <Message>User: arn:aws:iam::123456789012:user/dev is not authorized to perform: "
      "sts:AssumeRole on resource: arn:aws:iam::123456789012:role/demo</Message>\n  </Error>\n"
      "  <RequestId>4fd0f2e6-6f2b-4b1e-9c55-0c1d2f3e4a5b</RequestId>\n</ErrorResponse>\n";
  for (auto _ : state) {
    auto parsed = chantless::ParseStsErrorResponse(body);
    if (!parsed.ok()) {
      state.SkipWithError("parse failed");
      break;
    }
    benchmark::DoNotOptimize(parsed->code.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_Parse_StsErrorXml);

}  // namespace

BENCHMARK_MAIN();
