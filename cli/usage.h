// The verbs of `chantless`, for dispatch and for the help text. The resolver-facing verbs run in
// the `chantless` binary itself (cli/main.cc), which never links cpp-httplib or replay/; the
// replay verbs run in `chantless-replay` (cli/replay_main.cc), which `chantless` execs from its
// own directory with the same arguments. Both print the same help, listing every verb.
#ifndef CHANTLESS_CLI_USAGE_H_
#define CHANTLESS_CLI_USAGE_H_

#include <cstdio>
#include <optional>
#include <string>

namespace chantless {
namespace cli {

struct VerbInfo {
  const char* name;
  const char* summary;
  bool replay;  // runs in chantless-replay
};

// Every verb, in help order; null-name terminated.
extern const VerbInfo kVerbs[];

// The verb named `name`, or null.
const VerbInfo* FindVerb(const char* name);

void PrintUsage(std::FILE* out);

// The binaries: `chantless` runs the verbs whose `replay` is false, `chantless-replay` the others.
constexpr const char* kMainBinary = "chantless";
constexpr const char* kReplayBinary = "chantless-replay";

// The path of the binary `name` in this executable's directory (/proc/self/exe, symlinks
// resolved; else the directory of `argv0`).
std::string SiblingBinary(const char* name, const char* argv0);

// What both binaries' main() do first: help (exit 0, or 2 with no verb), --version (prints
// "chantless <version>"), an unknown verb (exit 2), and a verb of the other binary (exec'd).
// Returns the exit code when it handled argv; else nullopt, with *verb set to a verb this binary
// runs
// (`replay_binary`: this is chantless-replay).
std::optional<int> DispatchCommon(int argc, char** argv, bool replay_binary, const char* version,
                                  const VerbInfo** verb);

// Replaces this process with the sibling binary `name` (same argv); on failure prints why naming
// the verb argv[1] and returns exit code 2.
int ExecSibling(const char* name, char** argv);

}  // namespace cli
}  // namespace chantless

#endif  // CHANTLESS_CLI_USAGE_H_
