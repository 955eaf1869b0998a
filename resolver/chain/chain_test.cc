// Tests for Chain: the continue/stop rule, the "no credentials" message, trace lines and the
// explanation (outcomes, elapsed time on the fake clock, request counts). Each test names its rule.
#include "resolver/chain/chain.h"

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "resolver/testing/fakes.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::chantless::testing::FakeWorld;
using ::chantless::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYCHAINKEY";

Credentials Creds(const std::string& provider) {
  Credentials c;
  c.access_key_id = "AKIAFAKECHAINEXAMPLE";
  c.secret_access_key = Secret(kSecret);
  c.provider = provider;
  return c;
}

// Answers a scripted result; optionally emits kRequest events, its own botocore line and
// advances the fake clock, as a real provider would.
class ScriptedProvider : public CredentialsProvider {
 public:
  ScriptedProvider(const ProviderContext& ctx, std::string name, StatusOr<Credentials> result,
                   int requests = 0, bool says_looking = false)
      : ctx_(ctx),
        name_(std::move(name)),
        result_(std::move(result)),
        requests_(requests),
        says_looking_(says_looking) {}
  std::string Name() const override { return name_; }
  StatusOr<Credentials> Resolve() override {
    ++calls;
    if (says_looking_) TraceInfo(ctx_.trace, name_, "Looking for credentials via: " + name_);
    for (int i = 0; i < requests_; ++i) {
      TraceEvent e;
      e.kind = TraceEvent::Kind::kRequest;
      e.provider = name_;
      e.method = "GET";
      e.path = "/x";
      e.status = 200;
      if (ctx_.trace != nullptr) ctx_.trace->Record(e);
    }
    if (fake_clock != nullptr) fake_clock->Advance(std::chrono::milliseconds(5));
    return result_;
  }
  int calls = 0;
  testing::FakeClock* fake_clock = nullptr;

 private:
  ProviderContext ctx_;
  std::string name_;
  StatusOr<Credentials> result_;
  int requests_;
  bool says_looking_;
};

struct Harness {
  FakeWorld world;
  std::vector<ScriptedProvider*> providers;
  std::unique_ptr<Chain> chain;

  // Each entry: name and result; built through Chain::Create so requests are counted.
  void Build(std::vector<std::pair<std::string, StatusOr<Credentials>>> script, int requests = 0,
             bool says_looking = false) {
    chain = Chain::Create(world.context(), [&](const ProviderContext& ctx) {
      std::vector<ChainLink> links;
      for (auto& [name, result] : script) {
        auto p = std::make_unique<ScriptedProvider>(ctx, name, result, requests, says_looking);
        p->fake_clock = &world.clock;
        providers.push_back(p.get());
        links.emplace_back(std::move(p));
      }
      return links;
    });
  }
};

TEST(ChainTest, FirstProviderWithCredentialsWinsAndLaterOnesAreNotTried) {
  Harness h;
  h.Build({{"env", Creds("env")}, {"profile", Creds("shared-credentials-file")}});
  ASSERT_OK_AND_ASSIGN(Credentials c, h.chain->Resolve(nullptr));
  EXPECT_EQ(c.provider, "env");
  EXPECT_EQ(h.providers[1]->calls, 0);
}

TEST(ChainTest, NotConfiguredContinuesToTheNextProvider) {
  Harness h;
  h.Build(
      {{"env", NotConfiguredError("no AWS_ACCESS_KEY_ID")}, {"profile", Creds("custom-process")}});
  ASSERT_OK_AND_ASSIGN(Credentials c, h.chain->Resolve(nullptr));
  EXPECT_EQ(c.provider, "custom-process");
  EXPECT_EQ(h.providers[0]->calls, 1);
}

TEST(ChainTest, EveryOtherErrorStopsTheChainKeepingItsCodeAndNamingTheProvider) {
  for (const Status& error :
       {InvalidConfigurationError("AWS_SECRET_ACCESS_KEY is not set"),
        UnavailableError("GET http://127.0.0.1:1/x: connection refused"),
        DeadlineExceededError("GET http://127.0.0.1:1/x: timed out"),  // exactly as kUnavailable
        InvalidResponseError("body is not JSON"), InternalError("impossible")}) {
    Harness h;
    h.Build({{"env", NotConfiguredError("nothing")},
             {"profile", error},
             {"iam-role", Creds("iam-role")}});
    EXPECT_THAT(h.chain->Resolve(nullptr), StatusIs(error.code(), "profile: " + error.message()));
    EXPECT_EQ(h.providers[2]->calls, 0) << error;
  }
}

