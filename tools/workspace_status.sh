#!/bin/sh
# Bazel's --workspace_status_command for release builds (`./dev dist`): the version `chantless
# --version` prints, from `git describe` (tags, else the commit; "-dirty" for local changes).
cd "$(dirname "$0")/.." || exit 1
v="$(git describe --tags --always --dirty 2>/dev/null)" || v=""
echo "STABLE_CHANTLESS_VERSION ${v:-unknown}"
