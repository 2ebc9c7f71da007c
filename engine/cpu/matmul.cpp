#include "cpu/matmul.h"

#include "ops/quant.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HEARTH_X86 1
#endif

namespace hearth::cpu {
namespace {

using ops::BlockQ4_0;
using ops::BlockQ4_1;
using ops::BlockQ8_0;
using ops::halfToFloat;

// One token's activations as 8-bit blocks of 32.
struct Q8Block {
  float d;      // half(amax / 127), widened
  float s;      // half(d_float · Σq): the block sum a Q4_1 min multiplies
  int8_t q[32];
};

void quantizeQ8(const float *x, size_t cols, Q8Block *out)
{
  for (size_t b = 0; b < cols / 32; ++b, x += 32) {
    float amax = 0.0f;
    for (int j = 0; j < 32; ++j)
      amax = std::max(amax, std::fabs(x[j]));
    const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
    const float d = amax / 127.0f;
    int sum = 0;
    for (int j = 0; j < 32; ++j) {
      const int q = int(std::nearbyint(x[j] * id));
      out[b].q[j] = int8_t(q);
      sum += q;
    }
    out[b].d = halfToFloat(ops::floatToHalf(d));
    out[b].s = halfToFloat(ops::floatToHalf(d * float(sum)));
  }
}

// ---- portable block dots -------------------------------------------------------------------

float dotQ8_0(const void *w, const Q8Block *x, size_t nb)
{
  const auto *b = static_cast<const BlockQ8_0 *>(w);
  float acc = 0.0f;
  for (size_t i = 0; i < nb; ++i) {
    int sum = 0;
    for (int j = 0; j < 32; ++j)
      sum += int(b[i].qs[j]) * int(x[i].q[j]);
    acc += halfToFloat(b[i].d) * x[i].d * float(sum);
  }
  return acc;
}

float dotQ4_0(const void *w, const Q8Block *x, size_t nb)
{
  const auto *b = static_cast<const BlockQ4_0 *>(w);
  float acc = 0.0f;
  for (size_t i = 0; i < nb; ++i) {
    int sum = 0;
    for (int j = 0; j < 16; ++j)
      sum += ((b[i].qs[j] & 0x0F) - 8) * x[i].q[j] + ((b[i].qs[j] >> 4) - 8) * x[i].q[j + 16];
    acc += halfToFloat(b[i].d) * x[i].d * float(sum);
  }
  return acc;
}

float dotQ4_1(const void *w, const Q8Block *x, size_t nb)
{
  const auto *b = static_cast<const BlockQ4_1 *>(w);
  float acc = 0.0f;
  for (size_t i = 0; i < nb; ++i) {
    int sum = 0;
    for (int j = 0; j < 16; ++j)
      sum += (b[i].qs[j] & 0x0F) * x[i].q[j] + (b[i].qs[j] >> 4) * x[i].q[j + 16];
    acc += halfToFloat(b[i].d) * x[i].d * float(sum) + halfToFloat(b[i].m) * x[i].s;
  }
  return acc;
}

// ---- AVX2 / FMA block dots -----------------------------------------------------------------
#if HEARTH_X86
#define HEARTH_AVX2 __attribute__((target("avx2,fma,f16c")))

HEARTH_AVX2 inline float hsum(__m256 v)
{
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// Σ a·b over 32 signed bytes as 8 float lanes (maddubs wants an unsigned first operand:
// |a| and b with a's sign moved onto it).
HEARTH_AVX2 inline __m256 dotSigned(__m256i a, __m256i b)
{
  const __m256i products = _mm256_maddubs_epi16(_mm256_sign_epi8(a, a), _mm256_sign_epi8(b, a));
  return _mm256_cvtepi32_ps(_mm256_madd_epi16(products, _mm256_set1_epi16(1)));
}

HEARTH_AVX2 inline __m256i nibbles(const uint8_t *qs) // 16 bytes -> 32 values 0..15
{
  const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i *>(qs));
  const __m128i mask = _mm_set1_epi8(0x0F);
  return _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(raw, 4), mask), _mm_and_si128(raw, mask));
}

HEARTH_AVX2 float dotQ8_0Avx2(const void *w, const Q8Block *x, size_t nb)
{
  const auto *b = static_cast<const BlockQ8_0 *>(w);
  __m256 acc = _mm256_setzero_ps();
  for (size_t i = 0; i < nb; ++i) {
    const __m256i qw = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(b[i].qs));
    const __m256i qx = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(x[i].q));
    const __m256 scale = _mm256_set1_ps(halfToFloat(b[i].d) * x[i].d);
    acc = _mm256_fmadd_ps(scale, dotSigned(qw, qx), acc);
  }
  return hsum(acc);
}

