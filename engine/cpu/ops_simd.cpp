// AVX2/FMA/F16C kernels of the CPU backend's ops (see ops_simd.h). Each function is
// compiled for those instruction sets only (target attributes); callers check
// cpuHasAvx2() first. Other architectures get stubs that are never called.
#include "cpu/ops_simd.h"

#include "ops/cpu_ref_ggml.h"

#include <algorithm>
#include <cassert>
#include <cmath>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

// GCC 12's AVX-512 intrinsics fill unused lanes from a self-initialized "undefined" vector,
// which -Wmaybe-uninitialized reports at every inlined use.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

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

// e^x as llama.cpp's CPU backend computes it in vectors, bit for bit ops::ref::ggml::vexp:
// n = round(x·log2 e), b = x − n·ln 2 in two parts, a degree-5 polynomial, times 2^n. Lanes
// whose 2^n is not a normal float (|n| past 126: results subnormal, 0 or inf) take the
// scalar function, as does NaN's neighbour.
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
  const __m256 outside = _mm256_or_ps(_mm256_cmp_ps(n, _mm256_set1_ps(-126.0f), _CMP_LT_OQ),
                                      _mm256_cmp_ps(n, _mm256_set1_ps(127.0f), _CMP_GT_OQ));
  if (_mm256_movemask_ps(outside)) {
    alignas(32) float v[8];
    _mm256_store_ps(v, x);
    for (float &e : v)
      e = ops::ref::ggml::vexp(e);
    return _mm256_load_ps(v);
  }
  // 2^n from the exponent bits (NaN lanes: j is NaN already).
  const __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(j, _mm256_castsi256_ps(bits));
}

HEARTH_AVX2 inline __m256 roundHalf8(__m256 x)
{
  return _mm256_cvtph_ps(_mm256_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT));
}

// The sum of 16 lanes (lo: 0..7, hi: 8..15) as a 512-bit horizontal add reduces them:
// halves, quarters, then (q0 + q2) + (q1 + q3).
HEARTH_AVX2 inline float laneSum(__m256 lo, __m256 hi) { return hsum(_mm256_add_ps(lo, hi)); }

// A position's 16 q·k lanes folded to 8 (lane i + lane i+8), the first level of laneSum.
// Prefill (lanes): lane j of 16 sums elements j, j+16, … in order; len % 16 == 0.
HEARTH_AVX2 inline __m256 halvesLanes(const uint16_t *k, const float *q, size_t len)
{
  __m256 lo = _mm256_setzero_ps(), hi = lo;
  for (size_t c = 0; c < len; c += 16) {
    lo = _mm256_fmadd_ps(loadHalf8(k + c), _mm256_loadu_ps(q + c), lo);
    hi = _mm256_fmadd_ps(loadHalf8(k + c + 8), _mm256_loadu_ps(q + c + 8), hi);
  }
  return _mm256_add_ps(lo, hi);
}

// Decode (steps): four 16-lane accumulators over the first `steps` elements (a multiple of
// 64), combined 0+2, 1+3, 0+1.
HEARTH_AVX2 inline __m256 halvesSteps(const uint16_t *k, const float *q, size_t steps)
{
  __m256 a[8];
  for (__m256 &r : a)
    r = _mm256_setzero_ps();
  for (size_t i = 0; i < steps; i += 64)
    for (int r = 0; r < 8; ++r)
      a[r] = _mm256_fmadd_ps(loadHalf8(k + i + 8 * r), _mm256_loadu_ps(q + i + 8 * r), a[r]);
  const __m256 lo = _mm256_add_ps(_mm256_add_ps(a[0], a[4]), _mm256_add_ps(a[2], a[6]));
  const __m256 hi = _mm256_add_ps(_mm256_add_ps(a[1], a[5]), _mm256_add_ps(a[3], a[7]));
  return _mm256_add_ps(lo, hi);
}

