// AVX2/FMA/F16C row kernels (kernels_x86.inc), kernels for the 16-row packed layout, and
// activation quantizers of the CPU matmul.
// Called only when the CPU has those instruction sets (matmul.cpp checks).
#include "cpu/kernels.h"

#include "ops/quant.h"

#include <cmath>
#include <cstring>
#include <type_traits>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c")

#define HEARTH_KERNEL_NS avx2
#define HEARTH_VNNI 0
#include "cpu/kernels_x86.inc"

namespace hearth::cpu::kernels {
namespace {

float hmax(__m256 v)
{
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

float hmin(__m256 v)
{
  __m128 s = _mm_min_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_min_ps(s, _mm_movehl_ps(s, s));
  s = _mm_min_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// 32 int32 (four vectors) -> 32 int8 in order at out (values fit, no saturation).
void packBytes(__m256i a, __m256i b, __m256i c, __m256i d, int8_t *out)
{
  const __m256i bytes = _mm256_packs_epi16(_mm256_packs_epi32(a, b), _mm256_packs_epi32(c, d));
  _mm256_storeu_si256(reinterpret_cast<__m256i *>(out),
                      _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
}

// Q8_0/Q4_0/Q4_1 on the 16-row packed layout (kernels.h), rows 0..7 and 8..15 as the two
// 32-byte halves of each word, the same exact integer sums and fp32 chains as the row
// kernels. Without VNNI: maddubs + madd; Q8_0 moves the weights' signs onto the
// activations (|w| · ±x, no saturation), Q4's unsigned levels take the offset afterwards.
template <typename Block, int T>
void packed16(const void *group, size_t nb, const void *xq, size_t xStride, const int32_t *xOffset, float *y,
              size_t yStride)
{
  constexpr bool kQ8 = std::is_same_v<Block, ops::BlockQ8_0>, kMin = std::is_same_v<Block, ops::BlockQ4_1>;
  constexpr size_t kLevels = kMin ? 64 : 32, kBlockBytes = 16 * sizeof(Block), kAhead = 6144;
  const auto *p = static_cast<const uint8_t *>(group);
  const Q8Block *a[T];
  for (int t = 0; t < T; ++t)
    a[t] = tokenOf<Q8Block>(xq, xStride, t);
  const __m256i ones = _mm256_set1_epi16(1), low = _mm256_set1_epi8(0x0F);
  __m256 c[T][2];
  for (auto &v : c)
    v[0] = v[1] = _mm256_setzero_ps();
  for (size_t i = 0; i < nb; ++i, p += kBlockBytes) {
    for (size_t l = 0; l < kBlockBytes; l += 64)
      _mm_prefetch(reinterpret_cast<const char *>(p + kAhead + l), _MM_HINT_T1);
    const uint8_t *q = p + kLevels;
    for (int h = 0; h < 2; ++h) { // rows 8h .. 8h + 7
      const __m256 dw = _mm256_cvtph_ps(avx2::load128(p + 16 * h));
      __m256i isum[T];
      if constexpr (kQ8) {
        for (auto &v : isum)
          v = _mm256_setzero_si256();
        for (int k = 0; k < 8; ++k) {
          const __m256i w = avx2::load256(q + 64 * k + 32 * h), u = _mm256_sign_epi8(w, w);
          for (int t = 0; t < T; ++t) {
            const __m256i s = _mm256_sign_epi8(_mm256_set1_epi32(loadWord(a[t][i].q + 4 * k)), w);
            isum[t] = _mm256_add_epi32(isum[t], _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), ones));
          }
        }
      } else {
        __m256i pairs[T]; // int16: at most 8 · 2 · 15 · 127 in magnitude
        for (auto &v : pairs)
          v = _mm256_setzero_si256();
        for (int k = 0; k < 4; ++k) {
          const __m256i z = avx2::load256(q + 64 * k + 32 * h);
          const __m256i lo = _mm256_and_si256(z, low), hi = _mm256_and_si256(_mm256_srli_epi16(z, 4), low);
          for (int t = 0; t < T; ++t) {
            const int8_t *x = a[t][i].q + 4 * k;
            pairs[t] = _mm256_add_epi16(pairs[t], _mm256_maddubs_epi16(lo, _mm256_set1_epi32(loadWord(x))));
            pairs[t] = _mm256_add_epi16(pairs[t], _mm256_maddubs_epi16(hi, _mm256_set1_epi32(loadWord(x + 16))));
          }
        }
        for (int t = 0; t < T; ++t) {
          isum[t] = _mm256_madd_epi16(pairs[t], ones);
          if constexpr (!kMin)
            isum[t] = _mm256_sub_epi32(isum[t], _mm256_set1_epi32(xOffset[t * nb + i]));
        }
      }
      for (int t = 0; t < T; ++t) {
        c[t][h] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum[t]), _mm256_mul_ps(dw, _mm256_set1_ps(a[t][i].d)), c[t][h]);
        if constexpr (kMin)
          c[t][h] =
              _mm256_fmadd_ps(_mm256_cvtph_ps(avx2::load128(p + 32 + 16 * h)), _mm256_set1_ps(a[t][i].s), c[t][h]);
      }
    }
  }
  for (int t = 0; t < T; ++t) {
    _mm256_storeu_ps(y + t * yStride, c[t][0]);
    _mm256_storeu_ps(y + t * yStride + 8, c[t][1]);
  }
}

template <typename Block>
void packed16Tokens(const void *group, size_t nb, const void *xq, size_t xStride, const int32_t *xOffset,
                    size_t tokens, float *y, size_t yStride)
{
  withPackedTokens(tokens, [&](auto t) { packed16<Block, t()>(group, nb, xq, xStride, xOffset, y, yStride); });
}

// Q4_K, Q5_K and Q6_K on their packed layouts (kernels_avx512_k.cpp has the byte map), rows in
// the two halves as above: per sub-block the levels' maddubs pairs (int16, exact), then
// madd with the sub-block's scale in both halves of each lane gives scale·isum in int32;
// the mins (Q6_K: 32·scale) meet the activations' sums the same way. The integers I and B
// and the fp32 steps are the row kernels', so are the bits.
inline __m256i scalePairs(__m256i v) { return _mm256_or_si256(v, _mm256_slli_epi32(v, 16)); } // lanes < 2^15

inline __m256i int16Pair(int lo, int hi)
{
  return _mm256_set1_epi32(int32_t(uint32_t(uint16_t(lo)) | uint32_t(uint16_t(hi)) << 16));
}

template <bool kQ5, int T>
void packedQ4K(const void *group, size_t nb, const void *xq, size_t xStride, float *y, size_t yStride)
{
  constexpr size_t kBytes = 16 * (kQ5 ? sizeof(ops::BlockQ5_K) : sizeof(ops::BlockQ4_K)), kAhead = 6144;
  const __m256i one = _mm256_set1_epi8(1);
  const auto *p = static_cast<const uint8_t *>(group);
  const Q8KBlock *a[T];
  for (int t = 0; t < T; ++t)
    a[t] = tokenOf<Q8KBlock>(xq, xStride, t);
  const __m256i low = _mm256_set1_epi8(0x0F), low6 = _mm256_set1_epi32(0x3f3f3f3f),
                low4 = _mm256_set1_epi32(0x0f0f0f0f), low2 = _mm256_set1_epi32(0x03030303),
                byte = _mm256_set1_epi32(0xFF), pairLow = _mm256_set1_epi32(0x00FF00FF);
  __m256 c[T][2];
  for (auto &v : c)
    v[0] = v[1] = _mm256_setzero_ps();
  for (size_t i = 0; i < nb; ++i, p += kBytes) {
    for (size_t l = 0; l < kBytes; l += 64)
      _mm_prefetch(reinterpret_cast<const char *>(p + kAhead + l), _MM_HINT_T1);
    for (int h = 0; h < 2; ++h) {
      const __m256i m0 = avx2::load256(p + 64 + 32 * h), m1 = avx2::load256(p + 128 + 32 * h),
                    m2 = avx2::load256(p + 192 + 32 * h);
      const __m256i sc[2] = {
          _mm256_and_si256(m0, low6),
          _mm256_or_si256(_mm256_and_si256(m2, low4),
                          _mm256_slli_epi32(_mm256_and_si256(_mm256_srli_epi32(m0, 6), low2), 4))};
      const __m256i mn[2] = {
          _mm256_and_si256(m1, low6),
          _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi32(m2, 4), low4),
                          _mm256_slli_epi32(_mm256_and_si256(_mm256_srli_epi32(m1, 6), low2), 4))};
      const __m256i minPair[4] = {
          _mm256_and_si256(mn[0], pairLow), _mm256_and_si256(_mm256_srli_epi16(mn[0], 8), pairLow),
          _mm256_and_si256(mn[1], pairLow), _mm256_and_si256(_mm256_srli_epi16(mn[1], 8), pairLow)};
      const __m256 d = _mm256_cvtph_ps(avx2::load128(p + 16 * h));
      const __m256 dmin = _mm256_cvtph_ps(avx2::load128(p + 32 + 16 * h));
      __m256i total[T];
      for (auto &v : total)
        v = _mm256_setzero_si256();
#pragma GCC unroll 4
      for (int ch = 0; ch < 4; ++ch) { // sub-blocks 2ch (low nibbles) and 2ch + 1 (high)
        __m256i lo[T][2], hi[T][2]; // int16 sums of 4 words: at most 4 · 2 · 31 · 127
        for (int t = 0; t < T; ++t)
          lo[t][0] = lo[t][1] = hi[t][0] = hi[t][1] = _mm256_setzero_si256();
#pragma GCC unroll 8
        for (int k = 0; k < 8; ++k) {
          const __m256i z = avx2::load256(p + 256 + 64 * (8 * ch + k) + 32 * h);
          __m256i zl = _mm256_and_si256(z, low), zh = _mm256_and_si256(_mm256_srli_epi16(z, 4), low);
          if constexpr (kQ5) {
            const __m256i qh = avx2::load256(p + 2304 + 64 * k + 32 * h);
            zl = _mm256_or_si256(zl, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * ch), one), 4));
            zh = _mm256_or_si256(zh, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * ch + 1), one), 4));
          }
          for (int t = 0; t < T; ++t) {
            const int8_t *q = a[t][i].q + 64 * ch + 4 * k;
            __m256i &l = lo[t][k / 4], &u = hi[t][k / 4];
            l = _mm256_add_epi16(l, _mm256_maddubs_epi16(zl, _mm256_set1_epi32(loadWord(q))));
            u = _mm256_add_epi16(u, _mm256_maddubs_epi16(zh, _mm256_set1_epi32(loadWord(q + 32))));
          }
        }
        const __m256i sLo = scalePairs(_mm256_and_si256(_mm256_srli_epi32(sc[ch / 2], 16 * (ch % 2)), byte));
        const __m256i sHi = scalePairs(_mm256_and_si256(_mm256_srli_epi32(sc[ch / 2], 16 * (ch % 2) + 8), byte));
        for (int t = 0; t < T; ++t) {
          const __m256i l = _mm256_add_epi32(_mm256_madd_epi16(lo[t][0], sLo), _mm256_madd_epi16(lo[t][1], sLo));
          const __m256i u = _mm256_add_epi32(_mm256_madd_epi16(hi[t][0], sHi), _mm256_madd_epi16(hi[t][1], sHi));
          total[t] = _mm256_add_epi32(total[t], _mm256_add_epi32(l, u));
        }
      }
      for (int t = 0; t < T; ++t) {
        const int16_t *bs = a[t][i].bsums;
        int sub[8];
        for (int j = 0; j < 8; ++j)
          sub[j] = bs[2 * j] + bs[2 * j + 1];
        __m256i bias = _mm256_madd_epi16(minPair[0], int16Pair(sub[0], sub[2]));
        bias = _mm256_add_epi32(bias, _mm256_madd_epi16(minPair[1], int16Pair(sub[1], sub[3])));
        bias = _mm256_add_epi32(bias, _mm256_madd_epi16(minPair[2], int16Pair(sub[4], sub[6])));
        bias = _mm256_add_epi32(bias, _mm256_madd_epi16(minPair[3], int16Pair(sub[5], sub[7])));
        const __m256 dx = _mm256_set1_ps(a[t][i].d);
        c[t][h] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(total[t]), _mm256_mul_ps(d, dx), c[t][h]);
        c[t][h] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_setzero_si256(), bias)),
                                  _mm256_mul_ps(dmin, dx), c[t][h]);
      }
    }
  }
  for (int t = 0; t < T; ++t) {
    _mm256_storeu_ps(y + t * yStride, c[t][0]);
    _mm256_storeu_ps(y + t * yStride + 8, c[t][1]);
  }
}

