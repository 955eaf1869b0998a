#!/usr/bin/env bash
# Runs chantless's libFuzzer targets locally (clang-14, ASan+UBSan, one core each). `./dev fuzz`
# calls this script.
#
#   fuzz/run_fuzz.sh list                      the targets
#   fuzz/run_fuzz.sh <target> [seconds]        build <target>_libfuzzer with --config=fuzz and fuzz it
#                                              (default 60 s) with its dictionary and options
#   fuzz/run_fuzz.sh all [seconds]             every target for [seconds] each, then a table:
#                                              target, exec/s (wall), exec per CPU second (the
#                                              one-core rate on a busy machine), coverage (libFuzzer
#                                              "cov"), new corpus files, crashes
#   fuzz/run_fuzz.sh merge <target|all>        add to fuzz/corpus/<target>/ the inputs of earlier runs
#                                              that reach new edges (libFuzzer -merge=1, no counters)
#   fuzz/run_fuzz.sh coverage <target|all>     replay the checked-in seeds and corpus through a clang
#                                              source-coverage build; llvm-cov-14 line and region
#                                              coverage of the parser files the target exercises
#
# New inputs go to $CHANTLESS_FUZZ_DIR/<target>/corpus (default /tmp/chantless-fuzz), never into the
# checked-in inputs; crashes to $CHANTLESS_FUZZ_DIR/<target>/artifacts. Copy a reproducer into
# fuzz/seeds/<target>/regression_<what> once the bug is fixed (fuzz/seeds/ holds the inputs named
# for what they test; fuzz/corpus/ libFuzzer's hash-named ones). Bazel startup options and build
# flags can be added with CHANTLESS_BAZEL_STARTUP and CHANTLESS_BAZEL_FLAGS (e.g. a private
# --output_base). Exits non-zero when a run found a crash.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
WORK="${CHANTLESS_FUZZ_DIR:-/tmp/chantless-fuzz}"
DISK_CACHE="${CHANTLESS_DISK_CACHE:-$HOME/.cache/chantless/bazel-disk}"
read -r -a STARTUP <<<"${CHANTLESS_BAZEL_STARTUP:-}"
read -r -a FLAGS <<<"${CHANTLESS_BAZEL_FLAGS:-}"
LLVM_PROFDATA="${LLVM_PROFDATA:-llvm-profdata-14}"
# libFuzzer builds and coverage builds get their own output trees (--platform_suffix), so neither
# overwrites the other's binaries nor the plain build's objects while a long run is going.
FUZZ_FLAGS=(--config=fuzz --strip=never --platform_suffix=fuzz)
LLVM_COV="${LLVM_COV:-llvm-cov-14}"

log() { printf '[fuzz] %s\n' "$*" >&2; }

bazel_cmd() { bazel "${STARTUP[@]+"${STARTUP[@]}"}" "$@"; }

# Every target declared with chantless_fuzz_target in fuzz/BUILD, in file order.
targets() {
  sed -n '/^chantless_fuzz_target(/,/^)/s/^ *name = "\([a-z0-9_]*\)",/\1/p' fuzz/BUILD
}

# The source files whose coverage a target's report shows: the pure code it fuzzes.
parser_files() {
  case "$1" in
    imds_credentials_fuzzer | container_credentials_fuzzer | credentials_differential_fuzzer)
      echo resolver/http/credentials_json.cc resolver/core/time_util.cc ;;
    rfc3339_fuzzer) echo resolver/core/time_util.cc ;;
    profile_file_fuzzer) echo resolver/profile/profile_file_parser.cc ;;
    ec2_credential_file_fuzzer) echo resolver/legacy/ec2_credentials_file_provider.cc ;;
    credential_process_output_fuzzer) echo resolver/process/credential_process.cc ;;
    metadata_listing_fuzzer) echo resolver/imds/imds_listing.cc ;;
    instance_identity_fuzzer) echo resolver/imds/instance_identity.cc ;;
    xml_reader_fuzzer) echo resolver/xml/xml_reader.cc ;;
    sts_response_fuzzer) echo resolver/sts/sts_response.cc resolver/xml/xml_reader.cc ;;
    sigv4_fuzzer) echo resolver/sigv4/sigv4_signer.cc ;;
    transcript_fuzzer) echo replay/transcript.cc replay/base64.cc ;;
    replay_client_fuzzer) echo replay/engine.cc replay/transport.cc ;;
    wire_request_fuzzer) echo replay/wire_request.cc ;;
    imds_client_fuzzer) echo resolver/imds/imds_client.cc resolver/imds/imds_provider.cc ;;
    container_client_fuzzer) echo resolver/container/container_provider.cc ;;
    sts_sso_client_fuzzer)
      echo resolver/sts/sts_client.cc resolver/sts/web_identity_provider.cc \
        resolver/sts/sts_cli_cache.cc resolver/profile/assume_role_provider.cc \
        resolver/sso/sso_provider.cc ;;
    sso_token_fuzzer) echo resolver/sso/sso_token.cc resolver/cli_cache/cache_time.cc ;;
    sso_response_fuzzer) echo resolver/sso/sso_api.cc ;;
    cli_cache_fuzzer)
      echo resolver/cli_cache/cli_cache.cc resolver/cli_cache/python_json.cc resolver/cli_cache/cache_time.cc ;;
    *) echo "" ;;
  esac
}

