#!/usr/bin/env python3
"""Peer comparison: cold credential resolution in-process for botocore, the JS SDK v3, the Go SDK v2
and chantless against the same `chantless serve` fixtures, plus whole-process `chantless resolve` vs
`aws configure export-credentials`, and role profiles through STS over TLS.

Usage: peers.py --chantless BIN --bench BIN --bench-runfiles DIR [--npm-dir DIR] [--runs N]

For each fixture (ec2/imdsv2, ec2/imdsv2-extended, cloudshell/container) and each client, a fresh `chantless serve`
replays the fixture on 127.0.0.1:<port 0>; the fixture is first made endlessly replayable (each
exchange its own family, no repeat limit: the recorded requests and responses are unchanged). The
client resolves RUNS times in one process; requests per resolution come from the server's log. Each
client runs with a minimal environment: an empty HOME, no profile files, AWS_DEFAULT_REGION set, and
only the fixture's endpoint variables. Only 127.0.0.1 is ever contacted; run_peers.sh runs this
inside a loopback-only network namespace when it can.

Connections per resolution (conn/res) come from the summary `chantless serve --log-json` writes when
it stops ({"summary": {"requests": R, "connections": C, ...}}: C counts the connections that carried
a request; the verdict endpoint, which this script never calls, is not counted):
- botocore, the JS SDK and the whole-process rows: C / resolutions. Their resolutions are exactly
  the timed ones (no warm-up), as for req/res = exchanges / resolutions.
- chantless in-process (chain_benchmark against this server): the server also saw Google
  Benchmark's calibration runs, which are not in its JSON output, so neither the server's counts
  divided by the reported iterations nor the benchmark's own connections counter (omitted against
  an external server: it cannot see one) would be honest. Every cold resolution, timed or not, is
  alike (a new client, the same requests), so requests per connection R / C is exact whatever the
  number of runs, and conn/res = req/res (the benchmark's requests counter) / (R / C).

Role profiles through STS over TLS (sts/assume-role-static: role_arn + source_profile with static
keys; sts/credential-source-imds: role_arn + credential_source = Ec2InstanceMetadata, IMDS over
plain HTTP then STS over TLS): each client resolves profile "role" RUNS times, fresh each time (a
new botocore session, a new fromNodeProviderChain(), a new Go config, a new chantless chain and
HTTP client), against its own `chantless serve --tls` whose TLS listener is 127.0.0.1:443 under the
real host name sts.us-east-1.amazonaws.com: run_peers.sh gives this process a private network and
mount namespace, and private_hosts() bind-mounts a hosts file over /etc/hosts inside it only (the
machine's /etc/hosts is never edited; with no such namespace the STS rows say why they did not
run). Every client trusts the server's throwaway CA and every AssumeRole signature is verified by
the replay against the transcript's fake keys. chantless runs chain_benchmark's
BM_ColdResolve_AssumeRole*_Tls against that server (CHANTLESS_BENCH_STS_CA_BUNDLE); conn/res as
above. In the same run: the bare TLS handshake to the same server (chain_benchmark's
BM_TlsHandshake_Loopback, OpenSSL from C++, and Python's ssl, each with a new and with a shared
context), and chain_benchmark against its own in-process TLS replay for exact connection counts:
the cold resolution, the same with no TLS 1.3 session ticket sent, and a warm provider's refresh
on the kept connection (conn/res 0: the replay closes a connection after 1,000 requests, so one
reconnect per 1,000 refreshes shows as 0.001). The STS rows' "x floor" adds one handshake (C++,
shared context) per new TLS connection to the kernel floor below.

The kernel's floor: before the clients, chain_benchmark's BM_LoopbackRoundTrip measures one bare
loopback TCP round trip (RT, no HTTP) and one with a new connection (CRT: connect, round trip,
close) on this machine. A resolution of req/res requests on conn/res new connections cannot take
less than floor = conn/res x CRT + (req/res - conn/res) x RT, whatever the client's code; the
"x floor" column is median / floor, how far each client is from what the kernel charges. The last
lines give, per fixture, the largest ratio to chantless any client could show against chantless's
floor.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CONTAINER_PATH = "/latest/meta-data/container/security-credentials"
CONTAINER_TOKEN = "cloudshell-EXAMPLE-authorization-token-0000"

FIXTURES = {
    "ec2/imdsv2": ("fixtures/ec2/imdsv2.json", "CHANTLESS_BENCH_IMDS_ENDPOINT",
                   "BM_ColdResolve_Imds_Loopback"),
    "ec2/imdsv2-extended": ("fixtures/ec2/imdsv2-extended.json", "CHANTLESS_BENCH_IMDS_ENDPOINT",
                            "BM_ColdResolve_ImdsExtended_Loopback"),
    "cloudshell/container": ("fixtures/cloudshell/container.json",
                             "CHANTLESS_BENCH_CONTAINER_ENDPOINT",
                             "BM_ColdResolve_Container_Loopback"),
}


def replayable(src, dst):
    with open(src) as f:
        t = json.load(f)
    for e in t["exchanges"]:
        e["family"] = e["id"]
        e["repeat"] = {"min": 0, "max": 1000000}
        e["optional"] = True
    with open(dst, "w") as f:
        json.dump(t, f, indent=2)


class Serve:
    """A `chantless serve` on 127.0.0.1:0 for one client's runs."""

    def __init__(self, chantless, transcript, workdir, tls=False):
        """With tls, also a TLS listener on 127.0.0.1:443 whose throwaway CA is written to
        self.ca_path (a new CA per server); the plain listener stays on port 0 (IMDS)."""
        self.port_file = os.path.join(workdir, "port")
        self.log_path = os.path.join(workdir, "serve.log")
        self.ca_path = os.path.join(workdir, "ca.pem") if tls else None
        for stale in (self.port_file, self.ca_path):
            if stale and os.path.exists(stale):
                os.remove(stale)
        self.log = open(self.log_path, "w")
        extra = ["--tls", "--tls-port", "443", "--ca-out", self.ca_path] if tls else []
        self.proc = subprocess.Popen(
            [chantless, "serve", transcript, "--port", "0", "--port-file", self.port_file,
             "--log-json"] + extra, stdout=self.log, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while not os.path.exists(self.port_file):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("chantless serve did not start")
            time.sleep(0.02)
        with open(self.port_file) as f:
            self.port = int(f.read().split()[0])  # the plain listener (the TLS one is 443)

    def stop(self):
        """Stops the server; returns (exchanges it logged, its summary dict or None)."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        n = 0
        summary = None
        with open(self.log_path) as f:
            for line in f:
                try:
                    j = json.loads(line)
                except ValueError:
                    continue
                if "event" in j:
                    n += 1
                elif isinstance(j.get("summary"), dict):
                    summary = j["summary"]
        return n, summary


def connections_per_resolution(summary, resolutions):
    """The server's connections over `resolutions`, or None without a summary."""
    if not summary or not resolutions:
        return None
    return summary.get("connections", 0) / resolutions


def connections_per_resolution_from_ratio(summary, requests_per_resolution):
    """req/res divided by the server's requests per connection (see the module docstring)."""
    if not summary or not summary.get("connections") or requests_per_resolution is None:
        return None
    return requests_per_resolution / (summary["requests"] / summary["connections"])


def client_env(workdir, fixture, port):
    home = os.path.join(workdir, "home")
    os.makedirs(home, exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": home,
        "AWS_CONFIG_FILE": os.path.join(home, "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "no-credentials"),
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "false",
    }
    for key in ("PYENV_ROOT", "PYENV_VERSION", "LANG"):
        if key in os.environ:
            env[key] = os.environ[key]
    base = "http://127.0.0.1:%d" % port
    if fixture.startswith("ec2/"):
        env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = base + "/"
    else:
        env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = base + CONTAINER_PATH
        env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = CONTAINER_TOKEN
    return env, base


# Role profiles resolved through STS over TLS: a `chantless serve --tls` per client, its TLS
# listener on 127.0.0.1:443 under the real STS host name (a private /etc/hosts, see private_hosts),
# the plain one serving IMDS for credential_source = Ec2InstanceMetadata. Every client trusts the
# server's throwaway CA (AWS_CA_BUNDLE, NODE_EXTRA_CA_CERTS, SSL_CERT_FILE) and reads the same
# profile "role" (fake keys from the transcripts, see fixtures/README.md).
STS_HOST = "sts.us-east-1.amazonaws.com"
STS_FIXTURES = {
    "sts/assume-role-static": ("fixtures/sts/assume-role-static-keys.json",
                               "BM_ColdResolve_AssumeRole_Tls", False),
    "sts/credential-source-imds": ("fixtures/sts/credential-source-imds.json",
                                   "BM_ColdResolve_AssumeRoleImds_Tls", True),
}
ROLE_CONFIG = {
    False: ("[profile role]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/demo\n"
            "source_profile = base\n",
            "[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"),
    True: ("[profile role]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/demo\n"
           "credential_source = Ec2InstanceMetadata\n", ""),
}


def private_hosts(workdir):
    """Sends STS_HOST to 127.0.0.1 by bind-mounting a hosts file over /etc/hosts — only inside a
    private network and mount namespace (run_peers.sh makes one) where no interface but lo has an
    address, so the machine's /etc/hosts is never touched and nothing past 127.0.0.1 is reachable.
    Returns None when done, else why the STS rows cannot run."""
    # run_peers.sh execs unshare, so this process's parent is the one that ran it, outside.
    try:
        for ns in ("net", "mnt"):
            if os.readlink("/proc/self/ns/" + ns) == os.readlink("/proc/%d/ns/%s" % (os.getppid(), ns)):
                return "needs a private %s namespace (run_peers.sh makes one with unshare)" % ns
    except OSError as e:
        return "cannot compare namespaces with the parent process's: %s" % e
    out = subprocess.run(["ip", "-o", "addr", "show"], capture_output=True, text=True)
    for line in out.stdout.splitlines():
        fields = line.split()
        if len(fields) > 2 and fields[1] != "lo" and fields[2].startswith("inet"):
            return "an interface other than lo has an address in this namespace"
    hosts = os.path.join(workdir, "hosts")
    with open(hosts, "w") as f:
        f.write("127.0.0.1 localhost\n::1 localhost\n127.0.0.1 %s\n" % STS_HOST)
    mount = subprocess.run(["mount", "--bind", hosts, "/etc/hosts"], capture_output=True, text=True)
    if mount.returncode != 0:
        return "cannot bind-mount a private /etc/hosts: " + mount.stderr.strip()[-200:]
    try:
        found = {a[4][0] for a in socket.getaddrinfo(STS_HOST, 443)}
    except OSError as e:
        return "%s does not resolve through the private /etc/hosts: %s" % (STS_HOST, e)
    if found != {"127.0.0.1"}:
        return "%s resolves to %s, not 127.0.0.1 only" % (STS_HOST, sorted(found))
    return None


def sts_env(workdir, imds, serve):
    """A client's environment for a role profile against `serve` (a fresh HOME each time)."""
    home = tempfile.mkdtemp(prefix="home-", dir=workdir)
    config, credentials = ROLE_CONFIG[imds]
    config_path = os.path.join(home, "config")
    credentials_path = os.path.join(home, "credentials")
    with open(config_path, "w") as f:
        f.write(config)
    with open(credentials_path, "w") as f:
        f.write(credentials)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": home,
        "AWS_CONFIG_FILE": config_path,
        "AWS_SHARED_CREDENTIALS_FILE": credentials_path,
        "AWS_PROFILE": "role",
        "AWS_STS_REGIONAL_ENDPOINTS": "regional",
        "AWS_CA_BUNDLE": serve.ca_path,
        "NODE_EXTRA_CA_CERTS": serve.ca_path,
        "SSL_CERT_FILE": serve.ca_path,
    }
    for key in ("PYENV_ROOT", "PYENV_VERSION", "LANG"):
        if key in os.environ:
            env[key] = os.environ[key]
    if imds:
        env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://127.0.0.1:%d/" % serve.port
        env["AWS_EC2_METADATA_DISABLED"] = "false"
    else:
        env["AWS_EC2_METADATA_DISABLED"] = "true"
    return env


def bench_results(args, env, pattern, repetitions=5):
    """{benchmark name: (median real ms, counters of the last repetition) or (None, error)}, or
    {"error": why} when the binary gave no results."""
    out = run_json([args.bench, "--benchmark_filter=" + pattern,
                    "--benchmark_repetitions=%d" % repetitions, "--benchmark_min_time=0.2",
                    "--benchmark_format=json"], env, cwd=args.bench_runfiles)
    if "benchmarks" not in out:
        return {"error": out.get("error", "no output")}
    runs, errors = {}, {}
    for b in iterations(out):
        if b.get("error_occurred"):
            errors[b["run_name"]] = b.get("error_message", "benchmark error")
        else:
            runs.setdefault(b["run_name"], []).append(b)
    results = {name: (None, why) for name, why in errors.items()}
    results.update({name: (statistics.median(real_time_ms(b) for b in bs), bs[-1])
                    for name, bs in runs.items() if name not in errors})
    return results


def python_handshakes(ca_path, runs, new_context):
    """Median ms of a bare TLS connect + handshake + close to STS_HOST:443 with Python's ssl
    (OpenSSL underneath, as botocore's urllib3): a new SSLContext loading the CA each time, or one."""
    import ssl
    shared = None if new_context else ssl.create_default_context(cafile=ca_path)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        ctx = ssl.create_default_context(cafile=ca_path) if new_context else shared
        sock = socket.create_connection(("127.0.0.1", 443))
        tls = ctx.wrap_socket(sock, server_hostname=STS_HOST)
        tls.close()
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times)


