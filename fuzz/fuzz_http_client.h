// FuzzHttpClient: an HttpClient whose every answer — a transport failure, or a status, headers and
// a body — is read from the fuzz input, for the client fuzz targets (imds_client_fuzzer,
// container_client_fuzzer, sts_sso_client_fuzzer), which run a whole provider or chain against it.
//
// Input layout (FuzzedDataProvider): per request, one byte from the end of the input picks the
// outcome (kOutcomes below), then for a response one byte picks the status (kStatuses, or the next
// two bytes give any status 100-599), one byte the number of headers (0-3), per header one byte
// the name (kHeaderNames) and a random-length string from the front the value, and a
// random-length string from the front the body. An exhausted input answers 200 with an empty
// body, so every run terminates only if the provider bounds its own requests. A body larger than
// the request's max_response_bytes is kInvalidResponse, as the real client answers.
//
// Records every request and every body it served (the fuzz targets look for secrets from those
// bodies in traces and messages). Not thread-safe: one client per input. Borrows the provider.
#ifndef CHANTLESS_FUZZ_FUZZ_HTTP_CLIENT_H_
#define CHANTLESS_FUZZ_FUZZ_HTTP_CLIENT_H_

#include <string>
#include <vector>

#include "fuzz/fuzzed_data_provider.h"
#include "resolver/http/http_client.h"

namespace chantless {
namespace fuzz {

class FuzzHttpClient : public HttpClient {
 public:
  explicit FuzzHttpClient(FuzzedDataProvider* input) : input_(input) {}

  StatusOr<HttpResponse> Send(const HttpRequest& request) override;

  const std::vector<HttpRequest>& requests() const { return requests_; }
  // Every response served, in order, with the request it answered.
  struct Served {
    HttpRequest request;
    HttpResponse response;
  };
  const std::vector<Served>& served() const { return served_; }

 private:
  FuzzedDataProvider* input_;
  std::vector<HttpRequest> requests_;
  std::vector<Served> served_;
};

// The values of "SecretAccessKey", "Token" and "SessionToken" string members of `body` when it is a
// JSON object (never throws). For the targets' "no secret in the trace" checks.
std::vector<std::string> SecretsInCredentialsBody(const std::string& body);

// The text of every <SecretAccessKey> and <SessionToken> element of an STS XML body (a plain scan,
// so malformed XML still yields what a lenient reader could take as a secret).
std::vector<std::string> SecretsInStsBody(const std::string& body);

// The values of an SSO JSON body's secret members when it is a JSON object (never throws):
// GetRoleCredentials' roleCredentials.secretAccessKey / sessionToken and CreateToken's accessToken
// / refreshToken.
std::vector<std::string> SecretsInSsoBody(const std::string& body);

}  // namespace fuzz
}  // namespace chantless

#endif  // CHANTLESS_FUZZ_FUZZ_HTTP_CLIENT_H_
