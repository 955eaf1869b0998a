// Tests for the HttpClient seam's shared helpers (http_client.h).
#include "resolver/http/http_client.h"

#include "gtest/gtest.h"

namespace chantless {
namespace {

TEST(HttpHeadersTest, FindHeaderIsCaseInsensitive) {
  HttpHeaders h = {{"Content-Type", "text/plain"}, {"X-Aws-Ec2-Metadata-Token", "t"}};
  EXPECT_EQ(FindHeader(h, "content-type").value(), "text/plain");
  EXPECT_EQ(FindHeader(h, "x-aws-ec2-metadata-token").value(), "t");
  EXPECT_FALSE(FindHeader(h, "retry-after").has_value());
}

}  // namespace
}  // namespace chantless
