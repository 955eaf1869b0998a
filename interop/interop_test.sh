#!/bin/sh
# Bazel entry point for the real-client interop test: runs interop_test.py with Debian's python
# (/usr/bin/python3 by absolute path, so neither Bazel's nor pyenv's python is used).
set -eu
exec /usr/bin/python3 "$(dirname "$0")/interop_test.py" "$@"
