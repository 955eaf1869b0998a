#!/usr/bin/env bash
# `./dev bench peers`: build chantless and the benchmark binary (-c opt), then run peers.py — cold
# credential resolution for botocore, the JS SDK v3, the Go SDK v2 and chantless against the same
# `chantless serve` fixtures (IMDS, container, and role profiles through STS over TLS) — inside a loopback-only network namespace when `unshare --net` works (then
# nothing can reach 169.254.169.254 by mistake), else directly (every endpoint is 127.0.0.1 anyway).
#
#   bench/peers/run_peers.sh [--runs N] [--process-runs N]
# Environment: CHANTLESS_BIN and CHANTLESS_BENCH_BIN skip the build (prebuilt binaries; the bench
# binary's runfiles must sit beside it); BAZEL_STARTUP_FLAGS / BAZEL_FLAGS are passed to bazel;
# CHANTLESS_NPM_DIR is where ./dev setup installed the JS SDK.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

if [ -z "${CHANTLESS_BIN:-}" ] || [ -z "${CHANTLESS_BENCH_BIN:-}" ]; then
  # shellcheck disable=SC2086
  bazel ${BAZEL_STARTUP_FLAGS:-} build ${BAZEL_FLAGS:-} -c opt //:chantless //bench:chain_benchmark >&2
  BIN_DIR="$(bazel ${BAZEL_STARTUP_FLAGS:-} info ${BAZEL_FLAGS:-} -c opt bazel-bin 2>/dev/null)"
  CHANTLESS_BIN="$BIN_DIR/chantless"
  CHANTLESS_BENCH_BIN="$BIN_DIR/bench/chain_benchmark"
fi
RUNFILES="$CHANTLESS_BENCH_BIN.runfiles/chantless"
[ -d "$RUNFILES" ] || RUNFILES="$ROOT"

# Debian's python3 (botocore 1.29.27 from python3-botocore), never a pyenv shim on PATH.
args=(/usr/bin/python3 "$ROOT/bench/peers/peers.py" --chantless "$CHANTLESS_BIN" --bench "$CHANTLESS_BENCH_BIN"
      --bench-runfiles "$RUNFILES" --npm-dir "${CHANTLESS_NPM_DIR:-$HOME/.cache/chantless/npm}" "$@")
# A private mount namespace too, when it can be had: peers.py then bind-mounts its own /etc/hosts
# (sts.us-east-1.amazonaws.com -> 127.0.0.1) over /etc/hosts inside it for the STS rows; the
# machine's /etc/hosts is never edited. Without it the STS rows say why they did not run.
UNSHARE=(unshare --net --mount --propagation private)
if [ "$(id -u)" -ne 0 ]; then UNSHARE+=(--map-root-user); fi
if "${UNSHARE[@]}" true 2>/dev/null; then
  echo "[peers] running in a loopback-only network namespace with a private mount namespace" >&2
  exec "${UNSHARE[@]}" bash -c 'ip link set lo up && exec "$@"' bash "${args[@]}"
fi
if unshare --net true 2>/dev/null; then
  echo "[peers] running in a loopback-only network namespace" >&2
  exec unshare --net bash -c 'ip link set lo up && exec "$@"' bash "${args[@]}"
fi
echo "[peers] unshare --net unavailable; running in the host namespace (127.0.0.1 only)" >&2
exec "${args[@]}"
