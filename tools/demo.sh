#!/usr/bin/env bash
# The chantless demo (`./dev demo` runs `tools/demo.sh bazel-bin/chantless`), in two parts:
# 1. the seed's EC2 blog post, replayed: `chantless serve fixtures/ec2/imdsv2.json` on 127.0.0.1
#    (port 0, read back from --port-file); `chantless region --debug` (the seed's availability-zone
#    lookup), then `chantless resolve --debug --format process` inside `env -i` with an empty HOME
#    and only AWS_EC2_METADATA_SERVICE_ENDPOINT pointing at the replay;
# 2. assume-role on EC2: `chantless serve fixtures/sts/credential-source-imds.json` (IMDS and STS in
#    one transcript), a profile with `credential_source = Ec2InstanceMetadata`, STS pointed at the
#    replay with AWS_ENDPOINT_URL_STS: the instance role from IMDS signs AssumeRole, and the replay
#    checks that signature (SigV4, the transcript's `"sigv4": "verify"`).
# Each part shows the resolver's trace (the seed's provider names in order), the credentials, the
# server's verdict and the exchanges it answered, and cleans up.
# Exit status: 0 when both parts resolved and both verdicts accepted the traffic, else 1.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${1:-$ROOT/bazel-bin/chantless}"
FIXTURE="${2:-$ROOT/fixtures/ec2/imdsv2.json}"
ROLE_FIXTURE="$ROOT/fixtures/sts/credential-source-imds.json"
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
[ -x "$BIN" ] || { echo "demo: $BIN is not an executable (bazel build //:chantless)" >&2; exit 2; }

WORK="$(mktemp -d /tmp/chantless-demo.XXXXXX)"
SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
cleanup() {
  stop_server
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

if [ -t 1 ]; then
  section() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }
else
  section() { printf '\n== %s ==\n' "$*"; }
fi

# start_server FIXTURE: starts `chantless serve FIXTURE`, sets PORT and ENDPOINT.
start_server() {
  rm -f "$WORK/port"
  section "chantless serve $(basename "$(dirname "$1")")/$(basename "$1")"
  "$BIN" serve "$1" --port 0 --port-file "$WORK/port" >"$WORK/serve.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 500); do
    [ -s "$WORK/port" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.02
  done
  if [ ! -s "$WORK/port" ]; then
    echo "demo: chantless serve did not start:" >&2
    cat "$WORK/serve.log" >&2
    exit 1
  fi
  PORT="$(head -n1 "$WORK/port")"
  ENDPOINT="http://127.0.0.1:$PORT/"
  echo "replaying on $ENDPOINT (pid $SERVER_PID)"
}

# resolve HOME VAR=value…: `chantless resolve --debug --format process` in `env -i`; sets RC.
resolve() {
  local home="$1"
  shift
  section "env -i $* chantless resolve --debug --format process"
  RC=0
  env -i HOME="$home" PATH=/usr/bin:/bin "$@" \
    "$BIN" resolve --debug --format process >"$WORK/resolve.out" 2>"$WORK/resolve.err" || RC=$?
  echo "-- trace (stderr) --"
  cat "$WORK/resolve.err"
  echo "-- credentials (stdout, exit $RC) --"
  cat "$WORK/resolve.out"
}

# finish: prints the verdict and the exchanges served, stops the server; sets VERDICT_OK.
finish() {
  section "verdict (GET /__chantless/verdict)"
  local verdict
  verdict="$(/usr/bin/python3 - "$PORT" <<'PY'
import sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/__chantless/verdict", timeout=5) as r:
    print(r.read().decode())
PY
)" || verdict='{"ok": false, "error": "verdict endpoint unreachable"}'
  echo "$verdict"
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  local serve_rc=0
  wait "$SERVER_PID" 2>/dev/null || serve_rc=$?
  SERVER_PID=""
  section "exchanges served (chantless serve output, exit $serve_rc)"
  cat "$WORK/serve.log"
  VERDICT_OK=0
  if printf '%s' "$verdict" | grep -q '"ok": *true'; then VERDICT_OK=1; fi
}

# --- 1. the seed: IMDSv2 on EC2 ----------------------------------------------------------------
mkdir -p "$WORK/home"
start_server "$FIXTURE"
# As the AWS CLI did in the seed (no region configured): the region from the instance's placement.
section "env -i AWS_EC2_METADATA_SERVICE_ENDPOINT=$ENDPOINT chantless region --debug"
env -i HOME="$WORK/home" PATH=/usr/bin:/bin AWS_EC2_METADATA_SERVICE_ENDPOINT="$ENDPOINT" \
  "$BIN" region --debug 2>&1 || echo "(chantless region exited $?)"
resolve "$WORK/home" AWS_EC2_METADATA_SERVICE_ENDPOINT="$ENDPOINT"
finish
ok1=0
[ "$RC" -eq 0 ] && [ "$VERDICT_OK" -eq 1 ] && ok1=1

# --- 2. assume-role on EC2: IMDS → STS, the signature checked -----------------------------------
mkdir -p "$WORK/role/.aws"
cat >"$WORK/role/.aws/config" <<'CFG'
[default]
region = us-east-1
role_arn = arn:aws:iam::123456789012:role/demo
credential_source = Ec2InstanceMetadata
CFG
section "~/.aws/config"
cat "$WORK/role/.aws/config"
start_server "$ROLE_FIXTURE"
resolve "$WORK/role" AWS_EC2_METADATA_SERVICE_ENDPOINT="$ENDPOINT" AWS_ENDPOINT_URL_STS="$ENDPOINT"
finish
ok2=0
[ "$RC" -eq 0 ] && [ "$VERDICT_OK" -eq 1 ] && ok2=1

if [ "$ok1" -eq 1 ] && [ "$ok2" -eq 1 ]; then
  section "demo: resolved through both replays (IMDS; IMDS → STS, signature verified), verdicts ok"
  exit 0
fi
section "demo: FAILED (seed: $ok1, assume-role on EC2: $ok2)"
exit 1
