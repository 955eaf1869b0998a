#!/usr/bin/env python3
"""Peer comparison: cold credential resolution in-process for botocore, the JS SDK v3 and
chantless against the same `chantless serve` fixtures, plus whole-process `chantless resolve` vs
`aws configure export-credentials`.

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

    def __init__(self, chantless, transcript, workdir):
        self.port_file = os.path.join(workdir, "port")
        self.log_path = os.path.join(workdir, "serve.log")
        if os.path.exists(self.port_file):
            os.remove(self.port_file)
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [chantless, "serve", transcript, "--port", "0", "--port-file", self.port_file,
             "--log-json"], stdout=self.log, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while not os.path.exists(self.port_file):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("chantless serve did not start")
            time.sleep(0.02)
        with open(self.port_file) as f:
            self.port = int(f.read().strip())

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
    try:
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
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    # The table: median per resolution, requests and connections per resolution, ratio to chantless.
    base = {}
    for fixture, name, median, _, _, _ in rows:
        if name == "chantless" and median:
            base[fixture] = median
        if name.startswith("chantless resolve") and median:
            base[fixture + "#process"] = median
    def floor_ms(rpr, cpr):
        if floor is None or rpr is None or cpr is None:
            return None
        rt, crt = floor
        return cpr * crt + max(rpr - cpr, 0.0) * rt

    print("%-22s %-44s %12s %9s %9s %9s %9s" % ("fixture", "client", "median ms", "req/res",
                                                 "conn/res", "ratio", "x floor"))
    ceilings = []
    for fixture, name, median, rpr, cpr, note in rows:
        if median is None:
            note = (note.splitlines() or [""])[0]
            print("%-22s %-44s %12s %9s %9s %9s %9s  %s" % (fixture, name, "-", "-", "-", "-", "-",
                                                            note[:100]))
            continue
        ref = base.get(fixture + "#process") if "(process)" in name else base.get(fixture)
        ratio = "%.1fx" % (median / ref) if ref else "-"
        f = None if "(process)" in name else floor_ms(rpr, cpr)
        print("%-22s %-44s %12.3f %9s %9s %9s %9s" % (
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
                     if fx == fixture and median and name != "chantless" and "(process)" not in name]
            print("%s: chantless's floor %.3f ms; largest possible ratio to chantless: %s" % (
                fixture, f, ", ".join(peers) or "-"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
