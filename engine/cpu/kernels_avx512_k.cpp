// AVX-512 row kernels of the K-quants (Q4_K, Q5_K, Q6_K) for the CPU matmul, and their
// kernels for the 16-row packed layout (further down; see
// kernels.h): 512-bit vectors, 64 weights at a time, and VNNI's dpwssd for the integer
// scale multiply-and-add. Up to kMaxTokensWide tokens per weight row: a super-block is
// unpacked once into registers (levels, the scale of every 16 levels, the bias
// coefficients) and then meets each token's Q8_K block with 2 instructions per 64 values.
// The same arithmetic, bit for bit, as the AVX2 kernels (exact integer sums per super-block).
// Called only when the CPU has AVX512F/BW/VL/DQ and AVX512-VNNI (matmul.cpp checks).
#include "cpu/kernels.h"

#include "ops/quant.h"

#include <cmath>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

// GCC 12's AVX-512 intrinsics fill unused lanes from a self-initialized "undefined" vector,
// which -Wuninitialized reports at every inlined use.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq,avx512vnni")

namespace hearth::cpu::kernels {
namespace {

using ops::BlockQ4_K;
using ops::BlockQ5_K;
using ops::BlockQ6_K;

inline __m512i load512(const void *p) { return _mm512_loadu_si512(p); }
inline __m256i load256(const void *p) { return _mm256_loadu_si256(static_cast<const __m256i *>(p)); }
inline __m128i load128(const void *p) { return _mm_loadu_si128(static_cast<const __m128i *>(p)); }

// A super-block unpacked for the token loop. Its dot with a Q8_K block a is
// a.d · (d · Σ scale·w·q − dBias · Σ_g bias_g · bsum_g).
struct Unpacked {
  __m512i w[4];     // u8 levels of elements 64c .. 64c+63
  __m512i scale[4]; // int16: lane k of w[c]'s byte pairs (elements 64c+2k, +1) -> scale of group 4c + k/8
  __m256i bias;     // int16 per 16 elements: Q4_K/Q5_K the sub-block min, Q6_K 32·scale
  float d, dBias;
};

// scale16: int16 scale of each 16 elements (16 lanes) -> the 4 per-pair scale vectors.
inline void spreadScales(__m256i scale16, Unpacked &u)
{
  const __m512i s = _mm512_zextsi256_si512(scale16);
  for (int c = 0; c < 4; ++c) {
    // lane k (0..31) takes group 4c + k/8
    const __m512i idx = _mm512_add_epi16(_mm512_set1_epi16(short(4 * c)),
                                         _mm512_srli_epi16(_mm512_set_epi16(31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21,
                                                                            20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10,
                                                                            9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                                           3));
    u.scale[c] = _mm512_permutexvar_epi16(idx, s);
  }
}

// Q4_K/Q5_K's 12 packed bytes -> scales in bytes 0..7 (words 0, 1), mins in 8..15 (2, 3).
inline void unpackScaleMin(const uint8_t *packed, uint32_t m[4])
{
  std::memcpy(m, packed, 12);
  const uint32_t low6 = 0x3f3f3f3f, low4 = 0x0f0f0f0f, low2 = 0x03030303;
  m[3] = ((m[2] >> 4) & low4) | (((m[1] >> 6) & low2) << 4);
  const uint32_t mins03 = m[1] & low6;
  m[1] = (m[2] & low4) | (((m[0] >> 6) & low2) << 4);
  m[2] = mins03;
  m[0] &= low6;
}

// qh: Q5_K's fifth bits, nullptr for Q4_K.
inline void unpackQ4_K(uint16_t d, uint16_t dmin, const uint8_t *scales, const uint8_t *qs, const uint8_t *qh,
                       Unpacked &u)
{
  uint32_t m[4];
  unpackScaleMin(scales, m);
  // Sub-block scales (per 32) doubled into per-16 groups.
  const __m128i sc8 = _mm_set_epi32(0, 0, int(m[1]), int(m[0]));
  spreadScales(_mm256_cvtepu8_epi16(_mm_unpacklo_epi8(sc8, sc8)), u);
  const __m128i mins = _mm_set_epi32(0, 0, int(m[3]), int(m[2]));
  u.bias = _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(mins, mins));
  const __m512i low = _mm512_set1_epi8(0x0F);
  const __m512i high = qh ? _mm512_broadcast_i64x4(load256(qh)) : _mm512_setzero_si512();
  for (int c = 0; c < 4; ++c) {
    const __m256i raw = load256(qs + 32 * c); // low nibbles: 64c..+31, high: 64c+32..+63
    __m512i v = _mm512_inserti64x4(_mm512_zextsi256_si512(raw), _mm256_srli_epi16(raw, 4), 1);
    v = _mm512_and_si512(v, low);
    if (qh) { // bit 2c (first half) / 2c+1 (second half) of qh -> bit 4
      const __m512i shift = _mm512_inserti64x4(_mm512_set1_epi16(short(2 * c)), _mm256_set1_epi16(short(2 * c + 1)), 1);
      const __m512i bit = _mm512_and_si512(_mm512_srlv_epi16(high, shift), _mm512_set1_epi8(1));
      v = _mm512_or_si512(v, _mm512_slli_epi16(bit, 4));
    }
    u.w[c] = v;
  }
  u.d = _cvtsh_ss(d);
  u.dBias = _cvtsh_ss(dmin);
}

struct UnpackQ4_K {
  using Block = BlockQ4_K;
  static void run(const Block &b, Unpacked &u) { unpackQ4_K(b.d, b.dmin, b.scales, b.qs, nullptr, u); }
};

struct UnpackQ5_K {
  using Block = BlockQ5_K;
  static void run(const Block &b, Unpacked &u) { unpackQ4_K(b.d, b.dmin, b.scales, b.qs, b.qh, u); }
};

struct UnpackQ6_K {
  using Block = BlockQ6_K;
  static void run(const Block &b, Unpacked &u)
  {
    const __m512i low = _mm512_set1_epi8(0x0F), two = _mm512_set1_epi8(0x30);
    const __m512i up = _mm512_inserti64x4(_mm512_set1_epi16(4), _mm256_set1_epi16(2), 1);
    const __m512i down = _mm512_inserti64x4(_mm512_setzero_si512(), _mm256_set1_epi16(2), 1);
    for (int h = 0; h < 2; ++h) {
      const __m512i ql = load512(b.ql + 64 * h); // low nibbles: 128h..+63, high: 128h+64..+127
      const __m512i qh = _mm512_broadcast_i64x4(load256(b.qh + 32 * h));
      u.w[2 * h] = _mm512_or_si512(_mm512_and_si512(ql, low), _mm512_and_si512(_mm512_sllv_epi16(qh, up), two));
      u.w[2 * h + 1] = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(ql, 4), low),
                                       _mm512_and_si512(_mm512_srlv_epi16(qh, down), two));
    }
    const __m256i sc16 = _mm256_cvtepi8_epi16(load128(b.scales));
    spreadScales(sc16, u);
    u.bias = _mm256_slli_epi16(sc16, 5); // the levels' offset 32
    u.d = u.dBias = _cvtsh_ss(b.d);
  }
};

