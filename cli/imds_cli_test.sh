#!/usr/bin/env bash
# `chantless resolve`, `imds` and `region` end to end over real loopback sockets: `chantless serve`
# replays the EC2 transcripts (fixtures/ec2/) on 127.0.0.1:<port 0>, and the commands run with a
# scrubbed environment (env -i), an empty HOME and AWS_EC2_METADATA_SERVICE_ENDPOINT pointing at
# it. Checks: v2, v1-only and token-required IMDS resolve; an unreachable
# endpoint fails naming it; --debug shows each request and no output holds a token or secret;
# proxy variables are ignored. Also: IMDS serving the extended role path resolves in 3 requests.
# Usage: imds_cli_test.sh <chantless> <fixtures/ec2/imdsv2.json> (its directory holds the others)
set -uo pipefail

CHANTLESS="$1"
EC2="$(dirname "$2")"
WORK="$(mktemp -d)"
HOME_DIR="$WORK/home"
mkdir -p "$HOME_DIR"
SERVER_PID=""
failures=0
passes=0

cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; passes=$((passes + 1)); }

# start_server <transcript>: sets PORT and SERVER_PID.
start_server() {
  rm -f "$WORK/port"
  "$CHANTLESS" serve "$1" --port 0 --port-file "$WORK/port" >"$WORK/serve.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 200); do
    [ -s "$WORK/port" ] && break
    sleep 0.05
  done
  PORT="$(cat "$WORK/port" 2>/dev/null)"
  [ -n "$PORT" ] || { fail "server for $1 did not start"; cat "$WORK/serve.log"; exit 1; }
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null
  wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=""
}

# run <endpoint> <args...>: stdout to $WORK/out, stderr to $WORK/err, exit code in RC.
run() {
  local endpoint="$1"
  shift
  env -i HOME="$HOME_DIR" PATH=/usr/bin:/bin AWS_EC2_METADATA_SERVICE_ENDPOINT="$endpoint" \
    "$CHANTLESS" "$@" >"$WORK/out" 2>"$WORK/err"
  RC=$?
}

no_secrets_in_stderr() {
  # The transcripts' fake secret key, session token and minted IMDS tokens (replay mints them
  # with the AQAE prefix real IMDS uses) must never reach stderr.
  if grep -q -e "EXAMPLEKEY" -e "SESSIONTOKEN" -e "AQAE" "$WORK/err"; then
    fail "$1: a secret or token reached stderr"
  else
    pass "$1: no secret or token on stderr"
  fi
}

for case in imdsv2 imdsv1-only token-required; do
  start_server "$EC2/$case.json"
  # One run per server: the replay consumes the role listing and credentials exchanges.
  run "http://127.0.0.1:$PORT/" resolve --format process --explain --debug
  if [ "$RC" -eq 0 ] && grep -q '"AccessKeyId": "ASIA' "$WORK/out" &&
     grep -q '"SecretAccessKey"' "$WORK/out" && grep -q '"provider":"iam-role"' "$WORK/err"; then
    pass "$case: resolve --format process from IMDS"
  else
    fail "$case: resolve (rc=$RC)"; cat "$WORK/out" "$WORK/err"
  fi
  if grep -q "Looking for credentials via: iam-role" "$WORK/err" &&
     grep -q "Found credentials from IAM Role: TestEC2Role" "$WORK/err" &&
     grep -q "GET http://127.0.0.1:$PORT/latest/meta-data/iam/security-credentials/TestEC2Role" "$WORK/err"; then
    pass "$case: --debug shows botocore's lines and each request"
  else
    fail "$case: resolve --debug"; cat "$WORK/err"
  fi
  no_secrets_in_stderr "$case resolve --explain --debug"
  stop_server
done

# An instance serving the extended role path: a cold `chantless resolve` takes exactly 3 requests
# (token PUT, extended listing, extended credentials; no legacy GET) and reports the AccountId.
start_server "$EC2/imdsv2-extended.json"
run "http://127.0.0.1:$PORT/" resolve --format json --debug
requests="$(grep -cE -- "- DEBUG - (PUT|GET) http://127.0.0.1:$PORT/" "$WORK/err")"
if [ "$RC" -eq 0 ] && grep -q '"AccountId":"111122223333"' "$WORK/out" &&
   grep -q "GET http://127.0.0.1:$PORT/latest/meta-data/iam/security-credentials-extended/TestEC2Role -> 200" "$WORK/err" &&
   ! grep -q "/latest/meta-data/iam/security-credentials/" "$WORK/err" && [ "$requests" -eq 3 ]; then
  pass "imdsv2-extended: resolve through the extended path in 3 requests, AccountId kept"
