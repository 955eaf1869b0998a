#include "resolver/core/jitter_seed.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <thread>
#include <vector>

namespace chantless {
namespace {

TEST(JitterSeedTest, EveryCallGivesADifferentNonZeroSeed) {
  std::set<uint64_t> seen;
  for (int i = 0; i < 10000; ++i) {
    const uint64_t seed = NewJitterSeed();
    EXPECT_NE(seed, 0u);
    EXPECT_TRUE(seen.insert(seed).second) << "repeated seed after " << i << " calls";
  }
}

TEST(JitterSeedTest, ConcurrentCallersGetDistinctSeeds) {
  constexpr int kThreads = 8, kPerThread = 2000;
  std::vector<std::vector<uint64_t>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&got, t] {
      for (int i = 0; i < kPerThread; ++i) got[t].push_back(NewJitterSeed());
    });
  }
  for (auto& th : threads) th.join();
  std::set<uint64_t> all;
  for (const auto& v : got) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), size_t{kThreads * kPerThread});
}

TEST(JitterSeedTest, SeedsSpreadOverAllBits) {
  // Consecutive seeds must not share high bits (a bare counter would): each bit is set in roughly
  // half of 4096 seeds.
  constexpr int kSeeds = 4096;
  int ones[64] = {};
  for (int i = 0; i < kSeeds; ++i) {
    const uint64_t seed = NewJitterSeed();
    for (int b = 0; b < 64; ++b) ones[b] += (seed >> b) & 1;
  }
  for (int b = 0; b < 64; ++b) {
    EXPECT_GT(ones[b], kSeeds * 4 / 10) << "bit " << b;
    EXPECT_LT(ones[b], kSeeds * 6 / 10) << "bit " << b;
  }
}

TEST(JitterSeedTest, AForkedChildDrawsSeedsItsParentNeverDraws) {
  // Without the fork handler the child would continue the parent's sequence: its first seeds would
  // be exactly the parent's next ones.
  NewJitterSeed();  // the parent has drawn its base
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    uint64_t seeds[4];
    for (uint64_t& s : seeds) s = NewJitterSeed();
    const bool written = write(pipe_fds[1], seeds, sizeof seeds) == ssize_t(sizeof seeds);
    _exit(written ? 0 : 1);
  }
  close(pipe_fds[1]);
  uint64_t child_seeds[4] = {};
  ASSERT_EQ(read(pipe_fds[0], child_seeds, sizeof child_seeds), ssize_t(sizeof child_seeds));
  close(pipe_fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  std::set<uint64_t> parent_seeds;
  for (int i = 0; i < 1000; ++i) parent_seeds.insert(NewJitterSeed());
  for (uint64_t s : child_seeds)
    EXPECT_EQ(parent_seeds.count(s), 0u) << "the child repeats its parent";
}

TEST(JitterSeedTest, SplitMix64MatchesTheReferenceOutput) {
  // Reference values: SplitMix64 seeded with 0 outputs these first (Vigna's splitmix64.c, where
  // next() adds the golden gamma to the state before mixing, as SplitMix64(x) does with x = state).
  EXPECT_EQ(SplitMix64(0), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(SplitMix64(0x9e3779b97f4a7c15ULL), 0x6e789e6aa1b965f4ULL);
}

}  // namespace
}  // namespace chantless