def sts_rows(args, workdir, go_peer, go_skip, hosts_problem):
    """The STS rows: (fixture, client, median ms, req/res, conn/res, note) plus, per fixture, the
    TLS handshake rows, and the in-process chantless refresh."""
    rows = []
    handshakes = {}
    for fixture, (path, bench_name, imds) in STS_FIXTURES.items():
        if hosts_problem:
            for name in ("chantless", "botocore", "js-sdk-v3", "go-sdk-v2"):
                rows.append((fixture, name, None, None, None, hosts_problem))
            continue
        transcript = os.path.join(workdir, fixture.replace("/", "_") + ".json")
        replayable(os.path.join(ROOT, path), transcript)
        clients = [
            ("chantless", None),
            ("botocore", [sys.executable, os.path.join(HERE, "botocore_peer.py"), str(args.runs)]),
        ]
        if shutil.which("node") and os.path.exists(
                os.path.join(args.npm_dir, "node_modules/@aws-sdk/credential-providers")):
            clients.append(("js-sdk-v3", ["node", os.path.join(HERE, "js_peer.cjs"), args.npm_dir,
                                          str(args.runs)]))
        else:
            rows.append((fixture, "js-sdk-v3", None, None, None, "not installed (./dev setup)"))
        if go_peer:
            clients.append(("go-sdk-v2", [go_peer, str(args.runs)]))
        else:
            rows.append((fixture, "go-sdk-v2", None, None, None, go_skip))
        for name, cmd in clients:
            serve = Serve(args.chantless, transcript, workdir, tls=True)
            env = sts_env(workdir, imds, serve)
            try:
                if cmd is None:
                    r = chantless_inprocess(
                        args, dict(env, CHANTLESS_BENCH_STS_CA_BUNDLE=serve.ca_path),
                        bench_name, "CHANTLESS_BENCH_IMDS_ENDPOINT",
                        "http://127.0.0.1:%d" % serve.port, args.runs)
                    resolutions = 0
                else:
                    r = run_json(cmd, env)
                    resolutions = len(r.get("times_ms", []))
            finally:
                exchanges, summary = serve.stop()
            if "error" in r:
                rows.append((fixture, name, None, None, None, r["error"]))
                continue
            if resolutions:
                rpr = exchanges / resolutions
                cpr = connections_per_resolution(summary, resolutions)
            else:
                rpr = r.get("requests_per_resolution")
                cpr = connections_per_resolution_from_ratio(summary, rpr)
            rows.append((fixture, r.get("client", name), statistics.median(r["times_ms"]), rpr,
                         cpr, ""))

        # The handshake alone, against a fresh server of the same fixture in the same run.
        serve = Serve(args.chantless, transcript, workdir, tls=True)
        env = sts_env(workdir, imds, serve)
        try:
            hs = bench_results(args, dict(env, CHANTLESS_BENCH_STS_CA_BUNDLE=serve.ca_path),
                               "^BM_TlsHandshake_Loopback/")
            py_new = python_handshakes(serve.ca_path, max(50, 5 * args.runs), True)
            py_shared = python_handshakes(serve.ca_path, max(50, 5 * args.runs), False)
        finally:
            serve.stop()
        if "error" in hs:
            rows.append((fixture, "tls handshake (OpenSSL, C++)", None, None, None, hs["error"]))
        else:
            for arg, label in (("0", "shared SSL_CTX"), ("1", "new SSL_CTX + CA load")):
                key = "BM_TlsHandshake_Loopback/new_ctx:%s/real_time" % arg
                if key in hs and hs[key][0] is None:
                    rows.append((fixture, "tls handshake (OpenSSL C++, %s)" % label, None, None,
                                 None, hs[key][1]))
                elif key in hs:
                    handshakes[(fixture, arg)] = hs[key][0]
                    rows.append((fixture, "tls handshake (OpenSSL C++, %s)" % label, hs[key][0],
                                 0.0, 1.0, ""))
        rows.append((fixture, "tls handshake (python ssl, new SSLContext)", py_new, 0.0, 1.0, ""))
        rows.append((fixture, "tls handshake (python ssl, shared SSLContext)", py_shared, 0.0, 1.0,
                     ""))

    # Connection reuse across refreshes, and the cold resolution on the same in-process server
    # (chain_benchmark's own TLS replay: its connection counter is exact).
    fixture = "sts/assume-role-static"
    r = bench_results(args, {"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
                      "^BM_(ColdResolve|Refresh)_AssumeRole_Tls(_NoTickets)?/real_time$")
    for bench, label in (
            ("BM_ColdResolve_AssumeRole_Tls", "chantless cold (in-process server)"),
            ("BM_ColdResolve_AssumeRole_Tls_NoTickets",
             "chantless cold (in-process server, no session tickets)"),
            ("BM_Refresh_AssumeRole_Tls", "chantless refresh, kept connection (in-process)")):
        key = bench + "/real_time"
        if "error" in r or key not in r or r[key][0] is None:
            why = r["error"] if "error" in r else r[key][1] if key in r else "did not run"
            rows.append((fixture, label, None, None, None, why))
            continue
        median, b = r[key]
        rows.append((fixture, label, median, b.get("requests"), b.get("connections"), ""))
    return rows, handshakes


GO_SDK_DIR = "/usr/share/gocode/src/github.com/aws/aws-sdk-go-v2"


def build_go_peer(workdir):
    """Builds go_peer.go offline against Debian's Go SDK v2; returns (binary, None) or (None, why)."""
    go = shutil.which("go")
    if go is None:
        return None, "go not installed (./dev setup installs golang-go)"
    if not os.path.isdir(os.path.join(GO_SDK_DIR, "config")):
        return None, "Go SDK v2 not installed (./dev setup installs golang-github-aws-aws-sdk-go-v2-dev)"
    version = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", "golang-github-aws-aws-sdk-go-v2-dev"],
        capture_output=True, text=True).stdout.strip().split("-")[0] or "?"
    binary = os.path.join(workdir, "go_peer")
    env = dict(os.environ, GOPATH="/usr/share/gocode", GO111MODULE="off", GOFLAGS="",
               GOCACHE=os.path.join(workdir, "gocache"))
    out = subprocess.run([go, "build", "-o", binary, "-ldflags", "-X main.sdkVersion=" + version,
                          os.path.join(HERE, "go_peer.go")], env=env, capture_output=True,
                         text=True, timeout=600)
    if out.returncode != 0:
        return None, "go build failed: " + out.stderr.strip()[-200:]
    return binary, None


