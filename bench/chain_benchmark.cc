// chain_benchmark: the cache's and the chain's numbers, from one binary so that ratios come from
// one run.
//
//   BM_CachedGet*                 the hot path: CredentialsCache::Get() against the SDKs' ways of
//                                 guarding a cached credential (mutex / shared_mutex returning a
//                                 shared_ptr copy; mutex returning a string-copying value), at 1, 2
//                                 and 4 threads (UseRealTime: aggregate throughput is items/s).
//   BM_Parse_*                    the pure decoders, with bytes/second.
//   BM_ColdResolve_Container      ContainerProvider against the CloudShell transcript through the
//                                 in-process replay transport (no sockets); requests and
//                                 connections per resolution as counters.
//   BM_ColdResolve_Imds           ImdsProvider (token PUT, role discovery, credentials) against
//                                 ec2/imdsv2 through the same transport.
//   BM_ColdResolve_*_Loopback     the whole default chain, cold (a new DefaultHttpClient, so a new
//                                 connection, and a new chain per resolution), over real loopback
//                                 sockets against an in-process replay::Server on 127.0.0.1:0, or
//                                 against CHANTLESS_BENCH_IMDS_ENDPOINT /
//                                 CHANTLESS_BENCH_CONTAINER_ENDPOINT ("http://127.0.0.1:PORT", a
//                                 `chantless serve`, as bench/peers/run_peers.sh does). Counters:
//                                 requests per resolution (as the client sent them) and, with the
//                                 in-process server only, connections per resolution (as the
//                                 server accepted them: Server::connections() across the run over
//                                 the iterations). Against an external server there is no
//                                 connections counter: this process cannot see that server's
//                                 counts (`chantless serve` prints them when it stops).
//   BM_Refresh_Imds_Loopback      a warm ImdsProvider resolving again (token cached, role path
//                                 remembered, keep-alive): the cost, requests and (in-process
//                                 server only) new connections of one refresh.
//   BM_ColdResolve_ImdsExtended*  the same against ec2/imdsv2-extended (the extended role path, as
//                                 current IMDS serves it: 3 requests instead of the seed's 4).
//   BM_ColdResolve_ImdsExtended_BareServer, BM_ColdResolve_Container_BareServer
//                                 the same client and chain against a bare canned
//                                 server (one thread, blocking sockets, answers prepared from the
//                                 fixture, no HTTP parser, no transcript matching): the client's
//                                 own cost, without the replay server's.
//   BM_LoopbackRoundTrip/connect:0|1  the kernel's floor: one 200-byte request and 1,000-byte
//                                 response over loopback TCP between two threads, no HTTP
//                                 (connect:1 also opens and closes the connection each time).
//   BM_LoopbackRoundTrip_ServerAsleep/think_us:50  connect:1 against a server thread that has gone
//                                 to sleep in accept() (the client works 50 µs, untimed, between
//                                 iterations): the floor of a cold client's first exchange, whose
//                                 connect must wake its idle server. bench/floor_ratios.py divides
//                                 by both floors.
//   BM_NewClientWithIdleConnections/idle:0|100|1000  a new client's first request (connect, the
//                                 IMDSv2 token PUT, its answer, close) to an in-process
//                                 replay::Server of ec2/imdsv2-extended while that many idle
//                                 keep-alive connections are open to it (each made one request and
//                                 stays connected): idle connections must not cost a new client
//                                 anything. Compare with BM_LoopbackRoundTrip/connect:1.
//   BM_DefaultChain_NothingConfigured  the whole default chain with no variable, no file and
//                                 AWS_EC2_METADATA_DISABLED=true: must make zero requests.
//   BM_ColdResolve_AssumeRole_Tls  a role profile (role_arn + source_profile with static keys,
//                                 sts/assume-role-static-keys) through the whole default chain,
//                                 cold: profile files loaded, a new DefaultHttpClient, one
//                                 AssumeRole over a new TLS connection to a replay of STS.
//   BM_ColdResolve_AssumeRoleImds_Tls  the same with credential_source = Ec2InstanceMetadata
//                                 (sts/credential-source-imds): IMDS over plain HTTP, then
//                                 AssumeRole over TLS.
//   BM_ColdResolve_AssumeRole_Tls_NoTickets  the first against an in-process replay that sends
//                                 no TLS 1.3 session ticket (cpp-httplib sleeps 1 ms per ticket
//                                 record read before the response).
//   BM_Refresh_AssumeRole_Tls     a warm AssumeRoleProvider assuming the role again over the TLS
//                                 connection its first call left open.
//   BM_TlsHandshake_Loopback/new_ctx:0|1  connect + TLS handshake + close to the same STS replay,
//                                 no HTTP (new_ctx:1 also makes the SSL_CTX and loads the CA).
//                                 The STS rows use an in-process replay by default, or the
//                                 `chantless serve --tls` that CHANTLESS_BENCH_STS_CA_BUNDLE (and
//                                 CHANTLESS_BENCH_STS_ENDPOINT / CHANTLESS_BENCH_IMDS_ENDPOINT)
//                                 name, as bench/peers does; counters as for the loopback rows.
//
// Run with `./dev bench` (bazel run -c opt //bench:chain_benchmark). Debian's libbenchmark is a
// debug build and says so; that does not affect the timings of our code. `bench_smoke_test` runs
// every benchmark for one short iteration under `./dev test`.
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "replay/engine.h"
#include "replay/server.h"
#include "replay/tls_setup.h"
#include "replay/transcript.h"
#include "replay/transport.h"
#include "resolver/chain/credentials_cache.h"
#include "resolver/chain/default_chain.h"
#include "resolver/container/container_provider.h"
#include "resolver/core/clock.h"
#include "resolver/core/credentials.h"
#include "resolver/core/filesystem.h"
#include "resolver/core/time_util.h"
#include "resolver/http/credentials_json.h"
#include "resolver/http/default_http_client.h"
#include "resolver/imds/imds_provider.h"
#include "resolver/profile/assume_role_provider.h"
#include "resolver/profile/profile_config.h"
#include "resolver/testing/fakes.h"

namespace chantless {
namespace {

// The run's iteration count as the divisor of a per-iteration counter (at least 1).
double Iterations(const benchmark::State& state) {
  return static_cast<double>(std::max<int64_t>(1, state.iterations()));
}

Credentials SixHourCredentials(const Clock& clock) {
  Credentials c;
  c.access_key_id = "ASIAEXAMPLEBENCH0001";
  c.secret_access_key = Secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYBENCHEXAMPLEKEY");
  c.session_token = Secret(std::string(
      "IQoJb3JpZ2luX2VjEXAMPLEBENCHSESSIONTOKENEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLE"
      "EXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLE=="));
  c.expiration = clock.Now() + std::chrono::hours(6);
  c.provider = "iam-role";
  return c;
}

class StaticProvider : public CredentialsProvider {
 public:
  explicit StaticProvider(const Clock* clock) : clock_(clock) {}
  std::string Name() const override { return "static"; }
  StatusOr<Credentials> Resolve() override { return SixHourCredentials(*clock_); }