// Per super-block the exact integers I = Σ scale·Σ w·q and B = Σ bias·bsum, then
// c = fma(float(I), d·dx, c), c = fma(float(−B), dBias·dx, c): the arithmetic of the AMX
// tiles (matmul_amx.cpp) too, so that a token's result does not depend on its batch.
template <typename Unpack, int T>
void dotK(const void *w, const void *x, size_t xs, size_t nb, float *out)
{
  const auto *b = static_cast<const typename Unpack::Block *>(w);
  const auto *base = static_cast<const std::byte *>(x);
  float c[T];
  for (int t = 0; t < T; ++t)
    c[t] = 0.0f;
  Unpacked u;
  for (size_t i = 0; i < nb; ++i) {
    // Decode streams weights that are not in cache: fetch 4 super-blocks ahead (past the
    // row's end: the next row's, which the caller takes next).
    const auto *ahead = reinterpret_cast<const char *>(b + i + 4);
    for (size_t l = 0; l < sizeof(typename Unpack::Block); l += 64)
      _mm_prefetch(ahead + l, _MM_HINT_T0);
    Unpack::run(b[i], u);
    for (int t = 0; t < T; ++t) {
      const Q8KBlock &a = reinterpret_cast<const Q8KBlock *>(base + t * xs)[i];
      __m512i sum = _mm512_setzero_si512();
      for (int k = 0; k < 4; ++k)
        sum = _mm512_dpwssd_epi32(sum, _mm512_maddubs_epi16(u.w[k], load512(a.q + 64 * k)), u.scale[k]);
      const __m256i bias = _mm256_madd_epi16(u.bias, load256(a.bsums));
      // Both totals in one reduction: lanes 0, 1 of ib = I, B.
      const __m256i s8 = _mm256_add_epi32(_mm512_castsi512_si256(sum), _mm512_extracti64x4_epi64(sum, 1));
      const __m256i h = _mm256_hadd_epi32(s8, bias);
      __m128i ib = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
      ib = _mm_hadd_epi32(ib, ib);
      c[t] = std::fma(float(_mm_cvtsi128_si32(ib)), u.d * a.d, c[t]);
      c[t] = std::fma(float(-_mm_extract_epi32(ib, 1)), u.dBias * a.d, c[t]);
    }
  }
  for (int t = 0; t < T; ++t)
    out[t] = c[t];
}

