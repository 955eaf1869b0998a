#!/usr/bin/python3
"""Record → verify → replay with real clients (the recorder's end-to-end test).

A fake credential endpoint on 127.0.0.1 (IMDSv2 and a CloudShell-style container endpoint) serves
secret-shaped values generated at random for this run (they contain neither EXAMPLE nor
REDACTED, so chantless's scanner treats them as real). For each client — botocore, the AWS CLI v2
(`aws configure export-credentials`), the JS SDK v3 (fromNodeProviderChain), `chantless resolve`,
and `chantless record --resolve` — in IMDS and container (CloudShell-style) mode, it:
  1. starts `chantless record --upstream <fake> --out T --port-file F` and runs the client under
     `env -i` against the proxy: the client must get the upstream's (real) values;
  2. stops the recorder with SIGTERM (exit 0) and byte-searches T for every secret: none may appear;
  3. runs `chantless verify T` (exit 0);
  4. replays T with `chantless serve` and runs the same client again: it must get the placeholder
     credentials (ASIAREDACTED00000001, REDACTED/SECRET/ACCESS/KEY/0000000000001) and the verdict
     must pass.
A client that is not installed is skipped with the reason printed. Nothing leaves 127.0.0.1.
"""
import http.server
import json
import os
import secrets
import shutil
import string
import subprocess
import sys
import tempfile
import threading
import time

# This runfiles tree's interop/clients.py (//interop:clients), not the source tree's; no
# __pycache__ there.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop"))
sys.dont_write_bytecode = True
import clients  # noqa: E402
from clients import CHANTLESS, CS_PATH, PY, stop, wait_for_port  # noqa: E402

PLACEHOLDER_KEY_ID = "ASIAREDACTED00000001"
PLACEHOLDER_SECRET = "REDACTED/SECRET/ACCESS/KEY/0000000000001"


def rand(alphabet, n):
    return "".join(secrets.choice(alphabet) for _ in range(n))


B32 = string.ascii_uppercase + "234567"
B64 = string.ascii_letters + string.digits + "+/"
SECRETS = {
    "key_id": "ASIA" + rand(B32, 16),
    "secret_key": "Q" + rand(B64, 37) + "z7",
    "session_token": "IQoJ" + rand(B64, 395) + "9",
    "imds_token": "AQAE" + rand(string.ascii_letters + string.digits + "-_", 50) + "==",
    "auth_token": "cs-auth-" + rand(string.ascii_letters + string.digits, 32),
}


def credentials_body():
    expiration = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 6 * 3600))
    updated = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60))
    return json.dumps({"Code": "Success", "LastUpdated": updated, "Type": "AWS-HMAC",
                       "AccessKeyId": SECRETS["key_id"], "SecretAccessKey": SECRETS["secret_key"],
                       "Token": SECRETS["session_token"], "Expiration": expiration}, indent=2)