HEARTH_AVX2 float dotQ4_0Avx2(const void *w, const Q8Block *x, size_t nb)
{
  const auto *b = static_cast<const BlockQ4_0 *>(w);
  __m256 acc = _mm256_setzero_ps();
  for (size_t i = 0; i < nb; ++i) {
    const __m256i qw = _mm256_sub_epi8(nibbles(b[i].qs), _mm256_set1_epi8(8));
    const __m256i qx = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(x[i].q));
    const __m256 scale = _mm256_set1_ps(halfToFloat(b[i].d) * x[i].d);
    acc = _mm256_fmadd_ps(scale, dotSigned(qw, qx), acc);
  }
  return hsum(acc);
}

HEARTH_AVX2 float dotQ4_1Avx2(const void *w, const Q8Block *x, size_t nb)
{
  const auto *b = static_cast<const BlockQ4_1 *>(w);
  __m256 acc = _mm256_setzero_ps();
  float mins = 0.0f;
  for (size_t i = 0; i < nb; ++i) {
    const __m256i qx = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(x[i].q));
    const __m256i products = _mm256_maddubs_epi16(nibbles(b[i].qs), qx); // unsigned × signed
    const __m256 sums = _mm256_cvtepi32_ps(_mm256_madd_epi16(products, _mm256_set1_epi16(1)));
    acc = _mm256_fmadd_ps(_mm256_set1_ps(halfToFloat(b[i].d) * x[i].d), sums, acc);
    mins += halfToFloat(b[i].m) * x[i].s;
  }
  return hsum(acc) + mins;
}
#endif

using BlockDot = float (*)(const void *, const Q8Block *, size_t);

BlockDot blockDot(TensorType type, Isa isa)
{
#if HEARTH_X86
  if (isa == Isa::Avx2) {
    switch (type) {
    case TensorType::Q8_0: return dotQ8_0Avx2;
    case TensorType::Q4_0: return dotQ4_0Avx2;
    case TensorType::Q4_1: return dotQ4_1Avx2;
    default: return nullptr;
    }
  }
#endif
  (void)isa;
  switch (type) {
  case TensorType::Q8_0: return dotQ8_0;
  case TensorType::Q4_0: return dotQ4_0;
  case TensorType::Q4_1: return dotQ4_1;
  default: return nullptr;
  }
}

float dotF32(const float *a, const float *b, size_t n)
{
  float s[8] = {};
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; ++k)
      s[k] += a[i + k] * b[i + k];
  for (; i < n; ++i)
    s[0] += a[i] * b[i];
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

} // namespace

Isa detectIsa()
{
#if HEARTH_X86
  static const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                           __builtin_cpu_supports("f16c");
  return avx2 ? Isa::Avx2 : Isa::Portable;
#else
  return Isa::Portable;
#endif
}

const char *isaName(Isa isa) { return isa == Isa::Avx2 ? "AVX2" : "portable"; }

void matmul(TensorType type, const void *w, size_t rows, size_t cols, const float *x, float *y,
            size_t n, ThreadPool &pool, Isa isa)
{
  const size_t stride = ops::rowBytes(type, cols);
  const auto *base = static_cast<const std::byte *>(w);
  if (const BlockDot dot = blockDot(type, isa)) {
    const size_t nb = cols / 32;
    std::vector<Q8Block> xq(n * nb);
    pool.parallelFor(n, [&](size_t begin, size_t end) {
      for (size_t t = begin; t < end; ++t)
        quantizeQ8(x + t * cols, cols, &xq[t * nb]);
    });
    pool.parallelFor(rows, [&](size_t begin, size_t end) {
      for (size_t r = begin; r < end; ++r)
        for (size_t t = 0; t < n; ++t)
          y[t * rows + r] = dot(base + r * stride, &xq[t * nb], nb);
    });
    return;
  }
  pool.parallelFor(rows, [&](size_t begin, size_t end) {
    std::vector<float> row(cols);
    for (size_t r = begin; r < end; ++r) {
      ops::dequantizeRow(type, base + r * stride, row.data(), cols);
      for (size_t t = 0; t < n; ++t)
        y[t * rows + r] = dotF32(row.data(), x + t * cols, cols);
    }
  });
}

} // namespace hearth::cpu
