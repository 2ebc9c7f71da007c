#!/usr/bin/env bash
# Hearth vs llama.cpp on the same device, same model file, same prompt length.
#
#   tests/bench/compare_llamacpp.sh [--model PATH] [-p 512] [-n 128] [-d 0] [--reps 3]
#                                   [--hearth BUILD/bin/hearth] [--threads T] [--backends vulkan,cpu]
# (--threads: llama.cpp's CPU threads and Hearth's, through HEARTH_THREADS; default nproc;
# -d D: every run starts D tokens deep in the context, as in a long conversation)
#
# Alternates runs (Hearth, llama.cpp Vulkan, Hearth, llama.cpp Vulkan, ...), each run a fresh
# process with one untimed warm-up, then prints per-engine pp/tg tokens/s (medians over runs),
# the same for the CPU backends (llama.cpp CPU always; Hearth `--backend cpu` when it exists),
# and ends with
#   ratio pp<P>=R1 tg<N>=R2       Hearth Vulkan ÷ llama.cpp Vulkan (medians)
#   ratio-cpu pp<P>=R1 tg<N>=R2   Hearth CPU ÷ llama.cpp CPU, or n/a
# (with -d, the labels read pp<P>@d<D> and tg<N>@d<D>)
# llama.cpp comes prebuilt from npm node-llama-cpp 3.22.1: run `npm ci` in tests/bench first.
# On lavapipe, GGML_VK_VISIBLE_DEVICES=0 is set so that ggml uses the CPU-type Vulkan device.
# --backends vulkan (or cpu) runs only that pair; the other ratio line then reads n/a. The
# machine's load average (uptime) is printed before and after the runs.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

model="${HEARTH_DEMO_MODEL:-$root/.cache/models/SmolLM2-135M-Instruct.Q4_1.gguf}"
np=512
ng=128
depth=0
reps=3
hearth="${HEARTH_BIN:-}"
threads="$(nproc)"
backends="vulkan,cpu"
while [[ $# -gt 0 ]]; do
  case "$1" in
  --model) model="$2"; shift 2 ;;
  -p) np="$2"; shift 2 ;;
  -n) ng="$2"; shift 2 ;;
  -d) depth="$2"; shift 2 ;;
  --reps) reps="$2"; shift 2 ;;
  --hearth) hearth="$2"; shift 2 ;;
  --threads) threads="$2"; shift 2 ;;
  --backends) backends="$2"; shift 2 ;;
  -h | --help) sed -n '2,21p' "$0"; exit 0 ;;
  *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

if [[ -z "$hearth" ]]; then
  for candidate in "$root"/build/bin/hearth "$root"/build-*/bin/hearth; do
    [[ -x "$candidate" ]] && { hearth="$candidate"; break; }
  done
fi
[[ -x "$hearth" ]] || { echo "no hearth executable (build it, or pass --hearth PATH)" >&2; exit 2; }
[[ -f "$model" ]] || { echo "no model file: $model" >&2; exit 2; }
[[ -d "$here/node_modules/node-llama-cpp" ]] || { echo "llama.cpp missing: run (cd $here && npm ci)" >&2; exit 2; }

export GGML_VK_VISIBLE_DEVICES="${GGML_VK_VISIBLE_DEVICES:-0}"
if [[ -z "${XDG_RUNTIME_DIR:-}" ]]; then
  export XDG_RUNTIME_DIR="/tmp/xdg-$(id -un)-bench"
  mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
fi

out="$(mktemp -d /tmp/hearth-compare.XXXXXX)"
trap 'rm -rf "$out"' EXIT
common=(-p "$np" -n "$ng" -d "$depth")

# run NAME CMD...: one run, its JSON in $out/NAME.json; on failure the error in $out/NAME.err.
run() {
  local name="$1"
  shift
  if "$@" >"$out/$name.json" 2>"$out/$name.log"; then
    rm -f "$out/$name.err"
    return 0
  fi
  grep -v '^\s*$' "$out/$name.log" | tail -n 3 >"$out/$name.err"
  rm -f "$out/$name.json"
  return 1
}
hearth_run() { HEARTH_THREADS="$threads" run "$1" "$hearth" bench --model "$model" "${common[@]}" --reps 1 --json --backend "$2"; }
llama_run() { run "$1" node "$here/llamacpp_bench.mjs" --model "$model" "${common[@]}" --reps 1 --gpu "$2" --threads "$threads"; }

