// Quantized tensor formats as GGUF stores them, and their plain C++ reference codecs.
//
// Every supported type is a sequence of blocks; a row of n elements is n / blockElements
// blocks laid end to end (see tensorTypeInfo()). Dequantization here is the numerical
// ground truth of the engine: it reproduces GGUF's definitions bit for bit (same float
// operations in the same order, no fused multiply-add), and every shader and every fast
// CPU kernel is checked against it.
//
//   std::vector<float> row(nCols);
//   hearth::ops::dequantizeRow(t->type, t->data.data() + r * rowBytes, row.data(), nCols);
//
// The quantizers write valid blocks for synthetic models and tests. Q8_0, Q4_0 and Q4_1
// follow GGUF's reference rounding exactly; the K-quants use a simple min/max fit
// (correct and reasonable, not llama.cpp's iterative search).
#pragma once

#include "hearth/tensor_type.h"

#include <cstddef>
#include <cstdint>

namespace hearth::ops {

// ---- half and bfloat16 ------------------------------------------------------------------
// Exact widening (subnormals, infinities and NaNs kept).
float halfToFloat(uint16_t h);
// Round to nearest even; overflow to infinity; NaN stays NaN (quiet).
uint16_t floatToHalf(float f);
float bf16ToFloat(uint16_t b);
// Round to nearest even; NaN forced quiet (as GGUF writers do).
uint16_t floatToBf16(float f);

// ---- block layouts (byte-exact with GGUF) ------------------------------------------------
inline constexpr int kQK = 32;   // elements per block of the legacy types
inline constexpr int kQKK = 256; // elements per super-block of the K-quants
inline constexpr int kKScaleBytes = 12;

// Q8_0: x = d * q
struct BlockQ8_0 {
  uint16_t d;        // half
  int8_t qs[kQK];
};
// Q4_0: x[j] = d * ((qs[j] & 15) - 8), x[j + 16] = d * ((qs[j] >> 4) - 8)
struct BlockQ4_0 {
  uint16_t d;        // half
  uint8_t qs[kQK / 2];
};
// Q4_1: x[j] = d * (qs[j] & 15) + m, x[j + 16] = d * (qs[j] >> 4) + m
struct BlockQ4_1 {
  uint16_t d;        // half
  uint16_t m;        // half
  uint8_t qs[kQK / 2];
};
// Q4_K: 8 sub-blocks of 32; 6-bit scale sc and min m per sub-block packed in `scales`;
// x = (d * sc) * q - (dmin * m), q in [0, 15]. Sub-blocks 2i and 2i+1 share qs[32i..32i+31]
// (low and high nibbles).
struct BlockQ4_K {
  uint16_t d;        // half, super-block scale of the 6-bit scales
  uint16_t dmin;     // half, super-block scale of the 6-bit mins
  uint8_t scales[kKScaleBytes];
  uint8_t qs[kQKK / 2];
};
// Q5_K: as Q4_K with a fifth bit per element in qh (bit 2i / 2i+1 for sub-blocks 2i / 2i+1).
struct BlockQ5_K {
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[kKScaleBytes];
  uint8_t qh[kQKK / 8];
  uint8_t qs[kQKK / 2];
};
// Q6_K: 16 sub-blocks of 16 with signed 8-bit scales; x = (d * sc) * (q - 32), q in [0, 63]
// from 4 low bits (ql) and 2 high bits (qh).
struct BlockQ6_K {
  uint8_t ql[kQKK / 2];
  uint8_t qh[kQKK / 4];
  int8_t scales[kQKK / 16];
  uint16_t d;        // half
};

static_assert(sizeof(BlockQ8_0) == 34);
static_assert(sizeof(BlockQ4_0) == 18);
static_assert(sizeof(BlockQ4_1) == 20);
static_assert(sizeof(BlockQ4_K) == 144);
static_assert(sizeof(BlockQ5_K) == 176);
static_assert(sizeof(BlockQ6_K) == 210);

// Unpacks the 6-bit scale and min of sub-block j (0..7) of a Q4_K/Q5_K block.
void unpackScaleMinK4(int j, const uint8_t *scales, uint8_t *scale, uint8_t *min);

// ---- row codecs ---------------------------------------------------------------------------
// True for F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q4_K, Q5_K, Q6_K.
bool isSupportedType(TensorType type);

// Bytes of a row of n elements (n a multiple of the block size).
size_t rowBytes(TensorType type, size_t n);

// dst[0..n) = the n values encoded at src. n must be a multiple of the type's block size
// and the type supported (both are programmer errors, asserted).
void dequantizeRow(TensorType type, const void *src, float *dst, size_t n);

// Encodes src[0..n) into rowBytes(type, n) bytes at dst. Same preconditions.
void quantizeRow(TensorType type, const float *src, void *dst, size_t n);

} // namespace hearth::ops
