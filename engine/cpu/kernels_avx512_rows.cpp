// AVX-512 kernels of Q8_0/Q4_0/Q4_1 over 16 weight rows at a time: single-token ones on
// the rows as stored, and ones for 1..4 tokens on the 16-row packed layout (decode),
// with Rounding::Ggml's arithmetic bit for bit like every other kernel of these types: per
// block each row's exact integer dot product, then per row serially over the blocks
// c = fma(float(isum), dw·dx, c) (Q4_1: then c = fma(m, s, c)), the 16 rows' chains in the
// 16 lanes of one vector.
//
// Each 128-bit lane of a 512-bit vector holds 16 bytes of one row (four rows a vector), the
// activation bytes are broadcast to the four lanes, and dpbusd multiplies unsigned weight
// bytes by signed activations: Q4_1's levels as they are, Q4_0's and Q8_0's offset to
// unsigned (+8, +128) with the offset times the activations' sum taken off the integer sum
// afterwards (exact). The 16 rows' partial sums are reduced with unpacks into one vector.
#include "cpu/kernels.h"

#include "ops/quant.h"

#include <cstddef>
#include <cstring>
#include <type_traits>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq,avx512vnni")

namespace hearth::cpu::kernels {
namespace {

using ops::BlockQ4_0;
using ops::BlockQ4_1;
using ops::BlockQ8_0;

inline __m128i load128(const void *p) { return _mm_loadu_si128(static_cast<const __m128i *>(p)); }

// Lane L of the result: the 16 bytes at p + L·4·rowStride (rows 4L + k when p is row k's).
inline __m512i fourRows(const uint8_t *p, size_t rowStride)
{
  __m512i z = _mm512_zextsi128_si512(load128(p));
  z = _mm512_inserti32x4(z, load128(p + 4 * rowStride), 1);
  z = _mm512_inserti32x4(z, load128(p + 8 * rowStride), 2);
  return _mm512_inserti32x4(z, load128(p + 12 * rowStride), 3);
}

// P[k] lane L (4 int32) holds row 4L + k's partial sums -> element e = row e's total.
inline __m512i reduceRows(const __m512i P[4])
{
  const __m512i s01 = _mm512_add_epi32(_mm512_unpacklo_epi32(P[0], P[1]), _mm512_unpackhi_epi32(P[0], P[1]));
  const __m512i s23 = _mm512_add_epi32(_mm512_unpacklo_epi32(P[2], P[3]), _mm512_unpackhi_epi32(P[2], P[3]));
  return _mm512_add_epi32(_mm512_unpacklo_epi64(s01, s23), _mm512_unpackhi_epi64(s01, s23));
}

template <typename Block>
void rows16(const void *w, size_t rowStride, const void *x, size_t nb, float *out)
{
  constexpr bool kQ8 = std::is_same_v<Block, BlockQ8_0>, kMin = std::is_same_v<Block, BlockQ4_1>;
  // Unsigned levels = stored levels + offset: Σ w·x = Σ u·x − offset·Σ x.
  constexpr int kOffset = kQ8 ? 128 : std::is_same_v<Block, BlockQ4_0> ? 8 : 0;
  const auto *row0 = static_cast<const uint8_t *>(w);
  const auto *a = static_cast<const Q8Block *>(x);
  const __m512i rowOffsets = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                                _mm512_set1_epi32(int(rowStride)));
  const __m512i low = _mm512_set1_epi8(0x0F), flip = _mm512_set1_epi8(char(0x80));
  __m512 c = _mm512_setzero_ps();
  // The next 16 rows (the caller's next call, contiguous after these) are fetched from
  // memory while these are multiplied: decode streams weights that are not in cache.
  const uint8_t *next = row0 + 16 * rowStride;
  const size_t linesPerBlock = (16 * rowStride / 64 + nb - 1) / nb;
  for (size_t i = 0; i < nb; ++i) {
    for (size_t l = 0; l < linesPerBlock; ++l)
      _mm_prefetch(reinterpret_cast<const char *>(next + 64 * (i * linesPerBlock + l)), _MM_HINT_T0);
    const uint8_t *blk = row0 + i * sizeof(Block);
    const __m512i x0 = _mm512_broadcast_i32x4(load128(a[i].q)), x1 = _mm512_broadcast_i32x4(load128(a[i].q + 16));
    __m512i P[4];
    for (int k = 0; k < 4; ++k) {
      const uint8_t *qs = blk + k * rowStride + offsetof(Block, qs);
      __m512i u0, u1;
      if constexpr (kQ8) {
        u0 = _mm512_xor_si512(fourRows(qs, rowStride), flip);
        u1 = _mm512_xor_si512(fourRows(qs + 16, rowStride), flip);
      } else { // levels 0..15: low nibbles are elements 0..15, high nibbles 16..31
        const __m512i z = fourRows(qs, rowStride);
        u0 = _mm512_and_si512(z, low);
        u1 = _mm512_and_si512(_mm512_srli_epi16(z, 4), low);
      }
      P[k] = _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(_mm512_setzero_si512(), u0, x0), u1, x1);
    }
    __m512i isum = reduceRows(P);
    if constexpr (kOffset != 0) {
      const __m256i sx = _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_set1_epi8(1),
                                             _mm256_loadu_si256(reinterpret_cast<const __m256i *>(a[i].q)));
      isum = _mm512_sub_epi32(isum, _mm512_set1_epi32(kOffset * _mm512_reduce_add_epi32(_mm512_zextsi256_si512(sx))));
    }
    // Each row's f16 d (and Q4_1's m right after it) in one dword per row.
    const __m512i dm = _mm512_i32gather_epi32(rowOffsets, blk, 1);
    const __m512 dw = _mm512_cvtph_ps(_mm512_cvtepi32_epi16(dm));
    c = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), _mm512_mul_ps(dw, _mm512_set1_ps(a[i].d)), c);
    if constexpr (kMin)
      c = _mm512_fmadd_ps(_mm512_cvtph_ps(_mm512_cvtepi32_epi16(_mm512_srli_epi32(dm, 16))), _mm512_set1_ps(a[i].s),
                          c);
  }
  _mm512_storeu_ps(out, c);
}