 private:
  const Clock* clock_;
};

// One cache shared by every thread of every BM_CachedGet run, with its background ticker running
// as in production.
CredentialsCache& SharedCache() {
  static SystemClock* clock = new SystemClock();
  static StaticProvider* provider = new StaticProvider(clock);
  static CredentialsCache* cache = [] {
    auto* c = new CredentialsCache(provider, clock);
    if (!c->Get().ok()) std::abort();
    return c;
  }();
  return *cache;
}

void BM_CachedGet(benchmark::State& state) {
  CredentialsCache& cache = SharedCache();
  for (auto _ : state) {
    StatusOr<const Credentials*> got = cache.Get();
    benchmark::DoNotOptimize(got);
    benchmark::DoNotOptimize((*got)->access_key_id.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CachedGet)->ThreadRange(1, 4)->UseRealTime();

// What aws-sdk-cpp / botocore-style caches do: a lock around a shared_ptr to the credentials,
// returning a copy of the shared_ptr (a refcount increment and decrement on a shared cache line).
struct MutexGuarded {
  std::mutex mu;
  std::shared_ptr<const Credentials> credentials;
  std::shared_ptr<const Credentials> Get() {
    std::lock_guard<std::mutex> lock(mu);
    return credentials;
  }
  Credentials GetCopy() {
    std::lock_guard<std::mutex> lock(mu);
    return *credentials;
  }
};

struct SharedMutexGuarded {
  std::shared_mutex mu;
  std::shared_ptr<const Credentials> credentials;
  std::shared_ptr<const Credentials> Get() {
    std::shared_lock<std::shared_mutex> lock(mu);
    return credentials;
  }
};

MutexGuarded& SharedMutexBaseline() {
  static MutexGuarded* m = [] {
    auto* g = new MutexGuarded();
    g->credentials = std::make_shared<const Credentials>(SixHourCredentials(SystemClock()));
    return g;
  }();
  return *m;
}

SharedMutexGuarded& SharedSharedMutexBaseline() {
  static SharedMutexGuarded* m = [] {
    auto* g = new SharedMutexGuarded();
    g->credentials = std::make_shared<const Credentials>(SixHourCredentials(SystemClock()));
    return g;
  }();
  return *m;
}

void BM_CachedGet_MutexBaseline(benchmark::State& state) {
  MutexGuarded& guarded = SharedMutexBaseline();
  for (auto _ : state) {
    std::shared_ptr<const Credentials> got = guarded.Get();
    benchmark::DoNotOptimize(got->access_key_id.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CachedGet_MutexBaseline)->ThreadRange(1, 4)->UseRealTime();

void BM_CachedGet_SharedMutexBaseline(benchmark::State& state) {
  SharedMutexGuarded& guarded = SharedSharedMutexBaseline();
  for (auto _ : state) {
    std::shared_ptr<const Credentials> got = guarded.Get();
    benchmark::DoNotOptimize(got->access_key_id.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CachedGet_SharedMutexBaseline)->ThreadRange(1, 4)->UseRealTime();

// Returning the credentials by value (three string copies), as several SDKs' getters do.
void BM_CachedGet_MutexCopyBaseline(benchmark::State& state) {
  MutexGuarded& guarded = SharedMutexBaseline();
  for (auto _ : state) {
    Credentials got = guarded.GetCopy();
    benchmark::DoNotOptimize(got.access_key_id.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CachedGet_MutexCopyBaseline)->ThreadRange(1, 4)->UseRealTime();

// --- parsers --------------------------------------------------------------------------------

constexpr char kImdsBody[] = R"({
  "Code" : "Success",
  "LastUpdated" : "2024-05-01T11:48:09Z",
  "Type" : "AWS-HMAC",
  "AccessKeyId" : "ASIAEXAMPLEIMDS00001",
  "SecretAccessKey" : "wJalrXUtnFEMI/K7MDENG/bPxRfiCYIMDSEXAMPLEKEY",
  "Token" : "IQoJb3JpZ2luX2VjEXAMPLEIMDSSESSIONTOKENEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLE==",
  "Expiration" : "2024-05-01T18:12:44Z"
})";

constexpr char kContainerBody[] =
    R"({"Type":"","AccessKeyId":"ASIAEXAMPLECLOUDSHEL","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/CLOUDSHELLEXAMPLEKEY",)"
    R"("Token":"IQoJb3JpZ2luX2VjEXAMPLECLOUDSHELLTOKENEXAMPLEEXAMPLEEXAMPLE==","Expiration":"2024-05-01T12:15:00Z",)"
    R"("Code":"Success","LastUpdated":"1970-01-01T00:00:00Z"})";

void BM_Parse_ImdsCredentials(benchmark::State& state) {
  const std::string_view body = kImdsBody;
  for (auto _ : state) {
    StatusOr<DecodedCredentials> decoded = DecodeImdsCredentials(body);
    if (!decoded.ok()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(decoded);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_Parse_ImdsCredentials);

void BM_Parse_ContainerCredentials(benchmark::State& state) {
  const std::string_view body = kContainerBody;
  for (auto _ : state) {
    StatusOr<DecodedCredentials> decoded = DecodeContainerCredentials(body);
    if (!decoded.ok()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(decoded);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_Parse_ContainerCredentials);

void BM_Parse_ContainerFullUri(benchmark::State& state) {
  const std::string_view uri =
      "http://localhost:1338/latest/meta-data/container/security-credentials";
  for (auto _ : state) {
    StatusOr<ContainerEndpoint> parsed =
        ParseContainerFullUri(uri, "AWS_CONTAINER_CREDENTIALS_FULL_URI", "");
    benchmark::DoNotOptimize(parsed);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(uri.size()));
}
BENCHMARK(BM_Parse_ContainerFullUri);

// --- cold resolution through the in-process replay transport ----------------------------------

// Fixtures are read from the runfiles tree (bazel run and bazel test both start there).
const replay::Transcript& Fixture(const char* path) {
  static std::map<std::string, replay::Transcript>* cache =
      new std::map<std::string, replay::Transcript>();
  auto it = cache->find(path);
  if (it == cache->end()) {
    StatusOr<replay::Transcript> loaded = replay::LoadTranscriptFile(path);
    if (!loaded.ok()) {
      std::fprintf(stderr, "chain_benchmark: %s\n", loaded.status().ToString().c_str());
      std::abort();
    }
    it = cache->emplace(path, std::move(loaded).value()).first;
  }
  return it->second;
}

// One cold resolution per iteration through the in-process replay of `fixture`: a fresh engine and
// transport (untimed), then a fresh provider made by `make_provider(ctx)` resolving (timed).
// Counters: requests and connections per resolution.
template <typename MakeProvider>
void ColdResolveInProcess(benchmark::State& state, const char* fixture,
                          const testing::FakeEnvironment& env, MakeProvider make_provider) {
  const replay::Transcript& transcript = Fixture(fixture);
  testing::FakeFilesystem fs;
  testing::FakeClock clock;
  int64_t requests = 0;
  int64_t connections = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto engine = std::make_unique<replay::Engine>(transcript, replay::OnClock(&clock));
    replay::Transport transport(engine.get(), &clock);
    const ProviderContext ctx = testing::WireContext(&env, &fs, &clock, &transport);
    state.ResumeTiming();

    auto provider = make_provider(ctx);
    StatusOr<Credentials> resolved = provider->Resolve();
    if (!resolved.ok()) {
      state.SkipWithError(resolved.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(resolved);

    state.PauseTiming();
    requests += transport.requests();
    connections += transport.connections();
    provider.reset();
    engine.reset();
    state.ResumeTiming();
  }
  const double n = Iterations(state);
  state.counters["requests"] = static_cast<double>(requests) / n;
  state.counters["connections"] = static_cast<double>(connections) / n;
}

void BM_ColdResolve_Container(benchmark::State& state) {
  testing::FakeEnvironment env;
  env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI",
          "http://localhost:1338/latest/meta-data/container/security-credentials");
  env.Set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "cloudshell-EXAMPLE-authorization-token-0000");
  ColdResolveInProcess(
      state, "fixtures/cloudshell/container.json", env,
      [](const ProviderContext& ctx) { return std::make_unique<ContainerProvider>(ctx); });
}
BENCHMARK(BM_ColdResolve_Container);

void BM_ColdResolve_Imds(benchmark::State& state) {
  testing::FakeEnvironment env;
  ColdResolveInProcess(state, "fixtures/ec2/imdsv2.json", env, [](const ProviderContext& ctx) {
    ImdsProviderOptions options;
    options.jitter_seed = 1;
    return std::make_unique<ImdsProvider>(ctx, options);
  });
}
BENCHMARK(BM_ColdResolve_Imds);

// The same against an instance that serves the extended role path (current IMDS): 3 requests.
void BM_ColdResolve_ImdsExtended(benchmark::State& state) {
  testing::FakeEnvironment env;
  ColdResolveInProcess(state, "fixtures/ec2/imdsv2-extended.json", env,
                       [](const ProviderContext& ctx) {
                         ImdsProviderOptions options;
                         options.jitter_seed = 1;
                         return std::make_unique<ImdsProvider>(ctx, options);
                       });
}
BENCHMARK(BM_ColdResolve_ImdsExtended);

// --- cold resolution over real loopback sockets ------------------------------------------------

// The fixture made endlessly replayable: every exchange its own family (no order between them) and
// no repeat limit. The recorded requests and responses are unchanged.
replay::Transcript Replayable(replay::Transcript t) {
  for (replay::Exchange& e : t.exchanges) {
    e.family = e.id;
    e.repeat.max = 1 << 30;
    e.repeat.min = 0;
    e.optional = true;
  }
  return t;
}

// An in-process replay server for `fixture` on 127.0.0.1:0, started once.
struct LoopbackServer {
  std::unique_ptr<replay::Engine> engine;
  std::unique_ptr<replay::Server> server;
  std::string endpoint;
};

LoopbackServer* StartLoopback(const char* fixture) {
  auto* s = new LoopbackServer();
  s->engine = std::make_unique<replay::Engine>(Replayable(Fixture(fixture)));
  replay::ServerOptions options;  // binds 127.0.0.1
  s->server = std::make_unique<replay::Server>(s->engine.get(), options);
  StatusOr<int> port = s->server->Start();
  if (!port.ok()) {
    std::fprintf(stderr, "chain_benchmark: %s\n", port.status().ToString().c_str());
    std::abort();
  }
  s->endpoint = "http://127.0.0.1:" + std::to_string(*port);
  return s;
}

// Where a loopback benchmark sends its requests: `server` is null when the endpoint is external.
struct LoopbackTarget {
  std::string endpoint;  // empty: `variable` is set but not http://127.0.0.1:…
  const replay::Server* server = nullptr;
};

// The endpoint from `variable` (only http://127.0.0.1:… is accepted), else an in-process server's.
LoopbackTarget Loopback(const char* variable, const char* fixture) {
  LoopbackTarget target;
  if (const char* from_env = std::getenv(variable)) {
    std::string e = from_env;
    if (e.rfind("http://127.0.0.1:", 0) != 0) return target;
    while (!e.empty() && e.back() == '/') e.pop_back();
    target.endpoint = e;
    return target;
  }
  static std::map<std::string, LoopbackServer*>* servers =
      new std::map<std::string, LoopbackServer*>();
  LoopbackServer*& s = (*servers)[fixture];
  if (s == nullptr) s = StartLoopback(fixture);
  target.endpoint = s->endpoint;
  target.server = s->server.get();
  return target;
}

// Counts the connections `server` saw from construction to Report(); no counter at all when
// there is no in-process server (an external one's counts are not visible here).
class ConnectionCounter {
 public:
  explicit ConnectionCounter(const replay::Server* server)
      : server_(server), before_(server ? server->connections() : 0) {}
  void Report(benchmark::State& state) const {
    if (server_ == nullptr) return;
    state.counters["connections"] =
        static_cast<double>(server_->connections() - before_) / Iterations(state);
  }

 private:
  const replay::Server* server_;
  int64_t before_;
};

// What the whole process — the client and, when in process, the server's threads — spends per
// iteration: CPU time (user + system) and context switches (voluntary: a thread blocked and was
// woken; involuntary: preempted, mostly the machine's other load), from getrusage(RUSAGE_SELF)
// over the timed loop. Unlike real time these hardly move with the machine's load, so they show
// what a change costs when the wall clock is too noisy to.
class ProcessCost {
 public:
  ProcessCost() { getrusage(RUSAGE_SELF, &before_); }
  void Report(benchmark::State& state) const {
    rusage after{};
    getrusage(RUSAGE_SELF, &after);
    const double n = Iterations(state);
    auto us = [](const timeval& t) { return double(t.tv_sec) * 1e6 + double(t.tv_usec); };
    const double cpu =
        us(after.ru_utime) + us(after.ru_stime) - us(before_.ru_utime) - us(before_.ru_stime);
    state.counters["process_cpu_us"] = cpu / n;
    state.counters["vol_ctxsw"] = double(after.ru_nvcsw - before_.ru_nvcsw) / n;
    state.counters["invol_ctxsw"] = double(after.ru_nivcsw - before_.ru_nivcsw) / n;
  }

 private:
  rusage before_{};
};

// Forwards to `next`, counting requests (thread-safe).
class CountingHttpClient : public HttpClient {
 public:
  explicit CountingHttpClient(HttpClient* next) : next_(next) {}
  StatusOr<HttpResponse> Send(const HttpRequest& request) override {
    requests_.fetch_add(1, std::memory_order_relaxed);
    return next_->Send(request);
  }
  int64_t requests() const { return requests_.load(); }

 private:
  HttpClient* next_;
  std::atomic<int64_t> requests_{0};
};

void RunColdChain(benchmark::State& state, const testing::FakeEnvironment& env,
                  const replay::Server* server) {
  testing::FakeFilesystem fs;
  SystemClock clock;
  testing::FakeProcessRunner process;
  int64_t requests = 0;
  ConnectionCounter connections(server);
  ProcessCost cost;
  for (auto _ : state) {
    DefaultHttpClient http;  // a new connection per resolution, as SystemWorld's client
    CountingHttpClient counting(&http);
    const ProviderContext ctx = testing::WireContext(&env, &fs, &clock, &counting, &process);
    std::unique_ptr<Chain> chain = NewDefaultChain(ctx);
    StatusOr<Credentials> resolved = chain->Resolve();
    if (!resolved.ok()) {
      state.SkipWithError(resolved.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(resolved);
    requests += counting.requests();
  }
  state.counters["requests"] = static_cast<double>(requests) / Iterations(state);
  connections.Report(state);
  cost.Report(state);
}

void ColdResolveImdsLoopback(benchmark::State& state, const char* fixture) {
  const LoopbackTarget target = Loopback("CHANTLESS_BENCH_IMDS_ENDPOINT", fixture);
  if (target.endpoint.empty()) {
    state.SkipWithError("CHANTLESS_BENCH_IMDS_ENDPOINT must be http://127.0.0.1:PORT");
    return;
  }
  testing::FakeEnvironment env;
  env.Set("HOME", "/home/bench");
  env.Set("AWS_EC2_METADATA_SERVICE_ENDPOINT", target.endpoint);
  env.Set("AWS_METADATA_SERVICE_TIMEOUT", "5");  // a loaded CI machine must not time out
  RunColdChain(state, env, target.server);
}

// ec2/imdsv2 (the seed: no extended role path, so one 404 before the legacy path: 4 requests).
void BM_ColdResolve_Imds_Loopback(benchmark::State& state) {
  ColdResolveImdsLoopback(state, "fixtures/ec2/imdsv2.json");
}
BENCHMARK(BM_ColdResolve_Imds_Loopback)->UseRealTime();

// ec2/imdsv2-extended (current IMDS: token, extended listing, extended credentials: 3 requests).
void BM_ColdResolve_ImdsExtended_Loopback(benchmark::State& state) {
  ColdResolveImdsLoopback(state, "fixtures/ec2/imdsv2-extended.json");
}
BENCHMARK(BM_ColdResolve_ImdsExtended_Loopback)->UseRealTime();

// A listening socket on 127.0.0.1:0 (its address in *address); aborts the benchmark when the
// kernel refuses one.
int ListenOnLoopback(sockaddr_in* address, const char* what) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(fd, 64) != 0) {
    std::fprintf(stderr, "chain_benchmark: %s listener: %s\n", what, std::strerror(errno));
    std::abort();
  }
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *address = addr;
  return fd;
}

// The same client against a bare server: one thread, blocking recv()/send(), each request's
// answer written from the fixture ahead of time (the minted IMDSv2 token as a fixed string), no
// HTTP parsing beyond the request line and no transcript matching. What the loopback rows above
// cost beyond this is the replay server's, not the client's: the client's own ratio to the floor.
class CannedPeer {
 public:
  explicit CannedPeer(const replay::Transcript& t) {
    for (const replay::Exchange& e : t.exchanges) {
      std::string body =
          e.response ? e.response->body : "AQAEbench-EXAMPLE-imds-token-0000000000==";
      // The recorded expiration moved to six hours from now, as the replay's rebasing does.
      if (size_t key = body.find("\"Expiration\""); key != std::string::npos) {
        const size_t open = body.find('"', body.find(':', key) + 1);
        const size_t close = body.find('"', open + 1);
        body.replace(open + 1, close - open - 1,
                     FormatRfc3339(SystemClock().Now() + std::chrono::hours(6)));
      }
      std::string head = "HTTP/1.1 " + std::to_string(e.response ? e.response->status : 200) +
                         " OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
      if (e.response) {
        for (const auto& [name, value] : e.response->headers) head += name + ": " + value + "\r\n";
      } else {
        head += "X-aws-ec2-metadata-token-ttl-seconds: 21600\r\n";
      }
      answers_.emplace(e.request.method + " " + e.request.path, head + "\r\n" + body);
    }
    sockaddr_in addr{};
    listener_ = ListenOnLoopback(&addr, "canned");
    endpoint_ = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
    thread_ = std::thread([this] { Run(); });
  }
  const std::string& endpoint() const { return endpoint_; }
  int64_t connections() const { return connections_.load(); }

 private:
  void Run() {
    while (true) {
      int fd = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      connections_.fetch_add(1);
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      std::string in;
      char buf[4096];
      bool open = true;
      while (open) {
        size_t end;
        while ((end = in.find("\r\n\r\n")) == std::string::npos) {
          ssize_t n = recv(fd, buf, sizeof buf, 0);
          if (n <= 0) {
            open = false;
            break;
          }
          in.append(buf, size_t(n));
        }
        if (!open) break;
        // "METHOD /path HTTP/1.1": bodiless requests only (IMDS sends none).
        auto it = answers_.find(in.substr(0, in.find(' ', in.find(' ') + 1)));
        const std::string& answer = it != answers_.end() ? it->second : not_found_;
        in.erase(0, end + 4);
        if (send(fd, answer.data(), answer.size(), MSG_NOSIGNAL) < 0) break;
      }
      close(fd);
    }
  }

  std::map<std::string, std::string> answers_;
  const std::string not_found_ = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
  int listener_ = -1;
  std::string endpoint_;
  std::atomic<int64_t> connections_{0};
  std::thread thread_;  // runs for the life of the process
};

// RunColdChain against `peer`, with its connections per resolution as the `connections` counter.
void RunColdChainOnCannedPeer(benchmark::State& state, const testing::FakeEnvironment& env,
                              const CannedPeer& peer) {
  const int64_t before = peer.connections();
  RunColdChain(state, env, nullptr);
  state.counters["connections"] =
      static_cast<double>(peer.connections() - before) / Iterations(state);
}

void BM_ColdResolve_ImdsExtended_BareServer(benchmark::State& state) {
  static CannedPeer* peer = new CannedPeer(Fixture("fixtures/ec2/imdsv2-extended.json"));
  testing::FakeEnvironment env;
  env.Set("HOME", "/home/bench");
  env.Set("AWS_EC2_METADATA_SERVICE_ENDPOINT", peer->endpoint());
  env.Set("AWS_METADATA_SERVICE_TIMEOUT", "5");
  RunColdChainOnCannedPeer(state, env, *peer);
}
BENCHMARK(BM_ColdResolve_ImdsExtended_BareServer)->UseRealTime();

// The container row's client against the bare server: one request on a new connection.
void BM_ColdResolve_Container_BareServer(benchmark::State& state) {
  static CannedPeer* peer = new CannedPeer(Fixture("fixtures/cloudshell/container.json"));
  testing::FakeEnvironment env;
  env.Set("HOME", "/home/bench");
  env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI",
          peer->endpoint() + "/latest/meta-data/container/security-credentials");
  env.Set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "cloudshell-EXAMPLE-authorization-token-0000");
  RunColdChainOnCannedPeer(state, env, *peer);
}
BENCHMARK(BM_ColdResolve_Container_BareServer)->UseRealTime();

void BM_ColdResolve_Container_Loopback(benchmark::State& state) {
  const LoopbackTarget target =
      Loopback("CHANTLESS_BENCH_CONTAINER_ENDPOINT", "fixtures/cloudshell/container.json");
  if (target.endpoint.empty()) {
    state.SkipWithError("CHANTLESS_BENCH_CONTAINER_ENDPOINT must be http://127.0.0.1:PORT");
    return;
  }
  testing::FakeEnvironment env;
  env.Set("HOME", "/home/bench");
  env.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI",
          target.endpoint + "/latest/meta-data/container/security-credentials");
  env.Set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "cloudshell-EXAMPLE-authorization-token-0000");
  RunColdChain(state, env, target.server);
}
BENCHMARK(BM_ColdResolve_Container_Loopback)->UseRealTime();

// A refresh: the same ImdsProvider and HttpClient resolving again (token cached, role path
// remembered, connection kept alive), as a CredentialsCache's refresh does.
void BM_Refresh_Imds_Loopback(benchmark::State& state) {
  const LoopbackTarget target =
      Loopback("CHANTLESS_BENCH_IMDS_ENDPOINT", "fixtures/ec2/imdsv2.json");
  if (target.endpoint.empty()) {
    state.SkipWithError("CHANTLESS_BENCH_IMDS_ENDPOINT must be http://127.0.0.1:PORT");
    return;
  }
  testing::FakeEnvironment env;
  env.Set("AWS_EC2_METADATA_SERVICE_ENDPOINT", target.endpoint);
  env.Set("AWS_METADATA_SERVICE_TIMEOUT", "5");  // a loaded CI machine must not time out
  testing::FakeFilesystem fs;
  SystemClock clock;
  DefaultHttpClient http;
  CountingHttpClient counting(&http);
  ImdsProvider provider(testing::WireContext(&env, &fs, &clock, &counting));
  if (!provider.Resolve().ok()) {  // the cold resolution, not timed
    state.SkipWithError("cold IMDS resolution failed");
    return;
  }
  const int64_t before = counting.requests();
  ConnectionCounter connections(target.server);  // new connections during refreshes only
  ProcessCost cost;
  for (auto _ : state) {
    StatusOr<Credentials> resolved = provider.Resolve();
    if (!resolved.ok()) {
      state.SkipWithError(resolved.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(resolved);
  }
  state.counters["requests"] =
      static_cast<double>(counting.requests() - before) / Iterations(state);
  connections.Report(state);
  cost.Report(state);
}
BENCHMARK(BM_Refresh_Imds_Loopback)->UseRealTime();

void BM_DefaultChain_NothingConfigured(benchmark::State& state) {
  testing::FakeEnvironment env;
  env.Set("HOME", "/home/bench");
  env.Set("AWS_EC2_METADATA_DISABLED", "true");
  testing::FakeFilesystem fs;
  testing::FakeClock clock;
  testing::FakeHttpClient http;  // no reply scripted: any request would fail the resolution
  testing::FakeProcessRunner process;
  const ProviderContext ctx = testing::WireContext(&env, &fs, &clock, &http, &process);
  for (auto _ : state) {
    std::unique_ptr<Chain> chain = NewDefaultChain(ctx);
    StatusOr<Credentials> resolved = chain->Resolve();
    if (resolved.ok() || resolved.status().code() != StatusCode::kNotConfigured) {
      state.SkipWithError("expected kNotConfigured from an unconfigured chain");
      break;
    }
    benchmark::DoNotOptimize(resolved);
  }
  state.counters["requests"] = static_cast<double>(http.requests().size());
}
BENCHMARK(BM_DefaultChain_NothingConfigured);

// --- the kernel's floor -------------------------------------------------------------------------

// One request/response round trip over a loopback TCP connection between two threads of this
// process with plain blocking send()/recv() (TCP_NODELAY, a 200-byte request and a 1,000-byte
// response in one send each: the size of a credential exchange), and no HTTP at all. This is what
// the kernel charges for one exchange on this machine (two thread wake-ups and the loopback TCP
// path); a client that makes N exchanges on one connection cannot resolve faster than about N of
// these, whatever its code does. Reported next to the loopback benchmarks so that ratios to the
// floor come from the same run. With state.range(0) = 1 each iteration also opens and closes the
// connection (a cold client's connect, accept and close).
class EchoPeer {
 public:
  EchoPeer() {
    listener_ = ListenOnLoopback(&address_, "echo");
    thread_ = std::thread([this] { Run(); });
  }
  const sockaddr_in& address() const { return address_; }

 private:
  void Run() {
    const std::string response(1000, 'r');
    while (true) {
      int fd = accept(listener_, nullptr, nullptr);
      if (fd < 0) continue;
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      char buf[4096];
      while (recv(fd, buf, sizeof buf, 0) > 0) {
        if (send(fd, response.data(), response.size(), MSG_NOSIGNAL) < 0) break;
      }
      close(fd);
    }
  }

  int listener_ = -1;
  sockaddr_in address_{};
  std::thread thread_;  // runs for the life of the process
};

int ConnectTo(const sockaddr_in& address) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// The one echo server of both floor benchmarks; never destroyed: its thread serves every run.
EchoPeer& SharedEchoPeer() {
  static EchoPeer* peer = new EchoPeer();
  return *peer;
}

// One floor exchange on `fd` (-1: the connect failed): the 200-byte request out, the 1,000-byte
// answer in. nullptr when it worked, else what failed.
const char* EchoExchange(int fd) {
  static const std::string request(200, 'q');
  char buf[4096];
  if (fd < 0 || send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) {
    return "loopback echo failed";
  }
  for (size_t got = 0; got < 1000;) {
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return "loopback echo closed";
    got += size_t(n);
  }
  return nullptr;
}

void BM_LoopbackRoundTrip(benchmark::State& state) {
  const EchoPeer& peer = SharedEchoPeer();
  const bool reconnect = state.range(0) == 1;
  int fd = reconnect ? -1 : ConnectTo(peer.address());
  ProcessCost cost;
  for (auto _ : state) {
    if (reconnect) fd = ConnectTo(peer.address());
    if (const char* error = EchoExchange(fd)) {
      state.SkipWithError(error);
      break;
    }
    if (reconnect) {
      close(fd);
      fd = -1;
    }
  }
  if (fd >= 0) close(fd);
  cost.Report(state);
}
BENCHMARK(BM_LoopbackRoundTrip)->ArgName("connect")->Arg(0)->Arg(1)->UseRealTime();

// connect:1 as a cold client meets its server: asleep. BM_LoopbackRoundTrip/connect:1 reconnects
// at once and so mostly finds its server thread still on its way back to accept(), awake; a cold
// resolution first builds its chain (BM_DefaultChain_NothingConfigured) and then connects, and a
// real endpoint is idle, so its connect has to wake the server: one more thread wake-up
// (vol_ctxsw about 3 instead of 2.2), which no client code can avoid. Between iterations,
// untimed, the client spins on the clock for think_us (it stays on its CPU; long enough for the
// server to block in accept()). process_cpu_us leaves the spin out.
void BM_LoopbackRoundTrip_ServerAsleep(benchmark::State& state) {
  const EchoPeer& peer = SharedEchoPeer();
  const auto think = std::chrono::microseconds(state.range(0));
  std::chrono::nanoseconds spun{0};
  ProcessCost cost;
  for (auto _ : state) {
    state.PauseTiming();
    const auto start = std::chrono::steady_clock::now();
    auto now = start;
    while (now - start < think) now = std::chrono::steady_clock::now();
    spun += now - start;
    state.ResumeTiming();
    const int fd = ConnectTo(peer.address());
    const char* error = EchoExchange(fd);
    if (fd >= 0) close(fd);
    if (error != nullptr) {
      state.SkipWithError(error);
      break;
    }
  }
  cost.Report(state);
  state.counters["process_cpu_us"] -=
      std::chrono::duration<double, std::micro>(spun).count() / Iterations(state);
}
BENCHMARK(BM_LoopbackRoundTrip_ServerAsleep)->ArgName("think_us")->Arg(50)->UseRealTime();

// --- a new client next to idle keep-alive connections -------------------------------------------

constexpr char kTokenPut[] =
    "PUT /latest/api/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    "X-aws-ec2-metadata-token-ttl-seconds: 21600\r\nContent-Length: 0\r\n\r\n";

// Sends the token PUT on `fd` and reads its whole answer (headers and Content-Length bytes).
bool TokenExchange(int fd) {
  const size_t size = sizeof kTokenPut - 1;
  if (send(fd, kTokenPut, size, MSG_NOSIGNAL) != ssize_t(size)) return false;
  std::string in;
  char buf[4096];
  while (true) {
    const size_t head = in.find("\r\n\r\n");
    if (head != std::string::npos) {
      const size_t length_at = in.find("Content-Length: ");
      if (length_at == std::string::npos || length_at > head) return false;
      const size_t length = std::strtoul(in.c_str() + length_at + 16, nullptr, 10);
      if (in.size() >= head + 4 + length) return true;
    }
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    in.append(buf, size_t(n));
  }
}

// An in-process server of ec2/imdsv2-extended (endlessly replayable, 60 s idle timeout) with
// `idle` keep-alive connections open to it, each after one token exchange.
struct IdleConnectionsServer {
  std::unique_ptr<replay::Engine> engine;
  std::unique_ptr<replay::Server> server;
  sockaddr_in address{};
  std::vector<int> idle;
};

IdleConnectionsServer* StartWithIdleConnections(int idle) {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur =
      std::max<rlim_t>(limit.rlim_cur, std::min<rlim_t>(limit.rlim_max, 4 * idle + 256));
  setrlimit(RLIMIT_NOFILE, &limit);
  auto* s = new IdleConnectionsServer();
  s->engine =
      std::make_unique<replay::Engine>(Replayable(Fixture("fixtures/ec2/imdsv2-extended.json")));
  replay::ServerOptions options;
  options.idle_timeout = std::chrono::seconds(60);
  s->server = std::make_unique<replay::Server>(s->engine.get(), options);
  StatusOr<int> port = s->server->Start();
  if (!port.ok()) {
    std::fprintf(stderr, "chain_benchmark: %s\n", port.status().ToString().c_str());
    std::abort();
  }
  s->address.sin_family = AF_INET;
  s->address.sin_port = htons(uint16_t(*port));
  s->address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < idle; ++i) {
    const int fd = ConnectTo(s->address);
    if (fd < 0 || !TokenExchange(fd)) {
      std::fprintf(stderr, "chain_benchmark: idle connection %d failed\n", i);
      std::abort();
    }
    s->idle.push_back(fd);
  }
  return s;
}

void BM_NewClientWithIdleConnections(benchmark::State& state) {
  static std::map<int, IdleConnectionsServer*>* servers =
      new std::map<int, IdleConnectionsServer*>();
  IdleConnectionsServer*& s = (*servers)[int(state.range(0))];
  if (s == nullptr) s = StartWithIdleConnections(int(state.range(0)));
  ProcessCost cost;
  for (auto _ : state) {
    const int fd = ConnectTo(s->address);
    const bool ok = fd >= 0 && TokenExchange(fd);
    if (fd >= 0) close(fd);
    if (!ok) {
      state.SkipWithError("new client's token PUT failed");
      break;
    }
  }
  state.counters["idle"] = double(s->idle.size());
  cost.Report(state);
}
BENCHMARK(BM_NewClientWithIdleConnections)
    ->ArgName("idle")
    ->Arg(0)
    ->Arg(100)
    ->Arg(1000)
    ->UseRealTime();

// --- AssumeRole over TLS
// ---------------------------------------------------------------------------

// A role profile resolved through the whole default chain against a TLS replay of STS: the
// profile's files are written once to a private directory; AWS_CA_BUNDLE trusts the replay's CA.
// By default the replay is in process: a plain and a TLS replay::Server on one endlessly replayable
// engine, the TLS one with a throwaway CA naming the transcript's hosts, 127.0.0.1 and localhost,
// reached through AWS_ENDPOINT_URL_STS=https://127.0.0.1:PORT (the engine matches any recorded
// host for a loopback Host, and checks every SigV4 signature against the transcript's fake keys).
// Against an external `chantless serve --tls` (bench/peers) the variables say where:
//   CHANTLESS_BENCH_STS_CA_BUNDLE   the replay's CA (--ca-out); setting it selects the external
//   server CHANTLESS_BENCH_STS_ENDPOINT    https://127.0.0.1:PORT; unset, the profile's own STS
//   host
//                                   (sts.us-east-1.amazonaws.com), which must resolve to 127.0.0.1
//                                   and nothing else (a private /etc/hosts in a namespace), or the
//                                   benchmark refuses to run
//   CHANTLESS_BENCH_IMDS_ENDPOINT   http://127.0.0.1:PORT, for credential_source =
//   Ec2InstanceMetadata

struct StsFixture {
  const char* path;
  const char* config;       // the config file (profile "role")
  const char* credentials;  // the credentials file
  const char* access_key;   // what the role resolves to
  bool imds;                // credential_source = Ec2InstanceMetadata
};

constexpr StsFixture kStsStatic = {
    "fixtures/sts/assume-role-static-keys.json",
    "[profile role]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/demo\n"
    "source_profile = base\n",
    "[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    "ASIAQEXAMPLEROLE0001", false};

constexpr StsFixture kStsImds = {
    "fixtures/sts/credential-source-imds.json",
    "[profile role]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/demo\n"
    "credential_source = Ec2InstanceMetadata\n",
    "", "ASIAQEXAMPLEROLE0010", true};

constexpr char kStsHost[] = "sts.us-east-1.amazonaws.com";

// A private directory for the profile files and the in-process replay's CA.
const std::string& BenchDirectory() {
  static const std::string* dir = [] {
    const char* base = std::getenv("TEST_TMPDIR");
    std::string pattern = std::string(base ? base : "/tmp") + "/chantless-bench.XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      std::perror("chain_benchmark: mkdtemp");
      std::abort();
    }
    return new std::string(pattern);
  }();
  return *dir;
}

void WriteBenchFile(const std::string& path, const std::string& content) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr || std::fwrite(content.data(), 1, content.size(), f) != content.size() ||
      std::fclose(f) != 0) {
    std::fprintf(stderr, "chain_benchmark: cannot write %s\n", path.c_str());
    std::abort();
  }
}

// True when `host` resolves to 127.0.0.1 and to nothing else.
bool ResolvesToLoopbackOnly(const char* host) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host, "443", &hints, &found) != 0 || found == nullptr) return false;
  bool only_loopback = true;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    if (a->ai_family != AF_INET ||
        reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr.s_addr != htonl(INADDR_LOOPBACK)) {
      only_loopback = false;
    }
  }
  freeaddrinfo(found);
  return only_loopback;
}

// An in-process plain + TLS replay of one STS fixture, started once.
struct TlsReplay {
  std::unique_ptr<replay::Engine> engine;
  std::unique_ptr<replay::ServerTlsContext> tls;
  std::unique_ptr<replay::Server> http;
  std::unique_ptr<replay::Server> https;
  std::string ca_path;
};

// `tickets`: TLS 1.3 session tickets the server sends after each handshake (-1: OpenSSL's default,
// 2).
TlsReplay* StartTlsReplay(const char* fixture, int tickets) {
  auto* r = new TlsReplay();
  replay::Transcript transcript = Replayable(Fixture(fixture));
  // One CA per replay: each server's certificate is signed by its own.
  static int replays = 0;
  r->ca_path = BenchDirectory() + "/ca-" + std::to_string(++replays) + ".pem";
  StatusOr<std::unique_ptr<replay::ServerTlsContext>> tls =
      replay::MakeThrowawayTls(replay::TranscriptHostNames(transcript), {}, r->ca_path);
  if (!tls.ok()) {
    std::fprintf(stderr, "chain_benchmark: %s\n", tls.status().ToString().c_str());
    std::abort();
  }
  r->tls = std::move(tls).value();
  if (tickets >= 0) SSL_CTX_set_num_tickets(r->tls->get(), size_t(tickets));
  r->engine = std::make_unique<replay::Engine>(std::move(transcript));
  r->http = std::make_unique<replay::Server>(r->engine.get(), replay::ServerOptions{});
  replay::ServerOptions tls_options;
  tls_options.tls_context = r->tls->get();
  r->https = std::make_unique<replay::Server>(r->engine.get(), tls_options);
  for (replay::Server* s : {r->http.get(), r->https.get()}) {
    StatusOr<int> port = s->Start();
    if (!port.ok()) {
      std::fprintf(stderr, "chain_benchmark: %s\n", port.status().ToString().c_str());
      std::abort();
    }
  }
  return r;
}

// Where an STS benchmark goes: the environment its chain sees, and the in-process servers (null
// against an external one). `error` is set when the variables are unusable.
struct StsTarget {
  testing::FakeEnvironment env;
  std::string ca_path;
  std::string host;  // the TLS server's host name or address
  int port = 443;
  const replay::Server* http = nullptr;
  const replay::Server* https = nullptr;
  std::string error;
};

// `tickets` >= 0: always the in-process replay, sending that many session tickets.
std::unique_ptr<StsTarget> Sts(const StsFixture& fixture, int tickets = -1) {
  auto t = std::make_unique<StsTarget>();
  const std::string dir = BenchDirectory();
  const std::string stem = dir + "/" + (fixture.imds ? "imds" : "static");
  WriteBenchFile(stem + ".config", fixture.config);
  WriteBenchFile(stem + ".credentials", fixture.credentials);
  t->env.Set("HOME", "/home/bench");  // no CLI cache is wired: every resolution calls STS
  t->env.Set("AWS_CONFIG_FILE", stem + ".config");
  t->env.Set("AWS_SHARED_CREDENTIALS_FILE", stem + ".credentials");
  t->env.Set("AWS_PROFILE", "role");
  t->env.Set("AWS_STS_REGIONAL_ENDPOINTS", "regional");
  t->env.Set("AWS_METADATA_SERVICE_TIMEOUT", "5");  // a loaded CI machine must not time out
  std::string imds_endpoint;
  const char* ca = tickets < 0 ? std::getenv("CHANTLESS_BENCH_STS_CA_BUNDLE") : nullptr;
  if (ca != nullptr) {
    t->ca_path = ca;
    t->host = kStsHost;
    if (const char* e = std::getenv("CHANTLESS_BENCH_STS_ENDPOINT")) {
      const std::string endpoint = e;
      const std::string prefix = "https://127.0.0.1:";
      if (endpoint.rfind(prefix, 0) != 0) {
        t->error = "CHANTLESS_BENCH_STS_ENDPOINT must be https://127.0.0.1:PORT";
        return t;
      }
      t->host = "127.0.0.1";
      t->port = std::atoi(endpoint.c_str() + prefix.size());
      t->env.Set("AWS_ENDPOINT_URL_STS", endpoint);
    } else if (!ResolvesToLoopbackOnly(kStsHost)) {
      t->error =
          std::string(kStsHost) +
          " does not resolve to 127.0.0.1 only: set CHANTLESS_BENCH_STS_ENDPOINT or run in a "
          "namespace with a private /etc/hosts";
      return t;
    }
    if (fixture.imds) {
      const char* e = std::getenv("CHANTLESS_BENCH_IMDS_ENDPOINT");
      if (e == nullptr || std::string(e).rfind("http://127.0.0.1:", 0) != 0) {
        t->error = "CHANTLESS_BENCH_IMDS_ENDPOINT must be http://127.0.0.1:PORT";
        return t;
      }
      imds_endpoint = e;
    }
  } else {
    static std::map<std::string, TlsReplay*>* replays = new std::map<std::string, TlsReplay*>();
    TlsReplay*& r = (*replays)[std::string(fixture.path) + "#" + std::to_string(tickets)];
    if (r == nullptr) r = StartTlsReplay(fixture.path, tickets);
    t->ca_path = r->ca_path;
    t->host = "127.0.0.1";
    t->port = r->https->port();
    t->http = r->http.get();
    t->https = r->https.get();
    t->env.Set("AWS_ENDPOINT_URL_STS", "https://127.0.0.1:" + std::to_string(t->port));
    imds_endpoint = "http://127.0.0.1:" + std::to_string(r->http->port());
  }
  t->env.Set("AWS_CA_BUNDLE", t->ca_path);
  if (fixture.imds) {
    t->env.Set("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds_endpoint);
  } else {
    t->env.Set("AWS_EC2_METADATA_DISABLED", "true");
  }
  return t;
}

// Connections the in-process servers of `target` accepted, both listeners (0 when external).
int64_t StsConnections(const StsTarget& target) {
  return (target.http ? target.http->connections() : 0) +
         (target.https ? target.https->connections() : 0);
}

// One cold resolution per iteration: the profile files loaded, a new DefaultHttpClient (new
// connections, a new TLS client context) and a new default chain, all timed.
void ColdResolveAssumeRoleTls(benchmark::State& state, const StsFixture& fixture,
                              int tickets = -1) {
  std::unique_ptr<StsTarget> target = Sts(fixture, tickets);
  if (!target->error.empty()) {
    state.SkipWithError(target->error.c_str());
    return;
  }
  SystemFilesystem fs;
  SystemClock clock;
  testing::FakeProcessRunner process;
  int64_t requests = 0;
  const int64_t connections_before = StsConnections(*target);
  ProcessCost cost;
  for (auto _ : state) {
    DefaultHttpClient http;
    CountingHttpClient counting(&http);
    ProviderContext ctx = testing::WireContext(&target->env, &fs, &clock, &counting, &process);
    StatusOr<std::unique_ptr<ProfileConfig>> profile =
        LoadProfileConfig(target->env, fs, std::nullopt, nullptr);
    if (!profile.ok()) {
      state.SkipWithError(profile.status().ToString().c_str());
      break;
    }
    ctx.settings = profile->get();
    std::unique_ptr<Chain> chain = NewDefaultChain(ctx);
    StatusOr<Credentials> resolved = chain->Resolve();
    if (!resolved.ok() || resolved->access_key_id != fixture.access_key) {
      state.SkipWithError(resolved.ok() ? "unexpected access key id"
                                        : resolved.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(resolved);
    requests += counting.requests();
  }
  const double n = Iterations(state);
  state.counters["requests"] = static_cast<double>(requests) / n;
  if (target->https != nullptr) {
    state.counters["connections"] =
        static_cast<double>(StsConnections(*target) - connections_before) / n;
  }
  cost.Report(state);
}

// role_arn + source_profile with static keys: one AssumeRole over a new TLS connection.
void BM_ColdResolve_AssumeRole_Tls(benchmark::State& state) {
  ColdResolveAssumeRoleTls(state, kStsStatic);
}
BENCHMARK(BM_ColdResolve_AssumeRole_Tls)->UseRealTime();

// The same against the in-process replay told to send no TLS 1.3 session ticket. OpenSSL's server
// sends two after each handshake; they reach the client before the response, and cpp-httplib's
// TLS read (SSLSocketStream::read) answers a record with no application data by sleeping 1 ms
// before reading again. The difference between this row and the one above is those sleeps.
void BM_ColdResolve_AssumeRole_Tls_NoTickets(benchmark::State& state) {
  ColdResolveAssumeRoleTls(state, kStsStatic, 0);
}
BENCHMARK(BM_ColdResolve_AssumeRole_Tls_NoTickets)->UseRealTime();

// role_arn + credential_source = Ec2InstanceMetadata: IMDS over plain HTTP (token, role, its
// credentials), then AssumeRole signed with them over TLS: two new connections.
void BM_ColdResolve_AssumeRoleImds_Tls(benchmark::State& state) {
  ColdResolveAssumeRoleTls(state, kStsImds);
}
BENCHMARK(BM_ColdResolve_AssumeRoleImds_Tls)->UseRealTime();

// A refresh: the same AssumeRoleProvider and HttpClient assuming the role again, as a
// CredentialsCache's refresh does, over the TLS connection the first call left open (within the
// server's keep-alive window: a refresh an hour later finds it closed and pays the handshake).
// Static source keys, so the only request is AssumeRole.
void BM_Refresh_AssumeRole_Tls(benchmark::State& state) {
  std::unique_ptr<StsTarget> target = Sts(kStsStatic);
  if (!target->error.empty()) {
    state.SkipWithError(target->error.c_str());
    return;
  }
  SystemFilesystem fs;
  SystemClock clock;
  testing::FakeProcessRunner process;
  DefaultHttpClient http;
  CountingHttpClient counting(&http);
  ProviderContext ctx = testing::WireContext(&target->env, &fs, &clock, &counting, &process);
  StatusOr<std::unique_ptr<ProfileConfig>> profile =
      LoadProfileConfig(target->env, fs, std::nullopt, nullptr);
  if (!profile.ok()) {
    state.SkipWithError(profile.status().ToString().c_str());
    return;
  }
  ctx.settings = profile->get();
  AssumeRoleProvider provider(ctx);
  if (!provider.Resolve().ok()) {  // the cold resolution, not timed
    state.SkipWithError("cold AssumeRole failed");
    return;
  }
  const int64_t before = counting.requests();
  const int64_t connections_before = StsConnections(*target);
  ProcessCost cost;
  for (auto _ : state) {
    StatusOr<Credentials> resolved = provider.Resolve();
    if (!resolved.ok()) {
      state.SkipWithError(resolved.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(resolved);
  }
  const double n = Iterations(state);
  state.counters["requests"] = static_cast<double>(counting.requests() - before) / n;
  if (target->https != nullptr) {
    state.counters["connections"] =
        static_cast<double>(StsConnections(*target) - connections_before) / n;
  }
  cost.Report(state);
}
BENCHMARK(BM_Refresh_AssumeRole_Tls)->UseRealTime();

// The TLS handshake's share of a cold AssumeRole: connect to the STS replay's TLS listener, a full
// handshake verifying its certificate against the replay's CA (OpenSSL, as cpp-httplib uses it),
// close_notify and close; no HTTP. new_ctx:1 also makes the client SSL_CTX and loads the CA file
// each time, as a new client does; new_ctx:0 reuses one. The address is resolved once, untimed.
void BM_TlsHandshake_Loopback(benchmark::State& state) {
  std::unique_ptr<StsTarget> target = Sts(kStsStatic);
  if (!target->error.empty()) {
    state.SkipWithError(target->error.c_str());
    return;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(uint16_t(target->port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool new_ctx = state.range(0) == 1;
  auto make_ctx = [&]() -> SSL_CTX* {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == nullptr ||
        SSL_CTX_load_verify_locations(ctx, target->ca_path.c_str(), nullptr) != 1) {
      SSL_CTX_free(ctx);
      return nullptr;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    return ctx;
  };
  SSL_CTX* shared = new_ctx ? nullptr : make_ctx();
  ProcessCost cost;
  for (auto _ : state) {
    SSL_CTX* ctx = new_ctx ? make_ctx() : shared;
    const int fd = ctx ? ConnectTo(address) : -1;
    SSL* ssl = fd >= 0 ? SSL_new(ctx) : nullptr;
    bool ok = false;
    if (ssl != nullptr) {
      SSL_set_fd(ssl, fd);
      SSL_set_tlsext_host_name(ssl, target->host.c_str());
      SSL_set1_host(ssl, target->host.c_str());
      ok = SSL_connect(ssl) == 1 && SSL_get_verify_result(ssl) == X509_V_OK;
      if (ok) SSL_shutdown(ssl);
      SSL_free(ssl);
    }
    if (fd >= 0) close(fd);
    if (new_ctx) SSL_CTX_free(ctx);
    if (!ok) {
      state.SkipWithError("TLS handshake with the replay failed");
      break;
    }
  }
  if (shared != nullptr) SSL_CTX_free(shared);
  cost.Report(state);
}
BENCHMARK(BM_TlsHandshake_Loopback)->ArgName("new_ctx")->Arg(0)->Arg(1)->UseRealTime();

}  // namespace
}  // namespace chantless

// The in-process servers live for the whole process and are never stopped, so their threads may
// still be finishing a TLS handshake (a benchmark's last connection) when the benchmarks are done:
// the process ends with _exit, so that neither exit handlers nor libcrypto's own destructor free
// OpenSSL's locks under them.
int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::fflush(nullptr);
  _exit(0);
}