class Upstream(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", headers=None):
        out = [f"HTTP/1.1 {status} X".encode()]
        for k, v in (headers or {}).items():
            out.append(f"{k}: {v}".encode())
        out.append(f"Content-Length: {len(body)}".encode())
        # One send: headers and body together (no Nagle stall for keep-alive clients).
        self.wfile.write(b"\r\n".join(out) + b"\r\n\r\n" + body)
        self.wfile.flush()

    def do_PUT(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        if self.path != "/latest/api/token":
            return self.reply(404)
        if self.headers.get("X-Forwarded-For") or not self.headers.get(
                "X-aws-ec2-metadata-token-ttl-seconds"):
            return self.reply(403)
        self.reply(200, SECRETS["imds_token"].encode(),
                   {"Content-Type": "text/plain", "X-aws-ec2-metadata-token-ttl-seconds":
                    self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")})

    def do_GET(self):
        if self.path == CS_PATH:
            if self.headers.get("Authorization") != SECRETS["auth_token"]:
                return self.reply(401)
            return self.reply(200, credentials_body().encode(), {"Content-Type": "application/json"})
        if self.headers.get("X-aws-ec2-metadata-token") != SECRETS["imds_token"]:
            return self.reply(401)
        if self.path == "/latest/meta-data/iam/security-credentials/":
            return self.reply(200, b"InteropRole", {"Content-Type": "text/plain"})
        if self.path == "/latest/meta-data/iam/security-credentials/InteropRole":
            return self.reply(200, credentials_body().encode(), {"Content-Type": "text/plain"})
        self.reply(404)


def client_env(mode, port, home, auth):
    if mode == "container":
        return clients.client_env(port, home, CS_PATH, authorization=auth)
    return clients.client_env(port, home)


def run_client(client, env):
    """Returns (credentials dict or None, diagnostic without secrets)."""
    if client == "aws-cli":
        argv = clients.AWS_EXPORT_CREDENTIALS
    elif client == "botocore":
        argv = [PY, "-c", clients.BOTOCORE_CREDENTIALS +
                "print(json.dumps({'AccessKeyId': f.access_key, 'SecretAccessKey': f.secret_key}"
                " if f else {}))\n"]
    elif client == "js-sdk":
        # Prints AccessKeyId and HasSecret/HasToken only.
        argv, env = clients.js_sdk_command(env)
    else:
        argv = [CHANTLESS, "resolve", "--format", "process"]
    r = clients.run_isolated(argv, env)
    stderr = r.stderr
    for value in SECRETS.values():
        stderr = stderr.replace(value, "<secret>")
    diag = f"exit {r.returncode}; stderr: {stderr.strip()[-1500:]}"
    if r.returncode != 0:
        return None, diag
    try:
        return json.loads(r.stdout), diag
    except ValueError:
        return None, diag + "; stdout is not JSON"


def case(client, mode, upstream_port, work):
    """One record → verify → replay round. Returns a list of problems."""
    problems = []
    home = os.path.join(work, "home")
    os.makedirs(home, exist_ok=True)
    out = os.path.join(work, "recorded.json")
    port_file = os.path.join(work, "record.port")
    argv = [CHANTLESS, "record", "--upstream", f"http://127.0.0.1:{upstream_port}", "--out", out,
            "--port-file", port_file, "--name", f"interop/{client}-{mode}"]
    env = {"PATH": "/usr/bin:/bin", "HOME": home}
    if client == "record-resolve":
        argv.append("--resolve")
        env["AWS_DEFAULT_REGION"] = "us-east-1"
        if mode == "container":
            env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = f"http://127.0.0.1:1{CS_PATH}"
            env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = SECRETS["auth_token"]
    log_path = os.path.join(work, "record.log")
    with open(log_path, "w") as log:
        rec = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env)
        if client == "record-resolve":
            rc = rec.wait(timeout=120)
        else:
            port = wait_for_port(port_file, rec, "chantless record", 30)
            creds, diag = run_client(client, client_env(mode, port, home, SECRETS["auth_token"]))
            if not creds or creds.get("AccessKeyId") != SECRETS["key_id"]:
                problems.append(f"through the proxy the client did not get the upstream key: {diag}")
            rc = stop(rec, 20)
    with open(log_path) as f:
        record_log = f.read()
    if rc != 0:
        return problems + [f"chantless record exited {rc}: {record_log[-1500:]}"]
    for name, value in SECRETS.items():
        if value in record_log:
            problems.append(f"the recorder's log holds the {name}")
    with open(out, "rb") as f:
        data = f.read()
    for name, value in SECRETS.items():
        if value.encode() in data:
            problems.append(f"the transcript holds the {name} (byte search)")
    if PLACEHOLDER_KEY_ID.encode() not in data:
        problems.append("the transcript has no placeholder key id")
    v = subprocess.run([CHANTLESS, "verify", out], capture_output=True, text=True)
    if v.returncode != 0:
        problems.append(f"chantless verify exited {v.returncode}: {v.stderr[-1000:]}")

    replay_client = "chantless" if client == "record-resolve" else client
    serve_port_file = os.path.join(work, "serve.port")
    with open(os.path.join(work, "serve.log"), "w") as log:
        srv = subprocess.Popen([CHANTLESS, "serve", out, "--port", "0", "--port-file",
                                serve_port_file], stdout=log, stderr=subprocess.STDOUT,
                               env={"PATH": "/usr/bin:/bin"})
        try:
            port = wait_for_port(serve_port_file, srv, "chantless serve", 30)
            creds, diag = run_client(replay_client,
                                     client_env(mode, port, home, "REDACTED-AUTHORIZATION-0001"))
            secret_ok = (creds or {}).get("SecretAccessKey", PLACEHOLDER_SECRET) == \
                PLACEHOLDER_SECRET  # the JS SDK script prints no secret, only HasSecret
            if not creds or creds.get("AccessKeyId") != PLACEHOLDER_KEY_ID or not secret_ok:
                problems.append(f"replay did not give the placeholder credentials: {diag}")
            verdict = clients.verdict(port)
            if not verdict.get("ok"):
                problems.append("replay verdict failed: " + json.dumps(verdict))
        finally:
            stop(srv, 20)
    return problems


def main():
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    upstream_port = upstream.server_address[1]
    failures, passed, skipped = [], 0, 0
    tmp = os.environ.get("TEST_TMPDIR") or tempfile.mkdtemp()
    cases = [("botocore", "imds"), ("aws-cli", "imds"), ("js-sdk", "imds"), ("chantless", "imds"),
             ("record-resolve", "imds"), ("botocore", "container"), ("aws-cli", "container"),
             ("js-sdk", "container"), ("chantless", "container"), ("record-resolve", "container")]
    for client, mode in cases:
        name = f"{client}/{mode}"
        # record-resolve and chantless need only chantless itself: no skip reason.
        reason = clients.skip_reason(client)
        if reason:
            print(f"SKIP {name}: {reason}")
            skipped += 1
            continue
        work = os.path.join(tmp, f"{client}-{mode}")
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
        try:
            problems = case(client, mode, upstream_port, work)
        except Exception as e:  # noqa: BLE001 - reported as a failure of this case
            problems = [f"{type(e).__name__}: {e}"]
        if problems:
            failures.append(name)
            print(f"FAIL {name}")
            for p in problems:
                print(f"  {p}")
        else:
            passed += 1
            print(f"PASS {name}")
    upstream.shutdown()
    print(f"{passed} passed, {len(failures)} failed, {skipped} skipped")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
