// Measures llama.cpp (prebuilt binaries shipped with node-llama-cpp) the way `hearth bench` measures
// Hearth, and prints the same llama-bench-style JSON records:
//   pp: N random tokens evaluated in one call into an empty context sequence;
//   tg: N random tokens evaluated one call per token, from an empty sequence.
// -d D: each run starts after D random tokens evaluated untimed (as hearth bench -d).
// One untimed warm-up of each test, then --reps timed runs.
//
//   node llamacpp_bench.mjs --model M [--gpu vulkan|cpu] [-p 512] [-n 128] [-d 0] [--reps 1] [--threads T]
//
// Vulkan on lavapipe: run with GGML_VK_VISIBLE_DEVICES=0 so ggml accepts the CPU-type device.
import { getLlama, LlamaLogLevel } from "node-llama-cpp";
import path from "node:path";
import os from "node:os";

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const modelPath = option("--model");
if (!modelPath) {
  console.error("usage: node llamacpp_bench.mjs --model M [--gpu vulkan|cpu] [-p 512] [-n 128] [-d 0] [--reps 1] [--threads T]");
  process.exit(2);
}
const gpu = option("--gpu", "vulkan");
const nPrompt = Number(option("-p", "512"));
const nGen = Number(option("-n", "128"));
const depth = Math.max(0, Number(option("-d", "0")));
const reps = Math.max(1, Number(option("--reps", "1")));
const threads = Number(option("--threads", String(os.availableParallelism())));

const llama = await getLlama({
  gpu: gpu === "cpu" ? false : gpu,
  build: "never",
  logLevel: LlamaLogLevel.error,
  maxThreads: threads,
});
const devices = gpu === "cpu" ? ["CPU"] : await llama.getGpuDeviceNames();
const model = await llama.loadModel({ modelPath, gpuLayers: gpu === "cpu" ? 0 : "max" });
const largest = Math.max(nPrompt, nGen);
const context = await model.createContext({
  contextSize: depth + largest + 16,
  batchSize: Math.max(nPrompt, 1), // the whole prompt in one batch, as Hearth evaluates it
  sequences: 1,
  threads,
});
const sequence = context.getSequence();

// Random token ids (fixed seed, LCG): the model only sees ids, as in hearth bench.
let state = 42;
const nVocab = model.fileInfo.metadata?.[model.fileInfo.metadata.general.architecture]?.vocab_size
  ?? model.fileInfo.metadata?.tokenizer?.ggml?.tokens?.length;
function tokensOf(count) {
  const out = [];
  for (let i = 0; i < count; ++i) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out.push(state % nVocab);
  }
  return out;
}

const prefix = depth > 0 ? tokensOf(depth) : [];

async function runOnce(tokens, generation) {
  await sequence.clearHistory();
  if (prefix.length > 0)
    await sequence.evaluateWithoutGeneratingNewTokens(prefix);
  const start = process.hrtime.bigint();
  if (generation) {
    for (const t of tokens)
      await sequence.evaluateWithoutGeneratingNewTokens([t]);
  } else {
    await sequence.evaluateWithoutGeneratingNewTokens(tokens);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return tokens.length / seconds;
}

const records = [];
for (const [count, generation] of [[nPrompt, false], [nGen, true]]) {
  if (count <= 0)
    continue;
  const tokens = tokensOf(count);
  const samples = [];
  for (let rep = -1; rep < reps; ++rep) { // rep -1: warm-up
    const tps = await runOnce(tokens, generation);
    if (rep >= 0)
      samples.push(tps);
  }
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  const stdev = samples.length < 2 ? 0
    : Math.sqrt(samples.reduce((a, s) => a + (s - mean) ** 2, 0) / (samples.length - 1));
  records.push({
    model: path.basename(modelPath),
    backend: gpu === "cpu" ? "CPU" : "Vulkan",
    device: `${devices.join(", ") || "?"} (llama.cpp via node-llama-cpp, ${threads} threads)`,
    n_prompt: generation ? 0 : count,
    n_gen: generation ? count : 0,
    n_depth: depth,
    avg_ts: mean,
    stddev_ts: stdev,
    samples_ts: samples,
  });
}
console.log(JSON.stringify(records, null, 2));
await context.dispose();
await model.dispose();
await llama.dispose();
