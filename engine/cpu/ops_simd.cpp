// AVX2/FMA/F16C kernels of the CPU backend's ops (see ops_simd.h). Each function is
// compiled for those instruction sets only (target attributes); callers check
// cpuHasAvx2() first. Other architectures get stubs that are never called.
#include "cpu/ops_simd.h"

#include <cassert>
#include <cmath>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

namespace hearth::cpu::simd {

#define HEARTH_AVX2 __attribute__((target("avx2,fma,f16c")))

bool cpuHasAvx2()
{
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
}

namespace {

HEARTH_AVX2 inline float hsum(__m256 v)
{
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

HEARTH_AVX2 inline float hmax(__m256 v)
{
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

HEARTH_AVX2 inline __m256 loadHalf8(const uint16_t *p)
{
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p)));
}

HEARTH_AVX2 inline float half1(uint16_t h) { return _cvtsh_ss(h); }

// e^x as llama.cpp's CPU backend computes it in vectors (the polynomial of
// ops::ref::ggml::vexp): n = round(x·log2 e), b = x − n·ln 2 in two parts, a degree-5
// polynomial, times 2^n. Overflow gives +inf, underflow 0 (results below 2^−126 flush to
// 0), NaN stays NaN.
HEARTH_AVX2 inline __m256 exp8(__m256 x)
{
  const __m256 shifter = _mm256_set1_ps(0x1.8p23f);
  const __m256 z = _mm256_fmadd_ps(x, _mm256_set1_ps(0x1.715476p+0f), shifter);
  const __m256 n = _mm256_sub_ps(z, shifter);
  const __m256 b = _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.7f7d1cp-20f),
                                    _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.62e4p-1f), x));
  const __m256 u = _mm256_mul_ps(b, b);
  const __m256 j = _mm256_fmadd_ps(
      _mm256_fmadd_ps(_mm256_fmadd_ps(_mm256_set1_ps(0x1.0e4020p-7f), b, _mm256_set1_ps(0x1.573e2ep-5f)), u,
                      _mm256_fmadd_ps(_mm256_set1_ps(0x1.555e66p-3f), b, _mm256_set1_ps(0x1.fffdb6p-2f))),
      u, _mm256_fmadd_ps(_mm256_set1_ps(0x1.ffffecp-1f), b, _mm256_set1_ps(1.0f)));
  // 2^n for n in [−126, 127] from the exponent bits; outside, 0 or inf.
  const __m256 nc = _mm256_min_ps(_mm256_max_ps(n, _mm256_set1_ps(-126.0f)), _mm256_set1_ps(127.0f));
  const __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(nc), _mm256_set1_epi32(127)), 23);
  __m256 y = _mm256_mul_ps(j, _mm256_castsi256_ps(bits));
  y = _mm256_blendv_ps(y, _mm256_setzero_ps(), _mm256_cmp_ps(n, _mm256_set1_ps(-126.0f), _CMP_LT_OQ));
  y = _mm256_blendv_ps(y, _mm256_set1_ps(INFINITY), _mm256_cmp_ps(n, _mm256_set1_ps(127.0f), _CMP_GT_OQ));
  return _mm256_blendv_ps(y, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

HEARTH_AVX2 inline __m256 roundHalf8(__m256 x)
{
  return _mm256_cvtph_ps(_mm256_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT));
}

// Scores of 4 positions at once: q·k[p..p+3], reduced together.
template <size_t D8>
HEARTH_AVX2 inline __m128 dot4(const float *qh, const uint16_t *k, size_t stride, size_t chunks)
{
  const size_t n8 = D8 ? D8 : chunks;
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
  for (size_t c = 0; c < n8; ++c) {
    const __m256 qv = _mm256_load_ps(qh + 8 * c);
    a0 = _mm256_fmadd_ps(qv, loadHalf8(k + 8 * c), a0);
    a1 = _mm256_fmadd_ps(qv, loadHalf8(k + stride + 8 * c), a1);
    a2 = _mm256_fmadd_ps(qv, loadHalf8(k + 2 * stride + 8 * c), a2);
    a3 = _mm256_fmadd_ps(qv, loadHalf8(k + 3 * stride + 8 * c), a3);
  }
  const __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(a0, a1), _mm256_hadd_ps(a2, a3));
  return _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
}

