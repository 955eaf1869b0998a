// `chantless serve <transcript> [--port 0] [--port-file F] [--bind HOST] [--strict] [--log-json]
// [--now RFC3339] [--shift SECONDS] [--max-connections N] [--idle-timeout SECONDS]`: replays a
// transcript on a real socket for real AWS clients.
//
// Idle keep-alive connections cost the server no thread (replay/connection_server.h): any number
// of them below --max-connections (4096 by default; the longest-idle one is closed to make room)
// leaves a new client unaffected; an idle connection is closed after --idle-timeout (2 s by
// default, fractions allowed).
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
//
// --tls adds a second listener on the same engine (--tls-port, 0 by default) that speaks HTTPS:
// with --tls-cert F --tls-key F the user's certificate, else a throwaway CA made at start-up
// (written to --ca-out F, which --tls then requires) and one server certificate whose
// subjectAltNames are every host the transcript's exchanges name, localhost, 127.0.0.1 and ::1.
// Exchanges are routed by the Host header (or the SNI name); the plain listener keeps serving
// IMDS/container exchanges. The port file then holds two lines, the plain port then the TLS port;
// the start-up lines say how to trust the CA (AWS_CA_BUNDLE, NODE_EXTRA_CA_CERTS, SSL_CERT_FILE),
// and the summary names both ports.
//
// --hosts-file F writes the /etc/hosts lines that send the transcript's hosts to 127.0.0.1 (for a
// private namespace: tools/in_namespace.sh; never the machine's /etc/hosts), and --client-env F a
// shell-sourceable environment (replay/client_setup.h) with F.config and F.credentials beside it,
// F.web-identity-token-N for web identity profiles and F.home (the SSO token cache, and the HOME
// the environment sets) for SSO ones, all named by absolute path; they are written before the
// port file, so a script that waits for the port file finds them.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "replay/client_setup.h"
#include "replay/engine.h"
#include "replay/server.h"
#include "replay/tls_setup.h"
#include "replay/transcript.h"
#include "resolver/core/time_util.h"

