#!/bin/bash
# `chantless resolve` end to end: each case runs the real binary with a scrubbed environment
# (env -i), a temporary HOME and AWS_EC2_METADATA_DISABLED=true, so nothing reaches the network.
# Checks stdout, the exit code, stderr's one-line error, and that no secret ever reaches stderr
# (every case also runs with --debug --explain).
# Args: the chantless binary, the fake_credential_process helper.
set -u

CHANTLESS="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
HELPER="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
ROOT="${TEST_TMPDIR:-$(mktemp -d)}/resolve_cli"
failures=0
cases=0

ENV_SECRET="wJalrXUtnFEMI/K7MDENG/bPxRfiCYENVIRONKEY"
FILE_SECRET="wJalrXUtnFEMI/K7MDENG/bPxRfiCYPROFILEKEY"
PROCESS_SECRET="wJalrXUtnFEMI/K7MDENG/bPxRfiCYPROCESSKEY"
PROCESS_TOKEN="FAKEPROCESSTOKENEXAMPLE"
SECRETS=("$ENV_SECRET" "$FILE_SECRET" "$PROCESS_SECRET" "$PROCESS_TOKEN" "FAILEDKEY" "hunter2")

fail() { echo "FAIL [$CASE]: $*"; failures=$((failures + 1)); }

# Put before `env -i` in run() (e.g. `setsid -w` to drop the controlling terminal).
RUN_PREFIX=()

# run HOME_DIR [VAR=value ...] -- ARGS...: sets $OUT, $ERR, $RC.
run() {
  local home="$1"; shift
  local vars=()
  while [ "$1" != "--" ]; do vars+=("$1"); shift; done
  shift
  "${RUN_PREFIX[@]}" env -i HOME="$home" PATH=/usr/bin:/bin AWS_EC2_METADATA_DISABLED=true \
    "${vars[@]}" "$CHANTLESS" resolve "$@" >"$ROOT/out" 2>"$ROOT/err" </dev/null
  RC=$?
  OUT="$(cat "$ROOT/out")"
  ERR="$(cat "$ROOT/err")"
  # The same run with --debug --explain: stderr must hold no secret either.
  "${RUN_PREFIX[@]}" env -i HOME="$home" PATH=/usr/bin:/bin AWS_EC2_METADATA_DISABLED=true \
    "${vars[@]}" "$CHANTLESS" resolve "$@" --debug --explain >/dev/null 2>"$ROOT/err_debug" </dev/null
  DEBUG_ERR="$(cat "$ROOT/err_debug")"
  for s in "${SECRETS[@]}"; do
    case "$ERR$DEBUG_ERR" in *"$s"*) fail "secret $s on stderr";; esac
  done
  cases=$((cases + 1))
}

expect_rc() { [ "$RC" = "$1" ] || fail "exit code $RC, want $1; stderr: $ERR"; }
expect_out() { [ "$OUT" = "$1" ] || fail "stdout was:"$'\n'"$OUT"$'\n'"want:"$'\n'"$1"; }
expect_err_has() { case "$ERR" in *"$1"*) ;; *) fail "stderr lacks '$1': $ERR";; esac; }
expect_debug_has() { case "$DEBUG_ERR" in *"$1"*) ;; *) fail "debug stderr lacks '$1'";; esac; }
expect_one_line_err() { [ "$(printf '%s\n' "$ERR" | wc -l)" = 1 ] || fail "stderr not one line: $ERR"; }

rm -rf "$ROOT"; mkdir -p "$ROOT"
EMPTY="$ROOT/empty"; mkdir -p "$EMPTY"

CASE="env keys only -> process JSON"
run "$EMPTY" AWS_ACCESS_KEY_ID=AKIAFAKEENVEXAMPLE AWS_SECRET_ACCESS_KEY="$ENV_SECRET" -- --format process
expect_rc 0
expect_out '{
  "Version": 1,
  "AccessKeyId": "AKIAFAKEENVEXAMPLE",
  "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYENVIRONKEY"
}'
expect_debug_has "Looking for credentials via: env"
expect_debug_has '"result":"resolved","provider":"env"'

CASE="default format is process"
run "$EMPTY" AWS_ACCESS_KEY_ID=AKIAFAKEENVEXAMPLE AWS_SECRET_ACCESS_KEY="$ENV_SECRET" --
expect_rc 0
case "$OUT" in '{'*'"Version": 1,'*) ;; *) fail "not process JSON: $OUT";; esac

CASE="env format"
run "$EMPTY" AWS_ACCESS_KEY_ID=AKIAFAKEENVEXAMPLE AWS_SECRET_ACCESS_KEY="$ENV_SECRET" \
  AWS_SESSION_TOKEN=FAKEENVTOKEN -- --format env