template <typename Unpack>
void dotKTokens(const void *w, const void *x, size_t xs, size_t nb, size_t tokens, float *out)
{
  static_assert(kMaxTokensWide == 8);
  switch (tokens) {
  case 1: return dotK<Unpack, 1>(w, x, xs, nb, out);
  case 2: return dotK<Unpack, 2>(w, x, xs, nb, out);
  case 3: return dotK<Unpack, 3>(w, x, xs, nb, out);
  case 4: return dotK<Unpack, 4>(w, x, xs, nb, out);
  case 5: return dotK<Unpack, 5>(w, x, xs, nb, out);
  case 6: return dotK<Unpack, 6>(w, x, xs, nb, out);
  case 7: return dotK<Unpack, 7>(w, x, xs, nb, out);
  default: return dotK<Unpack, 8>(w, x, xs, nb, out);
  }
}

// ---- Q4_K/Q5_K in the 16-row packed layout (kernels.h) ---------------------------------------
// A group's super-block: the 16 rows' d (f16, bytes 0..31), dmin (32..63), the 12 scale
// bytes as 3 dwords (64 + 64w + 4r), then the 128 level bytes as 32 interleaved words
// (256 + 64k + 4r). Lane r of every vector is row r: per sub-block j the exact integer sum
// isum_j (dpbusd over its 8 words), I = Σ_j scale_j·isum_j, B = Σ_j min_j·(sub-block sum of
// the activations), then the row kernel's c = fma(float(I), d·dx, c), c = fma(float(−B),
// dmin·dx, c): the same bits.
// Q5_K adds its fifth bits after the levels: qh as 8 interleaved words (2304 + 64k + 4r),
// word k holding the bits of every sub-block's elements 4k..4k+3 (bit j: sub-block j).
constexpr size_t kPrefetchAheadK = 6144;