check_target() {
  if ! targets | grep -qx "$1"; then
    log "unknown target: $1 (known: $(targets | tr '\n' ' '))"
    exit 2
  fi
}

# Builds the libFuzzer binaries of the given targets; prints bazel-bin.
build_fuzzers() {
  local labels=() t
  for t in "$@"; do labels+=("//fuzz:${t}_libfuzzer"); done
  log "building ${labels[*]} (--config=fuzz)"
  bazel_cmd build "${FUZZ_FLAGS[@]}" --disk_cache="$DISK_CACHE" "${FLAGS[@]+"${FLAGS[@]}"}" \
    "${labels[@]}" >&2
  bazel_cmd info "${FUZZ_FLAGS[@]}" "${FLAGS[@]+"${FLAGS[@]}"}" bazel-bin 2>/dev/null
}

# libFuzzer flags from fuzz/<target>.options ([libfuzzer] key = value lines).
option_flags() {
  local file="fuzz/$1.options"
  [ -f "$file" ] || return 0
  sed -n 's/^ *\([a-z_]*\) *= *\([^ ]*\) *$/-\1=\2/p' "$file"
}

# Runs one target for $2 seconds; appends "target exec/s coverage new crashes" to $3.
run_one() {
  local target="$1" seconds="$2" table="$3" bin="$4"
  local dir="$WORK/$target" before after runs secs cov crashes rc=0
  mkdir -p "$dir/corpus" "$dir/artifacts"
  before=$(find "$dir/corpus" -type f | wc -l)
  local args=(-max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$dir/artifacts/")
  local inputs=("$dir/corpus")
  # A target may have no named seeds or no merged corpus yet (libFuzzer refuses a missing input
  # directory).
  [ -d "fuzz/seeds/$target" ] && inputs+=("fuzz/seeds/$target")
  [ -d "fuzz/corpus/$target" ] && inputs+=("fuzz/corpus/$target")
  [ -f "fuzz/$target.dict" ] && args+=(-dict="fuzz/$target.dict")
  mapfile -t opts < <(option_flags "$target")
  log "running $target for ${seconds}s (log: $dir/fuzz.log)"
  # CPU time as well as wall time: on a shared machine exec per CPU second is the one-core figure.
  local cpu TIMEFORMAT='%3U %3S'
  cpu=$( { time "$bin/fuzz/${target}_libfuzzer" "${args[@]}" "${opts[@]+"${opts[@]}"}" \
    "${inputs[@]}" >"$dir/fuzz.log" 2>&1 || echo "rc=$?" >"$dir/rc"; } 2>&1 )
  if [ -f "$dir/rc" ]; then rc="$(cut -d= -f2 "$dir/rc")"; rm -f "$dir/rc"; fi
  after=$(find "$dir/corpus" -type f | wc -l)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/fuzz.log" | tail -1)
  secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$dir/fuzz.log" | tail -1)
  [ -n "$secs" ] || secs="$seconds"
  cov=$(grep -o 'cov: [0-9]*' "$dir/fuzz.log" | tail -1 | cut -d' ' -f2 || true)
  crashes=$(find "$dir/artifacts" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \
    -o -name 'leak-*' \) | wc -l)
  if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then crashes="rc=$rc"; fi
  local per_cpu
  per_cpu=$(awk -v r="${runs:-0}" -v u="${cpu% *}" -v s="${cpu#* }" \
    'BEGIN { t = u + s; printf "%d", (t > 0 ? r / t : 0) }')
  printf '%s %s %s %s %s %s\n' "$target" "$(( ${runs:-0} / (secs > 0 ? secs : 1) ))" "$per_cpu" \
    "${cov:-?}" "$(( after - before ))" "$crashes" >>"$table"
  if [ "$rc" -ne 0 ]; then
    log "$target: libFuzzer exited $rc; last lines of $dir/fuzz.log:"
    tail -n 25 "$dir/fuzz.log" >&2
  fi
}

print_table() {
  printf '%-34s %9s %12s %9s %10s %8s\n' target exec/s exec/cpu-s coverage new_files crashes
  while read -r t e p c n x; do
    printf '%-34s %9s %12s %9s %10s %8s\n' "$t" "$e" "$p" "$c" "$n" "$x"
  done <"$1"
}

cmd_fuzz() {
  local seconds="$1"; shift
  local table bin failed=0
  table="$(mktemp)"
  bin="$(build_fuzzers "$@")"
  for t in "$@"; do run_one "$t" "$seconds" "$table" "$bin"; done
  print_table "$table"
  awk '$6 != "0" { bad = 1 } END { exit bad }' "$table" || failed=1
  rm -f "$table"
  return "$failed"
}

