// The CPU backend's matrix multiplication: y[t][r] = Σ_c W[r][c] · x[t][c] (shapes as
// ops::ref::matmul), multi-threaded over rows.
//
// Q8_0, Q4_0 and Q4_1 weights run as fast CPU engines do: each token's activations are
// quantized once to 8-bit blocks of 32 (Q8_0, plus the block sum for Q4_1), each block
// product is an integer dot product with one scale multiply per block; AVX2/FMA kernels
// are chosen at run time, with a portable path. The rounding equals
// ops::ref::Rounding::Ggml's. Other types dequantize a row at a time and use fp32 dots.
#pragma once

#include "cpu/thread_pool.h"
#include "hearth/tensor_type.h"

#include <cstddef>

namespace hearth::cpu {

enum class Isa { Portable, Avx2 };

// The best instruction set this CPU runs (Avx2 needs AVX2 and FMA).
Isa detectIsa();
const char *isaName(Isa isa);

void matmul(TensorType type, const void *w, size_t rows, size_t cols, const float *x, float *y,
            size_t n, ThreadPool &pool, Isa isa = detectIsa());

} // namespace hearth::cpu
