#!/bin/sh
# `chantless verify fixtures` must accept every bundled transcript and scenario case: schema valid,
# no secret-shaped value. Runs in ./dev test (not tagged interop: no external client).
set -eu
ROOT="${TEST_SRCDIR:-$(dirname "$0")/..}/${TEST_WORKSPACE:-chantless}"
[ -d "$ROOT/fixtures" ] || ROOT="$(dirname "$0")/.."
"$ROOT/chantless" verify "$ROOT/fixtures"
