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
// Rounding::Ggml's arithmetic bit for bit (float squares summed in double, float scale).
void rmsNorm(const float *x, const float *w, float *y, size_t n, size_t dim, float eps);

// x[t][c] += b[c]. x: [n][dim]; b: [dim].
void addBias(float *x, const float *b, size_t n, size_t dim);

// x[i] += y[i].
void add(float *x, const float *y, size_t count);

// out[i] = silu(gate[i]) · up[i]; out may alias gate. Threads over large counts. As
// ops::ref::swiglu with Rounding::Ggml, bit for bit: llama.cpp's vector exp for the
// elements of each row's whole 16-chunks (rowLength: a token's length, 0: count), expf
// for the rest.
void swiglu(const float *gate, const float *up, float *out, size_t count, ThreadPool &pool, size_t rowLength = 0);

// x[t][:] = softmax(x[t][:]) in place. x: [n][dim].
void softmax(float *x, size_t n, size_t dim);

// Cosines and sines of every rotated pair at positions pos0 .. pos0 + n − 1, computed
// once per batch and shared by every layer and head. Angles and rotation are llama.cpp's
// float arithmetic (ops::ref Rounding::Ggml, bit for bit), within 1e-7 of exact math.
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

// Causal GQA attention over the f16 KV cache (ops::ref::attention's contract), (token,
// head) pairs split over the pool. With ggmlRounding, ops::ref::Rounding::Ggml's result
// bit for bit (llama.cpp's CPU arithmetic): f16 queries and softmax weights, q·k and p·v
// summed in 16 fp32 lanes reduced as a tree (a batch of n ≥ 2: lane j takes elements
// j, j+16, …; one token: four 16-lane accumulators over 64-element steps), the vector exp,
// the softmax sum in 16-chunks added in double. Without it the same order on unrounded
// values. headDim ≤ 512.
void attention(const float *q, const uint16_t *kCache, const uint16_t *vCache, float *out, size_t n,
               uint32_t pos0, size_t nHead, size_t nHeadKv, size_t headDim, bool ggmlRounding,
               ThreadPool &pool);

} // namespace hearth::cpu
