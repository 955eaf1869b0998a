#!/usr/bin/python3
"""Real AWS clients against `chantless serve`: the interop test.

For each fixture in FIXTURES and each client (AWS CLI v2 `aws configure export-credentials`,
botocore, the JS SDK v3's fromNodeProviderChain, `chantless resolve --debug`, and the AWS CLI the
seed's way), starts a fresh `chantless serve <fixture> --port 0 --port-file F` on 127.0.0.1, runs
the client under `env -i` with an empty HOME and only the endpoint variables, and asserts that the
client resolves the fixture's AccessKeyId (or, for the pairs in EXPECTED_OUTCOMES, does what it was
observed to do with expired credentials), that `GET /__chantless/verdict` accepts the traffic,
that serve exits 0 on SIGTERM, and that no secret shows in serve's log or chantless's trace.
A client that is not installed is skipped with the reason printed (./dev setup installs all of
them); a pair in KNOWN_UNSUPPORTED may fail (XFAIL). Runs /usr/bin/python3, /usr/bin/aws and
/usr/bin/node by absolute path, never a pyenv shim. Nothing here leaves 127.0.0.1.

Usage (Bazel runs it through interop_test.sh): interop_test.py [FIXTURE | CLIENT | FIXTURE:CLIENT]...
"""
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

# clients.py from this runfiles tree (//interop:clients), no __pycache__ there: Python put the
# source tree's interop/ on sys.path (it follows the script's runfiles symlink), so that goes.
sys.path = [os.path.dirname(os.path.abspath(__file__))] + [
    p for p in sys.path if p != os.path.dirname(os.path.realpath(__file__))]
sys.dont_write_bytecode = True
import clients  # noqa: E402
from clients import AWS, CHANTLESS, CS_PATH, NODE, PY, ROOT  # noqa: E402

CS_AUTH = "cloudshell-EXAMPLE-authorization-token-0000"
FIXTURES = ["ec2/imdsv2", "ec2/imdsv2-extended", "ec2/imdsv1-only", "ec2/token-required",
            "cloudshell/container", "ec2/hop-limit", "ec2/expired-credentials", "eks/pod-identity",
            "cloudshell/expired-credentials"]
# Pairs where resolving the fixture's AccessKeyId is not the right answer: what each client was
# observed to do instead, asserted as is, so that a client version that changes shows up here.
# cloudshell/expired-credentials serves, on every fetch, credentials that expired 3 hours ago:
# - the AWS CLI 2.9.19 and botocore 1.29.27 refresh once (a second GET), see them still expired
#   (inside botocore's 10-minute mandatory window) and raise RuntimeError "Credentials were
#   refreshed, but the refreshed credentials are still expired." (CLI exit 255, python exit 1);
# - the JS SDK v3 (fromNodeProviderChain → @aws-sdk/credential-provider-http's fromHttp) parses the
#   Expiration of container credentials but never compares it with the clock: one GET, exit 0,
#   and it hands out the stale credentials with their 3-hour-old Expiration (its expiry check only
#   decides when a memoized provider is called again);
# - chantless refuses them at once by the expiry rule (one GET, exit 1, "refusing expired
#   credentials" naming the endpoint, the Expiration and the local clock).
# Each entry: ("refused", exit code, substring of stderr) or ("stale", 0, None): the fixture's
# AccessKeyId returned with an Expiration in the past.
EXPECTED_OUTCOMES = {
    ("cloudshell/expired-credentials", "aws-cli"):
        ("refused", 255, "refreshed credentials are still expired"),
    ("cloudshell/expired-credentials", "botocore"):
        ("refused", 1, "refreshed credentials are still expired"),
    ("cloudshell/expired-credentials", "js-sdk"): ("stale", 0, None),
    ("cloudshell/expired-credentials", "chantless"):
        ("refused", 1, "refusing expired credentials"),
}
# Pairs a client version is known not to support: a failure is reported XFAIL (expected), a
# success XPASS (a newer client); neither fails the test.
KNOWN_UNSUPPORTED = {
    ("eks/pod-identity", "aws-cli"):
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (EKS Pod Identity) arrived in botocore 1.34; "
        "AWS CLI 2.9.19 sends no Authorization header",
    ("eks/pod-identity", "botocore"):
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (EKS Pod Identity) arrived in botocore 1.34; "
        "1.29 sends no Authorization header",
}
EKS_PATH = "/v1/credentials"
# What chantless resolve --debug must say for a fixture (case-insensitive), beyond resolving.
CHANTLESS_TRACE_MUST_SAY = {"ec2/hop-limit": "hop-limit", "ec2/expired-credentials": "expired",
                            "ec2/imdsv2-extended": "security-credentials-extended/testec2role -> 200"}