// laneSum's remaining levels for 8 positions at once: quarters q_i = h_i + h_{i+4}, then
// (q0 + q2) + (q1 + q3); lane p of the result is position p's sum.
HEARTH_AVX2 inline __m256 finishLaneSums8(const __m256 h[8])
{
  __m256 y[4]; // y[i]: position 2i's quarters in the low half, 2i+1's in the high half
  for (int i = 0; i < 4; ++i)
    y[i] = _mm256_add_ps(_mm256_permute2f128_ps(h[2 * i], h[2 * i + 1], 0x20),
                         _mm256_permute2f128_ps(h[2 * i], h[2 * i + 1], 0x31));
  // Per half: [q0+q2, q1+q3] of two positions each.
  const __m256 s01 = _mm256_add_ps(_mm256_shuffle_ps(y[0], y[1], 0x44), _mm256_shuffle_ps(y[0], y[1], 0xEE));
  const __m256 s23 = _mm256_add_ps(_mm256_shuffle_ps(y[2], y[3], 0x44), _mm256_shuffle_ps(y[2], y[3], 0xEE));
  // Positions 0, 2, 4, 6 | 1, 3, 5, 7, then in order.
  const __m256 r = _mm256_add_ps(_mm256_shuffle_ps(s01, s23, 0x88), _mm256_shuffle_ps(s01, s23, 0xDD));
  return _mm256_permutevar8x32_ps(r, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

// scores[p] = q·k[p] · scale for p < len, the sums as ops::ref::ggml reduces them (lanes
// for a batch when headDim % 16 == 0, else steps with the elements past the last whole
// 64-step added in double). Returns the largest score.
HEARTH_AVX2 float scoresOf(const float *qh, const uint16_t *k, size_t stride, size_t len, size_t headDim,
                           float scale, bool lanes, float *scores)
{
  const size_t steps = headDim / 64 * 64;
  const bool batched = lanes || steps == headDim; // no double tail
  const __m256 scale8 = _mm256_set1_ps(scale);
  __m256 max8 = _mm256_set1_ps(-INFINITY);
  size_t p = 0;
  if (batched)
    for (; p + 8 <= len; p += 8) {
      __m256 h[8];
      for (int i = 0; i < 8; ++i)
        h[i] = lanes ? halvesLanes(k + (p + i) * stride, qh, headDim) : halvesSteps(k + (p + i) * stride, qh, steps);
      const __m256 s = _mm256_mul_ps(finishLaneSums8(h), scale8);
      _mm256_storeu_ps(scores + p, s);
      max8 = _mm256_max_ps(max8, s);
    }
  float max = hmax(max8);
  for (; p < len; ++p) {
    const uint16_t *kp = k + p * stride;
    float s;
    if (lanes) {
      s = hsum(halvesLanes(kp, qh, headDim));
    } else {
      double sum = hsum(halvesSteps(kp, qh, steps));
      for (size_t i = steps; i < headDim; ++i)
        sum += double(half1(kp[i]) * qh[i]);
      s = float(sum);
    }
    scores[p] = s * scale;
    max = std::max(max, scores[p]);
  }
  return max;
}

// Class j's row over dims d0 .. d0 + 8C: its positions p ≡ j (mod classes) in increasing
// p, the sums held in registers.
template <int C>
HEARTH_AVX2 inline void accumulateClass(const float *w, const uint16_t *v, size_t stride, size_t len, size_t j,
                                        size_t classes, size_t d0, float *row)
{
  __m256 acc[C];
  for (int c = 0; c < C; ++c)
    acc[c] = _mm256_setzero_ps();
  for (size_t p = j; p < len; p += classes) {
    const __m256 wp = _mm256_set1_ps(w[p]);
    const uint16_t *vp = v + p * stride + d0;
    for (int c = 0; c < C; ++c)
      acc[c] = _mm256_fmadd_ps(wp, loadHalf8(vp + 8 * c), acc[c]);
  }
  for (int c = 0; c < C; ++c)
    _mm256_storeu_ps(row + d0 + 8 * c, acc[c]);
}

// rows[j][d] = Σ w[p] · v[p][d] over p ≡ j (mod classes), p < len, in increasing p: the
// lanes of the probability·value products before their reduction. rows: [classes][headDim].
// Class by class, 64 dims at a time, so that the sums stay in registers; rows past
// min(classes, len) stay unwritten.
HEARTH_AVX2 void accumulateLanes(const float *w, const uint16_t *v, size_t stride, size_t len, size_t headDim,
                                 size_t classes, float *rows)
{
  const size_t vec = headDim / 8 * 8, used = std::min(classes, len);
  for (size_t j = 0; j < used; ++j) {
    float *row = rows + j * headDim;
    for (size_t d0 = 0; d0 < vec; d0 += 64) {
      switch (std::min<size_t>(8, (vec - d0) / 8)) {
      case 8: accumulateClass<8>(w, v, stride, len, j, classes, d0, row); break;
      case 7: accumulateClass<7>(w, v, stride, len, j, classes, d0, row); break;
      case 6: accumulateClass<6>(w, v, stride, len, j, classes, d0, row); break;
      case 5: accumulateClass<5>(w, v, stride, len, j, classes, d0, row); break;
      case 4: accumulateClass<4>(w, v, stride, len, j, classes, d0, row); break;
      case 3: accumulateClass<3>(w, v, stride, len, j, classes, d0, row); break;
      case 2: accumulateClass<2>(w, v, stride, len, j, classes, d0, row); break;
      default: accumulateClass<1>(w, v, stride, len, j, classes, d0, row); break;
      }
    }
    for (size_t d = vec; d < headDim; ++d) {
      float sum = 0.0f;
      for (size_t p = j; p < len; p += classes)
        sum += w[p] * half1(v[p * stride + d]);
      row[d] = sum;
    }
  }
}

// a[d] += b[d] for d < count.
HEARTH_AVX2 void addRow(float *a, const float *b, size_t count)
{
  size_t d = 0;
  for (; d + 8 <= count; d += 8)
    _mm256_storeu_ps(a + d, _mm256_add_ps(_mm256_loadu_ps(a + d), _mm256_loadu_ps(b + d)));
  for (; d < count; ++d)
    a[d] += b[d];
}

// out[d] = laneSum over 16 rows (prefill), or over the 64 rows of decode's four 16-lane
// accumulators combined 0+2, 1+3, 0+1 first. Vectorized over d.
// Rows from `used` on are zero (not written): each row only ever absorbs higher ones, so
// adding them is skipped (x + 0 = x).
HEARTH_AVX2 void reduceLanes(float *rows, size_t headDim, bool decode, size_t used, float *out)
{
  auto add = [&](size_t dst, size_t src) {
    if (src < used)
      addRow(rows + dst * headDim, rows + src * headDim, headDim);
  };
  if (decode)
    for (size_t j = 0; j < 16; ++j) {
      add(j, 32 + j);
      add(16 + j, 48 + j);
      add(j, 16 + j);
    }
  for (size_t i = 0; i < 8; ++i) // halves, quarters, then (q0 + q2) + (q1 + q3)
    add(i, i + 8);
  for (size_t i = 0; i < 4; ++i)
    add(i, i + 4);
  add(0, 2);
  add(1, 3);
  add(0, 1);
  std::copy_n(rows, headDim, out);
}

// ---- Prefill for the queries of one kv head together (GQA): each K row is read and
// widened once for all of them; every query's sums keep their own order (the same bits as
// one query at a time).

// halvesLanes for G queries: out[g] = query g's lanes folded to 8.
template <int G>
HEARTH_AVX2 inline void halvesLanesGroup(const uint16_t *k, const float *const *q, size_t len, __m256 *out)
{
  __m256 lo[G], hi[G];
  for (int g = 0; g < G; ++g)
    lo[g] = hi[g] = _mm256_setzero_ps();
  for (size_t c = 0; c < len; c += 16) {
    const __m256 kl = loadHalf8(k + c), kh = loadHalf8(k + c + 8);
    for (int g = 0; g < G; ++g) {
      lo[g] = _mm256_fmadd_ps(kl, _mm256_loadu_ps(q[g] + c), lo[g]);
      hi[g] = _mm256_fmadd_ps(kh, _mm256_loadu_ps(q[g] + c + 8), hi[g]);
    }
  }
  for (int g = 0; g < G; ++g)
    out[g] = _mm256_add_ps(lo[g], hi[g]);
}

// scoresOf's lanes mode for G queries (headDim % 16 == 0): scores[g][p], max[g].
template <int G>
HEARTH_AVX2 void scoresLanesGroup(const float *const *q, const uint16_t *k, size_t stride, size_t len,
                                  size_t headDim, float scale, float *const *scores, float *max)
{
  const __m256 scale8 = _mm256_set1_ps(scale);
  __m256 max8[G];
  for (int g = 0; g < G; ++g)
    max8[g] = _mm256_set1_ps(-INFINITY);
  size_t p = 0;
  for (; p + 8 <= len; p += 8) {
    __m256 h[G][8], one[G];
    for (int i = 0; i < 8; ++i) {
      halvesLanesGroup<G>(k + (p + i) * stride, q, headDim, one);
      for (int g = 0; g < G; ++g)
        h[g][i] = one[g];
    }
    for (int g = 0; g < G; ++g) {
      const __m256 sc = _mm256_mul_ps(finishLaneSums8(h[g]), scale8);
      _mm256_storeu_ps(scores[g] + p, sc);
      max8[g] = _mm256_max_ps(max8[g], sc);
    }
  }
  for (int g = 0; g < G; ++g)
    max[g] = hmax(max8[g]);
  for (; p < len; ++p) {
    __m256 one[G];
    halvesLanesGroup<G>(k + p * stride, q, headDim, one);
    for (int g = 0; g < G; ++g) {
      scores[g][p] = hsum(one[g]) * scale;
      max[g] = std::max(max[g], scores[g][p]);
    }
  }
}

} // namespace

HEARTH_AVX2 void swigluVexp(const float *gate, const float *up, float *out, size_t count)
{
  size_t i = 0;
  const __m256 one = _mm256_set1_ps(1.0f);
  for (; i + 8 <= count; i += 8) {
    const __m256 g = _mm256_loadu_ps(gate + i);
    const __m256 e = exp8(_mm256_sub_ps(_mm256_setzero_ps(), g));
    _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_div_ps(g, _mm256_add_ps(one, e)), _mm256_loadu_ps(up + i)));
  }
  for (; i < count; ++i)
    out[i] = gate[i] / (1.0f + ops::ref::ggml::vexp(0.0f - gate[i])) * up[i];
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

