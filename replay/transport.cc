// The in-process replay transport (see transport.h for how each fault maps to an error).
#include "replay/transport.h"

#include <utility>

namespace chantless {
namespace replay {
namespace {

std::string Where(const HttpRequest& request) {
  return "replay: " + request.method + " " + request.endpoint + request.path;
}

// "https://sts.us-east-1.amazonaws.com:443/x" → "sts.us-east-1.amazonaws.com:443".
std::string EndpointHost(const std::string& endpoint) {
  size_t start = endpoint.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t end = endpoint.find_first_of("/?#", start);
  std::string host = endpoint.substr(start, end == std::string::npos ? end : end - start);
  size_t at = host.rfind('@');
  return at == std::string::npos ? host : host.substr(at + 1);
}

}  // namespace

int Transport::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

int Transport::connections() const {
  std::lock_guard<std::mutex> lock(mu_);
  return connections_;
}

void Transport::CloseConnection(const std::string& endpoint) {
  std::lock_guard<std::mutex> lock(mu_);
  open_[endpoint] = false;
}

StatusOr<HttpResponse> Transport::Send(const HttpRequest& request) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++requests_;
    bool& open = open_[request.endpoint];
    if (!open) {
      open = true;
      ++connections_;
    }
  }
  ReplayRequest replay_request;
  replay_request.host = EndpointHost(request.endpoint);
  replay_request.method = request.method;
  replay_request.target = request.path;
  replay_request.headers = request.headers;
  replay_request.body = request.body;
  Outcome outcome = engine_->Handle(replay_request);
  HttpResponse response = std::move(outcome.response);

  if (outcome.fault) {
    const Fault& fault = *outcome.fault;
    switch (fault.kind) {
      case FaultKind::kDelayBeforeHeaders:
      case FaultKind::kDelayMidBody:
        if (fault.delay >= request.timeout) {
          if (clock_) clock_->SleepFor(request.timeout);
          CloseConnection(request.endpoint);
          return DeadlineExceededError(Where(request) + ": timed out after " +
                                       std::to_string(request.timeout.count()) + " ms");
        }
        if (clock_) clock_->SleepFor(fault.delay);
        break;
      case FaultKind::kReset:
        CloseConnection(request.endpoint);
        return UnavailableError(Where(request) + ": connection reset by peer");
      case FaultKind::kCloseWithoutResponse:
        CloseConnection(request.endpoint);
        return UnavailableError(Where(request) + ": connection closed without a response");
      case FaultKind::kTruncatedBody:
        CloseConnection(request.endpoint);
        return InvalidResponseError(Where(request) + ": truncated body (" +
                                    std::to_string(fault.after_bytes) + " of " +
                                    std::to_string(response.body.size()) + " bytes)");
      case FaultKind::kWrongContentLength:
        CloseConnection(request.endpoint);
        if (fault.content_length > response.body.size()) {
          return InvalidResponseError(Where(request) + ": truncated body (Content-Length " +
                                      std::to_string(fault.content_length) + ", got " +
                                      std::to_string(response.body.size()) + " bytes)");
        }
        response.body.resize(fault.content_length);
        break;
    }
  }
  if (response.body.size() > request.max_response_bytes) {
    CloseConnection(request.endpoint);
    return InvalidResponseError(Where(request) + ": body over " +
                                std::to_string(request.max_response_bytes) + " bytes");
  }
  response.headers.emplace_back("Content-Length", std::to_string(response.body.size()));
  return response;
}

}  // namespace replay
}  // namespace chantless
