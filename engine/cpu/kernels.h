// Internal to the CPU matmul (see matmul.h): the activation formats the kernels read and
// the per-ISA row kernels. A row kernel computes one weight row's dot products with up to
// kMaxTokens tokens at once, so that each weight block is loaded and unpacked once for all
// of them (register blocking over tokens).
#pragma once

#include "cpu/matmul.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

namespace hearth::cpu::kernels {

inline constexpr size_t kMaxTokens = 4;
// The AVX-512 K-quant kernels take up to this many tokens per call (more registers).
inline constexpr size_t kMaxTokensWide = 8;

// One token's activations for Q8_0/Q4_0/Q4_1 weights: 8-bit blocks of 32, as
// ops::ref::Rounding::Ggml rounds them (Q8_0; Q8_1's block sum for Q4_1).
struct Q8Block {
  float d;      // half(amax / 127), widened
  float s;      // half(d_float · Σq): the block sum a Q4_1 min multiplies
  int8_t q[32];
};

// One token's activations for the K-quants: 8-bit blocks of 256 (Q8_K) with the sums of
// each 16 values, which the weights' mins (Q4_K/Q5_K) and offset (Q6_K) multiply.
struct Q8KBlock {
  float d;            // value = d · q (float scale, not half)
  int16_t bsums[16];  // Σ q over elements 16k .. 16k+15
  int8_t q[256];
};

enum class Activations {
  Q8,    // Q8Block per 32 columns
  Q8K,   // Q8KBlock per 256 columns
  F32,   // floats as given
  F16,   // floats rounded to half precision
  BF16,  // floats rounded to bfloat16
};

// out[t] = Σ_c row[c] · x_t[c] for t < tokens (1..kMaxTokens), where token t's activations
// start at x + t · xStride bytes. `blocks`: weight blocks per row (columns for F32/F16/BF16).
using RowDot = void (*)(const void *row, const void *x, size_t xStride, size_t blocks, size_t tokens,
                        float *out);

// One token's dot products with 4 consecutive weight rows, rowStride bytes apart:
// out[r] = Σ_c row_r[c] · x[c], r < 4, with RowDot's arithmetic (bit for bit). Decode's
// kernel for the 32-block types, whose per-output fp32 chains then fill a vector.
using RowsDot = void (*)(const void *rows, size_t rowStride, const void *x, size_t blocks, float *out);
inline constexpr size_t kRowsPerCall = 4;

// The row kernel of `type` for `isa` (nullptr: the type has none), and its activations.
struct Kernel {
  RowDot dot = nullptr;
  Activations activations = Activations::F32;
};

Activations activationsFor(TensorType type);

// Per-ISA tables (the x86 ones exist on x86 only; the caller checks the CPU first).
RowDot portableKernel(TensorType type);
RowDot avx2Kernel(TensorType type);
RowDot avx512Kernel(TensorType type);
// AVX-512 Q4_K/Q5_K/Q6_K kernels taking 1..kMaxTokensWide tokens (nullptr for other types).
RowDot avx512KQuantKernel(TensorType type);
// The 4-row single-token kernels (nullptr: the type or ISA has none; use RowDot).
RowsDot avx2RowsKernel(TensorType type);
RowsDot avx512RowsKernel(TensorType type);
// AVX-512 single-token kernels over 16 rows (Q8_0/Q4_0/Q4_1; the same bits), else nullptr.
inline constexpr size_t kRows16 = 16;
RowsDot avx512Rows16Kernel(TensorType type);

// The 16-row packed layout (matmul.h, Layout::Packed16) of Q8_0/Q4_0/Q4_1 (and the
// K-quants, laid out alike field by field: kernels_avx512_k.cpp): rows in groups of
// 16, a group's blocks one after another, each block as the 16 rows' f16 scales d (32
// bytes), Q4_1's f16 mins m (32 bytes), then the levels with the rows' 4-byte words
// interleaved: word k (64 bytes) holds bytes 4k..4k+3 of row r's qs at 4r (Q8_0: 8 words;
// Q4_0/Q4_1: 4 words of packed nibbles, low nibbles levels 4k.., high nibbles 16 + 4k..).
// One 512-bit load is then one word of all 16 rows, the lane layout of dpbusd and of an AMX
// B tile; the group reads from memory as one stream. A group takes exactly the bytes of
// the 16 rows it holds.
inline constexpr size_t kPackRows = 16;
// y[t · yStride + r] = row r of `group` (nb blocks) · token t's activations (xq + t · xStride)
// for t < tokens (1..4) and r < 16, with RowDot's arithmetic (bit for bit). xOffset[t · nb + i]:
// the weights' level offset (Q8_0 128, Q4_0 8) times the sum of token t's block i levels
// (unused for Q4_1).
using PackedDot = void (*)(const void *group, size_t nb, const void *xq, size_t xStride, const int32_t *xOffset,
                           size_t tokens, float *y, size_t yStride);
inline constexpr size_t kPackedTokens = 4;
// Runs f(std::integral_constant<int, T>{}) with T = tokens (1..kPackedTokens): a packed
// kernel's token count as a compile-time constant.
template <typename F>
void withPackedTokens(size_t tokens, F &&f)
{
  static_assert(kPackedTokens == 4);
  switch (tokens) {
  case 1: return f(std::integral_constant<int, 1>{});
  case 2: return f(std::integral_constant<int, 2>{});
  case 3: return f(std::integral_constant<int, 3>{});
  default: return f(std::integral_constant<int, 4>{});
  }
}
// Token t's activations of type Act, tokens `stride` bytes apart from x.
template <typename Act>
const Act *tokenOf(const void *x, size_t stride, size_t t)
{
  return reinterpret_cast<const Act *>(static_cast<const std::byte *>(x) + t * stride);
}
// The 4 bytes at p as one int32 (an activation word to broadcast against a packed word).
inline int32_t loadWord(const void *p)
{
  int32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
PackedDot avx512PackedKernel(TensorType type);  // nullptr: not a packable type
PackedDot avx512PackedKKernel(TensorType type); // its K-quant part (kernels_avx512_k.cpp)
PackedDot avx2PackedKernel(TensorType type);    // the same with AVX2 (kernels_avx2.cpp)

// AMX tiles (matmul_amx.cpp) for batches of Q8_0/Q4_0/Q4_1 (Rounding::Ggml's arithmetic,
// the row kernels' bits) and Q4_K/Q5_K (the row kernels' values up to fp32 rounding). amxUsable(): the CPU has AMX-INT8 and the OS granted the tile
// state (asked once). A thread brackets its tile work with amxBegin()/amxEnd().
struct AmxScratch {
  std::vector<uint8_t> tiles; // [blocks][8][64] (K-quants [blocks][8][8][64]): weights as B tiles
  std::vector<float> d, m;    // [blocks][16]: the rows' scales and Q4_1 mins (K-quants d, dmin)
  std::vector<int32_t> k;     // K-quants [blocks][2][8][16]: the rows' sub-block scales, mins
  std::vector<const uint8_t *> tile; // [blocks]: each block's B tile (in tiles, or in place)
};
bool amxUsable();
bool amxHandles(TensorType type);
void amxBegin();
void amxEnd();
// y[t · yStride + r] for t < n, r < 16: rows w + r · rowStride (nb blocks each) times the
// activations of tokens 0..n−1 (xq, xStride apart; the buffer readable up to 16·⌈n/16⌉ tokens).
// packed: w is one group of the 16-row packed layout (Q8_0/Q4_0/Q4_1; rowStride unused).
void amxRowGroup(TensorType type, const void *w, size_t rowStride, size_t nb, const std::byte *xq, size_t xStride,
                 size_t n, float *y, size_t yStride, AmxScratch &scratch, bool packed = false);

// Activations of one token, cols columns: Q8 writes cols/32 blocks, Q8K cols/256 blocks,
// the float formats cols floats. Identical results on every ISA.
void quantizeActivations(Activations format, const float *x, size_t cols, void *out, Isa isa);
size_t activationBytes(Activations format, size_t cols);

// Portable pieces the SIMD quantizers share.
void quantizeQ8Portable(const float *x, size_t cols, Q8Block *out);
void quantizeQ8KPortable(const float *x, size_t cols, Q8KBlock *out);
void quantizeQ8Avx2(const float *x, size_t cols, Q8Block *out);
void quantizeQ8KAvx2(const float *x, size_t cols, Q8KBlock *out);
void roundHalfAvx2(const float *x, size_t cols, float *out);

// Q4_K/Q5_K: the 6-bit scales (bytes 0..7) and mins (bytes 8..15) of the 8 sub-blocks.
void unpackScalesK4(const uint8_t *packed, uint8_t *out16);

} // namespace hearth::cpu::kernels