TEST(ChainTest, NothingConfiguredListsEveryProviderAndWhy) {
  Harness h;
  h.Build({{"env", NotConfiguredError("AWS_ACCESS_KEY_ID is not set")},
           {"profile", NotConfiguredError("profile default has no credentials")},
           {"iam-role", NotConfiguredError("AWS_EC2_METADATA_DISABLED is true")}});
  EXPECT_THAT(h.chain->Resolve(nullptr),
              StatusIs(StatusCode::kNotConfigured,
                       "Unable to locate credentials: env: AWS_ACCESS_KEY_ID is not set; "
                       "profile: profile default has no credentials; "
                       "iam-role: AWS_EC2_METADATA_DISABLED is true"));
}

TEST(ChainTest, EmptyChainIsNotConfigured) {
  FakeWorld world;
  Chain chain({}, world.context());
  EXPECT_THAT(chain.Resolve(nullptr),
              StatusIs(StatusCode::kNotConfigured, HasSubstr("Unable to locate credentials")));
}

TEST(ChainTest, CredentialsWithoutAProviderNameGetTheLinkName) {
  Harness h;
  h.Build({{"container-role", Creds("")}});
  ASSERT_OK_AND_ASSIGN(Credentials c, h.chain->Resolve(nullptr));
  EXPECT_EQ(c.provider, "container-role");
}

TEST(ChainTest, ExplanationRecordsEveryAttemptWithOutcomeStatusAndElapsed) {
  Harness h;
  h.Build({{"env", NotConfiguredError("AWS_ACCESS_KEY_ID is not set")},
           {"profile", Creds("custom-process")},
           {"iam-role", Creds("iam-role")}});
  ChainExplanation explain;
  ASSERT_OK(h.chain->Resolve(&explain));
  ASSERT_EQ(explain.attempts.size(), 2u);
  EXPECT_EQ(explain.attempts[0].name, "env");
  EXPECT_EQ(explain.attempts[0].outcome, ProviderAttempt::kSkipped);
  EXPECT_THAT(explain.attempts[0].status,
              StatusIs(StatusCode::kNotConfigured, "AWS_ACCESS_KEY_ID is not set"));
  EXPECT_EQ(explain.attempts[0].elapsed, std::chrono::microseconds(5000));
  EXPECT_EQ(explain.attempts[1].outcome, ProviderAttempt::kResolved);
  EXPECT_EQ(explain.attempts[1].method, "custom-process");
}

TEST(ChainTest, ExplanationIsClearedOnEveryResolve) {
  Harness h;
  h.Build({{"env", NotConfiguredError("x")}});
  ChainExplanation explain;
  (void)h.chain->Resolve(&explain);
  (void)h.chain->Resolve(&explain);
  EXPECT_EQ(explain.attempts.size(), 1u);
}

TEST(ChainTest, RequestsAreCountedPerAttemptFromTraceEvents) {
  Harness h;
  h.Build({{"container-role", NotConfiguredError("no URI")}, {"iam-role", Creds("iam-role")}},
          /*requests=*/3);
  ChainExplanation explain;
  ASSERT_OK(h.chain->Resolve(&explain));
  ASSERT_EQ(explain.attempts.size(), 2u);
  EXPECT_EQ(explain.attempts[0].requests, 3);
  EXPECT_EQ(explain.attempts[1].requests, 3);
}

TEST(ChainTest, ExplanationListsEachRequestOfEachAttempt) {
  Harness h;
  h.Build({{"container-role", NotConfiguredError("no URI")}, {"iam-role", Creds("iam-role")}},
          /*requests=*/2);
  ChainExplanation explain;
  ASSERT_OK(h.chain->Resolve(&explain));
  ASSERT_EQ(explain.attempts.size(), 2u);
  ASSERT_EQ(explain.attempts[1].request_log.size(), 2u);
  EXPECT_EQ(explain.attempts[1].request_log[0].method, "GET");
  EXPECT_EQ(explain.attempts[1].request_log[0].path, "/x");
  EXPECT_EQ(explain.attempts[1].request_log[0].provider, "iam-role");
  EXPECT_THAT(
      explain.ToJson(),
      HasSubstr(R"("request_log":[{"method":"GET","endpoint":"","path":"/x","status":200,)"));
}

TEST(ChainTest, AMessageThatAlreadyNamesTheLinkIsNotPrefixedTwice) {
  Harness h;
  h.Build(
      {{"container-role", UnavailableError("container-role: GET http://127.0.0.1:1/x -> 500")}});
  auto result = h.chain->Resolve(nullptr);
  EXPECT_THAT(result, StatusIs(StatusCode::kUnavailable,
                               AllOf(HasSubstr("container-role: GET"),
                                     Not(HasSubstr("container-role: container-role")))));
  Harness skipped;
  skipped.Build({{"iam-role", NotConfiguredError("iam-role: disabled")}});
  EXPECT_THAT(skipped.chain->Resolve(nullptr),
              StatusIs(StatusCode::kNotConfigured, Not(HasSubstr("iam-role: iam-role"))));
}

