// The real HttpClients the shared client tests run against, one contract for all of them:
// HttplibHttpClient (cpp-httplib), PosixHttpClient (bare sockets and OpenSSL) and DefaultHttpClient
// (what SystemWorld uses). Testonly.
#ifndef CHANTLESS_RESOLVER_HTTP_HTTP_CLIENT_KINDS_TEST_UTIL_H_
#define CHANTLESS_RESOLVER_HTTP_HTTP_CLIENT_KINDS_TEST_UTIL_H_

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "resolver/http/default_http_client.h"
#include "resolver/http/http_client_httplib.h"
#include "resolver/http/http_client_posix.h"

namespace chantless {
namespace testing {

enum class ClientKind { kHttplib, kPosix, kDefault };

inline std::unique_ptr<HttpClient> NewHttpClient(ClientKind kind) {
  switch (kind) {
    case ClientKind::kHttplib:
      return std::make_unique<HttplibHttpClient>();
    case ClientKind::kPosix:
      return std::make_unique<PosixHttpClient>();
    case ClientKind::kDefault:
      return std::make_unique<DefaultHttpClient>();
  }
  return nullptr;
}

inline std::string ClientKindName(const ::testing::TestParamInfo<ClientKind>& info) {
  switch (info.param) {
    case ClientKind::kHttplib:
      return "Httplib";
    case ClientKind::kPosix:
      return "Posix";
    case ClientKind::kDefault:
      return "Default";
  }
  return "Unknown";
}

inline auto AllClientKinds() {
  return ::testing::Values(ClientKind::kHttplib, ClientKind::kPosix, ClientKind::kDefault);
}

}  // namespace testing
}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_HTTP_HTTP_CLIENT_KINDS_TEST_UTIL_H_
