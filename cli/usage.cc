// The verb table and the help text (see usage.h).
#include "cli/usage.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace chantless {
namespace cli {

const VerbInfo kVerbs[] = {
    {"resolve",
     "resolve credentials through the default chain [--profile P] [--format process|env|"
     "env-no-export|json] [--debug] [--explain]",
     false},
    {"region", "resolve the region as the AWS CLI does [--explain]", false},
    {"imds", "read instance metadata: imds get <path> | imds ls [path]", false},
    {"serve",
     "replay a transcript on 127.0.0.1: serve <transcript> [--port 0] [--port-file F] [--strict]\n"
     "           [--log-json] [--now RFC3339] [--shift S] [--bind HOST]; verdict on "
     "SIGINT/SIGTERM",
     true},
    {"record", "record a transcript through a redacting proxy: record --upstream URL --out FILE",
     true},
    {"verify", "validate transcripts and scan them for secrets: verify <file|dir>...", true},
    {"import", "import --from har|dvr <file> --out <transcript>", true},
    {"export", "export --to har <transcript> --out <file>", true},
    {nullptr, nullptr, false},
};

const VerbInfo* FindVerb(const char* name) {
  for (const VerbInfo* v = kVerbs; v->name != nullptr; ++v) {
    if (std::strcmp(v->name, name) == 0) return v;
  }
  return nullptr;
}

std::string SiblingBinary(const char* name, const char* argv0) {
  char buffer[4096];
  const ssize_t n = readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  std::string path = n > 0 ? std::string(buffer, size_t(n)) : std::string(argv0 ? argv0 : "");
  const size_t slash = path.rfind('/');
  return (slash == std::string::npos ? std::string("./") : path.substr(0, slash + 1)) + name;
}

int ExecSibling(const char* name, char** argv) {
  const std::string path = SiblingBinary(name, argv[0]);
  execv(path.c_str(), argv);
  std::fprintf(stderr, "chantless: \"%s\" runs in %s, which could not be started: %s\n", argv[1],
               path.c_str(), std::strerror(errno));
  return 2;
}

void PrintUsage(std::FILE* out) {
  std::fprintf(out,
               "usage: chantless <command> [options]\n       chantless --version\n\ncommands:\n");
  for (const VerbInfo* v = kVerbs; v->name != nullptr; ++v) {
    std::fprintf(out, "  %-8s %s\n", v->name, v->summary);
  }
}

std::optional<int> DispatchCommon(int argc, char** argv, bool replay_binary, const char* version,
                                  const VerbInfo** verb) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
      std::strcmp(argv[1], "help") == 0) {
    PrintUsage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (std::strcmp(argv[1], "--version") == 0 || std::strcmp(argv[1], "version") == 0) {
    std::printf("chantless %s\n", version);
    return 0;
  }
  *verb = FindVerb(argv[1]);
  if (*verb == nullptr) {
    std::fprintf(stderr, "chantless: unknown command \"%s\"\n\n", argv[1]);
    PrintUsage(stderr);
    return 2;
  }
  if ((*verb)->replay != replay_binary) {
    return ExecSibling(replay_binary ? kMainBinary : kReplayBinary, argv);
  }
  return std::nullopt;
}

}  // namespace cli
}  // namespace chantless
