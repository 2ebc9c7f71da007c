// Rounding::Ggml's arithmetic: the reference ops computed the way llama.cpp's CPU backend
// computes them on an x86 machine with AVX-512 and AMX (the configuration that produced
// tests/fixtures/llamacpp/), operation for operation, so that its logits are reproduced to
// the last bit wherever the order of float operations is known. Internal to cpu_ref.cpp;
// the public entry points are the ops in cpu_ref.h with Rounding::Ggml.
//
// What is reproduced (each function says more):
//  - quantized matmul: activations quantized to 8-bit blocks (d and the Q8_1 block sum in
//    f16, round-to-nearest-even quants), per-block integer dot products, and the blocks
//    accumulated in order in fp32 with fused multiply-adds;
//  - RMSNorm: float squares summed in double, the scale in float;
//  - RoPE: angles by repeated float multiplication, float sin/cos, fused rotation;
//  - attention: f16 queries and probabilities, dot products in 16 fp32 lanes reduced as a
//    tree (prefill and decode reduce differently), softmax with a polynomial exp;
//  - SwiGLU: SiLU with the same polynomial exp in 16-wide chunks.
#pragma once

#include "hearth/tensor_type.h"

#include <cstddef>
#include <cstdint>

namespace hearth::ops::ref::ggml {

// The sum of 16 lanes as a 512-bit horizontal add reduces them: halves, quarters, then
// (q0 + q2) + (q1 + q3).
float laneSum(const float *v);

// exp(x) as the vectorized polynomial of llama.cpp's CPU backend computes it (one lane).
float vexp(float x);

// True when matmul() handles the weight type (Q4_0, Q4_1, Q8_0).
bool hasIntegerMatmul(TensorType type);
// y[t][r] = Σ_c W[r][c] · x[t][c] with x quantized per 32-block (see the header comment).
void matmul(TensorType type, const void *w, size_t rows, size_t cols, const float *x, float *y,
            size_t n);

void rmsNorm(const float *x, const float *w, float *y, size_t n, size_t dim, float eps);

void rope(float *x, size_t n, size_t nHeads, size_t headDim, uint32_t pos0, uint32_t ropeDims,
          float freqBase, bool neox, const float *freqFactors);

// As ref::attention; a batch of n ≥ 2 tokens takes the prefill arithmetic, n = 1 decode's.
void attention(const float *q, const uint16_t *kCache, const uint16_t *vCache, float *out, size_t n,
               uint32_t pos0, size_t nHead, size_t nHeadKv, size_t headDim);

// out = silu(gate) · up over rows of rowLength elements.
void swiglu(const float *gate, const float *up, float *out, size_t count, size_t rowLength);

} // namespace hearth::ops::ref::ggml
