#!/bin/bash
# `chantless resolve --format process|env|env-no-export` against `aws configure export-credentials`
# (AWS CLI v2, /usr/bin/aws): the same scrubbed environment and temporary HOME for both, outputs
# compared byte for byte. Env keys with token and expiration, profile static keys, and a
# credential_process (fake_credential_process ok). AWS_EC2_METADATA_DISABLED=true: no network.
# Tagged "interop"; when no `aws` is installed it says so and fails unless
# CHANTLESS_ALLOW_MISSING_AWS_CLI=1.
# Args: the chantless binary, the fake_credential_process helper.
set -u

CHANTLESS="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
HELPER="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
ROOT="${TEST_TMPDIR:-$(mktemp -d)}/resolve_interop"
AWS="$(command -v aws || true)"
if [ -z "$AWS" ]; then
  echo "aws CLI not found"
  [ "${CHANTLESS_ALLOW_MISSING_AWS_CLI:-0}" = 1 ] && exit 0
  exit 1
fi
echo "using $("$AWS" --version 2>&1)"
failures=0
compared=0

rm -rf "$ROOT"; mkdir -p "$ROOT/empty" "$ROOT/static/.aws" "$ROOT/process/.aws"
cat >"$ROOT/static/.aws/credentials" <<EOT
[default]
aws_access_key_id = AKIAFAKEFILEEXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYPROFILEKEY
aws_session_token = FAKEFILETOKEN
EOT
cat >"$ROOT/process/.aws/config" <<EOT
[default]
credential_process = "$HELPER" ok
EOT

# compare NAME HOME [VAR=value ...]
compare() {
  local name="$1" home="$2"; shift 2
  for format in process env env-no-export; do
    env -i HOME="$home" PATH=/usr/bin:/bin AWS_EC2_METADATA_DISABLED=true "$@" \
      "$CHANTLESS" resolve --format "$format" >"$ROOT/ours" 2>"$ROOT/ours.err"
    local ours_rc=$?
    env -i HOME="$home" PATH=/usr/bin:/bin AWS_EC2_METADATA_DISABLED=true "$@" \
      "$AWS" configure export-credentials --format "$format" >"$ROOT/theirs" 2>"$ROOT/theirs.err"
    local theirs_rc=$?
    compared=$((compared + 1))
    if [ "$ours_rc" != 0 ] || [ "$theirs_rc" != 0 ]; then
      echo "FAIL [$name/$format]: exit codes chantless=$ours_rc aws=$theirs_rc"
      cat "$ROOT/ours.err" "$ROOT/theirs.err"
      failures=$((failures + 1))
    elif ! diff -u "$ROOT/theirs" "$ROOT/ours"; then
      echo "FAIL [$name/$format]: output differs (- aws, + chantless)"
      failures=$((failures + 1))
    fi
  done
}

compare "env keys, token, expiration" "$ROOT/empty" AWS_ACCESS_KEY_ID=ASIAFAKEENVEXAMPLE \
  AWS_SECRET_ACCESS_KEY='wJalrXUtnFEMI/K7MDENG/bPxRfiCY"ENV+KEY' AWS_SESSION_TOKEN=FAKEENVTOKEN \
  AWS_CREDENTIAL_EXPIRATION=2099-05-01T13:00:00Z
compare "profile static keys" "$ROOT/static"
compare "credential_process" "$ROOT/process"

echo "$compared comparisons, $failures failures"
[ "$failures" = 0 ]