HEARTH_AVX2 void softmaxWeights(float *scores, size_t len, float max, bool roundWeights);

HEARTH_AVX2 void attend(const float *qh, const uint16_t *k, const uint16_t *v, size_t stride, size_t len,
                        size_t headDim, float scale, bool roundWeights, bool prefill, float *scores, float *lanes,
                        float *out)
{
  const float max = scoresOf(qh, k, stride, len, headDim, scale, prefill && headDim % 16 == 0, scores);
  softmaxWeights(scores, len, max, roundWeights);
  const size_t classes = prefill ? 16 : 64;
  accumulateLanes(scores, v, stride, len, headDim, classes, lanes);
  reduceLanes(lanes, headDim, !prefill, std::min(classes, len), out);
}

HEARTH_AVX2 void softmaxWeights(float *scores, size_t len, float max, bool roundWeights)
{
  // Softmax: exp in vectors, sums of 16 (zero-padded) tree-summed in float, added in double.
  const size_t padded = (len + 15) / 16 * 16;
  const __m256 maxv = _mm256_set1_ps(max);
  size_t p = 0;
  for (; p + 8 <= len; p += 8)
    _mm256_storeu_ps(scores + p, exp8(_mm256_sub_ps(_mm256_loadu_ps(scores + p), maxv)));
  for (; p < len; ++p)
    scores[p] = ops::ref::ggml::vexp(scores[p] - max);
  for (; p < padded; ++p)
    scores[p] = 0.0f;
  double sum = 0.0;
  for (p = 0; p < len; p += 16)
    sum += double(laneSum(_mm256_loadu_ps(scores + p), _mm256_loadu_ps(scores + p + 8)));
  const __m256 inv = _mm256_set1_ps(float(1.0 / sum));
  for (p = 0; p < padded; p += 8) {
    const __m256 w = _mm256_mul_ps(_mm256_loadu_ps(scores + p), inv);
    _mm256_storeu_ps(scores + p, roundWeights ? roundHalf8(w) : w);
  }
}