CLIENTS = ["aws-cli", "botocore", "js-sdk", "chantless", "aws-cli-seed"]
# "aws-cli-seed" is the AWS CLI with no region configured, as in the seed's blog post: `aws s3
# presign` (signs locally, sends nothing to AWS) needs a region, so the CLI asks IMDS for the
# availability zone first (token PUT, GET …/placement/availability-zone/, token PUT, role, its
# credentials). Only on the fixture the seed is about; its exchange log must show the AZ lookup and
# the presigned URL must carry the fixture's key id and the region derived from the AZ.
SEED_FIXTURE = "ec2/imdsv2"
SEED_MUST_SERVE = "/latest/meta-data/placement/availability-zone/"


def fixture_credentials(fixture):
    """(AccessKeyId, [secret values]) served by the fixture's credentials exchange."""
    with open(os.path.join(ROOT, "fixtures", fixture + ".json")) as f:
        transcript = json.load(f)
    for ex in transcript["exchanges"]:
        body = (ex.get("response") or {}).get("body", "")
        try:
            doc = json.loads(body)
        except ValueError:
            continue
        if isinstance(doc, dict) and "AccessKeyId" in doc:
            secrets = [doc[k] for k in ("SecretAccessKey", "Token") if doc.get(k)]
            headers = ex["request"].get("headers", {})
            secrets += [v for k, v in headers.items() if k.lower() == "authorization"]
            return doc["AccessKeyId"], secrets + [CS_AUTH]
    raise AssertionError(f"{fixture}: no AccessKeyId in any response body")


def skip_reason(client):
    return clients.skip_reason("aws-cli" if client == "aws-cli-seed" else client)


def client_versions():
    out = {}
    if not skip_reason("aws-cli"):
        r = subprocess.run([AWS, "--version"], capture_output=True, text=True,
                           env={"PATH": "/usr/bin:/bin", "HOME": tempfile.gettempdir()})
        out["aws-cli"] = (r.stdout or r.stderr).strip()
    if not skip_reason("botocore"):
        r = subprocess.run([PY, "-c", "import botocore; print(botocore.__version__)"],
                           capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
        out["botocore"] = r.stdout.strip()
    if not skip_reason("js-sdk"):
        r = subprocess.run([NODE, "--version"], capture_output=True, text=True)
        parts = [f"node {r.stdout.strip()}"]
        for pkg in ["@aws-sdk/credential-providers", "@aws-sdk/credential-provider-node",
                    "@smithy/credential-provider-imds"]:
            p = os.path.join(clients.npm_dir(), "node_modules", pkg, "package.json")
            try:
                with open(p) as f:
                    parts.append(f"{pkg} {json.load(f)['version']}")
            except (OSError, ValueError, KeyError):
                pass
        out["js-sdk"] = ", ".join(parts)
    return out


class Server:
    """One `chantless serve` process on 127.0.0.1, port from --port-file."""

    def __init__(self, fixture, workdir):
        self.workdir = workdir
        self.port_file = os.path.join(workdir, "port")
        self.log_path = os.path.join(workdir, "serve.log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [CHANTLESS, "serve", os.path.join(ROOT, "fixtures", fixture + ".json"),
             "--port", "0", "--port-file", self.port_file],
            stdout=self.log, stderr=subprocess.STDOUT, env={"PATH": "/usr/bin:/bin"})
        try:
            self.port = clients.wait_for_port(self.port_file, self.proc, "chantless serve", 20)
        except AssertionError:
            self.stop()
            raise AssertionError(
                f"chantless serve did not write {self.port_file}:\n{self.output()}") from None

    def verdict(self):
        return clients.verdict(self.port)

    def stop(self):
        rc = clients.stop(self.proc, 10)
        self.log.close()
        return rc

    def output(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path) as f:
            return f.read()