template <int T>
void packedQ6K(const void *group, size_t nb, const void *xq, size_t xStride, float *y, size_t yStride)
{
  constexpr size_t kBytes = 16 * sizeof(ops::BlockQ6_K), kAhead = 6144;
  const auto *p = static_cast<const uint8_t *>(group);
  const Q8KBlock *a[T];
  for (int t = 0; t < T; ++t)
    a[t] = tokenOf<Q8KBlock>(xq, xStride, t);
  const __m256i low = _mm256_set1_epi8(0x0F), bits45 = _mm256_set1_epi8(0x30), bits01 = _mm256_set1_epi8(0x03);
  __m256 c[T][2];
  for (auto &v : c)
    v[0] = v[1] = _mm256_setzero_ps();
  for (size_t i = 0; i < nb; ++i, p += kBytes) {
    for (size_t l = 0; l < kBytes; l += 64)
      _mm_prefetch(reinterpret_cast<const char *>(p + kAhead + l), _MM_HINT_T1);
    for (int hr = 0; hr < 2; ++hr) { // rows 8hr .. 8hr + 7
      __m256i total[T];
      for (auto &v : total)
        v = _mm256_setzero_si256();
#pragma GCC unroll 2
      for (int h = 0; h < 2; ++h)
#pragma GCC unroll 4
        for (int part = 0; part < 4; ++part)
#pragma GCC unroll 2
          for (int half = 0; half < 2; ++half) {
            const int g = 8 * h + 2 * part + half;
            // int16 scale in both halves of each lane (sign-extended byte g % 4 of word g / 4).
            const __m256i sw = avx2::load256(p + 32 + 64 * (g / 4) + 32 * hr);
            const __m256i s32 = _mm256_srai_epi32(_mm256_slli_epi32(sw, 24 - 8 * (g % 4)), 24);
            const __m256i scale = _mm256_or_si256(_mm256_and_si256(s32, _mm256_set1_epi32(0xFFFF)),
                                                  _mm256_slli_epi32(s32, 16));
            __m256i pairs[T][2];
            for (int t = 0; t < T; ++t)
              pairs[t][0] = pairs[t][1] = _mm256_setzero_si256();
            for (int j = 0; j < 4; ++j) {
              const int k = 4 * half + j;
              const __m256i ql = avx2::load256(p + 288 + 64 * (16 * h + (part & 1) * 8 + k) + 32 * hr);
              const __m256i qh = avx2::load256(p + 2336 + 64 * (8 * h + k) + 32 * hr);
              const __m256i nib =
                  part < 2 ? _mm256_and_si256(ql, low) : _mm256_and_si256(_mm256_srli_epi16(ql, 4), low);
              const __m256i top = part == 0   ? _mm256_slli_epi16(_mm256_and_si256(qh, bits01), 4)
                                  : part == 1 ? _mm256_and_si256(_mm256_slli_epi16(qh, 2), bits45)
                                  : part == 2 ? _mm256_and_si256(qh, bits45)
                                              : _mm256_and_si256(_mm256_srli_epi16(qh, 2), bits45);
              const __m256i u = _mm256_or_si256(nib, top);
              for (int t = 0; t < T; ++t) { // two words per int16 sum: at most 2 · 2 · 63 · 127
                const int8_t *q = a[t][i].q + 128 * h + 32 * part + 16 * half;
                pairs[t][j / 2] =
                    _mm256_add_epi16(pairs[t][j / 2], _mm256_maddubs_epi16(u, _mm256_set1_epi32(loadWord(q + 4 * j))));
              }
            }
            for (int t = 0; t < T; ++t)
              total[t] = _mm256_add_epi32(total[t], _mm256_add_epi32(_mm256_madd_epi16(pairs[t][0], scale),
                                                                     _mm256_madd_epi16(pairs[t][1], scale)));
          }
      const __m256 d = _mm256_cvtph_ps(avx2::load128(p + 16 * hr));
      for (int t = 0; t < T; ++t) {
        const int16_t *bs = a[t][i].bsums;
        __m256i bias = _mm256_setzero_si256();
        for (int w = 0; w < 4; ++w) {
          const __m256i v = avx2::load256(p + 32 + 64 * w + 32 * hr);
          bias = _mm256_add_epi32(bias, _mm256_madd_epi16(_mm256_srai_epi16(_mm256_slli_epi16(v, 8), 8),
                                                          int16Pair(bs[4 * w], bs[4 * w + 2])));
          bias = _mm256_add_epi32(bias,
                                  _mm256_madd_epi16(_mm256_srai_epi16(v, 8), int16Pair(bs[4 * w + 1], bs[4 * w + 3])));
        }
        const __m256 ddx = _mm256_mul_ps(d, _mm256_set1_ps(a[t][i].d));
        c[t][hr] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(total[t]), ddx, c[t][hr]);
        c[t][hr] = _mm256_fmadd_ps(
            _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(bias, 5))), ddx, c[t][hr]);
      }
    }
  }
  for (int t = 0; t < T; ++t) {
    _mm256_storeu_ps(y + t * yStride, c[t][0]);
    _mm256_storeu_ps(y + t * yStride + 8, c[t][1]);
  }
}

