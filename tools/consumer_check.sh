#!/usr/bin/env bash
# Builds examples/consumer/agent from a fresh Bazel workspace outside this repository that depends on
# chantless exactly as the README says (local_repository + deps.bzl), then runs it with environment
# keys. Proof that the "depend on chantless" instructions work. Uses its own Bazel output base.
#
#   tools/consumer_check.sh            # exit 0 when the consumer builds and resolves
set -euo pipefail
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
echo 'build --nosandbox_debug --cxxopt=-std=c++17 --jobs=2' > "$WS/.bazelrc"

cd "$WS"
bazel --output_base="$WS.ob" build --disk_cache="${CHANTLESS_DISK_CACHE:-$HOME/.cache/chantless/bazel-disk}" //app:agent
env -i HOME="$WS" AWS_EC2_METADATA_DISABLED=true AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE \
  AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY "$WS/bazel-bin/app/agent"
echo "consumer workspace: OK"