def fixture_authorization(fixture):
    """The Authorization value the fixture's credentials exchange requires."""
    with open(os.path.join(ROOT, "fixtures", fixture + ".json")) as f:
        transcript = json.load(f)
    for ex in transcript["exchanges"]:
        for name, value in ex["request"].get("headers", {}).items():
            if name.lower() == "authorization":
                return value
    raise AssertionError(f"{fixture}: no Authorization header to match")


def client_env(fixture, port, home):
    if fixture.startswith("eks/"):
        # The EKS Pod Identity agent's host (169.254.170.23) is not loopback: the same path on the
        # replay, with the token in a file as EKS projects it.
        token_file = os.path.join(home, "eks-pod-identity-token")
        with open(token_file, "w") as f:
            f.write(fixture_authorization(fixture))
        return clients.client_env(port, home, EKS_PATH, token_file=token_file)
    if fixture.startswith("cloudshell/"):
        return clients.client_env(port, home, CS_PATH, authorization=CS_AUTH)
    return clients.client_env(port, home)


def run_client(client, env):
    """Runs one client; returns ({AccessKeyId, Expiration} or None, diagnostic text, stderr)."""
    if client == "aws-cli-seed":
        env = {k: v for k, v in env.items() if k != "AWS_DEFAULT_REGION"}
        argv = [AWS, "s3", "presign", "s3://example-bucket/key"]
    elif client == "aws-cli":
        argv = clients.AWS_EXPORT_CREDENTIALS
    elif client == "botocore":
        argv = [PY, "-c", clients.BOTOCORE_CREDENTIALS +
                "e = getattr(c, '_expiry_time', None)\n"
                "print(json.dumps({'AccessKeyId': f.access_key if f else None,"
                " 'Expiration': e.isoformat() if e else None,"
                " 'method': c.method if c else None}))\n"]
    elif client == "js-sdk":
        argv, env = clients.js_sdk_command(env)
    else:
        argv = [CHANTLESS, "resolve", "--debug", "--format", "process"]
    r = clients.run_isolated(argv, env)
    diag = f"exit {r.returncode}; stderr: {r.stderr.strip()[-2000:]}"
    if r.returncode != 0:
        return None, diag, r.stderr
    if client == "aws-cli-seed":
        # X-Amz-Credential=<key id>/<date>/<region>/s3/aws4_request; the URL also holds the session
        # token, so it is never printed.
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(r.stdout.strip()).query)
        scope = query.get("X-Amz-Credential", [""])[0].split("/")
        if len(scope) < 3 or scope[2] != "us-east-1":
            return None, f"{diag}; presigned URL scope is not <key>/<date>/us-east-1/…", r.stderr
        return {"AccessKeyId": scope[0], "Expiration": None}, diag, r.stderr
    try:
        doc = json.loads(r.stdout)
        return {"AccessKeyId": doc.get("AccessKeyId"), "Expiration": doc.get("Expiration")}, \
            diag, r.stderr
    except ValueError:
        return None, f"{diag}; stdout is not JSON ({len(r.stdout)} bytes)", r.stderr


def check_outcome(outcome, got, diag, stderr, expected):
    """Problems (a list of strings) with a client's result against its EXPECTED_OUTCOMES entry."""
    kind, code, must_say = outcome
    if kind == "refused":
        problems = []
        if got is not None:
            problems.append(f"returned {got.get('AccessKeyId')!r}, want a refusal ({diag})")
        elif not diag.startswith(f"exit {code};"):
            problems.append(f"want exit {code} ({diag})")
        if must_say and must_say not in stderr:
            problems.append(f"stderr does not say {must_say!r} ({diag})")
        return problems
    if not got or got.get("AccessKeyId") != expected:
        return [f"want the stale {expected!r} returned ({diag})"]
    expiration = got.get("Expiration") or ""
    try:
        when = datetime.datetime.fromisoformat(expiration.replace("Z", "+00:00"))
    except ValueError:
        return [f"Expiration {expiration!r} is not ISO 8601"]
    if when >= datetime.datetime.now(datetime.timezone.utc):
        return [f"Expiration {expiration} is not in the past: not the stale credentials"]
    return []