template <bool kQ5>
void packedQ4KTokens(const void *group, size_t nb, const void *xq, size_t xStride, const int32_t *, size_t tokens,
                     float *y, size_t yStride)
{
  withPackedTokens(tokens, [&](auto t) { packedQ4K<kQ5, t()>(group, nb, xq, xStride, y, yStride); });
}

void packedQ6KTokens(const void *group, size_t nb, const void *xq, size_t xStride, const int32_t *, size_t tokens,
                     float *y, size_t yStride)
{
  withPackedTokens(tokens, [&](auto t) { packedQ6K<t()>(group, nb, xq, xStride, y, yStride); });
}

} // namespace

PackedDot avx2PackedKernel(TensorType type)
{
  switch (type) {
  case TensorType::Q8_0: return packed16Tokens<ops::BlockQ8_0>;
  case TensorType::Q4_0: return packed16Tokens<ops::BlockQ4_0>;
  case TensorType::Q4_1: return packed16Tokens<ops::BlockQ4_1>;
  case TensorType::Q4_K: return packedQ4KTokens<false>;
  case TensorType::Q5_K: return packedQ4KTokens<true>;
  case TensorType::Q6_K: return packedQ6KTokens;
  default: return nullptr;
  }
}

RowDot avx2Kernel(TensorType type) { return avx2::kernelFor(type); }
RowsDot avx2RowsKernel(TensorType type) { return avx2::rowsKernelFor(type); }

