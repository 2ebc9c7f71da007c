// The plain C++ reference of every op a model's forward pass uses.
//
// Obviously-correct code, not fast code: fp32 tensors, dot products and sums accumulated in
// double, softmax in fp32. The Vulkan shaders and the fast CPU kernels are compared with
// these by NMSE (Σ(a−b)² / Σa²). All tensors are dense, row-major, with no padding; `n` is
// the number of tokens (rows of activations) in a batch.
//
//   ops::ref::rmsNorm(x.data(), normWeight.data(), h.data(), n, nEmbd, eps);
//   ops::ref::matmul(wq.type, wq.data, nEmbd, nEmbd, h.data(), q.data(), n);
#pragma once

#include "hearth/tensor_type.h"

#include <cstddef>
#include <cstdint>

namespace hearth::ops::ref {

// How the reference rounds.
//  Exact: fp32 activations, double accumulation: the mathematical ground truth.
//  Ggml: llama.cpp's CPU backend's arithmetic (x86, AVX-512 and AMX: the machine that made
//   tests/fixtures/llamacpp/), to compare with llama.cpp to the last bit where possible
//   (cpu_ref_ggml.h has the details). Products of Q4_0/Q4_1/Q8_0 weights quantize each
//   activation row to 8-bit 32-blocks (Q8_0/Q8_1: round-to-even quants, f16 scale and
//   block sum) and sum the integer block products in order in fp32 with fused
//   multiply-adds; other weight types see roundActivations() and exact sums. RMSNorm,
//   RoPE, attention (f16 queries and probabilities, 16-lane sums, polynomial exp) and
//   SwiGLU follow llama.cpp's float operation order; attention of a batch of ≥ 2 tokens
//   sums differently from a single token's, as llama.cpp's does.
// Quantizing activations moves this model's logits by ~0.3, about as much as llama.cpp
// differs from Exact, so only Ggml can reproduce llama.cpp's near-ties.
enum class Rounding { Exact, Ggml };

// x[n][cols] in place → the values a Ggml-rounded product with `weightType` weights sees.
// cols must be a multiple of the weight type's block size.
void roundActivations(TensorType weightType, float *x, size_t n, size_t cols);

// out[t][c] = table[tokens[t]][c]. table: [nVocab][dim] of `type`; out: [n][dim].
// Token ids must be < nVocab (the caller checks input).
void embedding(TensorType type, const void *table, size_t dim, const int32_t *tokens, size_t n,
               float *out);

// y[t][c] = x[t][c] / sqrt(mean_c(x[t][c]²) + eps) * w[c]. x, y: [n][dim] (may alias);
// w: [dim].
void rmsNorm(const float *x, const float *w, float *y, size_t n, size_t dim, float eps,
             Rounding rounding = Rounding::Exact);

// y[t][r] = Σ_c W[r][c] · x[t][c]. W: [rows][cols] of `type` (each row rowBytes(type, cols)
// bytes, as GGUF stores a tensor with ne0 = cols, ne1 = rows); x: [n][cols]; y: [n][rows].
void matmul(TensorType type, const void *w, size_t rows, size_t cols, const float *x, float *y,
            size_t n, Rounding rounding = Rounding::Exact);

// x[t][c] += b[c]. x: [n][dim]; b: [dim].
void addBias(float *x, const float *b, size_t n, size_t dim);

// x[i] += y[i] for i < count (the residual connection).
void add(float *x, const float *y, size_t count);

// Rotary position embedding, in place. x: [n][nHeads][headDim]; token t is at position
// pos0 + t. The first ropeDims (even, ≤ headDim) components of each head rotate, pair i
// (i < ropeDims/2) by angle pos · freqBase^(−2i/ropeDims); the rest are unchanged.
// Normal (llama): pairs (2i, 2i+1). NeoX (qwen2): pairs (i, i + ropeDims/2).
// freqFactors ([ropeDims/2], optional, Llama 3.x's rope_freqs): pair i's angle is divided
// by freqFactors[i].
void rope(float *x, size_t n, size_t nHeads, size_t headDim, uint32_t pos0, uint32_t ropeDims,
          float freqBase, bool neox, const float *freqFactors = nullptr,
          Rounding rounding = Rounding::Exact);

// cache[pos0 + t][h][d] = half(kv[t][h][d]). cache: [ctx][kvHeads][headDim] of f16 (one
// layer's K or V); kv: [n][kvHeads][headDim]. Positions must be < ctx (caller checks).
void kvWrite(uint16_t *cache, const float *kv, size_t n, uint32_t pos0, size_t kvHeads,
             size_t headDim);

// Causal attention with grouped-query heads over an f16 KV cache.
// q: [n][nHead][headDim] (already roped); kCache, vCache: [ctx][nHeadKv][headDim] holding
// positions [0, pos0 + n); out: [n][nHead][headDim]. Query head h reads KV head
// h / (nHead / nHeadKv); token t (position pos0 + t) attends positions [0, pos0 + t] with
// weights softmax(q·k / sqrt(headDim)).
void attention(const float *q, const uint16_t *kCache, const uint16_t *vCache, float *out, size_t n,
               uint32_t pos0, size_t nHead, size_t nHeadKv, size_t headDim,
               Rounding rounding = Rounding::Exact);

// x[t][:] = softmax(x[t][:]) in place, fp32 with the max subtracted. x: [n][dim].
void softmax(float *x, size_t n, size_t dim);

// out[i] = silu(gate[i]) · up[i], silu(g) = g / (1 + e^−g). All [count]; out may alias.
// rowLength (Ggml only: which elements take the vectorized exp): the length of a token's
// row, 0 for count.
void swiglu(const float *gate, const float *up, float *out, size_t count,
            Rounding rounding = Rounding::Exact, size_t rowLength = 0);

} // namespace hearth::ops::ref
