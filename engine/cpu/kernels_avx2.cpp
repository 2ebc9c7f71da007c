// AVX2/FMA/F16C row kernels (kernels_x86.inc) and activation quantizers of the CPU matmul.
// Called only when the CPU has those instruction sets (matmul.cpp checks).
#include "cpu/kernels.h"

#include "ops/quant.h"

#include <cmath>
#include <cstring>

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

} // namespace

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
void quantizeQ8Avx2(const float *x, size_t cols, Q8Block *out) { quantizeQ8Portable(x, cols, out); }
void quantizeQ8KAvx2(const float *x, size_t cols, Q8KBlock *out) { quantizeQ8KPortable(x, cols, out); }
void roundHalfAvx2(const float *x, size_t cols, float *out)
{
  for (size_t c = 0; c < cols; ++c)
    out[c] = ops::halfToFloat(ops::floatToHalf(x[c]));
}
} // namespace hearth::cpu::kernels

#endif
