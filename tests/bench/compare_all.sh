#!/usr/bin/env bash
# Every side-by-side measurement of issues 8 and 9 from one command: compare_llamacpp.sh on
# the demo model and on synthetic ~0.5B qwen2-shaped models (Q4_K and Q8_0, written by
# hearth-synth into a cache directory on first use; the same file feeds both engines).
#
#   tests/bench/compare_all.sh [--reps 3] [--hearth BUILD/bin/hearth] [--cache DIR]
#                              [--models demo,q4_k,q8_0] [--backends vulkan,cpu]
#                              [--vulkan-sizes "64 16"] [--cpu-sizes "512 128"]
#
# llama.cpp's Vulkan backend on lavapipe is very slow (≈ 5 tok/s prompt, ≈ 1.3 tok/s
# generation on the 135M demo model, ≈ 4× less on 0.5B), so the Vulkan pairs run shorter
# sizes (--vulkan-sizes, default pp64 tg16); the CPU pairs run pp512 tg128. Each model's full
# compare_llamacpp.sh output is printed, then one summary line per model; the load average
# (uptime) is printed around every comparison since the machine may be shared.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

reps=3
hearth="${HEARTH_BIN:-}"
cache="$root/.cache/bench"
models="demo,q4_k,q8_0"
backends="vulkan,cpu"
vulkan_sizes="64 16"
cpu_sizes="512 128"
while [[ $# -gt 0 ]]; do
  case "$1" in
  --reps) reps="$2"; shift 2 ;;
  --hearth) hearth="$2"; shift 2 ;;
  --cache) cache="$2"; shift 2 ;;
  --models) models="$2"; shift 2 ;;
  --backends) backends="$2"; shift 2 ;;
  --vulkan-sizes) vulkan_sizes="$2"; shift 2 ;;
  --cpu-sizes) cpu_sizes="$2"; shift 2 ;;
  -h | --help) sed -n '2,14p' "$0"; exit 0 ;;
  *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

if [[ -z "$hearth" ]]; then
  for candidate in "$root"/build/bin/hearth "$root"/build-*/bin/hearth; do
    [[ -x "$candidate" ]] && { hearth="$candidate"; break; }
  done
fi
[[ -x "$hearth" ]] || { echo "no hearth executable (build it, or pass --hearth PATH)" >&2; exit 2; }
synth="$(dirname "$hearth")/hearth-synth"

# model_path NAME: the model file for NAME, written by hearth-synth when missing.
model_path() {
  case "$1" in
  demo) echo "${HEARTH_DEMO_MODEL:-$root/.cache/models/SmolLM2-135M-Instruct.Q4_1.gguf}" ;;
  q4_k | q8_0)
    local file="$cache/qwen2-0.5b-$1.gguf"
    if [[ ! -f "$file" ]]; then
      [[ -x "$synth" ]] || { echo "no $synth to write $file (build target hearth-synth)" >&2; return 2; }
      mkdir -p "$cache"
      "$synth" --out "$file.tmp" --preset qwen2-0.5b --type "$1" >&2 && mv "$file.tmp" "$file"
    fi
    echo "$file" ;;
  *) echo "unknown model '$1' (demo, q4_k, q8_0)" >&2; return 2 ;;
  esac
}

summary=()
IFS=',' read -r -a names <<<"$models"
for name in "${names[@]}"; do
  model="$(model_path "$name")"
  line="$name ($(basename "$model")):"
  for backend in vulkan cpu; do
    [[ ",$backends," == *",$backend,"* ]] || continue
    sizes="$cpu_sizes"
    [[ $backend == vulkan ]] && sizes="$vulkan_sizes"
    read -r np ng <<<"$sizes"
    echo
    echo "=== $name, $backend: pp$np tg$ng, $reps runs ==="
    log="$(mktemp /tmp/hearth-compare-all.XXXXXX)"
    "$here/compare_llamacpp.sh" --model "$model" -p "$np" -n "$ng" --reps "$reps" --hearth "$hearth" \
      --backends "$backend" | tee "$log"
    key="ratio"
    [[ $backend == cpu ]] && key="ratio-cpu"
    line+="  $(grep "^$key " "$log")"
    rm -f "$log"
  done
  summary+=("$line")
done

echo
echo "=== summary: Hearth ÷ llama.cpp, medians of $reps runs (the labels give the sizes); $(uptime) ==="
printf '%s\n' "${summary[@]}"
