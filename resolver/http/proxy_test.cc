// SelectProxy: one row per rule of proxy.h (which variable, which case wins, no_proxy matching).
#include "resolver/http/proxy.h"

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "resolver/testing/fakes.h"

namespace chantless {
namespace {

struct Row {
  const char* rule;
  std::vector<std::pair<std::string, std::string>> env;
  const char* url;
  const char* proxy;   // expected SelectProxy
  const char* source;  // expected SelectProxySource
};

const char kSts[] = "https://sts.eu-west-1.amazonaws.com";

TEST(SelectProxyTest, Table) {
  const Row rows[] = {
      {"nothing set: direct", {}, kSts, "", ""},
      {"https URL reads HTTPS_PROXY",
       {{"HTTPS_PROXY", "http://p:3128"}},
       kSts,
       "http://p:3128",
       "HTTPS_PROXY"},
      {"https URL reads https_proxy",
       {{"https_proxy", "http://p:3128"}},
       kSts,
       "http://p:3128",
       "https_proxy"},
      {"lower case wins over upper case",
       {{"HTTPS_PROXY", "http://upper:1"}, {"https_proxy", "http://lower:2"}},
       kSts,
       "http://lower:2",
       "https_proxy"},
      {"empty lower case turns the proxy off",
       {{"HTTPS_PROXY", "http://upper:1"}, {"https_proxy", ""}},
       kSts,
       "",
       ""},
      {"empty upper case is ignored", {{"HTTPS_PROXY", ""}}, kSts, "", ""},
      {"https URL ignores HTTP_PROXY", {{"HTTP_PROXY", "http://p:3128"}}, kSts, "", ""},
      {"http URL reads HTTP_PROXY",
       {{"HTTP_PROXY", "http://p:3128"}},
       "http://127.0.0.1:8080/x",
       "http://p:3128",
       "HTTP_PROXY"},
      {"http URL ignores HTTPS_PROXY", {{"HTTPS_PROXY", "http://p:3128"}}, "http://h", "", ""},
      {"CGI: HTTP_PROXY ignored when REQUEST_METHOD is set",
       {{"HTTP_PROXY", "http://p:3128"}, {"REQUEST_METHOD", "GET"}},
       "http://h",
       "",
       ""},
      {"CGI: http_proxy still read",
       {{"http_proxy", "http://p:3128"}, {"REQUEST_METHOD", "GET"}},
       "http://h",
       "http://p:3128",
       "http_proxy"},
      {"ALL_PROXY is not read", {{"ALL_PROXY", "http://p:3128"}}, kSts, "", ""},
      {"value returned as set (user-info, no scheme)",
       {{"HTTPS_PROXY", "user:pw@p:3128"}},
       kSts,
       "user:pw@p:3128",
       "HTTPS_PROXY"},
      {"URL without a scheme: direct",
       {{"HTTPS_PROXY", "http://p:3128"}},
       "sts.amazonaws.com",
       "",
       ""},
      {"NO_PROXY=* bypasses everything",
       {{"HTTPS_PROXY", "http://p:1"}, {"NO_PROXY", "*"}},
       kSts,
       "",
       ""},
      {"NO_PROXY '*' inside a list is not special",
       {{"HTTPS_PROXY", "http://p:1"}, {"NO_PROXY", "a.com,*"}},
       kSts,
       "http://p:1",
       "HTTPS_PROXY"},
      {"NO_PROXY exact host",
       {{"HTTPS_PROXY", "http://p:1"}, {"NO_PROXY", "sts.eu-west-1.amazonaws.com"}},
       kSts,
       "",
       ""},
      {"NO_PROXY domain suffix without a dot",
       {{"HTTPS_PROXY", "http://p:1"}, {"NO_PROXY", "amazonaws.com"}},
       kSts,
       "",
       ""},
      {"NO_PROXY domain suffix with a leading dot",
       {{"HTTPS_PROXY", "http://p:1"}, {"NO_PROXY", ".amazonaws.com"}},
       kSts,
       "",
       ""},
      {"NO_PROXY leading dot also matches the domain itself",
       {{"HTTPS_PROXY", "http://p:1"}, {"NO_PROXY", ".amazonaws.com"}},
       "https://amazonaws.com",
       "",
       ""},
      {"NO_PROXY suffix matches only at a dot",
       {{"HTTPS_PROXY", "http://p:1"}, {"NO_PROXY", "zonaws.com"}},
       kSts,
       "http://p:1",
       "HTTPS_PROXY"},
      {"NO_PROXY is case-insensitive",
       {{"HTTPS_PROXY", "http://p:1"}, {"NO_PROXY", "AmazonAWS.COM"}},
       "https://STS.amazonaws.com",
       "",
       ""},
      {"NO_PROXY list with blanks and empty entries",
       {{"HTTPS_PROXY", "http://p:1"}, {"NO_PROXY", " a.example , ,amazonaws.com "}},
       kSts,
       "",
       ""},
      {"NO_PROXY host:port matches that port",
       {{"HTTPS_PROXY", "http://p:1"}, {"NO_PROXY", "sts.example:8443"}},
       "https://sts.example:8443",
       "",
       ""},
      {"NO_PROXY host:port does not match another port",
       {{"HTTPS_PROXY", "http://p:1"}, {"NO_PROXY", "sts.example:8443"}},
       "https://sts.example:443",
       "http://p:1",
       "HTTPS_PROXY"},
      {"NO_PROXY host matches any port",
       {{"HTTPS_PROXY", "http://p:1"}, {"NO_PROXY", "sts.example"}},
       "https://sts.example:8443/path",
       "",
       ""},
      {"NO_PROXY IPv4 address",
       {{"HTTPS_PROXY", "http://p:1"}, {"NO_PROXY", "127.0.0.1"}},
       "https://127.0.0.1:9000",
       "",
       ""},
      {"NO_PROXY IPv4 CIDR is not a range (as botocore)",
       {{"HTTPS_PROXY", "http://p:1"}, {"NO_PROXY", "10.0.0.0/8"}},
       "https://10.1.2.3",
       "http://p:1",
       "HTTPS_PROXY"},
      {"NO_PROXY IPv6 with brackets",
       {{"HTTPS_PROXY", "http://p:1"}, {"NO_PROXY", "[::1]"}},
       "https://[::1]:8443",
       "",
       ""},
      {"no_proxy wins over NO_PROXY",
       {{"HTTPS_PROXY", "http://p:1"}, {"NO_PROXY", "amazonaws.com"}, {"no_proxy", "other.com"}},
       kSts,
       "http://p:1",
       "HTTPS_PROXY"},
      {"user-info in the URL is not the host",
       {{"HTTPS_PROXY", "http://p:1"}, {"NO_PROXY", "example.com"}},
       "https://example.com@sts.amazonaws.com",
       "http://p:1",
       "HTTPS_PROXY"},
  };
  for (const Row& row : rows) {
    testing::FakeEnvironment env;
    for (const auto& [name, value] : row.env) env.Set(name, value);
    EXPECT_EQ(SelectProxy(env, row.url), row.proxy) << row.rule;
    EXPECT_EQ(SelectProxySource(env, row.url), row.source) << row.rule;
  }
}

}  // namespace
}  // namespace chantless
