#!/usr/bin/env bash
# Builds examples/consumer/agent from a fresh Bazel workspace outside this repository that depends on
# chantless exactly as the README says (local_repository + deps.bzl), then runs it with environment
# keys. Proof that the "depend on chantless" instructions work. Uses its own Bazel output base.
#
#   tools/consumer_check.sh                # exit 0 when the consumer builds and resolves
#   tools/consumer_check.sh --old-labels   # the same with the previous layout's deprecated labels and
#                                          # headers (//resolver:credentials_cache, "cli/system_world.h", …)
set -euo pipefail
OLD_LABELS=0
if [ "${1:-}" = "--old-labels" ]; then OLD_LABELS=1; fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WS="$(mktemp -d /tmp/chantless-consumer.XXXXXX)"
trap 'bazel --output_base="$WS.ob" shutdown >/dev/null 2>&1 || true; rm -rf "$WS" "$WS.ob"' EXIT

cat > "$WS/WORKSPACE" <<WS
workspace(name = "consumer")
local_repository(name = "chantless", path = "$ROOT")
local_repository(name = "rules_cc", path = "$ROOT/third_party/stubs/rules_cc")
local_repository(name = "rules_java", path = "$ROOT/third_party/stubs/rules_java")
local_repository(name = "remote_coverage_tools", path = "$ROOT/third_party/stubs/remote_coverage_tools")
load("@chantless//:deps.bzl", "chantless_dependencies")
chantless_dependencies()
WS
mkdir -p "$WS/app"
cp "$ROOT/examples/consumer/agent.cc" "$WS/app/agent.cc"
sed -n '/^cc_binary(/,/^)/p' "$ROOT/examples/consumer/BUILD" > "$WS/app/BUILD"
if [ "$OLD_LABELS" = 1 ]; then
  # The example as it was written before resolver/ became packages: the aliases and the forwarding
  # headers must still build it.
  sed -i -e 's#@chantless//resolver/chain:#@chantless//resolver:#' \
    -e 's#@chantless//resolver/system:system_world#@chantless//cli:system_world#' "$WS/app/BUILD"
  sed -i -e 's#"resolver/chain/#"resolver/#' -e 's#"resolver/system/system_world.h"#"cli/system_world.h"#' \
    -e 's#chantless::SystemWorld world(/\*profile_override=\*/std::nullopt);#chantless::cli::SystemWorld world(std::nullopt, /*debug_out=*/nullptr);#' \
    "$WS/app/agent.cc"
  grep -q 'cli::SystemWorld' "$WS/app/agent.cc" || { echo "consumer_check: old-label rewrite failed" >&2; exit 1; }
fi
echo 'build --nosandbox_debug --cxxopt=-std=c++17 --jobs=2' > "$WS/.bazelrc"

cd "$WS"
bazel --output_base="$WS.ob" build --disk_cache="${CHANTLESS_DISK_CACHE:-$HOME/.cache/chantless/bazel-disk}" //app:agent
env -i HOME="$WS" AWS_EC2_METADATA_DISABLED=true AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE \
  AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY "$WS/bazel-bin/app/agent"

# Only the public targets are visible to a consumer: an internal one fails analysis.
mkdir -p "$WS/probe"
cat > "$WS/probe/BUILD" <<'PROBE'
cc_library(name = "internal", deps = ["@chantless//resolver/imds:imds_client"])
PROBE
if bazel --output_base="$WS.ob" build --nobuild //probe:internal >"$WS/probe.log" 2>&1 \
   || ! grep -q "is not visible from target" "$WS/probe.log"; then
  cat "$WS/probe.log" >&2
  echo "consumer_check: an internal target (//resolver/imds:imds_client) is visible to a consumer" >&2
  exit 1
fi
echo "consumer workspace: OK"
