#!/usr/bin/env bash
# tools/in_namespace.sh end to end: botocore (python3), the AWS CLI v2 and the JS SDK v3 resolve the assume-role profile that
# `chantless serve --client-env` derives from fixtures/sts/assume-role.json, over HTTPS on
# sts.us-west-2.amazonaws.com:443 inside a private namespace, SigV4-verified: the verdict passes.
# With the source secret altered, the replay refuses the signature (403 SignatureDoesNotMatch) and
# the verdict fails. Skipped (exit 0 with a reason) where no private namespace can be made.
set -uo pipefail
CHANTLESS="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
IN_NAMESPACE="$2"
TRANSCRIPT="$3"
TMP="${TEST_TMPDIR:-/tmp}"

if ! python3 -c 'import botocore.session' 2>/dev/null; then
  echo "SKIPPED: python3 with botocore is not installed"
  exit 0
fi
cat >"$TMP/resolve.py" <<'PY'
import botocore.session
creds = botocore.session.Session().get_credentials().get_frozen_credentials()
print("resolved", creds.access_key)
PY

out="$("$IN_NAMESPACE" --chantless "$CHANTLESS" "$TRANSCRIPT" -- python3 "$TMP/resolve.py" 2>&1)"
rc=$?
if [ "$rc" -eq 77 ]; then
  echo "SKIPPED: $out"
  exit 0
fi
echo "$out"
fail=0
[ "$rc" -eq 0 ] || { echo "FAIL: exit $rc, expected 0"; fail=1; }
grep -q "resolved ASIAQEXAMPLEASSUMED1" <<<"$out" || { echo "FAIL: botocore did not resolve the assumed role"; fail=1; }
grep -q "verdict: PASS (1 requests" <<<"$out" || { echo "FAIL: no passing verdict"; fail=1; }

# The AWS CLI v2 and the JS SDK v3 (when installed) resolve the same profile.
if [ -x /usr/bin/aws ]; then
  out="$("$IN_NAMESPACE" --chantless "$CHANTLESS" "$TRANSCRIPT" -- /usr/bin/aws configure export-credentials 2>&1)"
  rc=$?
  echo "$out"
  [ "$rc" -eq 0 ] && grep -q '"AccessKeyId": "ASIAQEXAMPLEASSUMED1"' <<<"$out" &&
    grep -q "verdict: PASS" <<<"$out" || { echo "FAIL: aws-cli (exit $rc)"; fail=1; }
  # The recorded XML Expiration (recorded_at + 1 h) is rebased to the replay's clock.
  # (the hour of now + 1 h, or of a minute earlier when an hour boundary passed meanwhile)
  grep -q -e "\"Expiration\": \"$(date -u -d '+1 hour' +%Y-%m-%dT%H)" \
    -e "\"Expiration\": \"$(date -u -d '+59 minutes' +%Y-%m-%dT%H)" <<<"$out" ||
    { echo "FAIL: the XML Expiration was not rebased to now + 1 h"; fail=1; }
else
  echo "SKIPPED aws-cli: /usr/bin/aws is not installed"
fi
JS="$(dirname "$0")/../interop/js_resolve.mjs"
if [ -n "${CHANTLESS_NPM_DIR:-}" ] && [ -d "$CHANTLESS_NPM_DIR/node_modules/@aws-sdk/credential-providers" ] &&
  command -v node >/dev/null && [ -f "$JS" ]; then
  out="$("$IN_NAMESPACE" --chantless "$CHANTLESS" "$TRANSCRIPT" -- node "$JS" 2>&1)"
  rc=$?
  echo "$out"
  [ "$rc" -eq 0 ] && grep -q '"AccessKeyId":"ASIAQEXAMPLEASSUMED1"' <<<"$out" &&
    grep -q "verdict: PASS" <<<"$out" || { echo "FAIL: js-sdk (exit $rc)"; fail=1; }
else
  echo "SKIPPED js-sdk: the JS SDK v3 is not installed (CHANTLESS_NPM_DIR)"
fi

# A client signing with another secret is refused and fails the verdict.
cat >"$TMP/tamper.sh" <<'SH'
sed -i 's/EXAMPLEKEY$/EXAMPLEKEX/' "$AWS_SHARED_CREDENTIALS_FILE"
exec python3 "$1"
SH
out="$("$IN_NAMESPACE" --chantless "$CHANTLESS" "$TRANSCRIPT" -- sh "$TMP/tamper.sh" "$TMP/resolve.py" 2>&1)"
rc=$?
echo "$out"
[ "$rc" -ne 0 ] || { echo "FAIL: a wrong signature was accepted"; fail=1; }
grep -q "SignatureDoesNotMatch" <<<"$out" || { echo "FAIL: botocore did not see SignatureDoesNotMatch"; fail=1; }
grep -q "signature rejected: assume-role: the signature differs" <<<"$out" || { echo "FAIL: the verdict does not name the signature"; fail=1; }
grep -q "EXAMPLEKEX\|EXAMPLEKEY" <<<"$out" && { echo "FAIL: a secret reached the output"; fail=1; }
exit "$fail"
