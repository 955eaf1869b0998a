#!/usr/bin/env bash
# The AWS CLI and chantless share assumed-role credentials through ~/.aws/cli/cache: inside a
# private namespace (tools/in_namespace.sh) the AWS CLI v2 resolves the assume-role profile of
# fixtures/sts/assume-role.json against `chantless serve --tls` (one SigV4-verified AssumeRole),
# which fills the cache; then `chantless resolve --format process` in the same HOME answers from
# that cache entry with no request, and both print the same credentials. Skipped (exit 0 with a
# reason) where the AWS CLI or a private namespace is missing.
set -uo pipefail
CHANTLESS="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
IN_NAMESPACE="$2"
TRANSCRIPT="$3"
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
exit "$fail"
