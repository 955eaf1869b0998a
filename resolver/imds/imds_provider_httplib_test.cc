// End-to-end: ImdsProvider over the real HttplibHttpClient against an IMDS-shaped cpp-httplib
// server on 127.0.0.1:0 inside the test (v2, v1-only, token-required, 401 refresh, 429 with
// Retry-After, a never-answering endpoint). The clock is a FakeClock: Retry-After and backoff waits
// are recorded, never slept.
#include <atomic>
#include <mutex>
#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/http/http_client_httplib.h"
#include "resolver/imds/imds_provider.h"
#include "resolver/testing/fakes.h"
#include "resolver/testing/loopback_server.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::chantless::testing::FakeWorld;
using ::chantless::testing::LoopbackHttpServer;
using ::chantless::testing::SilentLoopbackServer;
using ::chantless::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYE2EEXAMPLEKEY";
constexpr char kSession[] = "IQoJb3JpZ2luX2VjEXAMPLEE2ESESSIONTOKEN==";

// A small IMDS: one role, tokens minted per PUT, behaviour chosen per test.
class FakeImds {
 public:
  enum class Mode { kV2Optional, kV1Only, kTokenRequired };

  explicit FakeImds(Mode mode) : mode_(mode) {
    auto& s = server_.server();
    s.Put("/latest/api/token", [this](const httplib::Request& req, httplib::Response& res) {
      if (throttle_puts_ > 0) {
        --throttle_puts_;
        res.status = 429;
        res.set_header("Retry-After", "1");
        return;
      }
      if (mode_ == Mode::kV1Only) {
        res.status = 403;
        return;
      }
      if (!req.has_header("X-aws-ec2-metadata-token-ttl-seconds")) {
        res.status = 400;
        return;
      }
      std::lock_guard<std::mutex> lock(mu_);
      std::string token = "AQAEFAKE-E2E-TOKEN-" + std::to_string(++minted_) + "-EXAMPLE==";
      valid_.insert(token);
      res.set_header("X-aws-ec2-metadata-token-ttl-seconds", "21600");
      res.set_content(token, "text/plain");
    });
    s.Get(R"(/latest/meta-data/iam/security-credentials(-extended)?/(.*))",
          [this](const httplib::Request& req, httplib::Response& res) {
            if (!Authorized(req, res)) return;
            const bool extended = req.matches[1].length() > 0;
            if (extended && !serve_extended_) {
              res.status = 404;
              return;
            }
            const std::string role = req.matches[2];
            if (role.empty()) {
              res.set_content("E2ERole", "text/plain");
            } else if (role == "E2ERole") {
              res.set_content(
                  std::string(R"({"Code":"Success","LastUpdated":"2024-05-01T11:55:00Z",)") +
                      R"("Type":"AWS-HMAC","AccessKeyId":"ASIAE2EEXAMPLEKEY",)" +
                      R"("SecretAccessKey":")" + kSecret + R"(","Token":")" + kSession +
                      R"(","Expiration":"2024-05-01T18:00:00Z"})",
                  "text/plain");
            } else {
              res.status = 404;
            }
          });
  }

  bool Start() { return server_.Start(); }
  std::string endpoint() const { return server_.endpoint(); }
  void ServeExtended(bool on) { serve_extended_ = on; }
  void ThrottlePuts(int n) { throttle_puts_ = n; }
  // The next GET carrying a valid token answers 401 and invalidates every token (a "restart").
  void ExpireTokensOnNextGet() { expire_next_ = true; }
  int minted() const { return minted_.load(); }
  size_t connections() const { return server_.connection_count(); }

 private:
  bool Authorized(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu_);
    const bool has = req.has_header("X-aws-ec2-metadata-token");
    const bool valid = has && valid_.count(req.get_header_value("X-aws-ec2-metadata-token")) > 0;
    if (has && !valid) {
      res.status = 401;
      return false;
    }
    if (valid && expire_next_) {
      expire_next_ = false;
      valid_.clear();
      res.status = 401;
      return false;
    }
    if (!has && mode_ == Mode::kTokenRequired) {
      res.status = 401;
      return false;
    }
    return true;
  }

  Mode mode_;
  LoopbackHttpServer server_;
  std::mutex mu_;
  std::set<std::string> valid_;
  std::atomic<int> minted_{0};
  std::atomic<bool> serve_extended_{true};
  std::atomic<int> throttle_puts_{0};
  std::atomic<bool> expire_next_{false};
};

struct E2E {
  FakeWorld world;
  HttplibHttpClient http;
  ProviderContext Context(const std::string& endpoint) {
    world.env.Set("AWS_EC2_METADATA_SERVICE_ENDPOINT", endpoint);
    ProviderContext ctx = world.context();
    ctx.http = &http;
    return ctx;
  }
};

ImdsProviderOptions Seeded() {
  ImdsProviderOptions o;
  o.jitter_seed = 7;
  return o;
}

