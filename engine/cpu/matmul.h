// The CPU backend's matrix multiplication: y[t][r] = Σ_c W[r][c] · x[t][c] (shapes as
// ops::ref::matmul), multi-threaded over rows.
//
// Quantized weights run as fast CPU engines do: each token's activations are quantized
// once to 8-bit blocks (Q8_0-style 32-blocks for Q8_0/Q4_0/Q4_1, plus the block sum for
// Q4_1; Q8_K 256-blocks with their 16-element sums for Q4_K/Q5_K/Q6_K), each block product
// is an integer dot product with one scale multiply per (sub-)block. F16 and BF16 weights
// meet activations rounded to f16/bf16, in fp32 arithmetic. All of it is
// ops::ref::Rounding::Ggml's rounding. Each weight block is loaded once for up to 4 tokens
// (8 for the AVX-512 K-quant kernels); rows are split among the pool's threads in
// cache-sized blocks. AVX2/FMA/F16C and AVX-512 VNNI kernels are chosen at run time, with a
// portable path; where the CPU has AMX-INT8 (Isa::Amx) batches of 8+ tokens of
// Q8_0/Q4_0/Q4_1/Q4_K/Q5_K run on tiles of 16 tokens × 16 rows (matmul_amx.cpp).
// The CPU model keeps Q8_0/Q4_0/Q4_1/Q4_K/Q5_K/Q6_K matrices in the 16-row packed layout
// (Layout::Packed16, AVX2 or better: kernels.h): one vector load is one 4-byte word of 16
// rows, so a kernel sums 16 rows in its lanes without shuffles and reads each group as one
// stream, which decode, bound by memory, needs. The quantized types give a token the same
// bits whatever its batch, layout or thread count (Q8_0/Q4_0/Q4_1: the reference's; the
// K-quants: the same on every SIMD ISA).
//
//   cpu::matmul(w.type, w.data, rows, cols, x, y, n, pool);               // best ISA
//   cpu::matmul(w.type, w.data, rows, cols, x, y, n, pool, cpu::Isa::Portable);
//   cpu::packRows16(w.type, w.data, rows, cols, packed, pool);          // once, at load
//   cpu::matmul(w.type, packed, rows, cols, x, y, n, pool, isa, cpu::Layout::Packed16);
#pragma once

#include "cpu/thread_pool.h"
#include "hearth/tensor_type.h"

#include <cstddef>
#include <vector>

namespace hearth::cpu {

// Avx2: AVX2 + FMA + F16C. Avx512: those plus AVX512F/BW/VL/DQ and AVX512-VNNI. Amx:
// Avx512 plus AMX-INT8 tiles, which batches of 8+ tokens with Q8_0/Q4_0/Q4_1 weights use.
enum class Isa { Portable, Avx2, Avx512, Amx };

// The best instruction set this CPU runs (HEARTH_CPU_ISA=portable|avx2|avx512 caps it).
Isa detectIsa();
// Every ISA this CPU runs, Portable first (the tests run each).
std::vector<Isa> supportedIsas();
const char *isaName(Isa isa);

// How W's bytes are laid out. Rows: as stored in GGUF. Packed16: packRows16()'s layout,
// which decode streams from memory at up to twice the rate (kernels.h).
enum class Layout { Rows, Packed16 };

// W: [rows][cols] of `type` (any type ops::isSupportedType accepts; cols a multiple of its
// block size); x: [n][cols]; y: [n][rows]. An Isa the CPU lacks, or Packed16 where
// packs16() is false, is a programmer error. Both layouts give the same bits.
void matmul(TensorType type, const void *w, size_t rows, size_t cols, const float *x, float *y,
            size_t n, ThreadPool &pool, Isa isa = detectIsa(), Layout layout = Layout::Rows);

// Whether matmul takes `type` in the Packed16 layout on `isa` (Q8_0/Q4_0/Q4_1/Q4_K/Q5_K/
// Q6_K with AVX2 or AVX-512).
bool packs16(TensorType type, Isa isa);
// Writes W (rows × cols of a packs16 type, as stored) to dst in the Packed16 layout: whole
// groups of 16 rows interleaved, the last rows % 16 as they are. dst has W's size.
void packRows16(TensorType type, const void *w, size_t rows, size_t cols, void *dst, ThreadPool &pool);

} // namespace hearth::cpu
