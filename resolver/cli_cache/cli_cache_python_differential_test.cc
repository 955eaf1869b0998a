// Differential test: CliCacheKey and PythonJsonDumpsSorted against python3's own
// json.dumps(args, sort_keys=True) and hashlib.sha1, over a few hundred generated argument sets
// (ASCII, control characters, quotes, backslashes, 2-, 3- and 4-byte UTF-8, integers, and keys
// that sort differently as bytes and as ASCII case). The test shells out once to python3 and skips
// when none is found; the library itself never runs Python.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "resolver/cli_cache/cli_cache.h"
#include "resolver/cli_cache/python_json.h"

namespace chantless {
namespace {

std::string FindPython() {
  if (const char* env = std::getenv("PYTHON3"); env != nullptr && *env != '\0') return env;
  for (const char* candidate : {"/usr/bin/python3", "/usr/local/bin/python3"}) {
    if (std::FILE* f = std::fopen(candidate, "r")) {
      std::fclose(f);
      return candidate;
    }
  }
  return "";
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string RandomString(std::mt19937& rng) {
  std::string out;
  int length = std::uniform_int_distribution<int>(0, 24)(rng);
  for (int i = 0; i < length; ++i) {
    uint32_t cp;
    switch (std::uniform_int_distribution<int>(0, 7)(rng)) {
      case 0:
        cp = std::uniform_int_distribution<uint32_t>(0, 0x1F)(rng);
        break;
      case 1:
        cp = "\"\\/:'\x7f"[std::uniform_int_distribution<int>(0, 5)(rng)];
        break;
      case 2:
        cp = std::uniform_int_distribution<uint32_t>(0x80, 0x7FF)(rng);
        break;
      case 3: {
        cp = std::uniform_int_distribution<uint32_t>(0x800, 0xFFFD)(rng);
        if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0x20AC;
        break;
      }
      case 4:
        cp = std::uniform_int_distribution<uint32_t>(0x10000, 0x10FFFF)(rng);
        break;
      default:
        cp = std::uniform_int_distribution<uint32_t>(0x20, 0x7E)(rng);
        break;
    }
    AppendUtf8(cp, &out);
  }
  return out;
}

CliCacheArgs RandomArgs(std::mt19937& rng) {
  static const char* const kNames[] = {"RoleArn",
                                       "ExternalId",
                                       "SerialNumber",
                                       "DurationSeconds",
                                       "RoleSessionName",
                                       "Policy",
                                       "roleArn",
                                       "_x",
                                       "Z"};
  CliCacheArgs args;
  int count = std::uniform_int_distribution<int>(0, 6)(rng);
  for (int i = 0; i < count; ++i) {
    std::string key = std::uniform_int_distribution<int>(0, 3)(rng) == 0
                          ? RandomString(rng)
                          : kNames[std::uniform_int_distribution<int>(0, 8)(rng)];
    if (std::uniform_int_distribution<int>(0, 3)(rng) == 0) {
      args[key] = static_cast<int64_t>(
          std::uniform_int_distribution<int64_t>(-(int64_t{1} << 53), int64_t{1} << 53)(rng));
    } else {
      args[key] = RandomString(rng);
    }
  }
  return args;
}

TEST(CliCachePythonDifferentialTest, KeysMatchPythonJsonDumpsAndSha1) {
  std::string python = FindPython();
  if (python.empty()) GTEST_SKIP() << "python3 not found";
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string input_path = std::string(tmp != nullptr ? tmp : "/tmp") + "/cli_cache_args.jsonl";

  std::mt19937 rng(20240501);
  std::vector<CliCacheArgs> sets;
  std::ofstream input(input_path);
  for (int i = 0; i < 400; ++i) {
    sets.push_back(RandomArgs(rng));
    nlohmann::json object = nlohmann::json::object();
    for (const auto& [key, value] : sets.back()) {
      if (const auto* s = std::get_if<std::string>(&value)) {
        object[key] = *s;
      } else {
        object[key] = std::get<int64_t>(value);
      }
    }
    input << object.dump(-1, ' ', /*ensure_ascii=*/true) << "\n";
  }
  input.close();

  std::string script =
      "import hashlib,json,sys\n"
      "for line in open(sys.argv[1]):\n"
      "  s=json.dumps(json.loads(line),sort_keys=True)\n"
      "  print(hashlib.sha1(s.encode()).hexdigest(), json.dumps(s))\n";
  std::string script_path = std::string(tmp != nullptr ? tmp : "/tmp") + "/cli_cache_key.py";
  std::ofstream(script_path) << script;
  std::string command = python + " " + script_path + " " + input_path;
  std::FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) output.append(buf, n);
  ASSERT_EQ(pclose(pipe), 0) << command;

  std::istringstream lines(output);
  std::string line;
  size_t i = 0;
  int compared = 0;
  for (; std::getline(lines, line) && i < sets.size(); ++i) {
    std::string expected_key = line.substr(0, 40);
    // The dumped text, itself JSON-quoted so the line stays one line; ASCII only.
    std::string expected_dump = nlohmann::json::parse(line.substr(41)).get<std::string>();
    EXPECT_EQ(PythonJsonDumpsSorted(sets[i]), expected_dump) << "set " << i;
    EXPECT_EQ(CliCacheKey(sets[i]), expected_key) << "set " << i;
    ++compared;
  }
  EXPECT_EQ(compared, 400);
  std::printf("compared %d argument sets with %s\n", compared, python.c_str());
}

}  // namespace
}  // namespace chantless
