#!/usr/bin/env bash
# Smoke test for a Google Benchmark binary: every benchmark runs for one very short round and the
# binary must exit 0 and report no error. Timings are not checked here (numbers come from
# `./dev bench`). Counters are: the unconfigured chain makes no request; the loopback benchmarks
# against their in-process server report connections per resolution (one per cold resolution, none
# per refresh), and so do the AssumeRole-over-TLS ones (one TLS connection per cold resolution, none
# per refresh); against an external `chantless serve` (the CHANTLESS_BENCH_*_ENDPOINT variables,
# as bench/peers does) they report no connections counter, and the server's own summary counts the
# connections instead.
# floor_ratios.py runs once over two rows and must print both with their ratios to both floors.
#   benchmark_smoke_test.sh <chain_benchmark> <chantless> <floor_ratios.py>
set -euo pipefail
bin="$1"
chantless="$2"
floor_ratios="$3"
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
            BM_ColdResolve_Imds BM_ColdResolve_ImdsExtended BM_DefaultChain_NothingConfigured \
            BM_ColdResolve_Imds_Loopback BM_ColdResolve_ImdsExtended_Loopback \
            BM_ColdResolve_ImdsExtended_BareServer BM_ColdResolve_Container_BareServer \
            BM_ColdResolve_Container_Loopback BM_Refresh_Imds_Loopback \
            BM_LoopbackRoundTrip/connect:0 BM_LoopbackRoundTrip/connect:1 \
            BM_LoopbackRoundTrip_ServerAsleep/think_us:50 \
            BM_NewClientWithIdleConnections/idle:0 BM_NewClientWithIdleConnections/idle:100 \
            BM_NewClientWithIdleConnections/idle:1000 BM_ColdResolve_AssumeRole_Tls \
            BM_ColdResolve_AssumeRoleImds_Tls BM_Refresh_AssumeRole_Tls \
            BM_ColdResolve_AssumeRole_Tls_NoTickets \
            BM_TlsHandshake_Loopback/new_ctx:0 BM_TlsHandshake_Loopback/new_ctx:1; do
  grep -q "^$name" <<<"$out" || { echo "FAIL: $name did not run"; exit 1; }
done
# The unconfigured chain must make zero requests.
grep -E "^BM_DefaultChain_NothingConfigured" <<<"$out" | grep -q "requests=0" \
  || { echo "FAIL: BM_DefaultChain_NothingConfigured made requests"; exit 1; }
# The request targets: a cold IMDS resolution against an instance serving the extended role
# path is 3 requests (token, listing, credentials), in-process and over loopback; a refresh is 2.
for name in BM_ColdResolve_ImdsExtended BM_ColdResolve_ImdsExtended_Loopback \
            BM_ColdResolve_ImdsExtended_BareServer; do
  grep -E "^$name( |/)" <<<"$out" | grep -qE "requests=3( |$)" \
    || { echo "FAIL: $name does not report requests=3"; exit 1; }
done
grep -E "^BM_Refresh_Imds_Loopback" <<<"$out" | grep -qE "requests=2( |$)" \
  || { echo "FAIL: BM_Refresh_Imds_Loopback does not report requests=2"; exit 1; }
# In-process server: one connection per cold resolution, none per refresh (keep-alive).
for name in BM_ColdResolve_Imds_Loopback BM_ColdResolve_ImdsExtended_Loopback \
            BM_ColdResolve_ImdsExtended_BareServer BM_ColdResolve_Container_Loopback \
            BM_ColdResolve_Container_BareServer; do
  grep -E "^$name" <<<"$out" | grep -qE "connections=1( |$)" \
    || { echo "FAIL: $name does not report connections=1"; exit 1; }
done
grep -E "^BM_Refresh_Imds_Loopback" <<<"$out" | grep -qE "connections=0( |$)" \
  || { echo "FAIL: BM_Refresh_Imds_Loopback does not report connections=0"; exit 1; }