def run_json(cmd, env, cwd=None, timeout=600):
    out = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    try:
        return json.loads(out.stdout)  # a whole JSON document (Google Benchmark)
    except ValueError:
        pass
    for line in reversed(out.stdout.splitlines()):  # else the last JSON line (the peers)
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                break
    return {"error": "exit %d: %s" % (out.returncode, out.stderr.strip()[-300:])}


def iterations(out):
    """The per-repetition results of a Google Benchmark JSON document (no aggregates)."""
    return [b for b in out.get("benchmarks", []) if b.get("run_type") == "iteration"]


def real_time_ms(b):
    return b["real_time"] * {"ns": 1e-6, "us": 1e-3, "ms": 1.0}[b["time_unit"]]


def chantless_inprocess(args, env, bench_name, base_var, base, runs):
    env = dict(env)
    env[base_var] = base
    out = run_json([args.bench, "--benchmark_filter=^%s/real_time$" % bench_name,
                    "--benchmark_repetitions=%d" % max(3, min(runs, 10)),
                    "--benchmark_min_time=0.2", "--benchmark_format=json"],
                   env, cwd=args.bench_runfiles)
    if "benchmarks" not in out:
        return {"client": "chantless", "error": out.get("error", "no output")}
    times, requests = [], []
    for b in iterations(out):
        if b.get("error_occurred"):
            return {"client": "chantless", "error": b.get("error_message", "benchmark error")}
        times.append(real_time_ms(b))
        requests.append(b.get("requests", 0))
    # Requests per resolution as the client counted them (the server also saw the benchmark
    # library's unreported calibration runs).
    return {"client": "chantless", "times_ms": times,
            "requests_per_resolution": statistics.median(requests) if requests else None}