template <bool kQ5, int T>
void packedQ4K(const void *group, size_t nb, const void *xq, size_t xStride, float *y, size_t yStride)
{
  constexpr size_t kPackedKBytes = 16 * (kQ5 ? sizeof(BlockQ5_K) : sizeof(BlockQ4_K));
  const __m512i one = _mm512_set1_epi8(1);
  const auto *p = static_cast<const uint8_t *>(group);
  const Q8KBlock *a[T];
  for (int t = 0; t < T; ++t)
    a[t] = tokenOf<Q8KBlock>(xq, xStride, t);
  const __m512i low = _mm512_set1_epi8(0x0F);
  const __m512i low6 = _mm512_set1_epi32(0x3f3f3f3f), low4 = _mm512_set1_epi32(0x0f0f0f0f),
                low2 = _mm512_set1_epi32(0x03030303), byte = _mm512_set1_epi32(0xFF),
                pairLow = _mm512_set1_epi32(0x00FF00FF);
  __m512 c[T];
  for (auto &v : c)
    v = _mm512_setzero_ps();
  for (size_t i = 0; i < nb; ++i, p += kPackedKBytes) {
    for (size_t l = 0; l < kPackedKBytes; l += 64)
      _mm_prefetch(reinterpret_cast<const char *>(p + kPrefetchAheadK + l), _MM_HINT_T1);
    // The 6-bit scales and mins of the 16 rows (unpackScaleMin, lane by lane).
    const __m512i m0 = load512(p + 64), m1 = load512(p + 128), m2 = load512(p + 192);
    const __m512i sc[2] = {_mm512_and_si512(m0, low6),
                           _mm512_or_si512(_mm512_and_si512(m2, low4),
                                           _mm512_slli_epi32(_mm512_and_si512(_mm512_srli_epi32(m0, 6), low2), 4))};
    const __m512i mn[2] = {_mm512_and_si512(m1, low6),
                           _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi32(m2, 4), low4),
                                           _mm512_slli_epi32(_mm512_and_si512(_mm512_srli_epi32(m1, 6), low2), 4))};
    // Mins as int16 pairs (j, j + 2) of each dword: (0, 2), (1, 3) of mins 0..3, then 4..7.
    const __m512i minPair[4] = {
        _mm512_and_si512(mn[0], pairLow), _mm512_and_si512(_mm512_srli_epi16(mn[0], 8), pairLow),
        _mm512_and_si512(mn[1], pairLow), _mm512_and_si512(_mm512_srli_epi16(mn[1], 8), pairLow)};
    __m512i scale[8];
    for (int j = 0; j < 8; ++j)
      scale[j] = _mm512_and_si512(_mm512_srli_epi32(sc[j / 4], 8 * (j % 4)), byte);
    const __m512 d = _mm512_cvtph_ps(load256(p)), dmin = _mm512_cvtph_ps(load256(p + 32));
    const uint8_t *levels = p + 256;
    for (int t = 0; t < T; ++t) {
      const int8_t *q = a[t][i].q;
      __m512i total = _mm512_setzero_si512();
#pragma GCC unroll 4
      for (int ch = 0; ch < 4; ++ch) { // sub-blocks 2ch (low nibbles) and 2ch + 1 (high)
        __m512i lo[2] = {_mm512_setzero_si512(), _mm512_setzero_si512()};
        __m512i hi[2] = {_mm512_setzero_si512(), _mm512_setzero_si512()};
#pragma GCC unroll 8
        for (int k = 0; k < 8; ++k) {
          const __m512i z = load512(levels + 64 * (8 * ch + k));
          __m512i zl = _mm512_and_si512(z, low), zh = _mm512_and_si512(_mm512_srli_epi16(z, 4), low);
          if constexpr (kQ5) {
            const __m512i h = load512(p + 2304 + 64 * k);
            zl = _mm512_or_si512(zl, _mm512_slli_epi16(_mm512_and_si512(_mm512_srli_epi16(h, 2 * ch), one), 4));
            zh = _mm512_or_si512(zh, _mm512_slli_epi16(_mm512_and_si512(_mm512_srli_epi16(h, 2 * ch + 1), one), 4));
          }
          lo[k & 1] = _mm512_dpbusd_epi32(lo[k & 1], zl, _mm512_set1_epi32(loadWord(q + 64 * ch + 4 * k)));
          hi[k & 1] = _mm512_dpbusd_epi32(hi[k & 1], zh, _mm512_set1_epi32(loadWord(q + 64 * ch + 32 + 4 * k)));
        }
        total = _mm512_add_epi32(total, _mm512_mullo_epi32(scale[2 * ch], _mm512_add_epi32(lo[0], lo[1])));
        total = _mm512_add_epi32(total, _mm512_mullo_epi32(scale[2 * ch + 1], _mm512_add_epi32(hi[0], hi[1])));
      }
      // The activations' sub-block sums as int16 pairs matching minPair.
      const int16_t *bs = a[t][i].bsums;
      int32_t sub[8];
      for (int j = 0; j < 8; ++j)
        sub[j] = bs[2 * j] + bs[2 * j + 1];
      auto pair = [&](int lo, int hi) {
        return _mm512_set1_epi32(int32_t(uint32_t(uint16_t(sub[lo])) | uint32_t(uint16_t(sub[hi])) << 16));
      };
      __m512i bias = _mm512_dpwssd_epi32(_mm512_setzero_si512(), minPair[0], pair(0, 2));
      bias = _mm512_dpwssd_epi32(bias, minPair[1], pair(1, 3));
      bias = _mm512_dpwssd_epi32(bias, minPair[2], pair(4, 6));
      bias = _mm512_dpwssd_epi32(bias, minPair[3], pair(5, 7));
      const __m512 dx = _mm512_set1_ps(a[t][i].d);
      c[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(total), _mm512_mul_ps(d, dx), c[t]);
      c[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(_mm512_setzero_si512(), bias)),
                             _mm512_mul_ps(dmin, dx),
                             c[t]);
    }
  }
  for (int t = 0; t < T; ++t)
    _mm512_storeu_ps(y + t * yStride, c[t]);
}