// Same arithmetic as quantizeQ8Portable (products in float, round to nearest even).
void quantizeQ8Avx2(const float *x, size_t cols, Q8Block *out)
{
  const __m256 sign = _mm256_set1_ps(-0.0f);
  for (size_t b = 0; b < cols / 32; ++b, x += 32) {
    __m256 v[4], amax = _mm256_setzero_ps();
    for (int k = 0; k < 4; ++k) {
      v[k] = _mm256_loadu_ps(x + 8 * k);
      amax = _mm256_max_ps(amax, _mm256_andnot_ps(sign, v[k]));
    }
    const float max = hmax(amax);
    const float id = max != 0.0f ? 127.0f / max : 0.0f;
    const float d = max / 127.0f;
    __m256i q[4];
    for (int k = 0; k < 4; ++k)
      q[k] = _mm256_cvtps_epi32(_mm256_mul_ps(v[k], _mm256_set1_ps(id)));
    packBytes(q[0], q[1], q[2], q[3], out[b].q);
    const __m256i s = _mm256_add_epi32(_mm256_add_epi32(q[0], q[1]), _mm256_add_epi32(q[2], q[3]));
    __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
    s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0x4E));
    s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0xB1));
    const int sum = _mm_cvtsi128_si32(s4);
    out[b].d = _cvtsh_ss(_cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT));
    out[b].s = _cvtsh_ss(_cvtss_sh(d * float(sum), _MM_FROUND_TO_NEAREST_INT));
  }
}

