#!/usr/bin/env python3
"""Start-up of `chantless resolve` as a whole process, measured pairwise against /bin/true.

Each round spawns every command once, in turn (so machine noise hits them alike), and times it
from posix_spawn to waitpid. Prints the median and p90 of each command, and each median as a
multiple of /bin/true's. Cases:
  true        /bin/true
  env-keys    chantless resolve --format process, env keys (no file, no request)
  imds        the same with IMDS at a loopback `chantless serve` of ec2/imdsv2-extended (3 requests)
  floor       the IMDS case's kernel floor is in BM_LoopbackRoundTrip (./dev bench), not here

Usage: bench/startup.py CHANTLESS [--rounds N] [--fixture PATH]
Loopback only; nothing else is contacted.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def spawn_time(argv, env):
    t0 = time.perf_counter_ns()
    pid = os.posix_spawn(argv[0], argv, env, file_actions=[
        (os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0),
        (os.POSIX_SPAWN_OPEN, 2, "/dev/null", os.O_WRONLY, 0)])
    _, status = os.waitpid(pid, 0)
    elapsed = (time.perf_counter_ns() - t0) / 1e6
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(argv)} exited {os.waitstatus_to_exitcode(status)}")
    return elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("chantless")
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--fixture", default=os.path.join(os.path.dirname(__file__), "..",
                                                      "fixtures", "ec2", "imdsv2-extended.json"))
    args = ap.parse_args()
    chantless = os.path.abspath(args.chantless)
    home = tempfile.mkdtemp(prefix="chantless-startup-")
    base = {"HOME": home, "PATH": "/usr/bin:/bin"}
    env_keys = dict(base, AWS_ACCESS_KEY_ID="AKIAFAKESTARTUP00001",
                    AWS_SECRET_ACCESS_KEY="fake/startup/secret/key/0000000000000000",
                    AWS_EC2_METADATA_DISABLED="true")
    cases = [
        ("true", ["/bin/true"], base),
        ("env-keys", [chantless, "resolve", "--format", "process"], env_keys),
    ]
    times = {name: [] for name, _, _ in cases}
    for _ in range(args.rounds):
        for name, argv, env in cases:
            times[name].append(spawn_time(argv, env))
    # The IMDS case consumes the transcript's exchanges: one replay server per run, each run
    # paired with a /bin/true run.
    times["imds"] = []
    port_file = os.path.join(home, "port")
    for _ in range(min(args.rounds, 30)):
        if os.path.exists(port_file):
            os.unlink(port_file)
        server = subprocess.Popen([chantless, "serve", args.fixture, "--port", "0",
                                   "--port-file", port_file],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 10
            while not (os.path.exists(port_file) and open(port_file).read().strip()):
                if time.monotonic() > deadline:
                    sys.exit("chantless serve wrote no port file")
                time.sleep(0.005)
            port = open(port_file).read().split()[0].strip()
            env = dict(base, AWS_EC2_METADATA_SERVICE_ENDPOINT=f"http://127.0.0.1:{port}/")
            times["imds"].append(spawn_time([chantless, "resolve", "--format", "process"], env))
            times["true"].append(spawn_time(["/bin/true"], base))
        finally:
            server.terminate()
            server.wait()
    t = statistics.median(times["true"])
    print(f"{'case':<10} {'median ms':>10} {'p90 ms':>8} {'x /bin/true':>12}  runs")
    for name in ("true", "env-keys", "imds"):
        xs = sorted(times[name])
        med = statistics.median(xs)
        p90 = xs[int(len(xs) * 0.9) - 1]
        print(f"{name:<10} {med:>10.3f} {p90:>8.3f} {med / t:>12.2f}  {len(xs)}")


if __name__ == "__main__":
    main()
