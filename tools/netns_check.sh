#!/usr/bin/env bash
# Proof that no test reaches past 127.0.0.1: runs `./dev test` (or the given command) inside a new,
# loopback-only network namespace (`unshare --net`, with `lo` brought up), where 169.254.169.254,
# 169.254.170.2 and every other non-loopback address are unreachable. Run `./dev setup` first: the
# namespace has no network for apt or npm. Needs root (otherwise user namespaces: `-r`).
#
#   tools/netns_check.sh                 ./dev test --nocache_test_results inside the namespace
#                                        (cached results would prove nothing: every test runs)
#   tools/netns_check.sh <cmd> [args…]   any other command inside it
#
# Bazel's client talks to its server over loopback, and a server started outside the namespace is
# unreachable from inside it. So inside the namespace `bazel` is a wrapper that uses its own output
# base (CHANTLESS_NETNS_OUTPUT_BASE, default ~/.cache/bazel-ob/netns; the disk cache is shared), and
# that server is shut down before the namespace goes away. Nobody else's Bazel server is touched.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [ $# -eq 0 ]; then set -- ./dev test --nocache_test_results; fi

REAL_BAZEL="$(command -v bazel || true)"
OUTPUT_BASE="${CHANTLESS_NETNS_OUTPUT_BASE:-$HOME/.cache/bazel-ob/netns}"
WRAP_DIR="$(mktemp -d /tmp/chantless-netns.XXXXXX)"
trap 'rm -rf "$WRAP_DIR"' EXIT
if [ -n "$REAL_BAZEL" ]; then
  printf '#!/bin/sh\nexec %s --output_base=%s "$@"\n' "$REAL_BAZEL" "$OUTPUT_BASE" >"$WRAP_DIR/bazel"
  chmod +x "$WRAP_DIR/bazel"
fi

UNSHARE=(unshare --net)
if [ "$(id -u)" -ne 0 ]; then UNSHARE=(unshare --net --map-root-user); fi

# The inner shell checks the namespace really is loopback-only before running anything, and stops
# the namespace's own Bazel server afterwards.
rc=0
PATH="$WRAP_DIR:$PATH" "${UNSHARE[@]}" /bin/sh -c '
  set -e
  ip link set lo up
  if ip -o addr show | grep -v "^[0-9]*: lo " | grep -q inet; then
    echo "netns_check: a non-loopback interface has an address; refusing" >&2; exit 2
  fi
  echo "netns_check: loopback-only namespace, links: $(ip -o link show | cut -d: -f2 | tr -d " " | tr "\n" " ")" >&2
  rc=0
  "$@" || rc=$?
  if [ -x "'"$WRAP_DIR"'/bazel" ]; then "'"$WRAP_DIR"'/bazel" shutdown >/dev/null 2>&1 || true; fi
  echo "netns_check: exit $rc" >&2
  exit $rc' netns_check "$@" || rc=$?
exit "$rc"
