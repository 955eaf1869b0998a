#!/usr/bin/env bash
# `./dev demo` end to end: tools/demo.sh against the real binary — both parts resolve, both verdicts
# pass, no signature is refused, and every Expiration printed lies in the future (within a day:
# the replay rebases recorded times to now, once).
set -uo pipefail
BIN="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
DEMO="$2"
out="$("$DEMO" "$BIN" 2>&1)"
rc=$?
echo "$out"
fail=0
[ "$rc" -eq 0 ] || { echo "FAIL: demo exited $rc"; fail=1; }
grep -q "demo: resolved through both replays" <<<"$out" || { echo "FAIL: no success line"; fail=1; }
[ "$(grep -c '"signature_rejections":\[\]' <<<"$out")" -ge 1 ] || { echo "FAIL: signatures"; fail=1; }
[ "$(grep -c 'verdict: PASS' <<<"$out")" -eq 2 ] || { echo "FAIL: not two passing verdicts"; fail=1; }
now="$(date -u +%s)"
while read -r when; do
  t="$(date -u -d "$when" +%s)" || { echo "FAIL: bad Expiration $when"; fail=1; continue; }
  if [ "$t" -le "$now" ] || [ "$t" -gt $((now + 86400)) ]; then
    echo "FAIL: Expiration $when is not within the next day"
    fail=1
  fi
done < <(grep -o '"Expiration": "[^"]*"' <<<"$out" | cut -d'"' -f4)
[ "$(grep -c '"Expiration"' <<<"$out")" -eq 2 ] || { echo "FAIL: not two credentials"; fail=1; }
# The first part (nothing configured, IMDS answers) walks botocore's eleven methods in the seed's
# order ("profile", the chain's own name for the link of the three profile methods, aside).
names="$(awk '/== ~\/.aws\/config/{exit} {print}' <<<"$out" |
  grep -o 'Looking for credentials via: [a-z0-9-]*' | cut -d' ' -f5 | grep -vx profile | uniq | paste -sd' ')"
want="env assume-role assume-role-with-web-identity sso shared-credentials-file custom-process config-file ec2-credentials-file boto-config container-role iam-role"
[ "$names" = "$want" ] || { echo "FAIL: methods traced: $names"; fail=1; }
exit "$fail"