template <int G>
HEARTH_AVX2 void attendGroupOf(const float *const *qh, const uint16_t *k, const uint16_t *v, size_t stride,
                               size_t len, size_t headDim, float scale, bool roundWeights, float *const *scores,
                               float *const *lanes, float *const *out)
{
  float max[G];
  scoresLanesGroup<G>(qh, k, stride, len, headDim, scale, scores, max);
  for (int g = 0; g < G; ++g)
    softmaxWeights(scores[g], len, max[g], roundWeights);
  for (int g = 0; g < G; ++g) {
    accumulateLanes(scores[g], v, stride, len, headDim, 16, lanes[g]);
    reduceLanes(lanes[g], headDim, false, std::min<size_t>(16, len), out[g]);
  }
}

// ---- The same with AVX-512: a position's 16 q·k lanes are one vector, and the G queries'
// class rows fit the 32 registers together, so each V row is widened once for all of them.
// The same products in the same order: the same bits.
#define HEARTH_AVX512 __attribute__((target("avx2,fma,f16c,avx512f")))

HEARTH_AVX512 inline __m512 loadHalf16(const uint16_t *p)
{
  return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(p)));
}

// halvesLanesGroup with one 16-lane accumulator a query.
template <int G>
HEARTH_AVX512 inline void halvesLanesGroup512(const uint16_t *k, const float *const *q, size_t headDim, __m256 *out)
{
  __m512 acc[G];
  for (int g = 0; g < G; ++g)
    acc[g] = _mm512_setzero_ps();
  for (size_t c = 0; c < headDim; c += 16) {
    const __m512 kc = loadHalf16(k + c);
    for (int g = 0; g < G; ++g)
      acc[g] = _mm512_fmadd_ps(kc, _mm512_loadu_ps(q[g] + c), acc[g]);
  }
  for (int g = 0; g < G; ++g)
    out[g] = _mm256_add_ps(_mm512_castps512_ps256(acc[g]),
                           _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(acc[g]), 1)));
}

