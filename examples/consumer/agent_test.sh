#!/usr/bin/env bash
# The consumer example resolves environment keys once and serves a million gets from the cache,
# printing no secret.
set -euo pipefail
agent="$1"
out="$(env -i HOME="$TEST_TMPDIR" AWS_EC2_METADATA_DISABLED=true \
  AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE \
  AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYCONSUMEREXAMPLEKEY "$agent")"
echo "$out"
grep -q "1000000 gets, 1 resolution(s)" <<<"$out" || { echo "FAIL: expected one resolution"; exit 1; }
grep -q "env" <<<"$out" || { echo "FAIL: provider not named"; exit 1; }
if grep -q "CONSUMEREXAMPLEKEY" <<<"$out"; then echo "FAIL: secret printed"; exit 1; fi
# Nothing configured: a clear error, exit 1.
if env -i HOME="$TEST_TMPDIR" AWS_EC2_METADATA_DISABLED=true "$agent" 2>"$TEST_TMPDIR/err.txt"; then
  echo "FAIL: resolved with nothing configured"; exit 1
fi
grep -q "Unable to locate credentials" "$TEST_TMPDIR/err.txt" || { cat "$TEST_TMPDIR/err.txt"; echo "FAIL: no clear error"; exit 1; }
echo PASS
