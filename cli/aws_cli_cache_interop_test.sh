#!/usr/bin/env bash
# The AWS CLI and chantless share credentials through ~/.aws/cli/cache. Inside a private namespace
# (tools/in_namespace.sh) against `chantless serve --tls`:
# - assume-role: the AWS CLI v2 resolves the assume-role profile of fixtures/sts/assume-role.json
#   (one SigV4-verified AssumeRole), which fills the cache; then `chantless resolve --format
#   process` in the same HOME answers from that entry with no request;
# - SSO: with a valid sso-session token in ~/.aws/sso/cache, the AWS CLI calls GetRoleCredentials
#   (fixtures/sso/get-role-credentials.json) and writes its SSO cache entry; chantless answers from
#   it with no request.
# Both print the same credentials. Skipped (exit 0 with a reason) where the AWS CLI or a private
# namespace is missing.
set -uo pipefail
CHANTLESS="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
IN_NAMESPACE="$2"
TRANSCRIPT="$3"
SSO_TRANSCRIPT="$4"
TMP="${TEST_TMPDIR:-/tmp}"

if [ ! -x /usr/bin/aws ]; then
  echo "SKIPPED: /usr/bin/aws (the AWS CLI v2) is not installed"
  exit 0
fi
cat >"$TMP/both.sh" <<SH
set -e
/usr/bin/aws configure export-credentials --format process >"\$HOME/aws.json"
"$CHANTLESS" resolve --format process --debug >"\$HOME/chantless.json" 2>"\$HOME/chantless.log"
echo "=== aws"; cat "\$HOME/aws.json"
echo "=== chantless"; cat "\$HOME/chantless.json"
echo "=== chantless log"; cat "\$HOME/chantless.log"
echo "=== cache"; ls "\$HOME/.aws/cli/cache"
python3 - "\$HOME/aws.json" "\$HOME/chantless.json" <<'PY'
import datetime, json, sys
a, c = (json.load(open(p)) for p in sys.argv[1:3])
def when(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
for k in ("AccessKeyId", "SecretAccessKey", "SessionToken"):
    assert a[k] == c[k], "%s differs" % k
assert when(a["Expiration"]) == when(c["Expiration"]), "Expiration differs"
print("SAME CREDENTIALS", a["AccessKeyId"])
PY
SH
out="$("$IN_NAMESPACE" --chantless "$CHANTLESS" "$TRANSCRIPT" -- sh "$TMP/both.sh" 2>&1)"
rc=$?
if [ "$rc" -eq 77 ]; then
  echo "SKIPPED: $out"
  exit 0
fi
echo "$out"
fail=0
[ "$rc" -eq 0 ] || { echo "FAIL: exit $rc"; fail=1; }
grep -q "SAME CREDENTIALS ASIAQEXAMPLEASSUMED1" <<<"$out" || { echo "FAIL: not the same credentials"; fail=1; }
# One AssumeRole in all: the AWS CLI's; chantless answered from the cache entry it wrote.
grep -q "verdict: PASS (1 requests" <<<"$out" || { echo "FAIL: not exactly one request"; fail=1; }
grep -qi "cache hit\|from the AWS CLI cache\|cli cache.*hit" <<<"$out" || { echo "FAIL: chantless did not say it used the cache"; fail=1; }

# --- the other way round: chantless calls STS and fills the cache, the AWS CLI reads it ----------
cat >"$TMP/reverse.sh" <<SH
set -e
"$CHANTLESS" resolve --format process >"\$HOME/chantless.json"
/usr/bin/aws configure export-credentials --format process >"\$HOME/aws.json"
python3 - "\$HOME/aws.json" "\$HOME/chantless.json" <<'PY'
import json, sys
a, c = (json.load(open(p)) for p in sys.argv[1:3])
for k in ("AccessKeyId", "SecretAccessKey", "SessionToken"):
    assert a[k] == c[k], "%s differs" % k
print("AWS CLI READ CHANTLESS'S ENTRY", a["AccessKeyId"])
PY
SH
out="$("$IN_NAMESPACE" --chantless "$CHANTLESS" "$TRANSCRIPT" -- sh "$TMP/reverse.sh" 2>&1)"
rc=$?
echo "$out"
[ "$rc" -eq 0 ] || { echo "FAIL: reverse: exit $rc"; fail=1; }
grep -q "AWS CLI READ CHANTLESS'S ENTRY ASIAQEXAMPLEASSUMED1" <<<"$out" || { echo "FAIL: reverse: not the same credentials"; fail=1; }
grep -q "verdict: PASS (1 requests" <<<"$out" || { echo "FAIL: reverse: not exactly one request"; fail=1; }

# --- SSO: an sso-session profile with a valid token ----------------------------------------------
EXPIRES="$(date -u -d '+8 hours' +%Y-%m-%dT%H:%M:%SZ)"
cat >"$TMP/sso.sh" <<SH
set -e
mkdir -p "\$HOME/.aws/sso/cache"
cat >"\$HOME/.aws/sso-config" <<'CFG'
[profile dev]
sso_session = my-sso
sso_account_id = 123456789012
sso_role_name = ReadOnly
region = us-east-1

[sso-session my-sso]
sso_start_url = https://d-abc.awsapps.com/start
sso_region = us-east-1
CFG
# sha1("my-sso"): the token file of the session.
cat >"\$HOME/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json" <<TOK
{"startUrl": "https://d-abc.awsapps.com/start", "region": "us-east-1", "accessToken": "REDACTED-BEARER-TOKEN-0001", "expiresAt": "$EXPIRES"}
TOK
export AWS_CONFIG_FILE="\$HOME/.aws/sso-config" AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PROFILE=dev
/usr/bin/aws configure export-credentials --format process >"\$HOME/aws.json"
"$CHANTLESS" resolve --format process --debug >"\$HOME/chantless.json" 2>"\$HOME/chantless.log"
echo "=== aws"; cat "\$HOME/aws.json"
echo "=== chantless"; cat "\$HOME/chantless.json"
echo "=== chantless log"; cat "\$HOME/chantless.log"
echo "=== cache"; ls "\$HOME/.aws/cli/cache"
python3 - "\$HOME/aws.json" "\$HOME/chantless.json" <<'PY'
import datetime, json, sys
a, c = (json.load(open(p)) for p in sys.argv[1:3])
def when(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
for k in ("AccessKeyId", "SecretAccessKey", "SessionToken"):
    assert a[k] == c[k], "%s differs" % k
assert when(a["Expiration"]) == when(c["Expiration"]), "Expiration differs"
print("SAME CREDENTIALS", a["AccessKeyId"])
PY
SH
out="$("$IN_NAMESPACE" --chantless "$CHANTLESS" "$SSO_TRANSCRIPT" -- sh "$TMP/sso.sh" 2>&1)"
rc=$?
echo "$out"
[ "$rc" -eq 0 ] || { echo "FAIL: sso: exit $rc"; fail=1; }
grep -q "SAME CREDENTIALS ASIAQEXAMPLESSO00001" <<<"$out" || { echo "FAIL: sso: not the same credentials"; fail=1; }
grep -q "verdict: PASS (1 requests" <<<"$out" || { echo "FAIL: sso: not exactly one request"; fail=1; }
exit "$fail"