echo "model: $model"
echo "sizes: pp$np tg$ng at depth $depth, $reps alternating runs per engine, each after one warm-up; $threads CPU threads; backends $backends"
echo "load before: $(uptime)"
want() { [[ ",$backends," == *",$1,"* ]]; }
vulkan_reps=0 cpu_reps=0
want vulkan && vulkan_reps=$reps
want cpu && cpu_reps=$reps
for ((i = 1; i <= vulkan_reps; ++i)); do
  echo "run $i/$reps: hearth vulkan" >&2
  hearth_run "hearth-vulkan-$i" vulkan || { echo "hearth (vulkan) failed: $(cat "$out/hearth-vulkan-$i.err")" >&2; exit 1; }
  echo "run $i/$reps: llama.cpp vulkan" >&2
  llama_run "llama-vulkan-$i" vulkan || { echo "llama.cpp (vulkan) failed: $(cat "$out/llama-vulkan-$i.err")" >&2; exit 1; }
done

hearth_cpu=1
for ((i = 1; i <= cpu_reps; ++i)); do
  if ((hearth_cpu)); then
    echo "run $i/$reps: hearth cpu" >&2
    hearth_run "hearth-cpu-$i" cpu || hearth_cpu=0
  fi
  echo "run $i/$reps: llama.cpp cpu" >&2
  llama_run "llama-cpu-$i" cpu || { echo "llama.cpp (cpu) failed: $(cat "$out/llama-cpu-$i.err")" >&2; exit 1; }
done

echo "load after: $(uptime)"
at=""
((depth > 0)) && at="@d$depth"
node --input-type=module - "$out" "$np$at" "$ng$at" <<'EOF'
import fs from "node:fs";
const [dir, np, ng] = process.argv.slice(2);
const files = fs.readdirSync(dir);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
// Per engine: {device, pp: [t/s per run], tg: [...]}, or {error}.
function collect(prefix) {
  const runs = files.filter((f) => f.startsWith(prefix + "-") && f.endsWith(".json"));
  if (runs.length === 0) {
    const err = files.find((f) => f.startsWith(prefix + "-") && f.endsWith(".err"));
    return { error: err ? fs.readFileSync(`${dir}/${err}`, "utf8").trim().replace(/\s+/g, " ") : "not run" };
  }
  const result = { device: "", pp: [], tg: [] };
  for (const f of runs)
    for (const r of JSON.parse(fs.readFileSync(`${dir}/${f}`, "utf8"))) {
      result.device = r.device;
      (r.n_gen > 0 ? result.tg : result.pp).push(...r.samples_ts);
    }
  result.ppMedian = result.pp.length ? median(result.pp) : NaN;
  result.tgMedian = result.tg.length ? median(result.tg) : NaN;
  return result;
}
const engines = [
  ["hearth vulkan", collect("hearth-vulkan")],
  ["llama.cpp vulkan", collect("llama-vulkan")],
  ["hearth cpu", collect("hearth-cpu")],
  ["llama.cpp cpu", collect("llama-cpu")],
];
const fmt = (x) => (Number.isFinite(x) ? x.toFixed(2) : "n/a");
const runs = (xs) => xs.map((x) => x.toFixed(2)).join(" ");
for (const [name, e] of engines) {
  if (e.error) {
    console.log(`${name.padEnd(17)} unavailable: ${e.error}`);
    continue;
  }
  console.log(`${name.padEnd(17)} pp${np} ${fmt(e.ppMedian).padStart(9)} t/s [${runs(e.pp)}]  ` +
              `tg${ng} ${fmt(e.tgMedian).padStart(8)} t/s [${runs(e.tg)}]  device: ${e.device}`);
}
const ratio = (a, b, key) => (a.error || b.error ? "n/a" : fmt(a[key] / b[key]));
const [hv, lv, hc, lc] = engines.map(([, e]) => e);
console.log(`ratio pp${np}=${ratio(hv, lv, "ppMedian")} tg${ng}=${ratio(hv, lv, "tgMedian")}`);
console.log(`ratio-cpu pp${np}=${ratio(hc, lc, "ppMedian")} tg${ng}=${ratio(hc, lc, "tgMedian")}`);
EOF
