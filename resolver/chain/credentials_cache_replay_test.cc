// CredentialsCache in front of real providers answering from recorded transcripts through the
// in-process replay transport (no sockets): 64 threads at a cold start make exactly one
// resolution's worth of requests, and the replay verdict passes.
#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "replay/engine.h"
#include "replay/transcript.h"
#include "replay/transport.h"
#include "resolver/chain/credentials_cache.h"
#include "resolver/container/container_provider.h"
#include "resolver/imds/imds_provider.h"
#include "resolver/testing/fakes.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

// Forwards to `next` and counts requests by "METHOD path".
class CountingHttpClient : public HttpClient {
 public:
  explicit CountingHttpClient(HttpClient* next) : next_(next) {}
  StatusOr<HttpResponse> Send(const HttpRequest& request) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++counts_[request.method + " " + request.path];
    }
    return next_->Send(request);
  }
  int count(const std::string& key) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = counts_.find(key);
    return it == counts_.end() ? 0 : it->second;
  }

 private:
  HttpClient* next_;
  mutable std::mutex mu_;
  std::map<std::string, int> counts_;
};

// Runs `threads` threads released together, each calling cache.Get() once; returns how many got
// credentials with `access_key_id`.
int ColdStart(CredentialsCache& cache, int threads, const std::string& access_key_id) {
  std::mutex mu;
  std::condition_variable cv;
  bool go = false;
  std::atomic<int> ok{0};
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) {
    pool.emplace_back([&] {
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return go; });
      }
      StatusOr<const Credentials*> got = cache.Get();
      if (got.ok() && (*got)->access_key_id == access_key_id) ++ok;
    });
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    go = true;
  }
  cv.notify_all();
  for (auto& t : pool) t.join();
  return ok.load();
}

TEST(CredentialsCacheReplayTest, SixtyFourThreadsColdStartMakeOneContainerRequest) {
  ASSERT_OK_AND_ASSIGN(replay::Transcript transcript,
                       replay::LoadTranscriptFile("fixtures/cloudshell/container.json"));
  for (replay::Exchange& e : transcript.exchanges) e.repeat.max = 1;
  testing::FakeWorld w;
  replay::Engine engine(transcript, replay::OnClock(&w.clock));
  replay::Transport transport(&engine, &w.clock);
  w.env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://localhost:1338/latest/meta-data/container/security-credentials");
  w.env.Set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "cloudshell-EXAMPLE-authorization-token-0000");
  ProviderContext ctx = w.context();
  ctx.http = &transport;
  ContainerProvider provider(ctx);
  CredentialsCacheOptions options;
  options.background_refresh = false;
  CredentialsCache cache(&provider, &w.clock, options);

  EXPECT_EQ(ColdStart(cache, 64, "ASIAQEXAMPLECLOUDSHELL"), 64);
  EXPECT_EQ(cache.resolutions(), 1);
  EXPECT_EQ(transport.requests(), 1);
  EXPECT_EQ(transport.connections(), 1);
  replay::Verdict verdict = engine.GetVerdict();
  EXPECT_TRUE(verdict.ok) << verdict.ToText();
  EXPECT_EQ(verdict.requests, 1);
}

TEST(CredentialsCacheReplayTest, SixtyFourThreadsColdStartMakeOneImdsResolution) {
  ASSERT_OK_AND_ASSIGN(replay::Transcript transcript,
                       replay::LoadTranscriptFile("fixtures/ec2/imdsv2.json"));
  // Every exchange at most once: a second token PUT or GET would be unexpected and fail the
  // verdict.
  for (replay::Exchange& e : transcript.exchanges) e.repeat.max = 1;
  testing::FakeWorld w;
  replay::Engine engine(transcript, replay::OnClock(&w.clock));
  replay::Transport transport(&engine, &w.clock);
  CountingHttpClient counting(&transport);
  ProviderContext ctx = w.context();
  ctx.http = &counting;
  ImdsProvider provider(ctx);
  CredentialsCacheOptions options;
  options.background_refresh = false;
  CredentialsCache cache(&provider, &w.clock, options);

  EXPECT_EQ(ColdStart(cache, 64, "ASIAQEXAMPLEIMDSV2KEY"), 64);
  ASSERT_OK_AND_ASSIGN(const Credentials* got, cache.Get());
  EXPECT_EQ(got->provider, "iam-role");
  EXPECT_EQ(cache.resolutions(), 1);
  EXPECT_EQ(counting.count("PUT /latest/api/token"), 1);
  EXPECT_EQ(counting.count("GET /latest/meta-data/iam/security-credentials/"), 1);
  EXPECT_EQ(counting.count("GET /latest/meta-data/iam/security-credentials/TestEC2Role"), 1);
  EXPECT_LE(counting.count("GET /latest/meta-data/iam/security-credentials-extended/"), 1);
  EXPECT_EQ(transport.connections(), 1);
  replay::Verdict verdict = engine.GetVerdict();
  EXPECT_TRUE(verdict.ok) << verdict.ToText();
  EXPECT_TRUE(verdict.unexpected.empty()) << verdict.ToText();
}

}  // namespace
}  // namespace chantless