template <bool kQ5>
void packedQ4KTokens(const void *group, size_t nb, const void *xq, size_t xStride, const int32_t *, size_t tokens,
                     float *y, size_t yStride)
{
  withPackedTokens(tokens, [&](auto t) { packedQ4K<kQ5, t()>(group, nb, xq, xStride, y, yStride); });
}

// Q6_K's packed super-block: d (f16, bytes 0..31), the 16 int8 scales as 4 interleaved
// words (32 + 64w + 4r), the low nibbles ql as 32 words (288 + ...), the high bits qh as
// 16 words (2336 + ...). Levels u = 6-bit unsigned; per 16 elements (scale group g) the
// exact isum_g, I = Σ_g scale_g·isum_g, B = Σ_g 32·scale_g·bsum_g, then the row kernel's
// c = fma(float(I), d·dx, c), c = fma(float(−B), d·dx, c).
constexpr size_t kPackedQ6Bytes = 16 * sizeof(BlockQ6_K);

template <int T>
void packedQ6K(const void *group, size_t nb, const void *xq, size_t xStride, float *y, size_t yStride)
{
  const auto *p = static_cast<const uint8_t *>(group);
  const Q8KBlock *a[T];
  for (int t = 0; t < T; ++t)
    a[t] = tokenOf<Q8KBlock>(xq, xStride, t);
  const __m512i low = _mm512_set1_epi8(0x0F), bits45 = _mm512_set1_epi8(0x30), bits01 = _mm512_set1_epi8(0x03);
  __m512 c[T];
  for (auto &v : c)
    v = _mm512_setzero_ps();
  for (size_t i = 0; i < nb; ++i, p += kPackedQ6Bytes) {
    for (size_t l = 0; l < kPackedQ6Bytes; l += 64)
      _mm_prefetch(reinterpret_cast<const char *>(p + kPrefetchAheadK + l), _MM_HINT_T1);
    __m512i total[T];
    for (auto &v : total)
      v = _mm512_setzero_si512();
    // Half h, part: elements 128h + 32·part + 0..31, groups g = 8h + 2·part + {0, 1}; word
    // k of the half's 8 gives 4 of them from ql word 16h + k (parts 0, 2) or 16h + 8 + k
    // (parts 1, 3) and qh word 8h + k.
#pragma GCC unroll 2
    for (int h = 0; h < 2; ++h)
#pragma GCC unroll 4
      for (int part = 0; part < 4; ++part)
#pragma GCC unroll 2
        for (int half = 0; half < 2; ++half) {
          __m512i uw[4];
          for (int j = 0; j < 4; ++j) {
            const int k = 4 * half + j;
            const __m512i ql = load512(p + 288 + 64 * (16 * h + (part & 1) * 8 + k));
            const __m512i qh = load512(p + 2336 + 64 * (8 * h + k));
            const __m512i nib = part < 2 ? _mm512_and_si512(ql, low) : _mm512_and_si512(_mm512_srli_epi16(ql, 4), low);
            const __m512i top = part == 0   ? _mm512_slli_epi16(_mm512_and_si512(qh, bits01), 4)
                                : part == 1 ? _mm512_and_si512(_mm512_slli_epi16(qh, 2), bits45)
                                : part == 2 ? _mm512_and_si512(qh, bits45)
                                            : _mm512_and_si512(_mm512_srli_epi16(qh, 2), bits45);
            uw[j] = _mm512_or_si512(nib, top);
          }
          const int g = 8 * h + 2 * part + half;
          const __m512i word = load512(p + 32 + 64 * (g / 4));
          const __m512i scale = _mm512_srai_epi32(_mm512_slli_epi32(word, 24 - 8 * (g % 4)), 24);
          for (int t = 0; t < T; ++t) {
            const int8_t *q = a[t][i].q + 128 * h + 32 * part + 16 * half;
            __m512i isum = _mm512_setzero_si512();
            for (int j = 0; j < 4; ++j)
              isum = _mm512_dpbusd_epi32(isum, uw[j], _mm512_set1_epi32(loadWord(q + 4 * j)));
            total[t] = _mm512_add_epi32(total[t], _mm512_mullo_epi32(scale, isum));
          }
        }
    const __m512 d = _mm512_cvtph_ps(load256(p));
    for (int t = 0; t < T; ++t) {
      const int16_t *bs = a[t][i].bsums;
      auto pair = [&](int lo, int hi) {
        return _mm512_set1_epi32(int32_t(uint32_t(uint16_t(bs[lo])) | uint32_t(uint16_t(bs[hi])) << 16));
      };
      // Scale word w as int16 pairs (groups 4w, 4w + 2) and (4w + 1, 4w + 3), sign-extended.
      __m512i bias = _mm512_setzero_si512();
      for (int w = 0; w < 4; ++w) {
        const __m512i v = load512(p + 32 + 64 * w);
        bias = _mm512_dpwssd_epi32(bias, _mm512_srai_epi16(_mm512_slli_epi16(v, 8), 8), pair(4 * w, 4 * w + 2));
        bias = _mm512_dpwssd_epi32(bias, _mm512_srai_epi16(v, 8), pair(4 * w + 1, 4 * w + 3));
      }
      const __m512 ddx = _mm512_mul_ps(d, _mm512_set1_ps(a[t][i].d));
      c[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(total[t]), ddx, c[t]);
      c[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(_mm512_setzero_si512(), _mm512_slli_epi32(bias, 5))),
                             ddx, c[t]);
    }
  }
  for (int t = 0; t < T; ++t)
    _mm512_storeu_ps(y + t * yStride, c[t]);
}

