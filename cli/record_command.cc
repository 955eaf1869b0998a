// The recording family of `chantless` commands:
//
//   chantless record --upstream URL --out FILE [--port 0] [--port-file F] [--name N] [--docs D]
//                    [--redact-key K]... [--redact-header H]... [--redact-account] [--latency]
//                    [--timeout-ms MS] [--max-connections N] [--idle-timeout SECONDS] [--resolve]
//     A redacting reverse proxy on 127.0.0.1 in front of URL (replay/recorder.h), on the server
//     core `chantless serve` uses: idle keep-alive connections of a pooled client cost no thread
//     (at most --max-connections open, 4096 by default; idle ones closed after --idle-timeout, 2 s
//     by default). Stops on SIGINT
//     or SIGTERM (or, with --resolve, once `chantless resolve` has run through it), redacts every
//     exchange (replay/redact.h), writes FILE atomically, re-reads and verifies it; a finding
//     deletes FILE and exits 1. Nothing recorded: exit 1, FILE untouched.
//     --resolve points `chantless resolve` at the proxy: container mode when
//     AWS_CONTAINER_CREDENTIALS_FULL_URI / _RELATIVE_URI is set (the URI's path is kept, the host
//     becomes the proxy), IMDS mode (AWS_EC2_METADATA_SERVICE_ENDPOINT) otherwise. Its stdout (the
//     credentials) is discarded.
//   chantless record --https-proxy --out FILE --ca-out CA.pem [--port 0] [--port-file F]
//                    [--ca-bundle PEM] [--connect-to HOST:PORT=IP:PORT]... [same redaction options]
//     A recording forward proxy for https clients (HTTPS_PROXY=http://127.0.0.1:PORT, CA.pem
//     trusted: AWS_CA_BUNDLE, NODE_EXTRA_CA_CERTS, SSL_CERT_FILE): intercepts each CONNECT tunnel
//     with a certificate for its host from a throwaway CA written to CA.pem, forwards every request
//     unchanged (Host included, so SigV4 signatures stay valid) to the real host, verified against
//     --ca-bundle, else AWS_CA_BUNDLE, else the system store. --connect-to (tests) sends a host's
//     traffic to a loopback address while still checking the host's name. Stops and writes as
//     above; signed exchanges are re-signed with fake keys declared in sigv4_keys.
//   chantless verify <transcript|dir>...
//     Schema validation plus secret scan (replay/verify.h); exit 0 clean, 1 findings or errors.
//   chantless import --from har|dvr FILE --out TRANSCRIPT [--name N] [--docs D]
//                    [--recorded-at RFC3339] [--redact-key K]... [--redact-header H]...
//                    [--redact-account]
//     HAR 1.2 or smithy-rs DVR NetworkTraffic V0 → redacted, verified transcript.
//   chantless export --to har TRANSCRIPT [--out FILE] [--endpoint URL]
//     Transcript → HAR 1.2 (stdout when --out is absent or "-").
// Exit codes: 0 success, 1 no result (nothing recorded, verification failed), 2 bad usage or input.
// Secrets never reach stdout/stderr: only method, path, status, timings and masked findings.
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/usage.h"
#include "replay/har.h"
#include "replay/recorder.h"
#include "replay/recording.h"
#include "replay/redact.h"
#include "replay/transcript.h"
#include "replay/verify.h"
#include "resolver/core/ascii.h"
#include "resolver/core/time_util.h"

extern char** environ;

namespace chantless {
namespace cli {
namespace {

using replay::VerifyReport;

constexpr char kRecordUsage[] =
    "usage: chantless record --upstream URL --out FILE [--port 0] [--port-file F] [--name N]\n"
    "         [--docs D] [--redact-key K]... [--redact-header H]... [--redact-account]\n"
    "         [--latency] [--timeout-ms MS] [--max-connections N] [--idle-timeout SECONDS]\n"
    "         [--resolve]\n"
    "       chantless record --https-proxy --out FILE --ca-out CA.pem [--port 0] [--port-file F]\n"
    "         [--ca-bundle PEM] [--connect-to HOST:PORT=IP:PORT]... [--name N] [--docs D]\n"
    "         [--redact-key K]... [--redact-header H]... [--redact-account] [--latency]\n"
    "         [--timeout-ms MS] [--max-connections N] [--idle-timeout SECONDS]\n";
constexpr char kVerifyUsage[] = "usage: chantless verify <transcript|dir>...\n";
constexpr char kImportUsage[] =
    "usage: chantless import --from har|dvr FILE --out TRANSCRIPT [--name N] [--docs D]\n"
    "         [--recorded-at RFC3339] [--redact-key K]... [--redact-header H]... "
    "[--redact-account]\n";
constexpr char kExportUsage[] =
    "usage: chantless export --to har TRANSCRIPT [--out FILE] [--endpoint URL]\n";

int Usage(const char* usage, const std::string& problem) {
  if (!problem.empty()) std::fprintf(stderr, "chantless: %s\n", problem.c_str());
  std::fputs(usage, stderr);
  return 2;
}

// Flags with a value (repeatable ones collect every value), boolean flags, positionals.
struct Parsed {
  std::map<std::string, std::vector<std::string>> values;
  std::map<std::string, bool> flags;
  std::vector<std::string> positionals;
  std::string error;

