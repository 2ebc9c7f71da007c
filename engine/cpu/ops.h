// The CPU backend's element-wise, normalization, RoPE and attention ops: the same
// contracts and shapes as ops::ref (ops/cpu_ref.h), written for speed. AVX2/FMA/F16C
// paths are chosen at run time (portable loops otherwise); the ops that scale with the
// batch or the context (swiglu, attention, KV writes) split their work over the pool.
//
//   cpu::RopeTable rope;  rope.compute(pos0, n, ropeDims, freqBase, freqFactors);
//   cpu::rope(q, n, nHead, headDim, ropeDims, neox, rope);
//   cpu::attention(q, kCache, vCache, out, n, pos0, nHead, nHeadKv, headDim, true, pool);
#pragma once

#include "cpu/thread_pool.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hearth::cpu {

// True when this CPU runs the AVX2/FMA/F16C paths (HEARTH_CPU_PORTABLE=1 turns them off).
bool hasAvx2();

// y[t][c] = x[t][c] / sqrt(mean_c(x[t][c]²) + eps) * w[c]. x, y: [n][dim] (may alias).
void rmsNorm(const float *x, const float *w, float *y, size_t n, size_t dim, float eps);

// x[t][c] += b[c]. x: [n][dim]; b: [dim].
void addBias(float *x, const float *b, size_t n, size_t dim);

// x[i] += y[i].
void add(float *x, const float *y, size_t count);

// out[i] = silu(gate[i]) · up[i]; out may alias gate. Threads over large counts.
void swiglu(const float *gate, const float *up, float *out, size_t count, ThreadPool &pool);

// x[t][:] = softmax(x[t][:]) in place. x: [n][dim].
void softmax(float *x, size_t n, size_t dim);

// Cosines and sines of every rotated pair at positions pos0 .. pos0 + n − 1, computed
// once per batch and shared by every layer and head. Angles, norm scale and rotation follow
// llama.cpp's float arithmetic (ops::ref Rounding::Ggml), within 1e-7 of exact math.
struct RopeTable {
  std::vector<float> cs; // [n][ropeDims / 2][2]: cos, sin
  uint32_t half = 0;     // ropeDims / 2
  void compute(uint32_t pos0, size_t n, uint32_t ropeDims, float freqBase, const float *freqFactors);
};

// Rotary position embedding in place (ops::ref::rope's contract) with `table` computed
// for these n tokens. x: [n][nHeads][headDim].
void rope(float *x, size_t n, size_t nHeads, size_t headDim, bool neox, const RopeTable &table);

// cache[pos0 + t][:] = half(kv[t][:]). cache: [ctx][width] f16; kv: [n][width].
void kvWrite(uint16_t *cache, const float *kv, size_t n, uint32_t pos0, size_t width);

// Causal GQA attention over the f16 KV cache (ops::ref::attention's contract), f32
// accumulation, (token, head) pairs split over the pool. ggmlRounding rounds queries and
// softmax weights to f16 before their products with the cache, as llama.cpp's CPU
// backend does (ops::ref::Rounding::Ggml). headDim ≤ 512.
void attention(const float *q, const uint16_t *kCache, const uint16_t *vCache, float *out, size_t n,
               uint32_t pos0, size_t nHead, size_t nHeadKv, size_t headDim, bool ggmlRounding,
               ThreadPool &pool);

} // namespace hearth::cpu
