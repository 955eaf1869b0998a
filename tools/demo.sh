#!/usr/bin/env bash
# The chantless demo (`./dev demo` runs `tools/demo.sh bazel-bin/chantless`): the seed's EC2 blog
# post, replayed. Starts `chantless serve fixtures/ec2/imdsv2.json` on 127.0.0.1 (port 0, read back
# from --port-file), runs `chantless resolve --debug --format process` against it inside `env -i`
# with an empty HOME and only AWS_EC2_METADATA_SERVICE_ENDPOINT pointing at the replay (after
# `chantless region --debug`, the seed's availability-zone lookup), then shows the resolver's trace,
# the exchanges the server answered and its verdict, and cleans up.
# Exit status: 0 when credentials resolved and the verdict accepted the traffic, else 1.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${1:-$ROOT/bazel-bin/chantless}"
FIXTURE="${2:-$ROOT/fixtures/ec2/imdsv2.json}"
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
[ -x "$BIN" ] || { echo "demo: $BIN is not an executable (bazel build //:chantless)" >&2; exit 2; }

WORK="$(mktemp -d /tmp/chantless-demo.XXXXXX)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

if [ -t 1 ]; then
  section() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }
else
  section() { printf '\n== %s ==\n' "$*"; }
fi

mkdir -p "$WORK/home"
section "chantless serve $(basename "$(dirname "$FIXTURE")")/$(basename "$FIXTURE")"
"$BIN" serve "$FIXTURE" --port 0 --port-file "$WORK/port" >"$WORK/serve.log" 2>&1 &
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
PORT="$(cat "$WORK/port")"
ENDPOINT="http://127.0.0.1:$PORT/"
echo "replaying on $ENDPOINT (pid $SERVER_PID)"

# As the AWS CLI did in the seed (no region configured): the region from the instance's placement.
section "env -i AWS_EC2_METADATA_SERVICE_ENDPOINT=$ENDPOINT chantless region --debug"
env -i HOME="$WORK/home" PATH=/usr/bin:/bin AWS_EC2_METADATA_SERVICE_ENDPOINT="$ENDPOINT" \
  "$BIN" region --debug 2>&1 || echo "(chantless region exited $?)"

section "env -i AWS_EC2_METADATA_SERVICE_ENDPOINT=$ENDPOINT chantless resolve --debug --format process"
rc=0
env -i HOME="$WORK/home" PATH=/usr/bin:/bin AWS_EC2_METADATA_SERVICE_ENDPOINT="$ENDPOINT" \
  "$BIN" resolve --debug --format process >"$WORK/resolve.out" 2>"$WORK/resolve.err" || rc=$?
echo "-- trace (stderr) --"
cat "$WORK/resolve.err"
echo "-- credentials (stdout, exit $rc) --"
cat "$WORK/resolve.out"

section "verdict (GET /__chantless/verdict)"
verdict="$(/usr/bin/python3 - "$PORT" <<'PY'
import sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/__chantless/verdict", timeout=5) as r:
    print(r.read().decode())
PY
)" || verdict='{"ok": false, "error": "verdict endpoint unreachable"}'
echo "$verdict"

kill -TERM "$SERVER_PID" 2>/dev/null || true
serve_rc=0
wait "$SERVER_PID" 2>/dev/null || serve_rc=$?
SERVER_PID=""
section "exchanges served (chantless serve output, exit $serve_rc)"
cat "$WORK/serve.log"

if [ "$rc" -eq 0 ] && printf '%s' "$verdict" | grep -q '"ok": *true'; then
  section "demo: resolved through the replay, verdict ok"
  exit 0
fi
section "demo: FAILED (resolve exit $rc)"
exit 1