namespace chantless {
namespace cli {
namespace {

constexpr char kUsage[] =
    "usage: chantless serve <transcript.json> [--port N] [--port-file F] [--bind HOST] [--strict]\n"
    "                       [--log-json] [--now RFC3339] [--shift SECONDS]\n"
    "                       [--max-connections N] [--idle-timeout SECONDS]\n"
    "                       [--tls [--tls-port N] (--ca-out F | --tls-cert F --tls-key F)]\n"
    "                       [--hosts-file F] [--client-env F]\n";

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

bool ParseSeconds(const std::string& text, double lo, double hi, double* out) {
  if (text.empty()) return false;
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (*end != '\0' || !(v >= lo && v <= hi)) return false;
  *out = v;
  return true;
}

std::string Plural(int64_t n, const char* noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

// `text` to `path` through a temporary file and a rename (a reader never sees it half written).
bool WriteFileAtomically(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f) return false;
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  ok = (std::fclose(f) == 0) && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

struct ServeConfig {
  std::string transcript_path;
  std::string port_file;
  bool tls = false;
  int tls_port = 0;
  std::string ca_out;
  std::string tls_cert;
  std::string tls_key;
  std::string hosts_file;
  std::string client_env;
  replay::ServerOptions server_options;
  replay::EngineOptions engine_options;
};

// Applies one option that takes a value; returns the usage problem, empty when fine.
std::string ApplyValueOption(const std::string& a, const std::string& v, ServeConfig* c) {
  long n = 0;
  double seconds = 0;
  if (a == "--port") {
    if (!ParseInt(v, 0, 65535, &n)) return "--port needs 0..65535";
    c->server_options.port = int(n);
  } else if (a == "--max-connections") {
    if (!ParseInt(v, 1, 1000000, &n)) return "--max-connections needs 1..1000000";
    c->server_options.max_connections = int(n);
  } else if (a == "--idle-timeout") {
    if (!ParseSeconds(v, 0.001, 86400, &seconds))
      return "--idle-timeout needs seconds, 0.001..86400";
    c->server_options.idle_timeout = std::chrono::milliseconds(std::llround(seconds * 1000));
  } else if (a == "--tls-port") {
    if (!ParseInt(v, 0, 65535, &n)) return "--tls-port needs 0..65535";
    c->tls_port = int(n);
  } else if (a == "--hosts-file" || a == "--client-env") {
    if (v.empty()) return a + " needs a path";
    (a == "--hosts-file" ? c->hosts_file : c->client_env) = v;
  } else if (a == "--ca-out" || a == "--tls-cert" || a == "--tls-key") {
    if (v.empty()) return a + " needs a path";
    (a == "--ca-out" ? c->ca_out : a == "--tls-cert" ? c->tls_cert : c->tls_key) = v;
  } else if (a == "--port-file") {
    if (v.empty()) return "--port-file needs a path";
    c->port_file = v;
  } else if (a == "--bind") {
    if (v.empty()) return "--bind needs an address";
    c->server_options.bind = v;
  } else if (a == "--now") {
    StatusOr<WallTime> now = ParseRfc3339(v);
    if (!now.ok()) return "--now: " + now.status().message();
    c->engine_options.now = *now;
  } else if (a == "--shift") {
    if (!ParseInt(v, -3153600000L, 3153600000L, &n)) return "--shift needs whole seconds";
    c->engine_options.shift = std::chrono::seconds(n);
  }
  return "";
}

// Parses the command line into `c`; returns -1 to go on, else the exit code (usage, --help).
int ParseServeArgs(const Args& args, ServeConfig* c) {
  static const char* const kWithValue[] = {
      "--port",    "--max-connections", "--idle-timeout", "--port-file", "--bind",
      "--now",     "--shift",           "--tls-port",     "--ca-out",    "--tls-cert",
      "--tls-key", "--hosts-file",      "--client-env"};
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--strict") {
      c->server_options.strict = true;
    } else if (a == "--log-json") {
      c->server_options.log_json = true;
    } else if (a == "--tls") {
      c->tls = true;
    } else if (std::find(std::begin(kWithValue), std::end(kWithValue), a) != std::end(kWithValue)) {
      if (i + 1 >= args.size()) return Usage(a + " needs a value");
      const std::string problem = ApplyValueOption(a, args[++i], c);
      if (!problem.empty()) return Usage(problem);
    } else if (!a.empty() && a[0] == '-') {
      return Usage("unknown option " + a);
    } else if (c->transcript_path.empty()) {
      c->transcript_path = a;
    } else {
      return Usage("one transcript only");
    }
  }
  if (c->transcript_path.empty()) return Usage("missing transcript");
  if (c->tls_cert.empty() != c->tls_key.empty())
    return Usage("give --tls-cert and --tls-key together");
  if (!c->tls && (!c->tls_cert.empty() || !c->ca_out.empty() || c->tls_port != 0)) {
    return Usage("--tls-port, --ca-out, --tls-cert and --tls-key need --tls");
  }
  if (c->tls && c->tls_cert.empty() && c->ca_out.empty()) {
    return Usage("--tls needs --ca-out F (where the throwaway CA goes) or --tls-cert/--tls-key");
  }
  if (c->tls && !c->tls_cert.empty() && !c->ca_out.empty()) {
    return Usage("--ca-out is for the throwaway CA: not with --tls-cert/--tls-key");
  }
  return -1;
}

// The summary line on stderr, then (under `out_mu`) the JSON summary with --log-json and the
// verdict on stdout.
void PrintSummaryAndVerdict(const replay::Server& server, const replay::Server* tls_server,
                            const replay::Verdict& verdict, bool log_json, std::mutex& out_mu) {
  int64_t requests = server.requests();
  int64_t connections = server.connections();
  int64_t accepted = server.accepted_connections();
  if (tls_server != nullptr) {
    requests += tls_server->requests();
    connections += tls_server->connections();
    accepted += tls_server->accepted_connections();
  }
  std::string summary = "chantless serve: served " + Plural(requests, "request") + " on " +
                        Plural(connections, "connection");
  if (accepted != connections) summary += " (" + std::to_string(accepted) + " accepted)";
  std::string ports_json;
  if (tls_server != nullptr) {
    summary += " (http port " + std::to_string(server.port()) + ", https port " +
               std::to_string(tls_server->port()) + ")";
    ports_json = ",\"ports\":{\"http\":" + std::to_string(server.port()) +
                 ",\"https\":" + std::to_string(tls_server->port()) + "}";
  }
  std::fprintf(stderr, "%s\n", summary.c_str());
  std::lock_guard<std::mutex> lock(out_mu);
  if (log_json) {
    std::fprintf(stdout,
                 "{\"summary\":{\"requests\":%lld,\"connections\":%lld,"
                 "\"accepted_connections\":%lld%s}}\n",
                 static_cast<long long>(requests), static_cast<long long>(connections),
                 static_cast<long long>(accepted), ports_json.c_str());
    std::fprintf(stdout, "%s\n", verdict.ToJson().c_str());
  } else {
    std::fprintf(stdout, "%s", verdict.ToText().c_str());
  }
  std::fflush(stdout);
}

}  // namespace

int RunServe(const Args& args) {
  ServeConfig config;
  const int parsed = ParseServeArgs(args, &config);
  if (parsed >= 0) return parsed;
  const std::string& transcript_path = config.transcript_path;
  const std::string& port_file = config.port_file;
  replay::ServerOptions& server_options = config.server_options;

  StatusOr<replay::Transcript> transcript = replay::LoadTranscriptFile(transcript_path);
  if (!transcript.ok()) {
    std::fprintf(stderr, "chantless serve: %s\n", transcript.status().message().c_str());
    return 2;
  }
  const std::string name = transcript->name;
  const std::vector<std::string> hosts = replay::TranscriptHostNames(*transcript);
  std::unique_ptr<replay::ServerTlsContext> tls;
  if (config.tls) {
    StatusOr<std::unique_ptr<replay::ServerTlsContext>> made =
        config.tls_cert.empty()
            ? replay::MakeThrowawayTls(hosts, {}, config.ca_out)
            : replay::ServerTlsContext::FromFiles(config.tls_cert, config.tls_key);
    if (!made.ok()) {
      std::fprintf(stderr, "chantless serve: %s\n", made.status().message().c_str());
      return 2;
    }
    tls = std::move(made).value();
  }
  replay::Engine engine(std::move(transcript).value(), config.engine_options);

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
  std::unique_ptr<replay::Server> tls_server;
  if (tls) {
    replay::ServerOptions tls_options = server_options;
    tls_options.port = config.tls_port;
    tls_options.tls_context = tls->get();
    tls_server = std::make_unique<replay::Server>(&engine, tls_options);
    StatusOr<int> tls_port = tls_server->Start();
    if (!tls_port.ok()) {
      std::fprintf(stderr, "chantless serve: TLS listener: %s\n",
                   tls_port.status().message().c_str());
      server.Stop();
      return 2;
    }
  }
  if (!config.hosts_file.empty() &&
      !WriteFileAtomically(config.hosts_file,
                           replay::HostsFileText(engine.transcript(), server_options.bind))) {
    std::fprintf(stderr, "chantless serve: cannot write --hosts-file %s\n",
                 config.hosts_file.c_str());
    server.Stop();
    if (tls_server) tls_server->Stop();
    return 2;
  }
  if (!config.client_env.empty()) {
    replay::ClientSetupInputs inputs;
    inputs.bind = server_options.bind;
    inputs.http_port = *port;
    inputs.https_port = tls_server ? tls_server->port() : 0;
    inputs.ca_path = config.ca_out;
    // The files beside F are named by absolute path, so F may be sourced from any directory
    // (HOME, above all, must not depend on the client's working directory).
    std::string beside = config.client_env;
    char cwd[4096];
    if (beside[0] != '/' && ::getcwd(cwd, sizeof cwd) != nullptr) {
      beside = std::string(cwd) + "/" + beside;
    }
    inputs.config_path = beside + ".config";
    inputs.credentials_path = beside + ".credentials";
    inputs.web_identity_token_prefix = beside + ".web-identity-token-";
    inputs.home_path = beside + ".home";
    Status written = replay::WriteClientFiles(engine.transcript(), inputs, config.client_env);
    if (!written.ok()) {
      std::fprintf(stderr, "chantless serve: --client-env: %s\n", written.message().c_str());
      server.Stop();
      if (tls_server) tls_server->Stop();
      return 2;
    }
  }
  std::string ports = std::to_string(*port) + "\n";
  if (tls_server) ports += std::to_string(tls_server->port()) + "\n";
  if (!port_file.empty() && !WriteFileAtomically(port_file, ports)) {
    std::fprintf(stderr, "chantless serve: cannot write --port-file %s\n", port_file.c_str());
    server.Stop();
    if (tls_server) tls_server->Stop();
    return 2;
  }
  std::string where = "http://" + server_options.bind + ":" + std::to_string(*port) + "/";
  if (tls_server) {
    where += " and https://" + server_options.bind + ":" + std::to_string(tls_server->port()) + "/";
  }
  std::fprintf(stderr, "chantless serve: %s on %s (verdict: GET /__chantless/verdict)\n",
               name.c_str(), where.c_str());
  if (tls_server) {
    std::string names;  // "a, b, " (followed by the fixed names) or empty
    for (const std::string& h : hosts) names += h + ", ";
    const std::string routed = names.empty() ? "" : names.substr(0, names.size() - 2) + " ";
    if (config.tls_cert.empty()) {
      std::fprintf(stderr,
                   "chantless serve: TLS certificate for %slocalhost, 127.0.0.1 and ::1, from a "
                   "throwaway CA written to %s; trust it with\n"
                   "  export AWS_CA_BUNDLE=%s NODE_EXTRA_CA_CERTS=%s SSL_CERT_FILE=%s\n",
                   names.c_str(), config.ca_out.c_str(), config.ca_out.c_str(),
                   config.ca_out.c_str(), config.ca_out.c_str());
    }
    if (!hosts.empty()) {
      std::fprintf(stderr,
                   "chantless serve: route %sto 127.0.0.1 in a private namespace "
                   "(tools/in_namespace.sh) rather than the machine's /etc/hosts\n",
                   routed.c_str());
    }
  }

  int sig = 0;
  sigwait(&signals, &sig);
  server.Stop();
  if (tls_server) tls_server->Stop();
  replay::Verdict verdict = engine.GetVerdict();
  PrintSummaryAndVerdict(server, tls_server.get(), verdict, server_options.log_json, out_mu);
  return verdict.ok ? 0 : 1;
}

}  // namespace cli
}  // namespace chantless