template <int G>
HEARTH_AVX512 void scoresLanesGroup512(const float *const *q, const uint16_t *k, size_t stride, size_t len,
                                       size_t headDim, float scale, float *const *scores, float *max)
{
  const __m256 scale8 = _mm256_set1_ps(scale);
  __m256 max8[G];
  for (int g = 0; g < G; ++g)
    max8[g] = _mm256_set1_ps(-INFINITY);
  size_t p = 0;
  for (; p + 8 <= len; p += 8) {
    __m256 h[G][8], one[G];
    for (int i = 0; i < 8; ++i) {
      halvesLanesGroup512<G>(k + (p + i) * stride, q, headDim, one);
      for (int g = 0; g < G; ++g)
        h[g][i] = one[g];
    }
    for (int g = 0; g < G; ++g) {
      const __m256 sc = _mm256_mul_ps(finishLaneSums8(h[g]), scale8);
      _mm256_storeu_ps(scores[g] + p, sc);
      max8[g] = _mm256_max_ps(max8[g], sc);
    }
  }
  for (int g = 0; g < G; ++g)
    max[g] = hmax(max8[g]);
  for (; p < len; ++p) {
    __m256 one[G];
    halvesLanesGroup512<G>(k + p * stride, q, headDim, one);
    for (int g = 0; g < G; ++g) {
      scores[g][p] = hsum(one[g]) * scale;
      max[g] = std::max(max[g], scores[g][p]);
    }
  }
}