// Same arithmetic as quantizeQ8KPortable.
void quantizeQ8KAvx2(const float *x, size_t cols, Q8KBlock *out)
{
  for (size_t b = 0; b < cols / 256; ++b, x += 256) {
    __m256 hi = _mm256_loadu_ps(x), lo = hi;
    for (int k = 1; k < 32; ++k) {
      hi = _mm256_max_ps(hi, _mm256_loadu_ps(x + 8 * k));
      lo = _mm256_min_ps(lo, _mm256_loadu_ps(x + 8 * k));
    }
    const float mx = hmax(hi), mn = hmin(lo);
    float max = mx > -mn ? mx : mn;
    if (mx == -mn) // a tie: the reference takes the first value of that magnitude
      for (int j = 0; j < 256; ++j)
        if (std::fabs(x[j]) == mx) {
          max = x[j];
          break;
        }
    Q8KBlock &o = out[b];
    if (max == 0.0f) {
      std::memset(&o, 0, sizeof o);
      continue;
    }
    const float iscale = -127.0f / max;
    const __m256 scale = _mm256_set1_ps(iscale);
    const __m256i top = _mm256_set1_epi32(127);
    for (int k = 0; k < 32; k += 4) {
      __m256i q[4];
      for (int i = 0; i < 4; ++i)
        q[i] = _mm256_min_epi32(top, _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 8 * (k + i)), scale)));
      packBytes(q[0], q[1], q[2], q[3], o.q + 8 * k);
    }
    for (int g = 0; g < 16; ++g) {
      const __m128i v = _mm_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i *>(o.q + 16 * g)));
      const __m128i w = _mm_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i *>(o.q + 16 * g + 8)));
      __m128i s = _mm_madd_epi16(_mm_add_epi16(v, w), _mm_set1_epi16(1));
      s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
      s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
      o.bsums[g] = int16_t(_mm_cvtsi128_si32(s));
    }
    o.d = 1.0f / iscale;
  }
}