  std::string Get(const std::string& name, const std::string& fallback = "") const {
    auto it = values.find(name);
    return it == values.end() || it->second.empty() ? fallback : it->second.back();
  }
  std::vector<std::string> All(const std::string& name) const {
    auto it = values.find(name);
    return it == values.end() ? std::vector<std::string>{} : it->second;
  }
  bool Flag(const std::string& name) const { return flags.count(name) > 0; }
};

Parsed Parse(const Args& args, const std::vector<std::string>& with_value,
             const std::vector<std::string>& boolean) {
  Parsed p;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0 || a == "-") {
      p.positionals.push_back(a);
      continue;
    }
    std::string name = a;
    std::string value;
    bool inline_value = false;
    size_t eq = a.find('=');
    if (eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      inline_value = true;
    }
    if (std::find(boolean.begin(), boolean.end(), name) != boolean.end() && !inline_value) {
      p.flags[name] = true;
    } else if (std::find(with_value.begin(), with_value.end(), name) != with_value.end()) {
      if (!inline_value) {
        if (i + 1 >= args.size()) {
          p.error = name + " needs a value";
          return p;
        }
        value = args[++i];
      }
      p.values[name].push_back(value);
    } else {
      p.error = "unknown option " + name;
      return p;
    }
  }
  return p;
}

replay::RedactOptions RedactOptionsFrom(const Parsed& p) {
  replay::RedactOptions options;
  options.json_keys = p.All("--redact-key");
  options.header_names = p.All("--redact-header");
  options.redact_account = p.Flag("--redact-account");
  return options;
}

// "fixtures/ec2/new.json" → "ec2/new".
std::string NameFromPath(std::string path) {
  size_t f = path.rfind("fixtures/");
  if (f != std::string::npos) path = path.substr(f + 9);
  if (path.size() > 5 && path.compare(path.size() - 5, 5, ".json") == 0)
    path.resize(path.size() - 5);
  return path.empty() ? "recorded" : path;
}

void PrintReport(const VerifyReport& report) {
  for (const std::string& e : report.errors) std::fprintf(stderr, "error: %s\n", e.c_str());
  for (const replay::Finding& f : report.findings) {
    std::fprintf(stderr, "secret: %s\n", f.ToString().c_str());
  }
}

// Redacts, builds and writes; prints the outcome. Returns the exit code.
int WriteRedacted(std::vector<replay::CapturedExchange> exchanges,
                  const replay::RedactOptions& redact, const replay::RecordingInfo& info,
                  const std::string& out, const char* verb) {
  if (exchanges.empty()) {
    std::fprintf(stderr, "chantless %s: nothing to write (no exchange); %s left untouched\n", verb,
                 out.c_str());
    return 1;
  }
  replay::Redactor redactor(redact);
  redactor.RedactAll(&exchanges);
  std::vector<std::string> not_resigned;
  replay::RecordingInfo signed_info = info;
  signed_info.sigv4_keys = replay::ResignSigV4Exchanges(&exchanges, &not_resigned);
  for (const std::string& line : not_resigned) {
    std::fprintf(stderr, "chantless %s: %s\n", verb, line.c_str());
  }
  StatusOr<replay::Transcript> transcript = replay::BuildTranscript(exchanges, signed_info);
  if (!transcript.ok()) {
    std::fprintf(stderr, "chantless %s: %s\n", verb, transcript.status().message().c_str());
    return 1;
  }
  VerifyReport report;
  Status written = replay::WriteVerifiedTranscript(*transcript, out, &report);
  if (!written.ok()) {
    PrintReport(report);
    std::fprintf(stderr, "chantless %s: %s\n", verb, written.message().c_str());
    return 1;
  }
  std::fprintf(stderr,
               "chantless %s: wrote %s (%zu exchanges, %zu secrets replaced by placeholders); "
               "verify passed\n",
               verb, out.c_str(), transcript->exchanges.size(), redactor.secret_count());
  return 0;
}

std::string PathOfUri(const std::string& uri) {
  size_t scheme = uri.find("://");
  if (scheme == std::string::npos) return uri;
  size_t slash = uri.find('/', scheme + 3);
  return slash == std::string::npos ? "/" : uri.substr(slash);
}

// Runs `chantless resolve --format process` (this binary) against the proxy; returns its exit
// code, or -1 when it could not be started. Its stdout (credentials) goes to /dev/null.
int RunResolveThrough(int port) {
  std::vector<std::string> env;
  std::string container_path;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    std::string key = kv.substr(0, kv.find('='));
    std::string value = kv.find('=') == std::string::npos ? "" : kv.substr(kv.find('=') + 1);
    if (key == "AWS_CONTAINER_CREDENTIALS_FULL_URI") {
      container_path = PathOfUri(value);
      continue;
    }
    if (key == "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
      container_path = value;
      continue;
    }
    if (key == "AWS_EC2_METADATA_SERVICE_ENDPOINT") continue;
    env.push_back(kv);
  }
  std::string proxy = "http://127.0.0.1:" + std::to_string(port);
  if (!container_path.empty()) {
    env.push_back("AWS_CONTAINER_CREDENTIALS_FULL_URI=" + proxy + container_path);
    std::fprintf(stderr, "chantless record: resolving through the proxy (container mode)\n");
  } else {
    env.push_back("AWS_EC2_METADATA_SERVICE_ENDPOINT=" + proxy + "/");
    std::fprintf(stderr, "chantless record: resolving through the proxy (IMDS mode)\n");
  }
  std::vector<char*> envp;
  for (std::string& kv : env) envp.push_back(kv.data());
  envp.push_back(nullptr);
  // `resolve` runs in the `chantless` binary beside this one (cli/usage.h).
  std::string self = SiblingBinary(kMainBinary, nullptr);
  std::vector<std::string> argv_s = {"chantless", "resolve", "--format", "process"};
  std::vector<char*> argv;
  for (std::string& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  pid_t pid;
  int rc = posix_spawn(&pid, self.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// --port, --timeout-ms, --max-connections and --idle-timeout into `options`; returns the usage
// problem, empty when fine.
std::string RecorderOptionsFrom(const Parsed& p, replay::RecorderOptions* options) {
  try {
    options->port = std::stoi(p.Get("--port", "0"));
    options->upstream_timeout = std::chrono::milliseconds(std::stoi(p.Get("--timeout-ms", "5000")));
    options->max_connections = std::stoi(p.Get("--max-connections", "4096"));
    options->idle_timeout =
        std::chrono::milliseconds(std::llround(std::stod(p.Get("--idle-timeout", "2")) * 1000));
  } catch (...) {
    return "--port, --timeout-ms, --max-connections and --idle-timeout take numbers";
  }
  if (options->port < 0 || options->port > 65535 || options->upstream_timeout.count() <= 0 ||
      options->max_connections < 1 || options->idle_timeout.count() <= 0) {
    return "--port, --timeout-ms, --max-connections or --idle-timeout out of range";
  }
  return "";
}

}  // namespace

// Longer than the other commands: it is one sequence (check the options, start the proxy, announce
// it, wait for the stop signal or the resolve run, write); each step that has detail is a helper
// above.
int RunRecord(const Args& args) {
  Parsed p = Parse(args,
                   {"--upstream", "--out", "--port", "--port-file", "--name", "--docs",
                    "--redact-key", "--redact-header", "--timeout-ms", "--max-connections",
                    "--idle-timeout", "--ca-out", "--ca-bundle", "--connect-to"},
                   {"--redact-account", "--resolve", "--latency", "--https-proxy", "--help"});
  if (p.Flag("--help")) {
    std::fputs(kRecordUsage, stdout);
    return 0;
  }
  if (!p.error.empty()) return Usage(kRecordUsage, p.error);
  if (!p.positionals.empty()) return Usage(kRecordUsage, "unexpected argument " + p.positionals[0]);
  std::string upstream = p.Get("--upstream");
  std::string out = p.Get("--out");
  const bool https_proxy = p.Flag("--https-proxy");
  if (https_proxy) {
    if (!upstream.empty()) {
      return Usage(kRecordUsage, "--https-proxy and --upstream are two modes; give one");
    }
    if (p.Get("--ca-out").empty() || out.empty()) {
      return Usage(kRecordUsage, "--https-proxy needs --out and --ca-out");
    }
    if (p.Flag("--resolve")) return Usage(kRecordUsage, "--resolve needs --upstream");
  } else {
    if (upstream.empty() || out.empty())
      return Usage(kRecordUsage, "--upstream (or --https-proxy) and --out are required");
    if (!p.Get("--ca-out").empty() || !p.Get("--ca-bundle").empty() ||
        !p.All("--connect-to").empty()) {
      return Usage(kRecordUsage, "--ca-out, --ca-bundle and --connect-to need --https-proxy");
    }
  }

  // Fail before recording, not after: the traffic could not be recorded again.
  std::string out_dir =
      out.find('/') == std::string::npos ? "." : out.substr(0, out.rfind('/') + 1);
  if (::access(out_dir.c_str(), W_OK) != 0) {
    return Usage(kRecordUsage, "--out " + out + ": directory " + out_dir + " is not writable");
  }

  replay::RecorderOptions options;
  options.upstream = upstream;
  if (https_proxy) {
    options.https_proxy = true;
    options.ca_out = p.Get("--ca-out");
    const char* bundle = std::getenv("AWS_CA_BUNDLE");
    options.upstream_ca_bundle = p.Get("--ca-bundle", bundle != nullptr ? bundle : "");
    for (const std::string& rule : p.All("--connect-to")) {
      size_t eq = rule.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == rule.size() || rule.find(':') > eq ||
          rule.find(':', eq) == std::string::npos) {
        return Usage(kRecordUsage, "--connect-to " + rule + ": expected HOST:PORT=IP:PORT");
      }
      options.connect_to[AsciiLower(rule.substr(0, eq))] = rule.substr(eq + 1);
    }
  }
  const std::string problem = RecorderOptionsFrom(p, &options);
  if (!problem.empty()) return Usage(kRecordUsage, problem);
  options.log = [](const std::string& line) {
    std::fprintf(stderr, "chantless record: %s\n", line.c_str());
  };

  // Block the stop signals before any thread starts, so only sigwait() below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  replay::Recorder recorder(options);
  Status started = recorder.Start();
  if (!started.ok()) {
    std::fprintf(stderr, "chantless record: %s\n", started.message().c_str());
    return 2;
  }
  replay::RecordingInfo info;
  info.recorded_at = std::chrono::system_clock::now();
  info.name = p.Get("--name", NameFromPath(out));
  info.docs =
      p.Get("--docs", https_proxy ? std::string("Recorded with chantless record --https-proxy.")
                                  : "Recorded with chantless record from " + upstream + ".");
  info.latency = p.Flag("--latency");

  std::string port_file = p.Get("--port-file");
  if (!port_file.empty()) {
    Status s = replay::WriteFileAtomically(port_file, std::to_string(recorder.port()) + "\n");
    if (!s.ok()) {
      std::fprintf(stderr, "chantless record: %s\n", s.message().c_str());
      return 2;
    }
  }
  if (https_proxy) {
    std::fprintf(stderr,
                 "chantless record: https forward proxy on http://127.0.0.1:%d/ (CA: %s)\n"
                 "  point a client at it, e.g. HTTPS_PROXY=http://127.0.0.1:%d "
                 "AWS_CA_BUNDLE=%s;\n"
                 "  Ctrl-C (SIGINT) or SIGTERM stops and writes %s\n",
                 recorder.port(), options.ca_out.c_str(), recorder.port(), options.ca_out.c_str(),
                 out.c_str());
  } else {
    std::fprintf(
        stderr,
        "chantless record: proxy on http://127.0.0.1:%d/ -> %s\n"
        "  point a client at it, e.g. AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:%d/\n"
        "  or AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:%d/<path>;\n"
        "  Ctrl-C (SIGINT) or SIGTERM stops and writes %s\n",
        recorder.port(), upstream.c_str(), recorder.port(), recorder.port(), out.c_str());
  }

  int exit_code = 0;
  if (p.Flag("--resolve")) {
    int rc = RunResolveThrough(recorder.port());
    if (rc != 0) {
      std::fprintf(stderr, "chantless record: chantless resolve exited %d\n", rc);
      exit_code = rc < 0 ? 2 : 1;
    }
  } else {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    std::fprintf(stderr, "chantless record: %s received, writing %s\n",
                 sig == SIGINT ? "SIGINT" : "SIGTERM", out.c_str());
  }
  recorder.Stop();
  int written = WriteRedacted(recorder.TakeExchanges(), RedactOptionsFrom(p), info, out, "record");
  return written != 0 ? written : exit_code;
}

int RunVerify(const Args& args) {
  if (args.empty()) return Usage(kVerifyUsage, "name at least one transcript or directory");
  if (args[0] == "--help") {
    std::fputs(kVerifyUsage, stdout);
    return 0;
  }
  VerifyReport report;
  for (const std::string& path : args) replay::VerifyPath(path, &report);
  PrintReport(report);
  std::printf("verify: %d files, %d transcripts, %zu errors, %zu secrets\n", report.files_checked,
              report.transcripts_loaded, report.errors.size(), report.findings.size());
  return report.ok() ? 0 : 1;
}

int RunImport(const Args& args) {
  Parsed p = Parse(
      args,
      {"--from", "--out", "--name", "--docs", "--recorded-at", "--redact-key", "--redact-header"},
      {"--redact-account", "--help"});
  if (p.Flag("--help")) {
    std::fputs(kImportUsage, stdout);
    return 0;
  }
  if (!p.error.empty()) return Usage(kImportUsage, p.error);
  std::string from = p.Get("--from");
  std::string out = p.Get("--out");
  if ((from != "har" && from != "dvr") || p.positionals.size() != 1 || out.empty()) {
    return Usage(kImportUsage, "need --from har|dvr, one input file and --out");
  }
  const std::string& input = p.positionals[0];
  std::ifstream in(input, std::ios::binary);
  if (!in) return Usage(kImportUsage, input + ": cannot read");
  std::ostringstream buf;
  buf << in.rdbuf();
  StatusOr<replay::ImportedTraffic> traffic =
      from == "har" ? replay::ImportHar(buf.str(), input) : replay::ImportDvr(buf.str(), input);
  if (!traffic.ok()) {
    std::fprintf(stderr, "chantless import: %s\n", traffic.status().message().c_str());
    return 2;
  }
  replay::RecordingInfo info;
  info.name = p.Get("--name", NameFromPath(out));
  info.docs = p.Get("--docs", traffic->docs.empty() ? "Imported from " + from + " " + input + "."
                                                    : traffic->docs);
  std::string recorded_at = p.Get("--recorded-at");
  if (!recorded_at.empty()) {
    StatusOr<WallTime> t = ParseRfc3339(recorded_at);
    if (!t.ok()) return Usage(kImportUsage, "--recorded-at: " + t.status().message());
    info.recorded_at = *t;
  } else if (traffic->recorded_at) {
    info.recorded_at = *traffic->recorded_at;
  } else {
    info.recorded_at = std::chrono::system_clock::now();
  }
  return WriteRedacted(std::move(traffic->exchanges), RedactOptionsFrom(p), info, out, "import");
}

int RunExport(const Args& args) {
  Parsed p = Parse(args, {"--to", "--out", "--endpoint"}, {"--help"});
  if (p.Flag("--help")) {
    std::fputs(kExportUsage, stdout);
    return 0;
  }
  if (!p.error.empty()) return Usage(kExportUsage, p.error);
  if (p.Get("--to") != "har" || p.positionals.size() != 1) {
    return Usage(kExportUsage, "need --to har and one transcript");
  }
  StatusOr<replay::Transcript> transcript = replay::LoadTranscriptFile(p.positionals[0]);
  if (!transcript.ok()) {
    std::fprintf(stderr, "chantless export: %s\n", transcript.status().message().c_str());
    return 2;
  }
  std::string har = replay::ExportHar(*transcript, p.Get("--endpoint", "http://169.254.169.254"));
  std::string out = p.Get("--out", "-");
  std::vector<replay::Finding> findings = replay::ScanDocument(har, out);
  if (!findings.empty()) {
    for (const replay::Finding& f : findings) {
      std::fprintf(stderr, "secret: %s\n", f.ToString().c_str());
    }
    std::fprintf(stderr, "chantless export: refusing to write secrets; run chantless verify\n");
    return 1;
  }
  if (out == "-") {
    std::fwrite(har.data(), 1, har.size(), stdout);
    return 0;
  }
  Status s = replay::WriteFileAtomically(out, har);
  if (!s.ok()) {
    std::fprintf(stderr, "chantless export: %s\n", s.message().c_str());
    return 1;
  }
  std::fprintf(stderr, "chantless export: wrote %s (%zu entries)\n", out.c_str(),
               transcript->exchanges.size());
  return 0;
}

}  // namespace cli
}  // namespace chantless
