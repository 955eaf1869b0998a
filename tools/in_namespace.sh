#!/usr/bin/env bash
# Runs a command against `chantless serve` in a private network + mount namespace, where the hosts
# a transcript names (sts.us-west-2.amazonaws.com, …) resolve to 127.0.0.1 and the replay's
# throwaway CA is trusted — so an unmodified client (botocore, the AWS CLI, an SDK) talks to the
# replay over HTTPS on port 443 as it would to AWS. The machine's /etc/hosts is never edited: the
# namespace gets its own, bind-mounted over /etc/hosts inside it only.
#
#   tools/in_namespace.sh [--chantless BIN] <transcript.json> -- <command> [args…]
#
# Inside the namespace (unshare --net --mount, private mount propagation, `lo` up, no other
# interface, so nothing past 127.0.0.1 is reachable): `chantless serve <transcript> --tls
# --tls-port 443 --ca-out … --hosts-file … --client-env …` starts; the hosts file is bind-mounted
# over /etc/hosts; the command runs with the client environment sourced (AWS_CONFIG_FILE,
# AWS_PROFILE, AWS_CA_BUNDLE, …: replay/client_setup.h) and HOME set to a private empty directory
# (no client cache leaks in or out; for a transcript with SSO exchanges the client environment
# sets HOME to the private directory holding its SSO token cache instead); then the server is
# stopped and its verdict printed. Exit status: the command's when it failed, else the verdict's
# (0 pass, 1 fail). Exit 77 (skipped) with a reason when the namespace cannot be made (no unshare,
# no privilege).
set -euo pipefail

CHANTLESS="${CHANTLESS:-chantless}"
if [ "${1:-}" = "--chantless" ]; then
  CHANTLESS="$2"
  shift 2
fi
if [ $# -lt 3 ] || [ "$2" != "--" ]; then
  echo "usage: tools/in_namespace.sh [--chantless BIN] <transcript.json> -- <command> [args…]" >&2
  exit 2
fi
TRANSCRIPT="$1"
shift 2
CHANTLESS="$(command -v "$CHANTLESS" || true)"
if [ -z "$CHANTLESS" ]; then
  echo "in_namespace.sh: chantless not found (--chantless BIN or CHANTLESS=…)" >&2
  exit 2
fi
TRANSCRIPT="$(cd "$(dirname "$TRANSCRIPT")" && pwd)/$(basename "$TRANSCRIPT")"

if [ "${CHANTLESS_IN_NAMESPACE:-}" != 1 ]; then
  UNSHARE=(unshare --net --mount --propagation private)
  if [ "$(id -u)" -ne 0 ]; then UNSHARE=(unshare --net --mount --propagation private --map-root-user); fi
  if ! command -v unshare >/dev/null; then
    echo "in_namespace.sh: skipped: unshare is not installed" >&2
    exit 77
  fi
  if ! why="$("${UNSHARE[@]}" true 2>&1)"; then
    echo "in_namespace.sh: skipped: cannot make a private namespace (${UNSHARE[*]}): $why" >&2
    exit 77
  fi
  exec env CHANTLESS_IN_NAMESPACE=1 "${UNSHARE[@]}" "$0" --chantless "$CHANTLESS" "$TRANSCRIPT" -- "$@"
fi

# --- inside the namespace ---------------------------------------------------------------------
ip link set lo up
if ip -o addr show | grep -v "^[0-9]*: lo " | grep -q inet; then
  echo "in_namespace.sh: a non-loopback interface has an address; refusing" >&2
  exit 2
fi
WORK="$(mktemp -d "${TMPDIR:-/tmp}/chantless-ns.XXXXXX")"
SERVE_PID=""
cleanup() {
  if [ -n "$SERVE_PID" ]; then kill -TERM "$SERVE_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

"$CHANTLESS" serve "$TRANSCRIPT" --port 0 --tls --tls-port 443 --ca-out "$WORK/ca.pem" \
  --port-file "$WORK/ports" --hosts-file "$WORK/hosts" --client-env "$WORK/client.env" \
  >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVE_PID=$!
for _ in $(seq 1 400); do
  if [ -s "$WORK/ports" ] && [ "$(wc -l <"$WORK/ports")" -ge 2 ]; then break; fi
  if ! kill -0 "$SERVE_PID" 2>/dev/null; then break; fi
  sleep 0.05
done
if [ ! -s "$WORK/ports" ]; then
  echo "in_namespace.sh: chantless serve did not start:" >&2
  cat "$WORK/serve.err" >&2
  exit 2
fi
mount --bind "$WORK/hosts" /etc/hosts

rc=0
mkdir -p "$WORK/home"
(
  # A private, empty HOME: no client cache (~/.aws/cli/cache, ~/.aws/sso/cache) leaks in from the
  # user or out to them (an assumed role cached by the AWS CLI would otherwise skip the replay on
  # the next run). pyenv keeps finding its interpreters.
  if [ -z "${PYENV_ROOT:-}" ] && [ -d "${HOME:-/nonexistent}/.pyenv" ]; then export PYENV_ROOT="$HOME/.pyenv"; fi
  export HOME="$WORK/home"
  # shellcheck disable=SC1091
  . "$WORK/client.env"
  "$@"
) || rc=$?

kill -TERM "$SERVE_PID"
verdict_rc=0
wait "$SERVE_PID" || verdict_rc=$?
SERVE_PID=""
cat "$WORK/serve.out"
cat "$WORK/serve.err" >&2
if [ "$rc" -ne 0 ]; then exit "$rc"; fi
exit "$verdict_rc"
