#!/usr/bin/env bash
# `chantless resolve` for role profiles end to end over real loopback sockets: `chantless serve`
# replays an STS transcript on 127.0.0.1:<port 0>, and AWS_ENDPOINT_URL_STS points the STS client
# at it (env -i, a temporary HOME, IMDS disabled). Checks: a role from static keys resolves with
# one signed POST; the AWS CLI cache serves the next run with no request at all; web identity
# resolves unsigned; STS's AccessDenied exits 1 with its Code, Message and request id; no secret
# reaches stderr, even with --debug --explain.
# Usage: sts_cli_test.sh <chantless>
set -uo pipefail

CHANTLESS="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
WORK="$(mktemp -d)"
SERVER_PID=""
failures=0
passes=0
SOURCE_SECRET="wJalrXUtnFEMI/K7MDENG/bPxRfiCYSOURCEEXAMPLE"
STS_SECRET="wJalrXUtnFEMI/K7MDENG/bPxRfiCYSTSEXAMPLEKEY"
STS_TOKEN="IQoJb3JpZ2luX2VjEXAMPLESTSSESSIONTOKEN"
JWT="eyJhbGciOiJSUzI1NiJ9.EXAMPLEPAYLOAD.EXAMPLESIGNATURE"

cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; passes=$((passes + 1)); }

# transcript <file> <status> <xml body> <extra request headers JSON>: one STS exchange.
transcript() {
  python3 - "$@" <<'PY'
import json, sys
path, status, body, headers = sys.argv[1], int(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
json.dump({"format": "chantless-transcript", "version": 1, "name": "sts-cli",
           "docs": "One STS exchange.", "recorded_at": "2024-05-01T12:00:00Z",
           "exchanges": [{"id": "sts", "family": "sts",
                          "request": {"method": "POST", "path": "/", "headers": headers},
                          "response": {"status": status, "headers": {"Content-Type": "text/xml"},
                                       "body": body}}]}, open(path, "w"), indent=2)
PY
}

ok_body() {
  local root="$1"
  echo "<${root}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><${root}Result><AssumedRoleUser><AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/demo/s</Arn></AssumedRoleUser><Credentials><AccessKeyId>ASIAEXAMPLESTSKEY001</AccessKeyId><SecretAccessKey>$STS_SECRET</SecretAccessKey><SessionToken>$STS_TOKEN</SessionToken><Expiration>2099-05-01T13:00:00Z</Expiration></Credentials></${root}Result><ResponseMetadata><RequestId>req-EXAMPLE-1</RequestId></ResponseMetadata></${root}Response>"
}

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

# run <home> [VAR=value ...] -- <resolve args...>: exit code in RC, stderr in $WORK/err.
run() {
  local home="$1"; shift
  local vars=()
  while [ "$1" != "--" ]; do vars+=("$1"); shift; done
  shift
  env -i HOME="$home" PATH=/usr/bin:/bin AWS_EC2_METADATA_DISABLED=true \
    AWS_ENDPOINT_URL_STS="http://127.0.0.1:$PORT" "${vars[@]}" \
    "$CHANTLESS" resolve "$@" --debug --explain >"$WORK/out" 2>"$WORK/err" </dev/null
  RC=$?
  for s in "$SOURCE_SECRET" "$STS_SECRET" "$STS_TOKEN" "$JWT" "Signature="; do
    if grep -qF -- "$s" "$WORK/err"; then fail "secret ${s:0:8}… on stderr"; fi
  done
}

HOME_DIR="$WORK/home"
mkdir -p "$HOME_DIR/.aws"
cat >"$HOME_DIR/.aws/config" <<CFG
[default]
region = eu-west-1
role_arn = arn:aws:iam::123456789012:role/demo
source_profile = base
CFG
printf '[base]\naws_access_key_id = AKIAEXAMPLESOURCE001\naws_secret_access_key = %s\n' \
  "$SOURCE_SECRET" >"$HOME_DIR/.aws/credentials"

# 1. AssumeRole from static keys, over the socket; the entry lands in the AWS CLI cache.
transcript "$WORK/assume.json" 200 "$(ok_body AssumeRole)" \
  '{"Authorization": "{{present}}", "X-Amz-Security-Token": "{{absent}}"}'
start_server "$WORK/assume.json"
run "$HOME_DIR" -- --format env-no-export
if [ "$RC" = 0 ] && grep -q "AWS_ACCESS_KEY_ID=ASIAEXAMPLESTSKEY001" "$WORK/out"; then
  pass "assume-role from static keys over loopback"
else
  fail "assume-role (rc=$RC)"; cat "$WORK/err" "$WORK/serve.log"
fi
grep -q '"provider":"assume-role"' "$WORK/err" && grep -q '"requests":1' "$WORK/err" \
  && pass "--explain counts the STS request" || fail "--explain lacks the STS request"
ls "$HOME_DIR/.aws/cli/cache/"*.json >/dev/null 2>&1 && pass "AWS CLI cache entry written" \
  || fail "no AWS CLI cache entry"

# 2. The same resolution again: from the cache, with the server's only exchange already used.
run "$HOME_DIR" -- --format env-no-export
if [ "$RC" = 0 ] && grep -q "ASIAEXAMPLESTSKEY001" "$WORK/out" && grep -q "(hit" "$WORK/err"; then
  pass "second run served by the AWS CLI cache"
else
  fail "cache hit (rc=$RC)"; cat "$WORK/err"
fi
stop_server

# 3. Web identity: unsigned.
WI_HOME="$WORK/wi"; mkdir -p "$WI_HOME"
printf '%s' "$JWT" >"$WORK/token"
transcript "$WORK/wi.json" 200 "$(ok_body AssumeRoleWithWebIdentity)" \
  '{"Authorization": "{{absent}}", "X-Amz-Date": "{{absent}}"}'
start_server "$WORK/wi.json"
run "$WI_HOME" AWS_WEB_IDENTITY_TOKEN_FILE="$WORK/token" \
  AWS_ROLE_ARN=arn:aws:iam::123456789012:role/wi AWS_REGION=us-west-2 -- --no-cache
if [ "$RC" = 0 ] && grep -q "ASIAEXAMPLESTSKEY001" "$WORK/out"; then
  pass "web identity over loopback, unsigned"
else
  fail "web identity (rc=$RC)"; cat "$WORK/err" "$WORK/serve.log"
fi
stop_server

# 4. AccessDenied: exit 1, STS's Code, Message and request id in the one-line error.
transcript "$WORK/denied.json" 403 \
  '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: sts:AssumeRole</Message></Error><RequestId>req-EXAMPLE-DENIED</RequestId></ErrorResponse>' \
  '{}'
start_server "$WORK/denied.json"
run "$HOME_DIR" -- --no-cache
if [ "$RC" = 1 ] && grep -q "AccessDenied: User is not authorized" "$WORK/err" \
  && grep -q "req-EXAMPLE-DENIED" "$WORK/err"; then
  pass "AccessDenied exits 1 with Code, Message and request id"
else
  fail "AccessDenied (rc=$RC)"; cat "$WORK/err"
fi
stop_server

echo "$passes passed, $failures failed"
[ "$failures" = 0 ]