// accumulateLanes' 16 classes for G queries at once, 16·C dims of each class row.
template <int G, int C>
HEARTH_AVX512 void accumulateClassGroup512(const float *const *w, const uint16_t *v, size_t stride, size_t len,
                                           size_t j, size_t d0, float *const *rows)
{
  __m512 acc[G][C];
  for (int g = 0; g < G; ++g)
    for (int c = 0; c < C; ++c)
      acc[g][c] = _mm512_setzero_ps();
  for (size_t p = j; p < len; p += 16) {
    __m512 vc[C];
    for (int c = 0; c < C; ++c)
      vc[c] = loadHalf16(v + p * stride + d0 + 16 * c);
    for (int g = 0; g < G; ++g) {
      const __m512 wp = _mm512_set1_ps(w[g][p]);
      for (int c = 0; c < C; ++c)
        acc[g][c] = _mm512_fmadd_ps(wp, vc[c], acc[g][c]);
    }
  }
  for (int g = 0; g < G; ++g)
    for (int c = 0; c < C; ++c)
      _mm512_storeu_ps(rows[g] + d0 + 16 * c, acc[g][c]);
}

template <int G>
HEARTH_AVX512 void attendGroupOf512(const float *const *qh, const uint16_t *k, const uint16_t *v, size_t stride,
                                    size_t len, size_t headDim, float scale, bool roundWeights, float *const *scores,
                                    float *const *lanes, float *const *out)
{
  float max[G];
  scoresLanesGroup512<G>(qh, k, stride, len, headDim, scale, scores, max);
  for (int g = 0; g < G; ++g)
    softmaxWeights(scores[g], len, max[g], roundWeights);
  const size_t used = std::min<size_t>(16, len);
  for (size_t j = 0; j < used; ++j) {
    float *rows[G];
    for (int g = 0; g < G; ++g)
      rows[g] = lanes[g] + j * headDim;
    for (size_t d0 = 0; d0 < headDim; d0 += 64)
      switch (std::min<size_t>(4, (headDim - d0) / 16)) {
      case 4: accumulateClassGroup512<G, 4>(scores, v, stride, len, j, d0, rows); break;
      case 3: accumulateClassGroup512<G, 3>(scores, v, stride, len, j, d0, rows); break;
      case 2: accumulateClassGroup512<G, 2>(scores, v, stride, len, j, d0, rows); break;
      default: accumulateClassGroup512<G, 1>(scores, v, stride, len, j, d0, rows); break;
      }
  }
  for (int g = 0; g < G; ++g)
    reduceLanes(lanes[g], headDim, false, used, out[g]);
}

HEARTH_AVX2 void attendGroup(const float *const *qh, size_t count, const uint16_t *k, const uint16_t *v,
                             size_t stride, size_t len, size_t headDim, float scale, bool roundWeights, bool wide,
                             float *const *scores, float *const *lanes, float *const *out)
{
  assert(headDim % 16 == 0);
  for (size_t g = 0; g < count; g += kAttendGroup) { // at most 4 queries' registers at once
    const size_t m = std::min(kAttendGroup, count - g);
    auto run = wide ? (m == 4   ? attendGroupOf512<4>
                       : m == 3 ? attendGroupOf512<3>
                       : m == 2 ? attendGroupOf512<2>
                                : attendGroupOf512<1>)
                    : (m == 4 ? attendGroupOf<4> : m == 3 ? attendGroupOf<3> : m == 2 ? attendGroupOf<2> : attendGroupOf<1>);
    run(qh + g, k, v, stride, len, headDim, scale, roundWeights, scores + g, lanes + g, out + g);
  }
}

} // namespace hearth::cpu::simd

#else // not x86: the portable paths in ops.cpp run instead

namespace hearth::cpu::simd {
bool cpuHasAvx2() { return false; }
void swigluVexp(const float *, const float *, float *, size_t) {}
void softmaxRow(float *, size_t) {}
void toHalf(const float *, uint16_t *, size_t) {}
void roundedCopy(const float *, float *, size_t, bool) {}
void attend(const float *, const uint16_t *, const uint16_t *, size_t, size_t, size_t, float, bool, bool, float *, float *,
            float *)
{
}
void attendGroup(const float *const *, size_t, const uint16_t *, const uint16_t *, size_t, size_t, size_t, float, bool,
                 bool, float *const *, float *const *, float *const *)
{
}
} // namespace hearth::cpu::simd

#endif