void roundHalfAvx2(const float *x, size_t cols, float *out)
{
  size_t c = 0;
  for (; c + 8 <= cols; c += 8)
    _mm256_storeu_ps(out + c, _mm256_cvtph_ps(_mm256_cvtps_ph(_mm256_loadu_ps(x + c), _MM_FROUND_TO_NEAREST_INT)));
  for (; c < cols; ++c)
    out[c] = ops::halfToFloat(ops::floatToHalf(x[c]));
}

} // namespace hearth::cpu::kernels

#pragma GCC pop_options

#else // not x86: never called (detectIsa() answers Portable)

namespace hearth::cpu::kernels {
RowDot avx2Kernel(TensorType) { return nullptr; }
RowsDot avx2RowsKernel(TensorType) { return nullptr; }
PackedDot avx2PackedKernel(TensorType) { return nullptr; }
void quantizeQ8Avx2(const float *x, size_t cols, Q8Block *out) { quantizeQ8Portable(x, cols, out); }
void quantizeQ8KAvx2(const float *x, size_t cols, Q8KBlock *out) { quantizeQ8KPortable(x, cols, out); }
void roundHalfAvx2(const float *x, size_t cols, float *out)
{
  for (size_t c = 0; c < cols; ++c)
    out[c] = ops::halfToFloat(ops::floatToHalf(x[c]));
}
} // namespace hearth::cpu::kernels

#endif