TEST(ChainTest, FailedAttemptIsRecordedAsFailed) {
  Harness h;
  h.Build({{"env", InvalidConfigurationError("half a pair")}});
  ChainExplanation explain;
  EXPECT_FALSE(h.chain->Resolve(&explain).ok());
  ASSERT_EQ(explain.attempts.size(), 1u);
  EXPECT_EQ(explain.attempts[0].outcome, ProviderAttempt::kFailed);
}

std::vector<std::string> LookingLines(const FakeWorld& world) {
  std::vector<std::string> lines;
  for (const TraceEvent& e : world.trace.events()) {
    if (e.message.rfind("Looking for credentials via: ", 0) == 0) lines.push_back(e.message);
  }
  return lines;
}

TEST(ChainTest, TracesLookingForCredentialsForEveryLinkTried) {
  Harness h;
  h.Build({{"env", NotConfiguredError("x")}, {"profile", NotConfiguredError("y")}});
  (void)h.chain->Resolve(nullptr);
  EXPECT_THAT(LookingLines(h.world), ElementsAre("Looking for credentials via: env",
                                                 "Looking for credentials via: profile"));
}

TEST(ChainTest, ProviderThatTracesItsOwnLookingLineIsNotRepeated) {
  Harness h;
  h.Build({{"env", NotConfiguredError("x")}, {"profile", NotConfiguredError("y")}}, 0,
          /*says_looking=*/true);
  (void)h.chain->Resolve(nullptr);
  EXPECT_THAT(LookingLines(h.world), ElementsAre("Looking for credentials via: env",
                                                 "Looking for credentials via: profile"));
}

TEST(ChainTest, TracesTheOutcomeOfEveryAttempt) {
  Harness h;
  h.Build({{"env", NotConfiguredError("AWS_ACCESS_KEY_ID is not set")},
           {"profile", Creds("custom-process")}});
  ASSERT_OK(h.chain->Resolve(nullptr));
  std::vector<std::string> decisions;
  for (const TraceEvent& e : h.world.trace.events()) {
    if (e.kind == TraceEvent::Kind::kDecision) {
      decisions.push_back(e.provider + " " + e.step + ": " + e.message);
    }
  }
  EXPECT_THAT(decisions, ElementsAre("env skipped: not configured: AWS_ACCESS_KEY_ID is not set",
                                     "profile resolved: credentials from custom-process"));
  EXPECT_THAT(h.world.TraceText(), Not(HasSubstr(kSecret)));
}

TEST(ChainTest, PlainConstructorStillTracesAndResolves) {
  FakeWorld world;
  ProviderContext ctx = world.context();
  std::vector<ChainLink> links;
  links.emplace_back(std::make_unique<ScriptedProvider>(ctx, "env", Creds("env")));
  Chain chain(std::move(links), ctx);
  ChainExplanation explain;
  ASSERT_OK(chain.Resolve(&explain));
  EXPECT_THAT(LookingLines(world), ElementsAre("Looking for credentials via: env"));
  EXPECT_EQ(explain.attempts[0].requests, 0);
}

TEST(ChainExplanationTest, JsonHasResultProviderAndAttemptsInOrder) {
  Harness h;
  h.Build({{"env", NotConfiguredError("AWS_ACCESS_KEY_ID is not set")},
           {"profile", Creds("custom-process")}},
          1);
  ChainExplanation explain;
  ASSERT_OK(h.chain->Resolve(&explain));
  const std::string text = explain.ToJson();
  EXPECT_THAT(text, Not(HasSubstr(kSecret)));
  EXPECT_THAT(text, Not(HasSubstr("AKIAFAKECHAINEXAMPLE")));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << text;
  EXPECT_EQ(j["result"], "resolved");
  EXPECT_EQ(j["provider"], "custom-process");
  ASSERT_EQ(j["attempts"].size(), 2u);
  EXPECT_EQ(j["attempts"][0]["provider"], "env");
  EXPECT_EQ(j["attempts"][0]["outcome"], "skipped");
  EXPECT_EQ(j["attempts"][0]["code"], "not configured");
  EXPECT_EQ(j["attempts"][0]["message"], "AWS_ACCESS_KEY_ID is not set");
  EXPECT_EQ(j["attempts"][0]["elapsed_us"], 5000);
  EXPECT_EQ(j["attempts"][0]["requests"], 1);
  EXPECT_EQ(j["attempts"][1]["outcome"], "resolved");
  EXPECT_EQ(j["attempts"][1]["method"], "custom-process");
  EXPECT_EQ(text.rfind("{\"result\":", 0), 0u) << text;
}

