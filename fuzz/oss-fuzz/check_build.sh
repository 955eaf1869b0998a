#!/usr/bin/env bash
# Proves fuzz/oss-fuzz/build.sh works here the way OSS-Fuzz runs it: builds every target with
# clang-14, ASan+UBSan and libFuzzer into a temporary $OUT (only $CC $CXX $CFLAGS $CXXFLAGS
# $LIB_FUZZING_ENGINE $OUT $SRC set), checks each target shipped its binary, seed corpus zip,
# dictionary and options, then runs each binary over its unzipped seed corpus plus N (default 2000)
# fuzzing iterations. Manual (too slow and clang-specific for `./dev test`):
#   fuzz/oss-fuzz/check_build.sh [runs]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUNS="${1:-2000}"
OUT="$(mktemp -d /tmp/chantless-oss-fuzz-out.XXXXXX)"
WORKDIR="$(mktemp -d /tmp/chantless-oss-fuzz-work.XXXXXX)"
trap 'rm -rf "$WORKDIR"' EXIT
FLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address,undefined -fno-sanitize-recover=all -fsanitize=fuzzer-no-link -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
env -i PATH="$PATH" HOME="$HOME" SRC="$ROOT" WORK="$WORKDIR" OUT="$OUT" CC=clang-14 CXX=clang++-14 \
  CFLAGS="$FLAGS" CXXFLAGS="$FLAGS" LIB_FUZZING_ENGINE="-fsanitize=fuzzer" \
  bash "$ROOT/fuzz/oss-fuzz/build.sh"
fail=0
mapfile -t targets < <(sed -n '/^chantless_fuzz_target(/,/^)/s/^ *name = "\([a-z0-9_]*\)",/\1/p' \
  "$ROOT/fuzz/BUILD")
for t in "${targets[@]}"; do
  for f in "$t" "$t.dict" "$t.options" "${t}_seed_corpus.zip"; do
    [ -s "$OUT/$f" ] || { echo "FAIL: $OUT/$f missing"; fail=1; }
  done
  mkdir -p "$WORKDIR/seeds/$t"
  unzip -q -o "$OUT/${t}_seed_corpus.zip" -d "$WORKDIR/seeds/$t"
  if (cd "$OUT" && "./$t" -runs="$RUNS" -dict="$t.dict" -artifact_prefix="$OUT/$t-" \
        "$WORKDIR/seeds/$t" \
        >"$WORKDIR/$t.log" 2>&1); then
    echo "ok   $t ($(ls "$WORKDIR/seeds/$t" | wc -l) seeds, $RUNS runs)"
  else
    echo "FAIL $t"; tail -n 20 "$WORKDIR/$t.log"; fail=1
  fi
done
echo "fuzzers in $OUT"
exit "$fail"
