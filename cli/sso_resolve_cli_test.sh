#!/bin/bash
# `chantless resolve` with an SSO profile, end to end: the real binary, the real filesystem (token
# file, lock file, atomic write-back) and the real HTTP client, against `chantless serve` replaying
# the SSO portal and SSO-OIDC on 127.0.0.1 (AWS_ENDPOINT_URL_SSO / _SSO_OIDC point at it). Runs
# with a scrubbed environment (env -i), a temporary HOME and AWS_EC2_METADATA_DISABLED=true.
# Checks the output, the exit code, the replay verdict, the token file written back (content and
# mode 0600), and that no token or secret reaches stderr under --debug --explain.
# Args: the chantless binary.
set -u

CHANTLESS="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
ROOT="${TEST_TMPDIR:-$(mktemp -d)}/sso_resolve_cli"
failures=0
SERVE_PIDS=()

OLD_TOKEN="sso-EXAMPLE-access-token-cli-0001"
NEW_TOKEN="sso-EXAMPLE-refreshed-token-cli-0002"
REFRESH_TOKEN="sso-EXAMPLE-refresh-token-cli-0001"
CLIENT_SECRET="sso-EXAMPLE-client-secret-cli-0001"
ROLE_SECRET="wJalrXUtnFEMI/K7MDENG/bPxRfiCYSSOEXAMPLEKEY"
ROLE_TOKEN="IQoJb3JpZ2luX2VjEXAMPLESSOCLISESSIONTOKEN=="
SECRETS=("$OLD_TOKEN" "$NEW_TOKEN" "$REFRESH_TOKEN" "$CLIENT_SECRET" "$ROLE_SECRET" "$ROLE_TOKEN")
TOKEN_FILE_NAME="0ad374308c5a4e22f723adf10145eafad7c4031c.json"  # sha1("my-sso")

fail() { echo "FAIL [$CASE]: $*"; failures=$((failures + 1)); }
# Stops every server started by serve; SERVE_RC is 0 when every verdict passed.
stop_servers() {
  SERVE_RC=0
  for pid in "${SERVE_PIDS[@]}"; do
    kill -INT "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || SERVE_RC=1
  done
  SERVE_PIDS=()
}
trap stop_servers EXIT

now_plus() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }

# transcript EXCHANGES_JSON > file
transcript() {
  cat <<EOF
{"format": "chantless-transcript", "version": 1, "name": "cli/sso", "docs": "SSO portal and OIDC.",
 "recorded_at": "2024-05-01T12:00:00Z", "rebase": {"json_epoch_ms_fields": ["expiration"]},
 "exchanges": [$1]}
EOF
}

role_exchange() {  # TOKEN [MIN [MAX]]
  cat <<EOF
{"id": "get-role-credentials", "family": "sso", "repeat": {"min": ${2:-1}, "max": ${3:-${2:-1}}},
 "request": {"method": "GET", "path": "/federation/credentials",
             "query": "role_name=ReadOnly&account_id=123456789012",
             "headers": {"x-amz-sso_bearer_token": "$1"}},
 "response": {"status": 200, "headers": {"Content-Type": "application/json"},
              "body": "{\"roleCredentials\":{\"accessKeyId\":\"ASIAQEXAMPLESSOCLI\",\"secretAccessKey\":\"$ROLE_SECRET\",\"sessionToken\":\"$ROLE_TOKEN\",\"expiration\":1714586400000}}"}}
EOF
}

create_token_exchange() {
  cat <<EOF
{"id": "create-token", "family": "oidc",
 "request": {"method": "POST", "path": "/token", "headers": {"Content-Type": "application/json"}},
 "response": {"status": 200, "headers": {"Content-Type": "application/json"},
              "body": "{\"accessToken\":\"$NEW_TOKEN\",\"expiresIn\":28800,\"tokenType\":\"Bearer\"}"}}
EOF
}

# serve NAME TRANSCRIPT_FILE: starts `chantless serve` and sets $PORT. The portal and SSO-OIDC
# get a server each, as they are two hosts.
serve() {
  rm -f "$ROOT/port-$1"
  "$CHANTLESS" serve "$2" --port 0 --port-file "$ROOT/port-$1" --now "$(now_plus now)" \
    >"$ROOT/serve-$1.out" 2>&1 &
  SERVE_PIDS+=($!)
  for _ in $(seq 100); do [ -s "$ROOT/port-$1" ] && break; sleep 0.05; done
  PORT="$(cat "$ROOT/port-$1")"
}

# new_home TOKEN_JSON: a HOME with the sso-session profile and (unless empty) the token file.
new_home() {
  HOME_DIR="$ROOT/home-$RANDOM"
  mkdir -p "$HOME_DIR/.aws/sso/cache"
  cat >"$HOME_DIR/.aws/config" <<EOF
[profile dev]
sso_session = my-sso
sso_account_id = 123456789012
sso_role_name = ReadOnly

[sso-session my-sso]
sso_start_url = https://d-abc.awsapps.com/start
sso_region = us-east-1
EOF
  TOKEN_FILE="$HOME_DIR/.aws/sso/cache/$TOKEN_FILE_NAME"
  [ -n "$1" ] && printf '%s\n' "$1" >"$TOKEN_FILE"
}

token_json() {  # ACCESS_TOKEN EXPIRES_AT
  cat <<EOF
{"startUrl": "https://d-abc.awsapps.com/start", "region": "us-east-1", "accessToken": "$1",
 "expiresAt": "$2", "clientId": "EXAMPLEclientid", "clientSecret": "$CLIENT_SECRET",
 "refreshToken": "$REFRESH_TOKEN", "registrationExpiresAt": "$(now_plus '+30 days')",
 "customKey": "kept"}
EOF
}