# Prints line and region coverage of the given files (paths relative to the repo, as the binary
# records them) from an `llvm-cov export -summary-only` file; fails when a file is missing.
coverage_table() {
  python3 - "$@" <<'PY'
import json, sys
summary, wanted = sys.argv[1], sys.argv[2:]
# Bazel compiles with -fdebug-prefix-map to /proc/self/cwd; strip it (and any absolute prefix).
files = {}
for f in json.load(open(summary))["data"][0]["files"]:
    name = f["filename"].replace("/proc/self/cwd/", "")
    files[name] = f["summary"]
row = "{:<40} {:>18} {:>18}"
print(row.format("file", "lines", "regions"))
missing = False
for name in wanted:
    s = files.get(name)
    if s is None:
        print(row.format(name, "not linked", "")); missing = True; continue
    l, r = s["lines"], s["regions"]
    print(row.format(name, "%d/%d %5.1f%%" % (l["covered"], l["count"], l["percent"]),
                     "%d/%d %5.1f%%" % (r["covered"], r["count"], r["percent"])))
sys.exit(1 if missing else 0)
PY
}

cmd_coverage() {
  local covflags=(--repo_env=CC=clang-14 --copt=-fprofile-instr-generate --copt=-fcoverage-mapping
    --linkopt=-fprofile-instr-generate --linkopt=-fcoverage-mapping --copt=-O0
    --platform_suffix=fuzzcov)
  local labels=() t bin files status=0
  for t in "$@"; do labels+=("//fuzz:${t}_libfuzzer"); done
  log "building ${labels[*]} with clang source coverage (corpus-replay main)"
  bazel_cmd build "${covflags[@]}" --disk_cache="$DISK_CACHE" "${FLAGS[@]+"${FLAGS[@]}"}" \
    "${labels[@]}" >&2
  bin="$(bazel_cmd info "${covflags[@]}" "${FLAGS[@]+"${FLAGS[@]}"}" bazel-bin 2>/dev/null)"
  for t in "$@"; do
    local dir="$WORK/coverage/$t"
    rm -rf "$dir" && mkdir -p "$dir"
    local replay_inputs=()
    for d in "fuzz/seeds/$t" "fuzz/corpus/$t"; do [ -d "$d" ] && replay_inputs+=("$d"); done
    LLVM_PROFILE_FILE="$dir/replay.profraw" "$bin/fuzz/${t}_libfuzzer" "${replay_inputs[@]}" \
      >"$dir/replay.log" 2>&1 || { log "$t: corpus replay failed (see $dir/replay.log)"; status=1; }
    "$LLVM_PROFDATA" merge -sparse "$dir/replay.profraw" -o "$dir/replay.profdata"
    read -r -a files <<<"$(parser_files "$t")"
    echo "== $t: coverage of ${files[*]:-everything} from fuzz/seeds/$t and fuzz/corpus/$t ($(find "${replay_inputs[@]}" -type f | wc -l) files)"
    "$LLVM_COV" export -summary-only "$bin/fuzz/${t}_libfuzzer" \
      -instr-profile="$dir/replay.profdata" >"$dir/summary.json"
    coverage_table "$dir/summary.json" "${files[@]+"${files[@]}"}" || status=1
  done
  return "$status"
}

cmd_merge() {
  local bin t
  bin="$(build_fuzzers "$@")"
  for t in "$@"; do
    [ -d "$WORK/$t/corpus" ] || { log "$t: no run to merge ($WORK/$t/corpus)"; continue; }
    local before after
    mkdir -p "fuzz/corpus/$t"  # a new target's first merge
    before=$(find "fuzz/corpus/$t" -type f | wc -l)
    # Edges only (no hit counters, no value profile): the fewest files that keep the coverage.
    "$bin/fuzz/${t}_libfuzzer" -merge=1 -use_counters=0 -use_value_profile=0 "fuzz/corpus/$t" \
      "$WORK/$t/corpus" >"$WORK/$t/merge.log" 2>&1
    after=$(find "fuzz/corpus/$t" -type f | wc -l)
    echo "$t: $before -> $after corpus files"
  done
}

verb="${1:-}"
[ $# -gt 0 ] && shift
case "$verb" in
  list) targets ;;
  all)
    mapfile -t all < <(targets)
    cmd_fuzz "${1:-60}" "${all[@]}" ;;
  merge)
    what="${1:-all}"
    if [ "$what" = all ]; then mapfile -t all < <(targets); cmd_merge "${all[@]}"
    else check_target "$what"; cmd_merge "$what"; fi ;;
  coverage)
    what="${1:-all}"
    if [ "$what" = all ]; then mapfile -t all < <(targets); cmd_coverage "${all[@]}"
    else check_target "$what"; cmd_coverage "$what"; fi ;;
  "" | -h | --help) sed -n "2,24p" "$0" | sed 's/^# \{0,1\}//' ;;
  *) check_target "$verb"; cmd_fuzz "${1:-60}" "$verb" ;;
esac