else
  fail "imdsv2-extended: resolve (rc=$RC, $requests requests)"; cat "$WORK/out" "$WORK/err"
fi
no_secrets_in_stderr "imdsv2-extended resolve --debug"
stop_server

start_server "$EC2/imdsv2.json"
run "http://127.0.0.1:$PORT" imds ls
if [ "$RC" -eq 0 ] && grep -qx "instance-id" "$WORK/out" && grep -qx "placement/" "$WORK/out"; then
  pass "imds ls lists files and directories"
else
  fail "imds ls (rc=$RC)"; cat "$WORK/out" "$WORK/err"
fi
run "http://127.0.0.1:$PORT" region --explain
if [ "$RC" -eq 0 ] && [ "$(cat "$WORK/out")" = "us-east-1" ] &&
   grep -q '"path":"/latest/meta-data/placement/region"' "$WORK/err"; then
  pass "region --explain from IMDS placement/region"
else
  fail "region (rc=$RC)"; cat "$WORK/out" "$WORK/err"
fi
no_secrets_in_stderr "region --explain"
run "http://127.0.0.1:$PORT" imds get /latest/meta-data/no-such-path
if [ "$RC" -eq 1 ] && grep -q "HTTP 404" "$WORK/err"; then
  pass "imds get of a missing path exits 1 with the status"
else
  fail "imds get missing (rc=$RC)"; cat "$WORK/err"
fi
stop_server

# Proxy variables pointing at a dead port must change nothing: IMDS traffic never goes via a proxy.
start_server "$EC2/imdsv2.json"
env -i HOME="$HOME_DIR" PATH=/usr/bin:/bin AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$PORT" \
  HTTP_PROXY=http://127.0.0.1:9 http_proxy=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 \
  ALL_PROXY=http://127.0.0.1:9 NO_PROXY= "$CHANTLESS" resolve >"$WORK/out" 2>"$WORK/err"
RC=$?
if [ "$RC" -eq 0 ] && grep -q '"AccessKeyId": "ASIA' "$WORK/out"; then
  pass "proxy variables are ignored"
else
  fail "proxy variables (rc=$RC)"; cat "$WORK/err"
fi
stop_server

start_server "$EC2/no-role.json"
run "http://127.0.0.1:$PORT" resolve
if [ "$RC" -eq 1 ] && grep -q "no IAM role is attached" "$WORK/err"; then
  pass "no role attached: no credentials, reason given"
else
  fail "no-role (rc=$RC)"; cat "$WORK/err"
fi
stop_server

start_server "$EC2/throttled.json"
run "http://127.0.0.1:$PORT" resolve
if [ "$RC" -eq 1 ] && grep -q "throttled" "$WORK/err" && ! grep -q "^served *GET" "$WORK/serve.log"; then
  pass "throttled token PUT: fails without an IMDSv1 downgrade"
else
  fail "throttled (rc=$RC)"; cat "$WORK/err" "$WORK/serve.log"
fi
stop_server

# Nothing listens on a port we just closed: refused, named in the error.
REFUSED_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null || echo 9)"
run "http://127.0.0.1:$REFUSED_PORT" resolve
if [ "$RC" -eq 1 ] && grep -q "http://127.0.0.1:$REFUSED_PORT" "$WORK/err"; then
  pass "unreachable endpoint: exit 1 naming the endpoint"
else
  fail "unreachable (rc=$RC)"; cat "$WORK/err"
fi

env -i HOME="$HOME_DIR" PATH=/usr/bin:/bin AWS_EC2_METADATA_DISABLED=true "$CHANTLESS" imds get instance-id \
  >"$WORK/out" 2>"$WORK/err"
RC=$?
if [ "$RC" -eq 1 ] && grep -q "AWS_EC2_METADATA_DISABLED" "$WORK/err"; then
  pass "AWS_EC2_METADATA_DISABLED=true: imds get refuses"
else
  fail "disabled (rc=$RC)"; cat "$WORK/err"
fi

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
