// Tests for ParseCacheTimestamp (every form the caches hold) and FormatCliCacheUtc.
#include "resolver/cli_cache/cache_time.h"

#include "gtest/gtest.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

WallTime At(const char* rfc3339) { return *ParseRfc3339(rfc3339); }

TEST(CacheTimeTest, ParsesEveryFormTheCachesHold) {
  EXPECT_EQ(*ParseCacheTimestamp("2021-12-07T01:19:12UTC"), At("2021-12-07T01:19:12Z"));
  EXPECT_EQ(*ParseCacheTimestamp("2022-02-23T21:56:47+00:00"), At("2022-02-23T21:56:47Z"));
  EXPECT_EQ(*ParseCacheTimestamp("2023-03-04T03:39:48Z"), At("2023-03-04T03:39:48Z"));
  EXPECT_EQ(*ParseCacheTimestamp("2023-03-04T03:39:48.000Z"), At("2023-03-04T03:39:48Z"));
  EXPECT_EQ(*ParseCacheTimestamp("2023-03-04T03:39:48.250UTC"), At("2023-03-04T03:39:48.25Z"));
}

TEST(CacheTimeTest, RejectsOtherForms) {
  for (const char* bad :
       {"", "UTC", "2023-03-04T03:39:48", "2023-03-04T03:39:48ZUTC", "2023-03-04 03:39:48UTC",
        "2023-03-04T03:39:48+00:00UTC", "2023-03-04T03:39:48utc", "1700000000"}) {
    EXPECT_THAT(ParseCacheTimestamp(bad), testing::StatusHasCode(StatusCode::kInvalidResponse))
        << bad;
  }
}

TEST(CacheTimeTest, FormatsBotocoreStrftimeForm) {
  EXPECT_EQ(FormatCliCacheUtc(At("2030-07-15T23:28:33.900Z")), "2030-07-15T23:28:33UTC");
}

}  // namespace
}  // namespace chantless