expect_rc 0
expect_out "export AWS_ACCESS_KEY_ID=AKIAFAKEENVEXAMPLE
export AWS_SECRET_ACCESS_KEY=$ENV_SECRET
export AWS_SESSION_TOKEN=FAKEENVTOKEN"

STATIC="$ROOT/static"; mkdir -p "$STATIC/.aws"
cat >"$STATIC/.aws/credentials" <<EOT
[default]
aws_access_key_id = AKIAFAKEFILEEXAMPLE
aws_secret_access_key = $FILE_SECRET
EOT

CASE="profile dir with static keys"
run "$STATIC" -- --format env-no-export
expect_rc 0
expect_out "AWS_ACCESS_KEY_ID=AKIAFAKEFILEEXAMPLE
AWS_SECRET_ACCESS_KEY=$FILE_SECRET"
expect_debug_has '"provider":"shared-credentials-file"'

PROC="$ROOT/process"; mkdir -p "$PROC/.aws"
cat >"$PROC/.aws/config" <<EOT
[default]
credential_process = "$HELPER" ok

[profile broken]
credential_process = "$HELPER" fail

[profile secret-args]
credential_process = "$HELPER" fail --password hunter2

[profile hangs]
credential_process = "$HELPER" hang
EOT

CASE="--profile wins over env keys (botocore drops env for an explicit profile)"
run "$STATIC" AWS_ACCESS_KEY_ID=AKIAFAKEENVEXAMPLE AWS_SECRET_ACCESS_KEY="$ENV_SECRET" -- --profile default --format env-no-export
expect_rc 0
expect_out "AWS_ACCESS_KEY_ID=AKIAFAKEFILEEXAMPLE
AWS_SECRET_ACCESS_KEY=$FILE_SECRET"

CASE="profile dir with credential_process"
run "$PROC" -- --format process
expect_rc 0
expect_out '{
  "Version": 1,
  "AccessKeyId": "ASIAFAKEPROCESSEXAMPLE",
  "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYPROCESSKEY",
  "SessionToken": "FAKEPROCESSTOKENEXAMPLE",
  "Expiration": "2099-01-01T00:00:00+00:00"
}'
expect_debug_has '"provider":"custom-process"'

CASE="--profile selects a failing credential_process"
run "$PROC" -- --profile broken
expect_rc 1
expect_err_has "exited with code 3"
expect_err_has "the token service said no"
expect_err_has "config:"
expect_one_line_err

CASE="credential_process arguments never reach stderr"
run "$PROC" -- --profile secret-args
expect_rc 1

CASE="hanging credential_process times out"
run "$PROC" CHANTLESS_CREDENTIAL_PROCESS_TIMEOUT_MS=200 -- --profile hangs
expect_rc 1
expect_err_has "timed out after 200 ms"

CASE="nothing configured -> exit 1 listing every provider"
run "$EMPTY" --
expect_rc 1
expect_err_has "Unable to locate credentials"
expect_err_has "env: "
expect_err_has "profile: "
expect_err_has "container-role: "
expect_err_has "iam-role: "
expect_one_line_err
[ -z "$OUT" ] || fail "stdout not empty: $OUT"
expect_debug_has '"result":"no credentials"'

CASE="half an env pair -> exit 2"
run "$EMPTY" AWS_ACCESS_KEY_ID=AKIAFAKEENVEXAMPLE --
expect_rc 2
expect_err_has "AWS_SECRET_ACCESS_KEY"
expect_one_line_err

CASE="expired AWS_CREDENTIAL_EXPIRATION -> exit 1 (the expiry rule), nothing on stdout"
run "$EMPTY" AWS_ACCESS_KEY_ID=AKIAFAKEENVEXAMPLE AWS_SECRET_ACCESS_KEY="$ENV_SECRET" \
  AWS_CREDENTIAL_EXPIRATION=2020-01-01T00:00:00Z -- --format process
expect_rc 1
expect_err_has "AWS_CREDENTIAL_EXPIRATION: the credentials expired at 2020-01-01T00:00:00Z; local clock "
expect_err_has "refusing expired credentials"
expect_one_line_err
[ -z "$OUT" ] || fail "stdout not empty: $OUT"

CASE="AWS_CREDENTIAL_EXPIRATION in the future -> the trace says how long they are valid"
run "$EMPTY" AWS_ACCESS_KEY_ID=AKIAFAKEENVEXAMPLE AWS_SECRET_ACCESS_KEY="$ENV_SECRET" \
  AWS_CREDENTIAL_EXPIRATION=2099-05-01T13:00:00Z -- --format process