// The packed layout (kernels.h): per block one 512-bit load is a 4-byte word of all 16 rows,
// dpbusd multiplies it by the token's matching activation word broadcast, and after the
// block's 8 words each lane holds its row's integer sum: no shuffles, no reductions, and the
// group is read front to back (the hardware prefetchers' best case when weights stream from
// memory). Same unsigned-level offsets as above, the offset sums precomputed per token.
constexpr size_t kPrefetchAhead = 6144;

template <typename Block, int T>
void packed16(const void *group, size_t nb, const void *xq, size_t xStride, const int32_t *xOffset, float *y,
              size_t yStride)
{
  constexpr bool kQ8 = std::is_same_v<Block, BlockQ8_0>, kMin = std::is_same_v<Block, BlockQ4_1>;
  constexpr size_t kLevels = kMin ? 64 : 32, kBlockBytes = 16 * sizeof(Block);
  const auto *p = static_cast<const uint8_t *>(group);
  const Q8Block *a[T];
  for (int t = 0; t < T; ++t)
    a[t] = tokenOf<Q8Block>(xq, xStride, t);
  const __m512i low = _mm512_set1_epi8(0x0F), flip = _mm512_set1_epi8(char(0x80));
  __m512 c[T];
  for (auto &v : c)
    v = _mm512_setzero_ps();
  for (size_t i = 0; i < nb; ++i, p += kBlockBytes) {
    // The stream 6 KiB ahead into L2 (measured best for weights in memory; the hardware
    // prefetchers alone stop short, an L1 prefetch ties up the few line-fill buffers).
    for (size_t l = 0; l < kBlockBytes; l += 64)
      _mm_prefetch(reinterpret_cast<const char *>(p + kPrefetchAhead + l), _MM_HINT_T1);
    const uint8_t *q = p + kLevels;
    __m512i u[8];
    if constexpr (kQ8) {
      for (int k = 0; k < 8; ++k)
        u[k] = _mm512_xor_si512(_mm512_loadu_si512(q + 64 * k), flip);
    } else {
      for (int k = 0; k < 4; ++k) {
        const __m512i z = _mm512_loadu_si512(q + 64 * k);
        u[k] = _mm512_and_si512(z, low);
        u[k + 4] = _mm512_and_si512(_mm512_srli_epi16(z, 4), low);
      }
    }
    const __m512 dw = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(p)));
    for (int t = 0; t < T; ++t) {
      // Four short chains of dpbusd (its latency, not its throughput, would bound one).
      __m512i s[4];
      for (int k = 0; k < 4; ++k)
        s[k] = _mm512_dpbusd_epi32(k == 0 && !kMin ? _mm512_set1_epi32(-xOffset[t * nb + i]) : _mm512_setzero_si512(),
                                   u[k], _mm512_set1_epi32(loadWord(a[t][i].q + 4 * k)));
      for (int k = 0; k < 4; ++k)
        s[k] = _mm512_dpbusd_epi32(s[k], u[k + 4], _mm512_set1_epi32(loadWord(a[t][i].q + 4 * k + 16)));
      const __m512i isum = _mm512_add_epi32(_mm512_add_epi32(s[0], s[1]), _mm512_add_epi32(s[2], s[3]));
      c[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), _mm512_mul_ps(dw, _mm512_set1_ps(a[t][i].d)), c[t]);
      if constexpr (kMin)
        c[t] = _mm512_fmadd_ps(_mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(p + 32))),
                               _mm512_set1_ps(a[t][i].s), c[t]);
    }
  }
  for (int t = 0; t < T; ++t)
    _mm512_storeu_ps(y + t * yStride, c[t]);
}

template <typename Block>
void packed16Tokens(const void *group, size_t nb, const void *xq, size_t xStride, const int32_t *xOffset,
                    size_t tokens, float *y, size_t yStride)
{
  withPackedTokens(tokens, [&](auto t) { packed16<Block, t()>(group, nb, xq, xStride, xOffset, y, yStride); });
}

} // namespace

PackedDot avx512PackedKernel(TensorType type)
{
  switch (type) {
  case TensorType::Q8_0: return packed16Tokens<BlockQ8_0>;
  case TensorType::Q4_0: return packed16Tokens<BlockQ4_0>;
  case TensorType::Q4_1: return packed16Tokens<BlockQ4_1>;
  default: return avx512PackedKKernel(type);
  }
}

RowsDot avx512Rows16Kernel(TensorType type)
{
  switch (type) {
  case TensorType::Q8_0: return rows16<BlockQ8_0>;
  case TensorType::Q4_0: return rows16<BlockQ4_0>;
  case TensorType::Q4_1: return rows16<BlockQ4_1>;
  default: return nullptr;
  }
}

} // namespace hearth::cpu::kernels

#pragma GCC pop_options

#else

namespace hearth::cpu::kernels {
RowsDot avx512Rows16Kernel(TensorType) { return nullptr; }
PackedDot avx512PackedKernel(TensorType) { return nullptr; }
} // namespace hearth::cpu::kernels

#endif