TEST(ImdsProviderHttplibTest, ImdsV2HappyPathOnOneConnection) {
  FakeImds imds(FakeImds::Mode::kV2Optional);
  ASSERT_TRUE(imds.Start());
  E2E e;
  ImdsProvider provider(e.Context(imds.endpoint()), Seeded());
  ASSERT_OK_AND_ASSIGN(Credentials c, provider.Resolve());
  EXPECT_EQ(c.access_key_id, "ASIAE2EEXAMPLEKEY");
  EXPECT_EQ(c.secret_access_key.reveal(), kSecret);
  EXPECT_EQ(imds.minted(), 1);
  EXPECT_EQ(imds.connections(), 1u);
  const std::string trace = e.world.TraceText();
  EXPECT_THAT(trace, HasSubstr("Found credentials from IAM Role: E2ERole"));
  EXPECT_THAT(trace, Not(HasSubstr("AQAEFAKE-E2E-TOKEN")));
  EXPECT_THAT(trace, Not(HasSubstr(kSecret)));
  EXPECT_THAT(trace, Not(HasSubstr(kSession)));
}

TEST(ImdsProviderHttplibTest, LegacyOnlyImdsFallsBackFromExtendedPath) {
  FakeImds imds(FakeImds::Mode::kV2Optional);
  imds.ServeExtended(false);
  ASSERT_TRUE(imds.Start());
  E2E e;
  ImdsProvider provider(e.Context(imds.endpoint()), Seeded());
  EXPECT_OK(provider.Resolve());
}

TEST(ImdsProviderHttplibTest, V1OnlyImdsResolvesWithoutToken) {
  FakeImds imds(FakeImds::Mode::kV1Only);
  ASSERT_TRUE(imds.Start());
  E2E e;
  ImdsProvider provider(e.Context(imds.endpoint()), Seeded());
  ASSERT_OK_AND_ASSIGN(Credentials c, provider.Resolve());
  EXPECT_EQ(c.access_key_id, "ASIAE2EEXAMPLEKEY");
  EXPECT_EQ(imds.minted(), 0);
}

TEST(ImdsProviderHttplibTest, TokenRequiredImdsResolves) {
  FakeImds imds(FakeImds::Mode::kTokenRequired);
  ASSERT_TRUE(imds.Start());
  E2E e;
  ImdsProvider provider(e.Context(imds.endpoint()), Seeded());
  EXPECT_OK(provider.Resolve());
}

TEST(ImdsProviderHttplibTest, Unauthorized401FetchesANewTokenOnce) {
  FakeImds imds(FakeImds::Mode::kTokenRequired);
  ASSERT_TRUE(imds.Start());
  E2E e;
  ImdsProvider provider(e.Context(imds.endpoint()), Seeded());
  EXPECT_OK(provider.Resolve());
  imds.ExpireTokensOnNextGet();
  EXPECT_OK(provider.Resolve());
  EXPECT_EQ(imds.minted(), 2);
}

TEST(ImdsProviderHttplibTest, ThrottledTokenPutHonoursRetryAfter) {
  FakeImds imds(FakeImds::Mode::kTokenRequired);
  imds.ThrottlePuts(1);
  ASSERT_TRUE(imds.Start());
  E2E e;
  ImdsProvider provider(e.Context(imds.endpoint()), Seeded());
  EXPECT_OK(provider.Resolve());
  EXPECT_THAT(e.world.clock.sleeps(), ElementsAre(std::chrono::seconds(1)));
}

TEST(ImdsProviderHttplibTest, NeverAnsweringEndpointFailsWithinTheTimeout) {
  SilentLoopbackServer silent;
  E2E e;
  e.world.env.Set("AWS_METADATA_SERVICE_TIMEOUT", "0.2");
  e.world.env.Set("AWS_EC2_METADATA_V1_DISABLED", "true");
  ImdsProvider provider(e.Context(silent.endpoint()), Seeded());
  EXPECT_THAT(provider.Resolve(),
              StatusIs(StatusCode::kUnavailable,
                       AllOf(HasSubstr(silent.endpoint()), HasSubstr("timed out"))));
}

TEST(ImdsProviderHttplibTest, NeverAnsweringEndpointWithV1FallbackAlsoEnds) {
  SilentLoopbackServer silent;
  E2E e;
  e.world.env.Set("AWS_METADATA_SERVICE_TIMEOUT", "0.2");
  ImdsProvider provider(e.Context(silent.endpoint()), Seeded());
  EXPECT_THAT(provider.Resolve(),
              StatusIs(StatusCode::kDeadlineExceeded,
                       HasSubstr("after the token PUT to " + silent.endpoint() + " timed out")));
  EXPECT_THAT(e.world.TraceText(), Not(HasSubstr("hop-limit")));
}

}  // namespace
}  // namespace chantless
