#!/bin/bash -eu
# ClusterFuzzLite build: the OSS-Fuzz build script, unchanged (one list of targets, one recipe).
exec bash "$SRC/chantless/fuzz/oss-fuzz/build.sh"
