// Tests for SystemWorld and its trace sink: every seam is wired into the context, and trace events
// are both kept and handed to the caller's sink as they happen.
#include "resolver/system/system_world.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "resolver/core/trace.h"

namespace chantless {
namespace {

TraceEvent Info(std::string provider, std::string message) {
  TraceEvent e;
  e.kind = TraceEvent::Kind::kInfo;
  e.provider = std::move(provider);
  e.message = std::move(message);
  return e;
}

TEST(TeeTraceSinkTest, KeepsEveryEventAndForwardsItAsItHappens) {
  CollectingTraceSink forward;
  TeeTraceSink tee(&forward);
  tee.Record(Info("env", "Looking for credentials via: env"));
  ASSERT_EQ(forward.events().size(), 1u);  // forwarded at once, not at the end
  tee.Record(Info("iam-role", "Looking for credentials via: iam-role"));
  ASSERT_EQ(tee.collected().events().size(), 2u);
  ASSERT_EQ(forward.events().size(), 2u);
  EXPECT_EQ(forward.events()[1].provider, "iam-role");
}

TEST(TeeTraceSinkTest, WithoutAForwardSinkOnlyKeeps) {
  TeeTraceSink tee;
  tee.Record(Info("env", "x"));
  EXPECT_EQ(tee.collected().events().size(), 1u);
}

TEST(SystemWorldTest, ContextWiresEverySeamAndTheTrace) {
  CollectingTraceSink forward;
  SystemWorld world(/*profile_override=*/std::nullopt, &forward);
  ProviderContext ctx = world.context();
  EXPECT_NE(ctx.env, nullptr);
  EXPECT_NE(ctx.fs, nullptr);
  EXPECT_NE(ctx.clock, nullptr);
  EXPECT_NE(ctx.http, nullptr);
  EXPECT_NE(ctx.process, nullptr);
  ASSERT_NE(ctx.trace, nullptr);
  EXPECT_FALSE(ctx.profile_override.has_value());
  const size_t before = world.trace().events().size();
  ctx.trace->Record(Info("env", "through the context"));
  EXPECT_EQ(world.trace().events().size(), before + 1);
  EXPECT_EQ(forward.events().back().message, "through the context");
}

TEST(SystemWorldTest, KeepsTheProfileOverride) {
  SystemWorld world(std::string("dev"));
  EXPECT_EQ(world.context().profile_override, "dev");
}

}  // namespace
}  // namespace chantless
