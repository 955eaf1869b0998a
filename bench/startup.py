#!/usr/bin/env python3
"""Start-up of `chantless resolve` as a whole process, measured pairwise against /bin/true.

Each round spawns every command once, in turn (so machine noise hits them alike), and times it
from posix_spawn to waitpid. Prints the median and p90 of each command, and each median as a
multiple of /bin/true's. Cases:
  true        /bin/true
  env-keys    chantless resolve --format process, env keys (no file, no request)
  role-cache  chantless resolve --profile role --format process: an assume-role profile (static
              source keys) whose role credentials are in a warm AWS CLI cache entry
              (~/.aws/cli/cache/<sha1 of the AssumeRole arguments>.json, written here in the CLI's
              format, one hour left): both profile files parsed, the entry read, no request. STS
              is pointed at https://127.0.0.1:9 so that a miss fails at once on loopback
  imds        env without keys, IMDS at a loopback `chantless serve` of ec2/imdsv2-extended made
              endlessly replayable (3 requests on one connection). One server for the whole run,
              warmed by a few resolutions first, as a real instance's IMDS is always up: the case
              times the client process, not the replay server's own start
  floor       the IMDS case's kernel floor is in BM_LoopbackRoundTrip (./dev bench), not here

Usage: bench/startup.py CHANTLESS [--rounds N] [--fixture PATH]
Loopback only; nothing else is contacted.
"""
import argparse
import datetime
import hashlib
import json
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


ROLE_ARN = "arn:aws:iam::123456789012:role/demo"
ROLE_CACHE_KEY_ID = "ASIAFAKESTARTUPROLE1"


def warm_role_cache(home, base):
    """Writes an assume-role profile and a warm AWS CLI cache entry for it under `home`; returns
    the environment that resolves it. Fake keys only."""
    aws = os.path.join(home, ".aws")
    cache = os.path.join(aws, "cli", "cache")
    os.makedirs(cache, exist_ok=True)
    with open(os.path.join(aws, "config"), "w") as f:
        f.write("[profile role]\nregion = us-east-1\nrole_arn = %s\nsource_profile = base\n" % ROLE_ARN)
    with open(os.path.join(aws, "credentials"), "w") as f:
        f.write("[base]\naws_access_key_id = AKIAFAKESTARTUP00002\n"
                "aws_secret_access_key = fake/startup/secret/key/0000000000000002\n")
    # botocore's key: sha1 of json.dumps(AssumeRole arguments, sort_keys=True).
    key = hashlib.sha1(json.dumps({"RoleArn": ROLE_ARN}, sort_keys=True).encode()).hexdigest()
    expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    entry = {"Credentials": {"AccessKeyId": ROLE_CACHE_KEY_ID,
                             "SecretAccessKey": "fake/startup/role/secret/0000000000000001",
                             "SessionToken": "FAKESTARTUPSESSIONTOKEN0000000000000000000001",
                             "Expiration": expires.strftime("%Y-%m-%dT%H:%M:%SUTC")},
             "AssumedRoleUser": {"AssumedRoleId": "AROAFAKESTARTUP00001:startup",
                                 "Arn": "arn:aws:sts::123456789012:assumed-role/demo/startup"}}
    path = os.path.join(cache, key + ".json")
    with open(path, "w") as f:
        json.dump(entry, f)
    os.chmod(path, 0o600)
    return dict(base, AWS_CONFIG_FILE=os.path.join(aws, "config"),
                AWS_SHARED_CREDENTIALS_FILE=os.path.join(aws, "credentials"),
                AWS_EC2_METADATA_DISABLED="true", AWS_ENDPOINT_URL_STS="https://127.0.0.1:9")


def start_imds(chantless, fixture, home, base):
    """A `chantless serve` of `fixture` made endlessly replayable (every exchange its own family,
    no repeat limit; requests and responses unchanged) on 127.0.0.1:0; returns (process, env)."""
    replayable = os.path.join(home, "imds-replayable.json")
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers"))
    from peers import replayable as make_replayable  # noqa: E402 (bench/peers/peers.py)
    make_replayable(fixture, replayable)
    port_file = os.path.join(home, "port")
    server = subprocess.Popen([chantless, "serve", replayable, "--port", "0",
                               "--port-file", port_file],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not (os.path.exists(port_file) and open(port_file).read().strip()):
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            sys.exit("chantless serve wrote no port file")
        time.sleep(0.005)
    port = open(port_file).read().split()[0].strip()
    return server, dict(base, AWS_EC2_METADATA_SERVICE_ENDPOINT=f"http://127.0.0.1:{port}/")


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
    role_cache = warm_role_cache(home, base)
    role_argv = [chantless, "resolve", "--profile", "role", "--format", "process"]
    check = subprocess.run(role_argv, env=role_cache, capture_output=True, text=True)
    if check.returncode != 0 or ROLE_CACHE_KEY_ID not in check.stdout:
        sys.exit("the warm CLI cache entry was not used: " + check.stderr.strip()[-300:])
    cases = [
        ("true", ["/bin/true"], base),
        ("env-keys", [chantless, "resolve", "--format", "process"], env_keys),
        ("role-cache", role_argv, role_cache),
    ]
    server = None
    try:
        server, imds_env = start_imds(chantless, args.fixture, home, base)
        cases.append(("imds", [chantless, "resolve", "--format", "process"], imds_env))
        for _ in range(5):  # the replay's first connections page its code in
            spawn_time(cases[-1][1], imds_env)
        times = {name: [] for name, _, _ in cases}
        for _ in range(args.rounds):
            for name, argv, env in cases:
                times[name].append(spawn_time(argv, env))
    finally:
        if server is not None:
            server.terminate()
            server.wait()
    t = statistics.median(times["true"])
    print(f"{'case':<10} {'median ms':>10} {'p90 ms':>8} {'x /bin/true':>12}  runs")
    for name in ("true", "env-keys", "role-cache", "imds"):
        xs = sorted(times[name])
        med = statistics.median(xs)
        p90 = xs[int(len(xs) * 0.9) - 1]
        print(f"{name:<10} {med:>10.3f} {p90:>8.3f} {med / t:>12.2f}  {len(xs)}")


if __name__ == "__main__":
    main()
