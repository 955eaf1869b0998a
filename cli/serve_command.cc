// `chantless serve <transcript> [--port 0] [--port-file F] [--bind HOST] [--strict] [--log-json]
// [--now RFC3339] [--shift SECONDS]`: replays a transcript on a real socket for real AWS clients.
//
// Binds 127.0.0.1 unless --bind says otherwise (0.0.0.0 only when asked). Once the socket is bound
// it writes the port to --port-file atomically (temporary file + rename, so a reader never sees a
// partial number) and "chantless serve: <name> on http://HOST:PORT/" to stderr. Each exchange is
// one line on stdout (JSON with --log-json). On SIGINT or SIGTERM it prints one summary line on
// stderr ("chantless serve: served 6 requests on 2 connections", the replay::Server counters: the
// verdict endpoint is not counted; "(3 accepted)" is added when connections that carried no
// request were accepted), with --log-json also the same as one JSON line on stdout,
// {"summary":{"requests":6,"connections":2,"accepted_connections":2}} (no "event" key: it is not
// an exchange), then the verdict (text, or JSON with --log-json), and exits 0 when the verdict
// passes, 1 when it fails; 2 on bad usage or a transcript that does not load.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

#include "cli/commands.h"
#include "replay/engine.h"
#include "replay/server.h"
#include "replay/transcript.h"
#include "resolver/core/time_util.h"

namespace chantless {
namespace cli {
namespace {

constexpr char kUsage[] =
    "usage: chantless serve <transcript.json> [--port N] [--port-file F] [--bind HOST] [--strict]\n"
    "                       [--log-json] [--now RFC3339] [--shift SECONDS]\n";

int Usage(const std::string& problem) {
  std::fprintf(stderr, "chantless serve: %s\n%s", problem.c_str(), kUsage);
  return 2;
}

bool ParseInt(const std::string& text, long lo, long hi, long* out) {
  if (text.empty()) return false;
  char* end = nullptr;
  long v = std::strtol(text.c_str(), &end, 10);
  if (*end != '\0' || v < lo || v > hi) return false;
  *out = v;
  return true;
}

std::string Plural(int64_t n, const char* noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

bool WritePortFile(const std::string& path, int port) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f) return false;
  bool ok = std::fprintf(f, "%d\n", port) > 0;
  ok = (std::fclose(f) == 0) && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

}  // namespace

int RunServe(const Args& args) {
  std::string transcript_path, port_file;
  replay::ServerOptions server_options;
  replay::EngineOptions engine_options;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= args.size()) return false;
      *out = args[++i];
      return true;
    };
    std::string v;
    long n = 0;
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--strict") {
      server_options.strict = true;
    } else if (a == "--log-json") {
      server_options.log_json = true;
    } else if (a == "--port") {
      if (!value(&v) || !ParseInt(v, 0, 65535, &n)) return Usage("--port needs 0..65535");
      server_options.port = int(n);
    } else if (a == "--port-file") {
      if (!value(&port_file) || port_file.empty()) return Usage("--port-file needs a path");
    } else if (a == "--bind") {
      if (!value(&server_options.bind) || server_options.bind.empty()) {
        return Usage("--bind needs an address");
      }
    } else if (a == "--now") {
      if (!value(&v)) return Usage("--now needs an RFC 3339 instant");
      StatusOr<WallTime> now = ParseRfc3339(v);
      if (!now.ok()) return Usage("--now: " + now.status().message());
      engine_options.now = *now;
    } else if (a == "--shift") {
      if (!value(&v) || !ParseInt(v, -3153600000L, 3153600000L, &n)) {
        return Usage("--shift needs whole seconds");
      }
      engine_options.shift = std::chrono::seconds(n);
    } else if (!a.empty() && a[0] == '-') {
      return Usage("unknown option " + a);
    } else if (transcript_path.empty()) {
      transcript_path = a;
    } else {
      return Usage("one transcript only");
    }
  }
  if (transcript_path.empty()) return Usage("missing transcript");

  StatusOr<replay::Transcript> transcript = replay::LoadTranscriptFile(transcript_path);
  if (!transcript.ok()) {
    std::fprintf(stderr, "chantless serve: %s\n", transcript.status().message().c_str());
    return 2;
  }
  const std::string name = transcript->name;
  replay::Engine engine(std::move(transcript).value(), engine_options);

  std::mutex out_mu;
  server_options.log = [&out_mu](const std::string& line) {
    std::lock_guard<std::mutex> lock(out_mu);
    std::fprintf(stdout, "%s\n", line.c_str());
    std::fflush(stdout);
  };

  // Block SIGINT/SIGTERM before any server thread exists (threads inherit the mask), then wait
  // for them synchronously here.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  replay::Server server(&engine, server_options);
  StatusOr<int> port = server.Start();
  if (!port.ok()) {
    std::fprintf(stderr, "chantless serve: %s\n", port.status().message().c_str());
    return 2;
  }
  if (!port_file.empty() && !WritePortFile(port_file, *port)) {
    std::fprintf(stderr, "chantless serve: cannot write --port-file %s\n", port_file.c_str());
    server.Stop();
    return 2;
  }
  std::fprintf(stderr, "chantless serve: %s on http://%s:%d/ (verdict: GET /__chantless/verdict)\n",
               name.c_str(), server_options.bind.c_str(), *port);

  int sig = 0;
  sigwait(&signals, &sig);
  server.Stop();
  const int64_t requests = server.requests();
  const int64_t connections = server.connections();
  const int64_t accepted = server.accepted_connections();
  std::string summary = "chantless serve: served " + Plural(requests, "request") + " on " +
                        Plural(connections, "connection");
  if (accepted != connections) summary += " (" + std::to_string(accepted) + " accepted)";
  std::fprintf(stderr, "%s\n", summary.c_str());
  replay::Verdict verdict = engine.GetVerdict();
  {
    std::lock_guard<std::mutex> lock(out_mu);
    if (server_options.log_json) {
      std::fprintf(stdout,
                   "{\"summary\":{\"requests\":%lld,\"connections\":%lld,"
                   "\"accepted_connections\":%lld}}\n",
                   static_cast<long long>(requests), static_cast<long long>(connections),
                   static_cast<long long>(accepted));
      std::fprintf(stdout, "%s\n", verdict.ToJson().c_str());
    } else {
      std::fprintf(stdout, "%s", verdict.ToText().c_str());
    }
    std::fflush(stdout);
  }
  return verdict.ok ? 0 : 1;
}

}  // namespace cli
}  // namespace chantless
