#!/usr/bin/env bash
# Tests fuzz/corpus_replay_main.cc through one fuzz target's replay binary: an empty or missing
# corpus fails (a fuzz target with nothing to replay tests nothing), files and directories given as
# arguments are replayed (directories recursively).
set -uo pipefail
BIN="$1"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"
fail() { echo "FAIL: $*"; exit 1; }

mkdir -p "$TMP/empty" "$TMP/corpus/sub"
"$BIN" "$TMP/empty" >"$TMP/out" 2>&1 && fail "an empty corpus passed"
grep -q "no corpus files" "$TMP/out" || fail "no 'no corpus files' message: $(cat "$TMP/out")"
"$BIN" "$TMP/missing" >"$TMP/out" 2>&1 && fail "a missing corpus passed"

printf '2024-05-01T12:00:00Z' >"$TMP/corpus/utc"
printf 'not a time' >"$TMP/corpus/sub/garbage"
"$BIN" "$TMP/corpus" >"$TMP/out" 2>&1 || fail "a good corpus failed: $(cat "$TMP/out")"
grep -q "PASS: 2 corpus files replayed" "$TMP/out" || fail "expected 2 files: $(cat "$TMP/out")"
"$BIN" "$TMP/corpus/utc" >"$TMP/out" 2>&1 || fail "a single file failed"
grep -q "PASS: 1 corpus files replayed" "$TMP/out" || fail "expected 1 file: $(cat "$TMP/out")"
echo "PASS"