ProviderAttempt Attempt(ProviderAttempt::Outcome outcome, Status status) {
  ProviderAttempt a;
  a.name = "env";
  a.outcome = outcome;
  a.status = std::move(status);
  return a;
}

TEST(ChainExplanationTest, JsonSaysNoCredentialsAndFailed) {
  ChainExplanation none;
  none.attempts.push_back(Attempt(ProviderAttempt::kSkipped, NotConfiguredError("x")));
  EXPECT_THAT(none.ToJson(),
              AllOf(HasSubstr("\"result\":\"no credentials\""), HasSubstr("\"provider\":null")));
  ChainExplanation failed;
  failed.attempts.push_back(Attempt(ProviderAttempt::kFailed, InvalidConfigurationError("x")));
  EXPECT_THAT(failed.ToJson(), HasSubstr("\"result\":\"failed\""));
}

TEST(ChainExplanationTest, InvalidUtf8InAMessageDoesNotThrow) {
  ChainExplanation e;
  e.attempts.push_back(Attempt(ProviderAttempt::kSkipped, NotConfiguredError("bad \xff\xfe")));
  EXPECT_THAT(e.ToJson(), HasSubstr("\"provider\":\"env\""));
}

// Records what it sees of ctx.pass and, when asked, leaves something in it for the next link.
class PassWatcher : public CredentialsProvider {
 public:
  PassWatcher(const ProviderContext& ctx, bool leaves) : ctx_(ctx), leaves_(leaves) {}
  std::string Name() const override { return leaves_ ? "first" : "second"; }
  StatusOr<Credentials> Resolve() override {
    open = ctx_.pass != nullptr && ctx_.pass->is_open();
    found = ctx_.pass != nullptr && ctx_.pass->profile() != nullptr;
    if (leaves_ && ctx_.pass != nullptr) {
      ctx_.pass->set_profile(InvalidConfigurationError("loaded in this pass"));
    }
    return NotConfiguredError("watching");
  }
  bool open = false;
  bool found = false;

 private:
  const ProviderContext ctx_;
  const bool leaves_;
};

TEST(ChainTest, EachResolveIsOnePassItsLinksShare) {
  FakeWorld world;
  PassWatcher* first = nullptr;
  PassWatcher* second = nullptr;
  ProviderContext outer = world.context();
  auto chain = Chain::Create(outer, [&](const ProviderContext& c) {
    std::vector<ChainLink> links;
    auto a = std::make_unique<PassWatcher>(c, /*leaves=*/true);
    auto b = std::make_unique<PassWatcher>(c, /*leaves=*/false);
    first = a.get();
    second = b.get();
    links.emplace_back(std::move(a));
    links.emplace_back(std::move(b));
    return links;
  });
  for (int round = 0; round < 2; ++round) {
    EXPECT_THAT(chain->Resolve(), StatusIs(StatusCode::kNotConfigured, ::testing::_));
    EXPECT_TRUE(first->open);
    EXPECT_FALSE(first->found) << "round " << round << ": a pass starts empty";
    EXPECT_TRUE(second->open);
    EXPECT_TRUE(second->found) << "round " << round << ": the second link sees the first's load";
  }
}

TEST(ChainTest, AChainInsideAnOpenPassResolvesWithinItAndLeavesItOpen) {
  FakeWorld world;
  ResolutionPass pass;
  pass.Open();
  pass.set_profile(InvalidConfigurationError("loaded by the outer pass"));
  ProviderContext ctx = world.context();
  ctx.pass = &pass;
  PassWatcher* watcher = nullptr;
  auto chain = Chain::Create(ctx, [&](const ProviderContext& c) {
    std::vector<ChainLink> links;
    auto w = std::make_unique<PassWatcher>(c, /*leaves=*/false);
    watcher = w.get();
    links.emplace_back(std::move(w));
    return links;
  });
  EXPECT_THAT(chain->Resolve(), StatusIs(StatusCode::kNotConfigured, ::testing::_));
  EXPECT_TRUE(watcher->found);
  EXPECT_TRUE(pass.is_open());
  ASSERT_NE(pass.profile(), nullptr);
  pass.Close();
  EXPECT_EQ(pass.profile(), nullptr);
}

}  // namespace
}  // namespace chantless