template <size_t D8>
HEARTH_AVX2 void attendT(const float *qh, const uint16_t *k, const uint16_t *v, size_t stride, size_t len,
                         size_t headDim, float scale, bool roundWeights, float *scores, float *out)
{
  const size_t chunks = D8 ? D8 : headDim / 8;
  const size_t tail = 8 * chunks;
  // Scores, four positions at a time; dimensions past the last multiple of 8 added after.
  size_t p = 0;
  const __m128 scale4 = _mm_set1_ps(scale);
  for (; p + 4 <= len; p += 4) {
    __m128 s = dot4<D8>(qh, k + p * stride, stride, chunks);
    if (tail < headDim) {
      alignas(16) float extra[4] = {};
      for (int j = 0; j < 4; ++j)
        for (size_t d = tail; d < headDim; ++d)
          extra[j] += qh[d] * half1(k[(p + j) * stride + d]);
      s = _mm_add_ps(s, _mm_load_ps(extra));
    }
    _mm_storeu_ps(scores + p, _mm_mul_ps(s, scale4));
  }
  for (; p < len; ++p) {
    const uint16_t *kp = k + p * stride;
    __m256 a = _mm256_setzero_ps();
    for (size_t c = 0; c < chunks; ++c)
      a = _mm256_fmadd_ps(_mm256_load_ps(qh + 8 * c), loadHalf8(kp + 8 * c), a);
    float s = hsum(a);
    for (size_t d = tail; d < headDim; ++d)
      s += qh[d] * half1(kp[d]);
    scores[p] = s * scale;
  }
  softmaxRow(scores, len);
  if (roundWeights)
    roundedCopy(scores, scores, len, true);
  // Weighted sum of values, accumulators in registers for the common head sizes.
  __m256 acc[D8 ? D8 : 64];
  for (size_t c = 0; c < chunks; ++c)
    acc[c] = _mm256_setzero_ps();
  for (size_t d = tail; d < headDim; ++d)
    out[d] = 0.0f;
  for (p = 0; p < len; ++p) {
    const uint16_t *vp = v + p * stride;
    const __m256 w = _mm256_set1_ps(scores[p]);
    for (size_t c = 0; c < chunks; ++c)
      acc[c] = _mm256_fmadd_ps(w, loadHalf8(vp + 8 * c), acc[c]);
    for (size_t d = tail; d < headDim; ++d)
      out[d] += scores[p] * half1(vp[d]);
  }
  for (size_t c = 0; c < chunks; ++c)
    _mm256_storeu_ps(out + 8 * c, acc[c]);
}

} // namespace

HEARTH_AVX2 void swiglu(const float *gate, const float *up, float *out, size_t count)
{
  size_t i = 0;
  const __m256 one = _mm256_set1_ps(1.0f);
  for (; i + 8 <= count; i += 8) {
    const __m256 g = _mm256_loadu_ps(gate + i);
    const __m256 e = exp8(_mm256_sub_ps(_mm256_setzero_ps(), g));
    _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_div_ps(g, _mm256_add_ps(one, e)), _mm256_loadu_ps(up + i)));
  }
  for (; i < count; ++i)
    out[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];
}

HEARTH_AVX2 void softmaxRow(float *x, size_t len)
{
  assert(len > 0);
  size_t i = 0;
  __m256 m8 = _mm256_set1_ps(-INFINITY);
  for (; i + 8 <= len; i += 8)
    m8 = _mm256_max_ps(m8, _mm256_loadu_ps(x + i));
  float max = hmax(m8);
  for (; i < len; ++i)
    max = std::max(max, x[i]);
  const __m256 maxv = _mm256_set1_ps(max);
  __m256 s8 = _mm256_setzero_ps();
  for (i = 0; i + 8 <= len; i += 8) {
    const __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), maxv));
    _mm256_storeu_ps(x + i, e);
    s8 = _mm256_add_ps(s8, e);
  }
  float sum = hsum(s8);
  for (; i < len; ++i) {
    x[i] = std::exp(x[i] - max);
    sum += x[i];
  }
  const float inv = 1.0f / sum;
  const __m256 inv8 = _mm256_set1_ps(inv);
  for (i = 0; i + 8 <= len; i += 8)
    _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), inv8));
  for (; i < len; ++i)
    x[i] *= inv;
}

HEARTH_AVX2 void toHalf(const float *src, uint16_t *dst, size_t count)
{
  size_t i = 0;
  for (; i + 8 <= count; i += 8)
    _mm_storeu_si128(reinterpret_cast<__m128i *>(dst + i),
                     _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT));
  for (; i < count; ++i)
    dst[i] = _cvtss_sh(src[i], _MM_FROUND_TO_NEAREST_INT);
}

HEARTH_AVX2 void roundedCopy(const float *src, float *dst, size_t count, bool round)
{
  size_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m256 x = _mm256_loadu_ps(src + i);
    _mm256_storeu_ps(dst + i, round ? roundHalf8(x) : x);
  }
  for (; i < count; ++i)
    dst[i] = round ? _cvtsh_ss(_cvtss_sh(src[i], _MM_FROUND_TO_NEAREST_INT)) : src[i];
}

HEARTH_AVX2 void attend(const float *qh, const uint16_t *k, const uint16_t *v, size_t stride, size_t len, size_t headDim,
            float scale, bool roundWeights, float *scores, float *out)
{
  assert(headDim <= 512);
  switch (headDim) {
  case 64: return attendT<8>(qh, k, v, stride, len, headDim, scale, roundWeights, scores, out);
  case 128: return attendT<16>(qh, k, v, stride, len, headDim, scale, roundWeights, scores, out);
  default: return attendT<0>(qh, k, v, stride, len, headDim, scale, roundWeights, scores, out);
  }
}

} // namespace hearth::cpu::simd

#else // not x86: the portable paths in ops.cpp run instead

namespace hearth::cpu::simd {
bool cpuHasAvx2() { return false; }
void swiglu(const float *, const float *, float *, size_t) {}
void softmaxRow(float *, size_t) {}
void toHalf(const float *, uint16_t *, size_t) {}
void roundedCopy(const float *, float *, size_t, bool) {}
void attend(const float *, const uint16_t *, const uint16_t *, size_t, size_t, size_t, float, bool, float *, float *) {}
} // namespace hearth::cpu::simd

#endif
