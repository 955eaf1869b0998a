// FuzzHttpClient: HTTP answers read from the fuzz input (layout in fuzz_http_client.h).
#include "fuzz/fuzz_http_client.h"

#include <cstdint>

#include "nlohmann/json.hpp"

namespace chantless {
namespace fuzz {
namespace {

enum Outcome : uint8_t {
  kResponse = 0,  // values 0-3: a response (the common case)
  kRefused = 4,
  kTimedOut = 5,
  kTruncated = 6,
  kReset = 7,
};
constexpr uint8_t kMaxOutcome = 7;

constexpr int kStatuses[] = {200, 200, 404, 401, 403, 500, 503, 429, 400, 405, 302, 0};
constexpr const char* kHeaderNames[] = {"Content-Type", "Retry-After",
                                        "X-aws-ec2-metadata-token-ttl-seconds", "Location"};
constexpr size_t kMaxBody = 8192;

}  // namespace

StatusOr<HttpResponse> FuzzHttpClient::Send(const HttpRequest& request) {
  requests_.push_back(request);
  const std::string where = request.method + " " + request.endpoint + request.path;
  uint8_t outcome = input_->ConsumeIntegralInRange<uint8_t>(0, kMaxOutcome);
  switch (outcome) {
    case kRefused:
      return UnavailableError("fuzz: " + where + ": connection refused");
    case kTimedOut:
      return DeadlineExceededError("fuzz: " + where + ": timed out");
    case kTruncated:
      return InvalidResponseError("fuzz: " + where + ": truncated body");
    case kReset:
      return UnavailableError("fuzz: " + where + ": connection reset");
    default:
      break;
  }
  HttpResponse response;
  response.status = input_->PickValueInArray(kStatuses);
  if (response.status == 0) response.status = input_->ConsumeIntegralInRange<int>(100, 599);
  int headers = input_->ConsumeIntegralInRange<int>(0, 3);
  for (int i = 0; i < headers; ++i) {
    const char* name = input_->PickValueInArray(kHeaderNames);
    response.headers.emplace_back(name, input_->ConsumeRandomLengthString(32));
  }
  response.body = input_->ConsumeRandomLengthString(kMaxBody);
  if (response.body.size() > request.max_response_bytes) {
    return InvalidResponseError("fuzz: " + where + ": body over " +
                                std::to_string(request.max_response_bytes) + " bytes");
  }
  served_.push_back({request, response});
  return response;
}

std::vector<std::string> SecretsInCredentialsBody(const std::string& body) {
  std::vector<std::string> out;
  auto parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) return out;
  for (const char* key : {"SecretAccessKey", "Token", "SessionToken"}) {
    auto it = parsed.find(key);
    if (it != parsed.end() && it->is_string()) out.push_back(it->get_ref<const std::string&>());
  }
  return out;
}

std::vector<std::string> SecretsInStsBody(const std::string& body) {
  std::vector<std::string> out;
  for (const std::string tag : {"SecretAccessKey", "SessionToken"}) {
    const std::string open = "<" + tag + ">";
    const std::string close = "</" + tag + ">";
    for (size_t at = body.find(open); at != std::string::npos; at = body.find(open, at + 1)) {
      size_t start = at + open.size();
      size_t end = body.find(close, start);
      if (end == std::string::npos) end = body.find('<', start);
      if (end == std::string::npos) end = body.size();
      out.push_back(body.substr(start, end - start));
    }
  }
  return out;
}

std::vector<std::string> SecretsInSsoBody(const std::string& body) {
  std::vector<std::string> out;
  auto parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) return out;
  auto take = [&out](const nlohmann::json& object, const char* key) {
    auto it = object.find(key);
    if (it != object.end() && it->is_string()) out.push_back(it->get_ref<const std::string&>());
  };
  take(parsed, "accessToken");
  take(parsed, "refreshToken");
  auto role = parsed.find("roleCredentials");
  if (role != parsed.end() && role->is_object()) {
    take(*role, "secretAccessKey");
    take(*role, "sessionToken");
  }
  return out;
}

}  // namespace fuzz
}  // namespace chantless
