#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build script for chantless's fuzz targets, without Bazel.
#
# Uses only what OSS-Fuzz provides: $CC $CXX $CFLAGS $CXXFLAGS $LIB_FUZZING_ENGINE $OUT (and $SRC).
# Builds the pure parts of the resolver and the replay model from source (OSS-Fuzz links libc++, so
# no prebuilt C++ library is used: no httplib, no gtest; nlohmann/json is header-only, taken from
# $SRC/json when present, else the system include path), then one binary per target declared in
# fuzz/BUILD, each with <target>_seed_corpus.zip (fuzz/seeds/<target>/ and fuzz/corpus/<target>/),
# <target>.dict and <target>.options in $OUT.
#
# Every library source (resolver/<package>/*.cc, resolver/testing/fakes.cc, replay/*.cc, fuzz/*.cc
# that are not a test, a fuzz target or a main, and do not include httplib or gtest) is compiled into
# one archive; the linker takes from it only what each target needs.
# Two C libraries come from the system, not from source: libexpat (resolver/xml) and OpenSSL's
# libcrypto (resolver/sigv4), both plain C, so a libc++ build links them safely (the Dockerfile
# installs libexpat1-dev and libssl-dev; here Debian's). They are not instrumented: MSan would
# report their writes, and their own bugs are out of scope. Runs here too:
#   CC=clang-14 CXX=clang++-14 CFLAGS="-O1 -g -fsanitize=address,undefined,fuzzer-no-link" \
#   CXXFLAGS="$CFLAGS" LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/out bash fuzz/oss-fuzz/build.sh
# (fuzz/oss-fuzz/check_build.sh does exactly that and runs every produced fuzzer on its seeds).

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -n "${SRC:-}" ] && [ -d "$SRC/chantless/resolver" ]; then
  ROOT="$SRC/chantless"
elif [ -n "${SRC:-}" ] && [ -d "$SRC/resolver" ]; then
  ROOT="$SRC"
else
  ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
fi
cd "$ROOT"

INCLUDES=(-I"$ROOT")
for dir in "${SRC:-/nonexistent}/json/single_include" "${SRC:-/nonexistent}/json/include"; do
  if [ -f "$dir/nlohmann/json.hpp" ]; then INCLUDES+=(-isystem "$dir"); break; fi
done
WORK="${WORK:-$(mktemp -d)}"
mkdir -p "$WORK/obj" "$OUT"
CXX_STD=(-std=c++17)

# The fuzz targets, in fuzz/BUILD order.
mapfile -t TARGETS < <(sed -n '/^chantless_fuzz_target(/,/^)/s/^ *name = "\([a-z0-9_]*\)",/\1/p' \
  fuzz/BUILD)

library_sources() {
  local f
  for f in resolver/*/*.cc replay/*.cc fuzz/*.cc; do
    case "$f" in
      resolver/testing/fakes.cc) ;;
      resolver/testing/*) continue ;;
      *_test.cc | *_fuzzer.cc | *_benchmark.cc | fuzz/corpus_replay_main.cc) continue ;;
    esac
    if grep -qE '#include [<"](httplib\.h|gtest/|gmock/)' "$f" || grep -qE '^int main\(' "$f"; then
      continue
    fi
    echo "$f"
  done
}

objects=()
skipped=()
while read -r src; do
  obj="$WORK/obj/$(echo "$src" | tr '/' '_').o"
  # shellcheck disable=SC2086
  if $CXX $CXXFLAGS "${CXX_STD[@]}" "${INCLUDES[@]}" -c "$src" -o "$obj" 2>"$obj.log"; then
    objects+=("$obj")
  else
    skipped+=("$src")  # a file no target needs may fail; a target that needs it fails to link
  fi
done < <(library_sources)
if [ "${#skipped[@]}" -gt 0 ]; then
  echo "build.sh: could not compile (skipped): ${skipped[*]}" >&2
  for src in "${skipped[@]}"; do head -n 5 "$WORK/obj/$(echo "$src" | tr '/' '_').o.log" >&2; done
fi
rm -f "$WORK/libchantless_fuzz.a"
ar rcs "$WORK/libchantless_fuzz.a" "${objects[@]}"

# The system C libraries each target links (see above).
system_libs() {
  case "$1" in
    xml_reader_fuzzer | sts_response_fuzzer) echo -lexpat ;;
    sigv4_fuzzer | sso_token_fuzzer | sso_response_fuzzer | cli_cache_fuzzer) echo -lcrypto ;;
    replay_client_fuzzer) echo -lcrypto ;;  # the engine checks SigV4 signatures
    sts_sso_client_fuzzer) echo -lexpat -lcrypto ;;
    *) echo "" ;;
  esac
}

for target in "${TARGETS[@]}"; do
  # shellcheck disable=SC2086
  $CXX $CXXFLAGS "${CXX_STD[@]}" "${INCLUDES[@]}" "fuzz/$target.cc" "$WORK/libchantless_fuzz.a" \
    $LIB_FUZZING_ENGINE $(system_libs "$target") -o "$OUT/$target"
  [ -f "fuzz/$target.dict" ] && cp "fuzz/$target.dict" "$OUT/$target.dict"
  [ -f "fuzz/$target.options" ] && cp "fuzz/$target.options" "$OUT/$target.options"
  rm -f "$OUT/${target}_seed_corpus.zip"
  # The seed corpus: the named seeds and libFuzzer's corpus, side by side in one flat zip.
  find "fuzz/seeds/$target" "fuzz/corpus/$target" -type f 2>/dev/null \
    | zip -q -j "$OUT/${target}_seed_corpus.zip" -@
  echo "built $OUT/$target"
done
