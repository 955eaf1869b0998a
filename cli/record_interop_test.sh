#!/bin/sh
# Bazel entry point for the record → verify → replay interop test: runs record_interop_test.py
# with Debian's python (/usr/bin/python3 by absolute path, never Bazel's or pyenv's).
set -eu
exec /usr/bin/python3 "$(dirname "$0")/record_interop_test.py" "$@"