void packedQ6KTokens(const void *group, size_t nb, const void *xq, size_t xStride, const int32_t *, size_t tokens,
                     float *y, size_t yStride)
{
  withPackedTokens(tokens, [&](auto t) { packedQ6K<t()>(group, nb, xq, xStride, y, yStride); });
}

} // namespace

PackedDot avx512PackedKKernel(TensorType type)
{
  switch (type) {
  case TensorType::Q4_K: return packedQ4KTokens<false>;
  case TensorType::Q5_K: return packedQ4KTokens<true>;
  case TensorType::Q6_K: return packedQ6KTokens;
  default: return nullptr;
  }
}

RowDot avx512KQuantKernel(TensorType type)
{
  switch (type) {
  case TensorType::Q4_K: return dotKTokens<UnpackQ4_K>;
  case TensorType::Q5_K: return dotKTokens<UnpackQ5_K>;
  case TensorType::Q6_K: return dotKTokens<UnpackQ6_K>;
  default: return nullptr;
  }
}

} // namespace hearth::cpu::kernels

#pragma GCC pop_options

#else

namespace hearth::cpu::kernels {
RowDot avx512KQuantKernel(TensorType) { return nullptr; }
PackedDot avx512PackedKKernel(TensorType) { return nullptr; }
} // namespace hearth::cpu::kernels

#endif
