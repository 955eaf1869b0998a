#!/usr/bin/env bash
# Smoke test for a Google Benchmark binary: every benchmark runs for one very short round and the
# binary must exit 0 and report no error. Timings are not checked here (numbers come from
# `./dev bench`).
set -euo pipefail
bin="$1"
out="$("$bin" --benchmark_min_time=0.001 --benchmark_format=console 2>&1)" || {
  echo "$out"
  echo "FAIL: $bin exited non-zero"
  exit 1
}
echo "$out"
if grep -q "ERROR OCCURRED" <<<"$out"; then
  echo "FAIL: a benchmark reported an error"
  exit 1
fi
for name in BM_CachedGet BM_CachedGet_MutexBaseline BM_CachedGet_SharedMutexBaseline \
            BM_Parse_ImdsCredentials BM_Parse_ContainerCredentials BM_ColdResolve_Container \
            BM_ColdResolve_Imds BM_DefaultChain_NothingConfigured \
            BM_ColdResolve_Imds_Loopback BM_ColdResolve_Container_Loopback BM_Refresh_Imds_Loopback; do
  grep -q "^$name" <<<"$out" || { echo "FAIL: $name did not run"; exit 1; }
done
# The unconfigured chain must make zero requests.
grep -E "^BM_DefaultChain_NothingConfigured" <<<"$out" | grep -q "requests=0" \
  || { echo "FAIL: BM_DefaultChain_NothingConfigured made requests"; exit 1; }
echo "PASS"
