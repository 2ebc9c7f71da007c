#!/usr/bin/env bash
# The chat window's benchmark (not a test): cold start to the first frame, idle memory
# with the demo model loaded, and how long each streamed token takes to reach the screen
# in a 500-message conversation. Runs the real window under Xvfb on a fresh data dir.
#   tests/bench/ui_bench.sh [BUILD_DIR] [RUNS]      (default: build, 5 cold starts)
# Targets: first frame < 1 s, idle RSS without the model's weights < 200 MB, no frame
# over 16 ms.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$root/build}"
runs="${2:-5}"
hearth="$build/bin/hearth"
model="${HEARTH_DEMO_MODEL:-$root/.cache/models/SmolLM2-135M-Instruct.Q4_1.gguf}"
[ -x "$hearth" ] || { echo "no $hearth (build it first)" >&2; exit 2; }
[ -f "$model" ] || { echo "no demo model at $model (make setup)" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export XDG_RUNTIME_DIR="$work/xdg" XDG_CONFIG_HOME="$work/config" HEARTH_DATA_DIR="$work/data"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

inner="$work/inner.sh"
cat > "$inner" <<INNER
set -euo pipefail
echo "== cold start to first frame (no model, empty data dir first, then with history)"
for i in \$(seq $runs); do
  t0=\$(date +%s%N)
  line=\$(HEARTH_TRACE_STARTUP=exit "$hearth" 2>&1 | grep 'first frame' || true)
  t1=\$(date +%s%N)
  echo "  run \$i: process wall \$(( (t1 - t0) / 1000000 )) ms; \$line"
done
echo "== idle memory with the demo model, then streaming into 500 messages"
HEARTH_UI_SCRIPT=bench HEARTH_UI_OUT="$work/out" HEARTH_UI_TIMEOUT_S=600 \
  "$hearth" --model "$model" > "$work/bench.log" 2>&1 || { tail -20 "$work/bench.log"; exit 1; }
INNER
xvfb-run -a -s "-screen 0 1280x1024x24" bash "$inner"

python3 - "$work/out/result.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
mb = lambda kb: kb / 1024
print(f"  backend: {r['backend']}")
print(f"  idle VmRSS {mb(r['idleRssKb']):.0f} MB; model file {mb(r['modelFileKb']):.0f} MB, "
      f"of it mapped and resident {mb(r['modelMappedRssKb']):.0f} MB")
print(f"  RSS without the mapped weights {mb(r['idleRssKb'] - r['modelMappedRssKb']):.0f} MB, "
      f"without a full file's worth {mb(r['idleRssKb'] - r['modelFileKb']):.0f} MB (target < 200 MB)")
print(f"  500 messages written through the store in {r['fill500Ms']:.0f} ms")
t, rd = r['tokenToScreenMs'], r['renderMs']
print(f"  token -> screen ({t['count']} frames): p50 {t['p50']:.1f} ms, p95 {t['p95']:.1f} ms, "
      f"max {t['max']:.1f} ms, over 16 ms: {t['over16']} (target 0)")
print(f"  render thread per frame ({rd['count']}): p50 {rd['p50']:.1f} ms, p95 {rd['p95']:.1f} ms, max {rd['max']:.1f} ms")
print(f"  reply: {r['replyState']}")
PY