# A role profile over TLS (in-process plain + TLS replay): static source keys are one AssumeRole on
# one new connection; credential_source = Ec2InstanceMetadata is IMDS (token, extended listing
# answered 404, legacy listing, credentials) on one plain connection, then AssumeRole on one TLS
# connection; a warm provider's refresh is one AssumeRole on the kept connection.
expect_counters() {  # name requests connections
  grep -E "^$1/" <<<"$out" | grep -qE "requests=$2( |$)" \
    || { echo "FAIL: $1 does not report requests=$2"; exit 1; }
  grep -E "^$1/" <<<"$out" | grep -qE "connections=$3( |$)" \
    || { echo "FAIL: $1 does not report connections=$3"; exit 1; }
}
expect_counters BM_ColdResolve_AssumeRole_Tls 1 1
expect_counters BM_ColdResolve_AssumeRole_Tls_NoTickets 1 1
expect_counters BM_ColdResolve_AssumeRoleImds_Tls 5 2
expect_counters BM_Refresh_AssumeRole_Tls 1 0

# External server: no connections counter from the benchmark; `chantless serve` counts them.
work="${TEST_TMPDIR:-$(mktemp -d)}/smoke"
mkdir -p "$work"
/usr/bin/python3 - fixtures/ec2/imdsv2.json "$work/imdsv2.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
for e in t["exchanges"]:  # endlessly replayable, as bench/peers/peers.py does
    e["family"] = e["id"]
    e["repeat"] = {"min": 0, "max": 1000000}
    e["optional"] = True
json.dump(t, open(sys.argv[2], "w"))
PY
"$chantless" serve "$work/imdsv2.json" --port 0 --port-file "$work/port" --log-json \
  >"$work/serve.out" 2>"$work/serve.err" &
serve_pid=$!
for _ in $(seq 1 400); do [ -s "$work/port" ] && break; sleep 0.05; done
port="$(cat "$work/port" 2>/dev/null || true)"
[ -n "$port" ] || { cat "$work/serve.err"; echo "FAIL: chantless serve did not start"; exit 1; }
ext="$(CHANTLESS_BENCH_IMDS_ENDPOINT="http://127.0.0.1:$port" "$bin" --benchmark_min_time=0.001 \
  --benchmark_filter='^BM_(ColdResolve|Refresh)_Imds_Loopback' --benchmark_format=console 2>&1)" \
  || { echo "$ext"; kill "$serve_pid"; echo "FAIL: external-endpoint run exited non-zero"; exit 1; }
kill -TERM "$serve_pid"
wait "$serve_pid" || true
echo "$ext"
cat "$work/serve.err"
if grep -q "ERROR OCCURRED" <<<"$ext"; then echo "FAIL: external-endpoint run errored"; exit 1; fi
for name in BM_ColdResolve_Imds_Loopback BM_Refresh_Imds_Loopback; do
  line="$(grep -E "^$name" <<<"$ext")" || { echo "FAIL: $name did not run externally"; exit 1; }
  grep -q "requests=" <<<"$line" || { echo "FAIL: $name lost its requests counter"; exit 1; }
  if grep -q "connections=" <<<"$line"; then
    echo "FAIL: $name reports connections it cannot see (external server)"; exit 1
  fi
done
grep -qE "^chantless serve: served [1-9][0-9]* requests? on [1-9][0-9]* connections?" \
  "$work/serve.err" || { echo "FAIL: chantless serve printed no summary"; exit 1; }
grep -q '^{"summary":{"requests":[1-9]' "$work/serve.out" \
  || { echo "FAIL: chantless serve --log-json wrote no JSON summary"; exit 1; }

# floor_ratios.py: one short round over two rows; each gets a ratio to both floors.
ratios="$(/usr/bin/python3 "$floor_ratios" "$bin" --rounds 1 --repetitions 1 --min-time 0.001 \
  --filter 'BM_ColdResolve_Container_(Loopback|BareServer)')" \
  || { echo "$ratios"; echo "FAIL: floor_ratios.py exited non-zero"; exit 1; }
echo "$ratios"
for name in BM_ColdResolve_Container_Loopback BM_ColdResolve_Container_BareServer; do
  grep -qE "^$name +[0-9.]+ us +1\.00 +1\.00 +[0-9.]+ +[0-9.]+ +[0-9.]+$" <<<"$ratios" \
    || { echo "FAIL: floor_ratios.py printed no ratios for $name"; exit 1; }
done
grep -qE "^  connect:0 [0-9.]+ us   connect:1 [0-9.]+ us   server asleep [0-9.]+ us$" <<<"$ratios" \
  || { echo "FAIL: floor_ratios.py printed no floors"; exit 1; }
echo "PASS"
