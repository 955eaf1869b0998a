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
//   BM_Parse_SsoToken                    ParseSsoToken of an sso-session token cache file as the
//                                        AWS CLI v2 writes it (read on every SSO resolution).
//   BM_Parse_SsoRoleCredentials          DecodeGetRoleCredentialsResponse of a portal answer.
//   BM_CliCacheFileName                  the AWS CLI cache file name of an assume-role call
//                                        (Python-exact json.dumps + SHA-1), computed on every
//                                        assume-role resolution before the cache is read.
//
// Run with `bazel run -c opt //bench:sts_benchmark`; sts_benchmark_smoke_test runs each once
// under `./dev test`.
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>

#include "resolver/cli_cache/cli_cache.h"
#include "resolver/sigv4/sigv4_signer.h"
#include "resolver/sso/sso_api.h"
#include "resolver/sso/sso_token.h"
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

void BM_Parse_SsoToken(benchmark::State& state) {
  const std::string text =
      "{\"startUrl\": \"https://d-1234567890.awsapps.com/start\", \"region\": \"us-east-1\", "
      "\"accessToken\": \"aoaAAAAAGZfakeEXAMPLEaccesstoken" +
      std::string(300, 'x') +
      "\", \"expiresAt\": \"2030-03-04T03:39:48Z\", \"clientId\": \"fakeEXAMPLEclientid" +
      std::string(40, 'c') + "\", \"clientSecret\": \"eyJraWQiOiJrZXktEXAMPLE" +
      std::string(900, 's') +
      "\", \"registrationExpiresAt\": \"2030-05-01T00:00:00Z\", \"refreshToken\": "
      "\"Atzr|fakeEXAMPLErefresh" +
      std::string(400, 'r') + "\"}";
  for (auto _ : state) {
    auto parsed = chantless::ParseSsoToken(text, "/home/u/.aws/sso/cache/x.json");
    if (!parsed.ok()) {
      state.SkipWithError("parse failed");
      break;
    }
    benchmark::DoNotOptimize(parsed->access_token.size());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_Parse_SsoToken);

void BM_Parse_SsoRoleCredentials(benchmark::State& state) {
  const std::string body =
      "{\"roleCredentials\":{\"accessKeyId\":\"ASIAQEXAMPLESSO00001\",\"secretAccessKey\":"
      "\"wJalrXUtnFEMI/K7MDENG/bPxRfiCYSSO0001EXAMPLE\",\"sessionToken\":\"IQoJb3JpZ2luX2Vj" +
      std::string(700, 'T') + "EXAMPLE==\",\"expiration\":1893456000000}}";
  for (auto _ : state) {
    auto parsed = chantless::DecodeGetRoleCredentialsResponse(body);
    if (!parsed.ok()) {
      state.SkipWithError("decode failed");
      break;
    }
    benchmark::DoNotOptimize(parsed->access_key_id.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_Parse_SsoRoleCredentials);

void BM_CliCacheFileName(benchmark::State& state) {
  const chantless::CliCacheArgs args{
      {"RoleArn", std::string("arn:aws:iam::123456789012:role/demo")},
      {"RoleSessionName", std::string("chantless-session")},
      {"DurationSeconds", int64_t{3600}}};
  for (auto _ : state) {
    std::string name = chantless::CliCacheFileName(args);
    benchmark::DoNotOptimize(name.data());
  }
}
BENCHMARK(BM_CliCacheFileName);

}  // namespace

BENCHMARK_MAIN();