expect_rc 0
expect_debug_has "are valid for "

CASE="explicit profile that does not exist -> exit 2"
run "$STATIC" -- --profile nosuch
expect_rc 2
expect_err_has "nosuch"

CASE="unknown format -> exit 2"
run "$EMPTY" -- --format yaml
expect_rc 2
expect_err_has "yaml"

CASE="unknown argument -> exit 2"
run "$EMPTY" -- --bogus
expect_rc 2

CASE="--version names the build"
cases=$((cases + 1))
VERSION_OUT="$("$CHANTLESS" --version)"; RC=$?
expect_rc 0
case "$VERSION_OUT" in "chantless "?*) ;; *) fail "--version printed '$VERSION_OUT'";; esac
# --- roles: the AWS CLI cache, --no-cache, MFA -----------------------------------------------------
CACHED="$ROOT/cached"; mkdir -p "$CACHED/.aws/cli/cache"
printf '%s\n' "eyJFAKE.CLI.TEST.TOKEN" >"$CACHED/token"
# The AWS CLI's key for {"RoleArn": "arn:aws:iam::123456789012:role/wi"}.
cat >"$CACHED/.aws/cli/cache/358ef18c54f6f4b723f0383e48a49f5cec693ec3.json" <<EOF2
{"Credentials": {"AccessKeyId": "ASIAFAKECACHEDEXAMPLE", "SecretAccessKey": "$FILE_SECRET", "SessionToken": "FAKECACHEDTOKENEXAMPLE", "Expiration": "2099-05-01T13:00:00UTC"}}
EOF2
SECRETS+=("FAKECACHEDTOKENEXAMPLE" "eyJFAKE.CLI.TEST.TOKEN")

CASE="web identity with an AWS CLI cache entry -> resolved from the cache, no request"
run "$CACHED" AWS_WEB_IDENTITY_TOKEN_FILE="$CACHED/token" \
  AWS_ROLE_ARN=arn:aws:iam::123456789012:role/wi AWS_ENDPOINT_URL_STS=http://127.0.0.1:9 \
  -- --format env-no-export
expect_rc 0
case "$OUT" in *"AWS_ACCESS_KEY_ID=ASIAFAKECACHEDEXAMPLE"*) ;; *) fail "not from the cache: $OUT";; esac
expect_debug_has "hit"

CASE="--no-cache -> the cache is not read: STS (a closed loopback port) is called and fails"
run "$CACHED" AWS_WEB_IDENTITY_TOKEN_FILE="$CACHED/token" \
  AWS_ROLE_ARN=arn:aws:iam::123456789012:role/wi AWS_ENDPOINT_URL_STS=http://127.0.0.1:9 \
  -- --no-cache
expect_rc 1
expect_err_has "STS AssumeRoleWithWebIdentity at http://127.0.0.1:9"
expect_one_line_err

MFA="$ROOT/mfa"; mkdir -p "$MFA/.aws"
cat >"$MFA/.aws/config" <<'EOF2'
[profile base]
region = eu-west-1
[profile mfa]
role_arn = arn:aws:iam::123456789012:role/demo
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/tester
EOF2
printf '[base]\naws_access_key_id = AKIAFAKEFILEEXAMPLE\naws_secret_access_key = %s\n' \
  "$FILE_SECRET" >"$MFA/.aws/credentials"

CASE="mfa_serial without a terminal or --mfa-code -> exit 2 at once, naming the way out"
RUN_PREFIX=(setsid -w)
run "$MFA" -- --profile mfa --no-cache
RUN_PREFIX=()
expect_rc 2
expect_err_has 'profile "mfa"'
expect_err_has "mfa_serial"
expect_err_has "--mfa-code"

CASE="--mfa-code without a value -> exit 2"
run "$EMPTY" -- --mfa-code
expect_rc 2

CASE="--mfa-code with a malformed code -> exit 2 before any request, the code not quoted"
run "$MFA" AWS_ENDPOINT_URL_STS=http://127.0.0.1:9 -- --profile mfa --no-cache --mfa-code 12ab
expect_rc 2
expect_err_has "TokenCode"
case "$ERR" in *12ab*) fail "the code was quoted: $ERR";; esac

CASE="--help lists the role flags"
"$CHANTLESS" resolve --help >"$ROOT/help" 2>&1
grep -q -- "--mfa-code" "$ROOT/help" || fail "--help lacks --mfa-code"
grep -q -- "--no-cache" "$ROOT/help" || fail "--help lacks --no-cache"

echo "$cases cases, $failures failures"
[ "$failures" = 0 ]
