#!/usr/bin/env bash
# Runs the whole test suite of a built tree under a virtual X server (the UI tests
# need a display), with a private runtime dir so the Vulkan loader stays quiet.
set -euo pipefail
build=${1:-build}
export XDG_RUNTIME_DIR=$(mktemp -d)
chmod 700 "$XDG_RUNTIME_DIR"
trap 'rm -rf "$XDG_RUNTIME_DIR"' EXIT
jobs=${CTEST_JOBS:-2}
exec xvfb-run -a -s "-screen 0 1280x800x24" \
  ctest --test-dir "$build" --output-on-failure -j "$jobs" --timeout 1500
