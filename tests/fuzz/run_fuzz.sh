#!/bin/sh
# ctest fuzz_gguf: seeds written by GgufWriter plus the reference fixture, then
# SECONDS of libFuzzer. Usage: run_fuzz.sh BUILD_DIR [SECONDS]
set -eu
bin=$1
seconds=${2:-45}
work=${HEARTH_DATA_DIR:?}/fuzz-gguf
rm -rf "$work"
mkdir -p "$work/seeds" "$work/corpus"
"$bin/make_seeds" "$work/seeds"
cp "${HEARTH_FIXTURES:?}/gguf/reference.gguf" "$work/seeds/"
exec "$bin/fuzz_gguf" -max_total_time="$seconds" -timeout=1 -malloc_limit_mb=64 -rss_limit_mb=2048 \
  -max_len=8192 -print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" "$work/seeds"
