#!/usr/bin/env bash
# Smoke test for //bench:sts_benchmark: every benchmark runs for one very short round, the binary
# exits 0, no benchmark reports an error and each expected benchmark ran. Timings are not checked.
#   sts_benchmark_smoke_test.sh <sts_benchmark>
set -euo pipefail
out="$("$1" --benchmark_min_time=0.001 --benchmark_format=console 2>&1)" || {
  echo "$out"
  echo "FAIL: $1 exited non-zero"
  exit 1
}
echo "$out"
if grep -q "ERROR OCCURRED" <<<"$out"; then
  echo "FAIL: a benchmark reported an error"
  exit 1
fi
for name in BM_Sigv4_SignAssumeRole BM_Sigv4_SignAssumeRole_NoKeyCache BM_Parse_StsXml \
            BM_Parse_StsErrorXml BM_Parse_SsoToken BM_Parse_SsoRoleCredentials BM_CliCacheFileName; do
  grep -q "^$name " <<<"$out" || { echo "FAIL: $name did not run"; exit 1; }
done
