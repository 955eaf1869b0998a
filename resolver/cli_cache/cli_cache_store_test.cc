// Tests for CliCacheStore: lookups by file name, atomic 0600 stores that the reader reads back,
// a corrupt entry as a miss that a store overwrites, write errors naming the path, and the
// default directory under the home.
#include "resolver/cli_cache/cli_cache_store.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/cli_cache/cache_time.h"
#include "resolver/testing/fakes.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::chantless::testing::FakeEnvironment;
using ::chantless::testing::FakeFilesystem;
using ::chantless::testing::IsOk;
using ::chantless::testing::StatusHasCode;
using ::testing::HasSubstr;
using ::testing::Not;

CliCacheEntry SampleEntry() {
  CliCacheEntry e;
  e.kind = CliCacheEntryKind::kSts;
  e.access_key_id = "ASIAFAKEFAKEFAKE0001";
  e.secret_access_key = Secret("fake-secret-key");
  e.session_token = Secret("fake-session-token");
  e.expiration = *ParseRfc3339("2030-07-15T23:28:33Z");
  e.account_id = "123456789012";
  return e;
}

TEST(CliCacheStoreTest, StoreThenLookupGivesTheEntryBack) {
  FakeFilesystem fs;
  CliCacheStore store(&fs, "/home/u/.aws/cli/cache/");
  EXPECT_EQ(store.directory(), "/home/u/.aws/cli/cache");
  ASSERT_THAT(store.Store("abc.json", SampleEntry()), IsOk());
  EXPECT_EQ(fs.file_mode("/home/u/.aws/cli/cache/abc.json"), 0600);
  CliCacheLookup got = store.Lookup("abc.json");
  ASSERT_TRUE(got.hit()) << got.miss_reason;
  EXPECT_EQ(got.entry->access_key_id, "ASIAFAKEFAKEFAKE0001");
  EXPECT_EQ(got.entry->session_token, Secret("fake-session-token"));
  EXPECT_EQ(got.entry->account_id, "123456789012");
  EXPECT_EQ(fs.Contents("/home/u/.aws/cli/cache/abc.json"), RenderCliCacheEntry(SampleEntry()));
}

TEST(CliCacheStoreTest, MissingEntryIsAMissNamingThePath) {
  FakeFilesystem fs;
  CliCacheStore store(&fs, "/c");
  CliCacheLookup got = store.Lookup("k.json");
  EXPECT_FALSE(got.hit());
  EXPECT_THAT(got.miss_reason, HasSubstr("/c/k.json"));
}

TEST(CliCacheStoreTest, CorruptEntryIsAMissAndAStoreOverwritesIt) {
  FakeFilesystem fs;
  fs.SetFile("/c/k.json", "{\"Credentials\": {\"AccessKeyId\": \"AKIA");
  CliCacheStore store(&fs, "/c");
  CliCacheLookup before = store.Lookup("k.json");
  EXPECT_FALSE(before.hit());
  EXPECT_THAT(before.miss_reason, Not(HasSubstr("AKIA")));
  ASSERT_THAT(store.Store("k.json", SampleEntry()), IsOk());
  EXPECT_TRUE(store.Lookup("k.json").hit());
}

TEST(CliCacheStoreTest, WriteErrorIsReturnedAndTheOldFileKept) {
  FakeFilesystem fs;
  fs.SetFile("/c/k.json", "old");
  fs.SetWriteError("/c/k.json", Status(StatusCode::kUnavailable, "cannot write /c/k.json"));
  CliCacheStore store(&fs, "/c");
  Status s = store.Store("k.json", SampleEntry());
  EXPECT_THAT(s, StatusHasCode(StatusCode::kUnavailable));
  EXPECT_THAT(s.message(), HasSubstr("/c/k.json"));
  EXPECT_THAT(s.message(), Not(HasSubstr("fake-secret-key")));
  EXPECT_EQ(fs.Contents("/c/k.json"), "old");
}

TEST(CliCacheStoreTest, DefaultDirectoryIsUnderHome) {
  FakeFilesystem fs;
  FakeEnvironment env;
  env.Set("HOME", "/home/u");
  EXPECT_EQ(*CliCacheStore::DefaultDirectory(env, fs), "/home/u/.aws/cli/cache");
  FakeEnvironment no_home;
  EXPECT_THAT(CliCacheStore::DefaultDirectory(no_home, fs).status(),
              StatusHasCode(StatusCode::kInvalidConfiguration));
}

}  // namespace
}  // namespace chantless
