"""Client plumbing shared by the real-client tests (interop/interop_test.py, cli/record_interop_test.py).

Rules: the clients run by absolute path (/usr/bin/python3 with Debian's botocore, /usr/bin/aws,
/usr/bin/node), never a pyenv shim; each runs under `env -i` with exactly the environment
client_env() builds (the given HOME, PATH=/usr/bin:/bin, AWS_DEFAULT_REGION=us-east-1 and one
endpoint on 127.0.0.1), nothing inherited from Bazel or the user; a client that is not installed
has a skip reason, never a failure. chantless processes are found in the Bazel runfiles (or the
source tree when run by hand) and stopped with SIGTERM. Nothing here leaves 127.0.0.1.

A test imports it after putting its own runfiles' interop/ first on sys.path (not the source
tree's, which Python would find through the script's symlink): the module is data of both tests
through the py_library //interop:clients.
"""
import json
import os
import pwd
import signal
import subprocess
import time
import urllib.request

PY = "/usr/bin/python3"
AWS = "/usr/bin/aws"
NODE = "/usr/bin/node"
# The CloudShell-style container endpoint's path.
CS_PATH = "/latest/meta-data/container/security-credentials"


def runfiles_root():
    srcdir = os.environ.get("TEST_SRCDIR")
    if srcdir:
        return os.path.join(srcdir, os.environ.get("TEST_WORKSPACE", "chantless"))
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


ROOT = runfiles_root()
CHANTLESS = os.environ.get("CHANTLESS_BIN") or os.path.join(ROOT, "chantless")
JS_RESOLVE = os.path.join(ROOT, "interop", "js_resolve.mjs")
AWS_EXPORT_CREDENTIALS = [AWS, "configure", "export-credentials", "--format", "process"]
# botocore's default chain in Debian's python: `c` the credentials (or None), `f` frozen ones; the
# caller appends what to print.
BOTOCORE_CREDENTIALS = ("import json, botocore.session\n"
                        "c = botocore.session.get_session().get_credentials()\n"
                        "f = c.get_frozen_credentials() if c else None\n")


def npm_dir():
    """Where ./dev setup installed the JS SDK v3 (node_modules below it)."""
    d = os.environ.get("CHANTLESS_NPM_DIR")
    if d:
        return d
    return os.path.join(pwd.getpwuid(os.getuid()).pw_dir, ".cache", "chantless", "npm")


def skip_reason(client):
    """Why `client` ("aws-cli", "botocore" or "js-sdk") cannot run here, or None."""
    if client == "aws-cli" and not os.access(AWS, os.X_OK):
        return f"{AWS} not installed (apt-get install awscli)"
    if client == "botocore":
        r = subprocess.run([PY, "-c", "import botocore"], capture_output=True,
                           env={"PATH": "/usr/bin:/bin"})
        if r.returncode != 0:
            return "botocore not importable by /usr/bin/python3 (apt-get install python3-botocore)"
    if client == "js-sdk":
        if not os.access(NODE, os.X_OK):
            return f"{NODE} not installed"
        pkg = os.path.join(npm_dir(), "node_modules", "@aws-sdk", "credential-providers")
        if not os.path.isdir(pkg):
            return f"{pkg} missing (./dev setup installs it)"
    return None


def client_env(port, home, container_path=None, authorization=None, token_file=None):
    """A client's whole environment: IMDS at 127.0.0.1:port, or with container_path the container
    endpoint there, authorized by the token `authorization` or the one in `token_file`."""
    env = {"HOME": home, "PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "us-east-1"}
    if container_path is None:
        env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = f"http://127.0.0.1:{port}/"
        return env
    env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = f"http://127.0.0.1:{port}{container_path}"
    if token_file is not None:
        env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = token_file
    if authorization is not None:
        env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = authorization
    return env


def js_sdk_command(env):
    """(argv, env) running interop/js_resolve.mjs (fromNodeProviderChain) with the npm SDK."""
    return [NODE, JS_RESOLVE], dict(env, CHANTLESS_NPM_DIR=npm_dir())


def run_isolated(argv, env, timeout=120):
    """Runs argv under `env -i`: it sees exactly `env`. Returns the CompletedProcess (text)."""
    return subprocess.run(["/usr/bin/env", "-i"] + [f"{k}={v}" for k, v in sorted(env.items())]
                          + argv, capture_output=True, text=True, timeout=timeout)


def wait_for_port(path, proc, what, seconds):
    """The port `proc` (chantless serve|record --port-file path) wrote; AssertionError if it exits
    first or writes none within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{what} exited {proc.returncode} before binding")
        try:
            with open(path) as f:
                text = f.read().strip()
            if text:
                return int(text)
        except (OSError, ValueError):
            pass
        time.sleep(0.02)
    raise AssertionError(f"{what}: no port file after {seconds} s")


def stop(proc, seconds):
    """SIGTERM, then SIGKILL after `seconds`; returns the exit code."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def verdict(port):
    """`chantless serve`'s GET /__chantless/verdict on 127.0.0.1:port, decoded."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/__chantless/verdict", timeout=10) as r:
        return json.loads(r.read().decode())
