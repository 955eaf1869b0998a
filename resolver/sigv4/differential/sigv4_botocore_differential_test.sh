#!/usr/bin/env bash
# Differential test: botocore_cases.py signs a few hundred seeded STS-shaped requests with
# botocore's SigV4Auth; sigv4_botocore_diff signs the same inputs with chantless's SigV4Signer and
# requires identical X-Amz-Date and Authorization values. Skips (exit 0, a SKIP line) when python3
# or botocore is missing.
#   sigv4_botocore_differential_test.sh <botocore_cases.py> <sigv4_botocore_diff> [count] [seed]
set -euo pipefail
gen="$1"
diff_bin="$2"
count="${3:-300}"
seed="${4:-20150830}"
if ! command -v python3 >/dev/null 2>&1; then
  echo "SKIP: python3 is not installed; the botocore differential test did not run"
  exit 0
fi
out="${TEST_TMPDIR:-$(mktemp -d)}/sigv4_botocore_cases.json"
rc=0
python3 "$gen" "$out" "$count" "$seed" || rc=$?
if [ "$rc" -eq 77 ]; then
  echo "SKIP: the botocore differential test did not run (botocore missing)"
  exit 0
fi
[ "$rc" -eq 0 ] || { echo "FAIL: botocore_cases.py exited $rc"; exit 1; }
"$diff_bin" "$out"