resolve() {
  resolve_to "$ROOT/out" "$ROOT/err"
  OUT="$(cat "$ROOT/out")"
  ERR="$(cat "$ROOT/err")"
  for s in "${SECRETS[@]}"; do
    case "$ERR" in *"$s"*) fail "secret ${s:0:8}… on stderr";; esac
  done
}

# resolve_to OUT_FILE ERR_FILE: one `chantless resolve`; sets RC.
resolve_to() {
  env -i HOME="$HOME_DIR" PATH=/usr/bin:/bin AWS_EC2_METADATA_DISABLED=true AWS_PROFILE=dev \
    AWS_ENDPOINT_URL_SSO="http://127.0.0.1:${PORTAL_PORT:-9}" \
    AWS_ENDPOINT_URL_SSO_OIDC="http://127.0.0.1:${OIDC_PORT:-9}" \
    "$CHANTLESS" resolve --format json --debug --explain >"$1" 2>"$2"
  RC=$?
  return "$RC"
}

expect_rc() { [ "$RC" = "$1" ] || fail "exit code $RC, want $1; stderr: $ERR"; }
expect_out_has() { case "$OUT" in *"$1"*) ;; *) fail "stdout lacks '$1': $OUT";; esac; }
expect_err_has() { case "$ERR" in *"$1"*) ;; *) fail "stderr lacks '$1': $ERR";; esac; }
expect_verdict_pass() {
  stop_servers
  [ "$SERVE_RC" = 0 ] || fail "replay verdict failed: $(cat "$ROOT"/serve-*.out)"
}

rm -rf "$ROOT"; mkdir -p "$ROOT"

CASE="valid token -> GetRoleCredentials on the loopback portal"
new_home "$(token_json "$OLD_TOKEN" "$(now_plus '+8 hours')")"
transcript "$(role_exchange "$OLD_TOKEN")" >"$ROOT/t1.json"
serve portal1 "$ROOT/t1.json"
PORTAL_PORT="$PORT"
OIDC_PORT=""
resolve
expect_rc 0
expect_out_has '"AccessKeyId":"ASIAQEXAMPLESSOCLI"'
expect_out_has '"Provider":"sso"'
expect_out_has '"AccountId":"123456789012"'
expect_err_has '"provider":"sso","outcome":"resolved"'
expect_err_has '/federation/credentials?role_name=ReadOnly&account_id=123456789012'
expect_verdict_pass

CASE="token 2 min from expiry -> CreateToken, token file written back at 0600, new token used"
new_home "$(token_json "$OLD_TOKEN" "$(now_plus '+2 minutes')")"
transcript "$(create_token_exchange)" >"$ROOT/t2-oidc.json"
transcript "$(role_exchange "$NEW_TOKEN")" >"$ROOT/t2-portal.json"
serve oidc2 "$ROOT/t2-oidc.json"
OIDC_PORT="$PORT"
serve portal2 "$ROOT/t2-portal.json"
PORTAL_PORT="$PORT"
resolve
expect_rc 0
expect_out_has '"AccessKeyId":"ASIAQEXAMPLESSOCLI"'
expect_verdict_pass
grep -q "$NEW_TOKEN" "$TOKEN_FILE" || fail "the token file lacks the new token"
grep -q "$REFRESH_TOKEN" "$TOKEN_FILE" || fail "the token file lost the refresh token"
grep -q '"customKey"' "$TOKEN_FILE" || fail "the token file lost an unknown key"
grep -q "$OLD_TOKEN" "$TOKEN_FILE" && fail "the token file still holds the old token"
[ "$(stat -c %a "$TOKEN_FILE")" = 600 ] || fail "token file mode $(stat -c %a "$TOKEN_FILE")"
[ -e "$TOKEN_FILE.lock" ] || fail "no lock file beside the token file"

CASE="two processes refreshing at once -> one CreateToken (file lock), both use the new token"
new_home "$(token_json "$OLD_TOKEN" "$(now_plus '+2 minutes')")"
transcript "$(create_token_exchange)" >"$ROOT/t3-oidc.json"
# One or two GetRoleCredentials: the process that waits for the lock may find the AWS CLI cache
# entry the first one wrote meanwhile.
transcript "$(role_exchange "$NEW_TOKEN" 1 2)" >"$ROOT/t3-portal.json"
serve oidc3 "$ROOT/t3-oidc.json"
OIDC_PORT="$PORT"
serve portal3 "$ROOT/t3-portal.json"
PORTAL_PORT="$PORT"
resolve_to "$ROOT/out-a" "$ROOT/err-a" &
pid_a=$!
resolve_to "$ROOT/out-b" "$ROOT/err-b"
RC_B=$RC
wait "$pid_a"
RC_A=$?
[ "$RC_A" = 0 ] || fail "first process exit $RC_A: $(cat "$ROOT/err-a")"
[ "$RC_B" = 0 ] || fail "second process exit $RC_B: $(cat "$ROOT/err-b")"
expect_verdict_pass
grep -q "$NEW_TOKEN" "$TOKEN_FILE" || fail "the token file lacks the new token"
for s in "${SECRETS[@]}"; do
  grep -qF -- "$s" "$ROOT/err-a" "$ROOT/err-b" && fail "secret ${s:0:8}… on stderr"
done

CASE="no token file -> exit 2, the login command, no request"
new_home ""
PORTAL_PORT=""
OIDC_PORT=""
resolve
expect_rc 2
expect_err_has "aws sso login --sso-session my-sso"
expect_err_has "$TOKEN_FILE_NAME"

if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "sso resolve cli: 4 cases passed"