def loopback_floor(args):
    """(RT, CRT) in ms from BM_LoopbackRoundTrip/connect:0 and /connect:1, or None."""
    out = run_json([args.bench, "--benchmark_filter=^BM_LoopbackRoundTrip/",
                    "--benchmark_repetitions=5", "--benchmark_min_time=0.2",
                    "--benchmark_format=json"], dict(os.environ), cwd=args.bench_runfiles)
    runs = {"0": [], "1": []}
    for b in iterations(out):
        for arg in runs:
            if b["name"].startswith("BM_LoopbackRoundTrip/connect:%s/" % arg):
                runs[arg].append(real_time_ms(b))
    if not runs["0"] or not runs["1"]:
        return None
    return statistics.median(runs["0"]), statistics.median(runs["1"])


def whole_process(cmd, env, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        elapsed = (time.perf_counter() - start) * 1000.0
        if out.returncode != 0:
            if "Invalid choice" in out.stderr:
                return {"error": "this aws CLI has no `configure export-credentials` (v2 >= 2.9 has)"}
            return {"error": "exit %d: %s" % (out.returncode, out.stderr.strip()[-200:])}
        times.append(elapsed)
    return {"times_ms": times}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--chantless", required=True)
    p.add_argument("--bench", required=True)
    p.add_argument("--bench-runfiles", required=True)
    p.add_argument("--npm-dir", default=os.path.expanduser("~/.cache/chantless/npm"))
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--process-runs", type=int, default=5)
    args = p.parse_args()

    floor = loopback_floor(args)
    workdir = tempfile.mkdtemp(prefix="chantless-peers-")
    rows = []
    handshakes = {}
    try:
        go_peer, go_skip = build_go_peer(workdir)
        for fixture, (path, base_var, bench_name) in FIXTURES.items():
            transcript = os.path.join(workdir, fixture.replace("/", "_") + ".json")
            replayable(os.path.join(ROOT, path), transcript)
            clients = [
                ("chantless", None),
                ("botocore", [sys.executable, os.path.join(HERE, "botocore_peer.py"),
                              str(args.runs)]),
            ]
            if shutil.which("node") and os.path.exists(
                    os.path.join(args.npm_dir, "node_modules/@aws-sdk/credential-providers")):
                clients.append(("js-sdk-v3", ["node", os.path.join(HERE, "js_peer.cjs"),
                                              args.npm_dir, str(args.runs)]))
            else:
                rows.append((fixture, "js-sdk-v3", None, None, None,
                             "not installed (./dev setup)"))
            if go_peer:
                clients.append(("go-sdk-v2", [go_peer, str(args.runs)]))
            else:
                rows.append((fixture, "go-sdk-v2", None, None, None, go_skip))
            for name, cmd in clients:
                serve = Serve(args.chantless, transcript, workdir)
                env, base = client_env(workdir, fixture, serve.port)
                try:
                    if cmd is None:
                        r = chantless_inprocess(args, env, bench_name, base_var, base, args.runs)
                        resolutions = 0
                    else:
                        r = run_json(cmd, env)
                        resolutions = len(r.get("times_ms", []))
                finally:
                    exchanges, summary = serve.stop()
                if "error" in r:
                    rows.append((fixture, name, None, None, None, r["error"]))
                    continue
                label = r.get("client", name)
                if resolutions:
                    rpr = exchanges / resolutions
                    cpr = connections_per_resolution(summary, resolutions)
                else:
                    rpr = r.get("requests_per_resolution")
                    cpr = connections_per_resolution_from_ratio(summary, rpr)
                rows.append((fixture, label, statistics.median(r["times_ms"]), rpr, cpr, ""))

            # Whole processes: `chantless resolve` vs `aws configure export-credentials`.
            for name, cmd in (
                    ("chantless resolve (process)",
                     [args.chantless, "resolve", "--format", "process"]),
                    ("aws configure export-credentials (process)",
                     ["/usr/bin/aws", "configure", "export-credentials", "--format", "process"])):
                if shutil.which(cmd[0]) is None and not os.path.exists(cmd[0]):
                    rows.append((fixture, name, None, None, None, "not installed"))
                    continue
                serve = Serve(args.chantless, transcript, workdir)
                env, _ = client_env(workdir, fixture, serve.port)
                try:
                    r = whole_process(cmd, env, args.process_runs)
                finally:
                    exchanges, summary = serve.stop()
                if "error" in r:
                    rows.append((fixture, name, None, None, None, r["error"]))
                else:
                    rows.append((fixture, name, statistics.median(r["times_ms"]),
                                 exchanges / args.process_runs,
                                 connections_per_resolution(summary, args.process_runs), ""))

        sts, handshakes = sts_rows(args, workdir, go_peer, go_skip, private_hosts(workdir))
        rows.extend(sts)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    # The table: median per resolution, requests and connections per resolution, ratio to chantless.
    base = {}
    for fixture, name, median, _, _, _ in rows:
        if name == "chantless" and median:
            base[fixture] = median
        if name.startswith("chantless resolve") and median:
            base[fixture + "#process"] = median
    def floor_ms(fixture, name, rpr, cpr):
        if floor is None or rpr is None or cpr is None:
            return None
        rt, crt = floor
        if name.startswith("tls handshake"):
            return crt  # a bare connect + exchange + close, no TLS
        handshake = handshakes.get((fixture, "0"))
        if fixture in STS_FIXTURES and handshake is not None:
            # One STS call per resolution: its connection, when new, costs the handshake (C++,
            # shared SSL_CTX: connect, handshake, close) and then one round trip.
            tls = min(1.0, cpr)
            return (cpr - tls) * crt + tls * (handshake + rt) + max(rpr - cpr, 0.0) * rt
        return cpr * crt + max(rpr - cpr, 0.0) * rt

    print("%-26s %-54s %12s %9s %9s %9s %9s" % ("fixture", "client", "median ms", "req/res",
                                                 "conn/res", "ratio", "x floor"))
    ceilings = []
    for fixture, name, median, rpr, cpr, note in rows:
        if median is None:
            note = (note.splitlines() or [""])[0]
            print("%-26s %-54s %12s %9s %9s %9s %9s  %s" % (fixture, name, "-", "-", "-", "-", "-",
                                                            note[:100]))
            continue
        ref = base.get(fixture + "#process") if "(process)" in name else base.get(fixture)
        ratio = "%.1fx" % (median / ref) if ref else "-"
        f = None if "(process)" in name else floor_ms(fixture, name, rpr, cpr)
        print("%-26s %-54s %12.3f %9s %9s %9s %9s" % (
            fixture, name, median, "%.2f" % rpr if rpr is not None else "-",
            "%.2f" % cpr if cpr is not None else "-", ratio, "%.1f" % (median / f) if f else "-"))
        if name == "chantless" and f:
            ceilings.append((fixture, f))
    if floor is not None:
        print()
        print("kernel floor (BM_LoopbackRoundTrip, same binary): round trip %.1f us, with a new "
              "connection %.1f us" % (floor[0] * 1000, floor[1] * 1000))
        for fixture, f in ceilings:
            peers = ["%s %.1fx" % (name.split()[0], median / f)
                     for fx, name, median, _, _, _ in rows
                     if fx == fixture and median and not name.startswith(("chantless", "tls "))
                     and "(process)" not in name]
            print("%s: chantless's floor %.3f ms; largest possible ratio to chantless: %s" % (
                fixture, f, ", ".join(peers) or "-"))
    # The handshake's share of each cold STS resolution (C++ rows against OpenSSL's new-context
    # handshake, which is what a new client pays; the others against Python's, as botocore's).
    for fixture in STS_FIXTURES:
        hs = {name: median for fx, name, median, _, _, _ in rows
              if fx == fixture and median and name.startswith("tls handshake")}
        c_new = hs.get("tls handshake (OpenSSL C++, new SSL_CTX + CA load)")
        py_new = hs.get("tls handshake (python ssl, new SSLContext)")
        shares = []
        # Node's TLS is OpenSSL too (its bundled copy); Go's crypto/tls is not measured here.
        for fx, name, median, _, _, _ in rows:
            if fx != fixture or not median:
                continue
            if name == "chantless" and c_new:
                shares.append("chantless %.0f%%" % (100.0 * c_new / median))
            elif name.startswith("botocore") and py_new:
                shares.append("botocore %.0f%% (python ssl)" % (100.0 * py_new / median))
            elif name.startswith("aws-sdk-js") and c_new:
                shares.append("js-sdk-v3 %.0f%% (OpenSSL C++)" % (100.0 * c_new / median))
        if shares:
            print("%s: one TLS handshake (new context) is %s of the cold resolution" % (
                fixture, ", ".join(shares)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
