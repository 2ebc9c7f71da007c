// The GPU ops of a transformer's forward pass (all but the matrix multiplications, which
// live in their own files), each recorded into a vk::Recorder. Conventions: vk/kernel.h.
// Activations are dense fp32, row-major, `n` tokens per batch: x [n][dim].
//
// Ops that depend on the position of the batch read it from a *step buffer* (one uint32,
// the position pos0 of the first token), so that a decode step can be recorded once and
// resubmitted with only that word changed.
//
//   HEARTH_TRY(ops::rmsNorm(rec, x, norm, h, n, nEmbd, eps));
//   HEARTH_TRY(ops::rope(rec, q, ropeTable.view(), step, {n, nHead, headDim, ropeDims, neox, ctx}));
#pragma once

#include "ops/tensor.h"
#include "vk/kernel.h"

#include <cstdint>

namespace hearth::ops {

// out[t][c] = table[tokens[t]][c] for any weight type. tokens: [n] int32 (each < table.rows,
// the caller checks); out: [n][table.cols].
Status embedding(vk::Recorder &rec, vk::BufferView tokens, const DeviceWeight &table, vk::BufferView out, uint32_t n);

// y[t][c] = x[t][c] / sqrt(mean(x[t]²) + eps) * w[c]. x, y: [n][dim] (distinct); w: [dim].
Status rmsNorm(vk::Recorder &rec, vk::BufferView x, vk::BufferView w, vk::BufferView y, uint32_t n, uint32_t dim,
               float eps);

// x[t][c] += bias[c]. x: [n][dim]; bias: [dim].
Status addBias(vk::Recorder &rec, vk::BufferView x, vk::BufferView bias, uint32_t n, uint32_t dim);
// x[i] += y[i], i < count (the residual connection).
Status addResidual(vk::Recorder &rec, vk::BufferView x, vk::BufferView y, uint32_t count);

// out[i] = silu(gate[i]) · up[i]. All [count]; out may be gate or up itself.
Status swiglu(vk::Recorder &rec, vk::BufferView gate, vk::BufferView up, vk::BufferView out, uint32_t count);

// Row softmax in place, max subtracted. x: [n][dim].
Status softmax(vk::Recorder &rec, vk::BufferView x, uint32_t n, uint32_t dim);

// (cos, sin) of every rotation angle, [maxPos][ropeDims/2] vec2, computed in double
// exactly as the CPU reference does. freqFactors: [ropeDims/2] or null.
Result<vk::Buffer> ropeTable(vk::Context &ctx, uint32_t maxPos, uint32_t ropeDims, float freqBase,
                             const float *freqFactors);

struct RopeShape {
  uint32_t n = 1;
  uint32_t heads = 1;
  uint32_t headDim = 64;
  uint32_t ropeDims = 64;
  bool neox = false;
  uint32_t maxPos = 0; // rows of the table; positions past it are left unrotated
};
// Rotary embedding in place on x: [n][heads][headDim], token t at position step.pos0 + t.
Status rope(vk::Recorder &rec, vk::BufferView x, vk::BufferView table, vk::BufferView step, const RopeShape &shape);

// cache[pos0 + t][:] = kv[t][:] (f16 when `f16`, else f32). kv: [n][width];
// cache: [ctx][width] (width = kvHeads · headDim, even). Positions ≥ ctx are dropped.
Status kvWrite(vk::Recorder &rec, vk::BufferView kv, vk::BufferView cache, vk::BufferView step, uint32_t n,
               uint32_t width, uint32_t ctx, bool f16);

struct AttentionShape {
  uint32_t n = 1;        // query tokens, at positions pos0 .. pos0 + n - 1
  uint32_t nHead = 1;
  uint32_t nHeadKv = 1;  // divides nHead
  uint32_t headDim = 64; // multiple of 4
  uint32_t nSplits = 1;  // the KV length [0, pos0 + n) is cut into this many slices
  bool kvF16 = true;
  bool roundQ = false;   // queries rounded to f16 before q·k, as llama.cpp's CPU backend does
};
// Scratch bytes attention() needs for the per-split partials.
uint64_t attentionScratchBytes(const AttentionShape &shape);
// A reasonable split count for a KV length up to maxKv.
uint32_t attentionSplits(uint32_t maxKv);
// Causal GQA attention over the cache: out[t][h] = softmax(q[t][h]·K[0..pos0+t] / sqrt(d)) · V.
// q, out: [n][nHead][headDim]; caches: [ctx][nHeadKv][headDim] holding [0, pos0 + n).
Status attention(vk::Recorder &rec, vk::BufferView q, vk::BufferView kCache, vk::BufferView vCache,
                 vk::BufferView step, vk::BufferView scratch, vk::BufferView out, const AttentionShape &shape);
// The same for a prefill batch, flash-attention style: a workgroup per (16 query tokens,
// query head) streams the keys up to its last token through shared memory in tiles, with
// an online softmax (nSplits unused, no scratch). Needs attentionPrefillSupported(shape):
// n > 1, headDim a multiple of 4 up to 256.
bool attentionPrefillSupported(const AttentionShape &shape);
Status attentionPrefill(vk::Recorder &rec, vk::BufferView q, vk::BufferView kCache, vk::BufferView vCache,
                        vk::BufferView step, vk::BufferView out, const AttentionShape &shape);

// Attention as llama.cpp's CPU backend computes it, bit for bit equal to
// ops::ref::ggml::attention (f16 queries and probabilities, 16-lane dot products, polynomial
// exp, double sums): a workgroup per (head, token). n = 1 takes decode's arithmetic, n ≥ 2
// prefill's. f32 caches are read rounded to f16. Needs shaderFloat64
// (attentionGgmlSupported says why not); nSplits and roundQ are unused. scratch:
// attentionGgmlScratchBytes (scores and probabilities for KV lengths up to maxKv, the cache
// length; pos0 + n <= maxKv).
uint64_t attentionGgmlScratchBytes(const AttentionShape &shape, uint32_t maxKv);
Status attentionGgmlSupported(const vk::Context &ctx, const AttentionShape &shape);
Status attentionGgml(vk::Recorder &rec, vk::BufferView q, vk::BufferView kCache, vk::BufferView vCache,
                     vk::BufferView step, vk::BufferView scratch, vk::BufferView out, const AttentionShape &shape,
                     uint32_t maxKv);

// How llama.cpp's CPU backend rounds activations before a product with weights of a type
// (ops::ref::Rounding::Ggml): Q8_0 32-blocks for Q4_0/Q8_0, Q8_1 for Q4_1 (Q8_0 values plus
// a block-sum correction), Q8_K 256-blocks for the K-quants, f16, bf16; none for F32.
enum class ActivationRounding { None, Q8_0, Q8_1, Q8_K, F16, BF16 };
ActivationRounding activationRounding(TensorType weightType);
// xr = rounded x; with Q8_1 also corr[t][b] = half(d·Σq) − half(d)·Σq per 32-block, which a
// Q4_1 product adds times the weight block's min. x, xr: [n][cols]; corr: [n][cols/32]
// (bound but unused for other modes).
Status roundActivations(vk::Recorder &rec, vk::BufferView x, vk::BufferView xr, vk::BufferView corr, uint32_t n,
                        uint32_t cols, ActivationRounding mode);

// y[t][r] (= | +=) Σ_c W[r][c] · x[t][c] with element-wise decoding: simple and slow, for
// any type and any row length. x: [n][w.cols]; y: [n][w.rows].
Status matVecGeneric(vk::Recorder &rec, const DeviceWeight &w, vk::BufferView x, vk::BufferView y, uint32_t n,
                     bool accumulate = false);

} // namespace hearth::ops