def main(argv):
    only = [a for a in argv[1:] if not a.startswith("-")]
    if not os.access(CHANTLESS, os.X_OK):
        print(f"FAIL: {CHANTLESS} is not an executable")
        return 1
    versions = client_versions()
    for k, v in versions.items():
        print(f"version {k}: {v}")
    out_dir = os.environ.get("TEST_UNDECLARED_OUTPUTS_DIR")
    if out_dir:
        with open(os.path.join(out_dir, "client-versions.json"), "w") as f:
            json.dump(versions, f, indent=2)
    tmp_root = os.environ.get("TEST_TMPDIR") or tempfile.mkdtemp()
    passed, failed, skipped, xfailed = [], [], [], []
    for fixture in FIXTURES:
        for client in CLIENTS:
            name = f"{fixture}:{client}"
            if only and not any(name == o or fixture == o or client == o for o in only):
                continue
            if client == "aws-cli-seed" and fixture != SEED_FIXTURE:
                continue
            expected, secrets = fixture_credentials(fixture)
            reason = skip_reason(client)
            if reason:
                print(f"SKIP {name}: {reason}")
                skipped.append(name)
                continue
            workdir = tempfile.mkdtemp(prefix=name.replace("/", "_").replace(":", "_"),
                                       dir=tmp_root)
            home = os.path.join(workdir, "home")
            os.mkdir(home)
            server = Server(fixture, workdir)
            problems = []
            note = ""
            try:
                got, diag, stderr = run_client(client, client_env(fixture, server.port, home))
                akid = got["AccessKeyId"] if got else None
                if got and got.get("Expiration"):
                    note = f"Expiration {got['Expiration']}"
                outcome = EXPECTED_OUTCOMES.get((fixture, client))
                if outcome:
                    problems += check_outcome(outcome, got, diag, stderr, expected)
                    note = f"{outcome[0]}, exit {diag.split(';')[0].split()[-1]}" + (
                        f", {note}" if note else "")
                elif akid != expected:
                    problems.append(f"resolved {akid!r}, want {expected!r} ({diag})")
                # chantless's own --debug trace must hold no secret (the other clients are not ours).
                if client == "chantless" and any(s in stderr for s in secrets):
                    problems.append("a secret appeared in chantless resolve --debug output")
                must_say = CHANTLESS_TRACE_MUST_SAY.get(fixture)
                if client == "chantless" and must_say and must_say not in stderr.lower():
                    problems.append(f"chantless resolve --debug did not mention {must_say!r}")
                verdict = server.verdict()
                if not verdict.get("ok"):
                    problems.append("verdict refused the traffic: " + json.dumps(verdict))
            except Exception as e:  # noqa: BLE001 — report and continue with the next pair
                problems.append(f"{type(e).__name__}: {e}")
            finally:
                rc = server.stop()
            if not problems and rc != 0:
                problems.append(f"chantless serve exited {rc} on SIGTERM (verdict failed?)")
            if client == "aws-cli-seed" and SEED_MUST_SERVE not in server.output():
                problems.append(f"the AWS CLI did not ask {SEED_MUST_SERVE} as in the seed")
            if any(s in server.output() for s in secrets):
                problems.append("a secret appeared in chantless serve's exchange log")
            known = KNOWN_UNSUPPORTED.get((fixture, client))
            if known and problems:
                print(f"XFAIL {name}: {known}")
                xfailed.append(name)
            elif known:
                print(f"XPASS {name}: resolved although {known}")
                passed.append(name)
            elif problems:
                print(f"FAIL {name}:\n  " + "\n  ".join(problems))
                print("  --- chantless serve output ---\n" + server.output())
                failed.append(name)
            else:
                print(f"PASS {name}" + (f" ({note})" if note else ""))
                passed.append(name)
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"{len(passed)} passed, {len(failed)} failed, {len(skipped)} skipped, "
          f"{len(xfailed)} expected failures (known unsupported)")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
