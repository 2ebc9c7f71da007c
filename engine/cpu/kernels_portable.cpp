// Portable row kernels and activation quantizers of the CPU matmul (see kernels.h): plain
// C++ for any CPU, the fallback of the SIMD paths and their check in the tests.
#include "cpu/kernels.h"

#include "ops/quant.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>

namespace hearth::cpu::kernels {
namespace {

using ops::BlockQ4_0;
using ops::BlockQ4_1;
using ops::BlockQ4_K;
using ops::BlockQ5_K;
using ops::BlockQ6_K;
using ops::BlockQ8_0;
using ops::halfToFloat;

template <typename Block>
const Block *blocksOf(const void *row)
{
  return static_cast<const Block *>(row);
}

// The 32-block types as ops::ref::Rounding::Ggml computes them: per block the exact integer
// dot product, then per output, serially over the blocks, c = fma(float(isum), dw·dx, c)
// (Q4_1: then c = fma(m, s_x, c)).
int isumOf(const BlockQ8_0 &b, const int8_t *q)
{
  int sum = 0;
  for (int j = 0; j < 32; ++j)
    sum += int(b.qs[j]) * int(q[j]);
  return sum;
}

int isumOf(const BlockQ4_0 &b, const int8_t *q)
{
  int sum = 0;
  for (int j = 0; j < 16; ++j)
    sum += ((b.qs[j] & 0x0F) - 8) * q[j] + ((b.qs[j] >> 4) - 8) * q[j + 16];
  return sum;
}

int isumOf(const BlockQ4_1 &b, const int8_t *q)
{
  int sum = 0;
  for (int j = 0; j < 16; ++j)
    sum += (b.qs[j] & 0x0F) * q[j] + (b.qs[j] >> 4) * q[j + 16];
  return sum;
}

template <typename Block>
void dot32(const void *w, const void *x, size_t xs, size_t nb, size_t tokens, float *out)
{
  const auto *b = blocksOf<Block>(w);
  for (size_t t = 0; t < tokens; ++t) {
    const auto *a = tokenOf<Q8Block>(x, xs, t);
    float c = 0.0f;
    for (size_t i = 0; i < nb; ++i) {
      c = std::fma(float(isumOf(b[i], a[i].q)), halfToFloat(b[i].d) * a[i].d, c);
      if constexpr (std::is_same_v<Block, BlockQ4_1>)
        c = std::fma(halfToFloat(b[i].m), a[i].s, c);
    }
    out[t] = c;
  }
}

// A K-quant super-block as unsigned levels w[256] (element order), one integer scale per
// sub-block of `sub` elements and one bias coefficient per 16 elements: the block's dot
// with Q8_K values is d · Σ_s scale_s · Σ w·q − dBias · Σ_g bias_g · bsum_g.
struct UnpackedK {
  uint8_t w[256];
  int scale[16];
  int sub; // 32 (Q4_K, Q5_K) or 16 (Q6_K)
  int bias[16];
  float d, dBias;
};

void unpackQ4_K(const BlockQ4_K &b, const uint8_t *qh, UnpackedK &u)
{
  uint8_t sm[16];
  unpackScalesK4(b.scales, sm);
  for (int c = 0; c < 4; ++c)
    for (int l = 0; l < 32; ++l) {
      const uint8_t v = b.qs[32 * c + l];
      u.w[64 * c + l] = uint8_t((v & 0x0F) | (qh ? ((qh[l] >> (2 * c)) & 1) << 4 : 0));
      u.w[64 * c + 32 + l] = uint8_t((v >> 4) | (qh ? ((qh[l] >> (2 * c + 1)) & 1) << 4 : 0));
    }
  for (int j = 0; j < 8; ++j) {
    u.scale[j] = sm[j];
    u.bias[2 * j] = u.bias[2 * j + 1] = sm[8 + j];
  }
  u.sub = 32;
  u.d = halfToFloat(b.d);
  u.dBias = halfToFloat(b.dmin);
}

void unpackQ6_K(const BlockQ6_K &b, UnpackedK &u)
{
  for (int h = 0; h < 2; ++h) {
    const uint8_t *ql = b.ql + 64 * h, *qh = b.qh + 32 * h;
    uint8_t *w = u.w + 128 * h;
    for (int l = 0; l < 32; ++l) {
      w[l] = uint8_t((ql[l] & 0x0F) | ((qh[l] & 3) << 4));
      w[l + 32] = uint8_t((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4));
      w[l + 64] = uint8_t((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4));
      w[l + 96] = uint8_t((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4));
    }
  }
  for (int s = 0; s < 16; ++s) {
    u.scale[s] = b.scales[s];
    u.bias[s] = 32 * b.scales[s];
  }
  u.sub = 16;
  u.d = u.dBias = halfToFloat(b.d);
}

float dotUnpacked(const UnpackedK &u, const Q8KBlock &a)
{
  int sum = 0;
  for (int s = 0; s < 256 / u.sub; ++s) {
    int part = 0;
    for (int e = s * u.sub; e < (s + 1) * u.sub; ++e)
      part += int(u.w[e]) * int(a.q[e]);
    sum += u.scale[s] * part;
  }
  int bias = 0;
  for (int g = 0; g < 16; ++g)
    bias += u.bias[g] * a.bsums[g];
  return a.d * (u.d * float(sum) - u.dBias * float(bias));
}

template <typename Block, void (*Unpack)(const Block &, UnpackedK &)>
void dotK(const void *w, const void *x, size_t xs, size_t nb, size_t tokens, float *out)
{
  const auto *b = blocksOf<Block>(w);
  float acc[kMaxTokens] = {};
  UnpackedK u;
  for (size_t i = 0; i < nb; ++i) {
    Unpack(b[i], u);
    for (size_t t = 0; t < tokens; ++t)
      acc[t] += dotUnpacked(u, tokenOf<Q8KBlock>(x, xs, t)[i]);
  }
  std::copy_n(acc, tokens, out);
}

void unpackQ4_KOnly(const BlockQ4_K &b, UnpackedK &u) { unpackQ4_K(b, nullptr, u); }
void unpackQ5_K(const BlockQ5_K &b, UnpackedK &u)
{
  // Q5_K is Q4_K's layout with qh inserted before qs.
  BlockQ4_K q4;
  q4.d = b.d;
  q4.dmin = b.dmin;
  std::memcpy(q4.scales, b.scales, sizeof q4.scales);
  std::memcpy(q4.qs, b.qs, sizeof q4.qs);
  unpackQ4_K(q4, b.qh, u);
}

// F32/F16/BF16 rows: activations already rounded as the type's Ggml partner format.
template <float (*Load)(const void *, size_t)>
void dotFloat(const void *w, const void *x, size_t xs, size_t cols, size_t tokens, float *out)
{
  for (size_t t = 0; t < tokens; ++t) {
    const float *a = tokenOf<float>(x, xs, t);
    float s[8] = {};
    size_t c = 0;
    for (; c + 8 <= cols; c += 8)
      for (int k = 0; k < 8; ++k)
        s[k] += Load(w, c + k) * a[c + k];
    for (; c < cols; ++c)
      s[0] += Load(w, c) * a[c];
    out[t] = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
  }
}

float loadF32(const void *w, size_t i) { return static_cast<const float *>(w)[i]; }
float loadF16(const void *w, size_t i) { return halfToFloat(static_cast<const uint16_t *>(w)[i]); }
float loadBF16(const void *w, size_t i) { return ops::bf16ToFloat(static_cast<const uint16_t *>(w)[i]); }

} // namespace

void unpackScalesK4(const uint8_t *packed, uint8_t *out16)
{
  for (int j = 0; j < 8; ++j)
    ops::unpackScaleMinK4(j, packed, &out16[j], &out16[8 + j]);
}

Activations activationsFor(TensorType type)
{
  switch (type) {
  case TensorType::Q8_0:
  case TensorType::Q4_0:
  case TensorType::Q4_1: return Activations::Q8;
  case TensorType::Q4_K:
  case TensorType::Q5_K:
  case TensorType::Q6_K: return Activations::Q8K;
  case TensorType::F16: return Activations::F16;
  case TensorType::BF16: return Activations::BF16;
  default: return Activations::F32;
  }
}

RowDot portableKernel(TensorType type)
{
  switch (type) {
  case TensorType::Q8_0: return dot32<BlockQ8_0>;
  case TensorType::Q4_0: return dot32<BlockQ4_0>;
  case TensorType::Q4_1: return dot32<BlockQ4_1>;
  case TensorType::Q4_K: return dotK<BlockQ4_K, unpackQ4_KOnly>;
  case TensorType::Q5_K: return dotK<BlockQ5_K, unpackQ5_K>;
  case TensorType::Q6_K: return dotK<BlockQ6_K, unpackQ6_K>;
  case TensorType::F32: return dotFloat<loadF32>;
  case TensorType::F16: return dotFloat<loadF16>;
  case TensorType::BF16: return dotFloat<loadBF16>;
  default: return nullptr;
  }
}

void quantizeQ8Portable(const float *x, size_t cols, Q8Block *out)
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

// q = min(127, round-to-even(x · −127/max)) with max the signed value of largest
// magnitude (the first one on ties), d = 1 / (−127/max): ops::ref's Q8_K rounding.
void quantizeQ8KPortable(const float *x, size_t cols, Q8KBlock *out)
{
  for (size_t b = 0; b < cols / 256; ++b, x += 256) {
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < 256; ++j)
      if (std::fabs(x[j]) > amax) {
        amax = std::fabs(x[j]);
        max = x[j];
      }
    const float iscale = amax != 0.0f ? -127.0f / max : 0.0f;
    for (int j = 0; j < 256; ++j)
      out[b].q[j] = int8_t(std::min(127.0f, std::nearbyint(iscale * x[j])));
    for (int g = 0; g < 16; ++g) {
      int sum = 0;
      for (int j = 0; j < 16; ++j)
        sum += out[b].q[16 * g + j];
      out[b].bsums[g] = int16_t(sum);
    }
    out[b].d = amax != 0.0f ? 1.0f / iscale : 0.0f;
  }
}

size_t activationBytes(Activations format, size_t cols)
{
  switch (format) {
  case Activations::Q8: return cols / 32 * sizeof(Q8Block);
  case Activations::Q8K: return cols / 256 * sizeof(Q8KBlock);
  default: return cols * sizeof(float);
  }
}

void quantizeActivations(Activations format, const float *x, size_t cols, void *out, Isa isa)
{
  const bool avx2 = isa != Isa::Portable;
  auto *f = static_cast<float *>(out);
  switch (format) {
  case Activations::Q8:
    return avx2 ? quantizeQ8Avx2(x, cols, static_cast<Q8Block *>(out))
                : quantizeQ8Portable(x, cols, static_cast<Q8Block *>(out));
  case Activations::Q8K:
    return avx2 ? quantizeQ8KAvx2(x, cols, static_cast<Q8KBlock *>(out))
                : quantizeQ8KPortable(x, cols, static_cast<Q8KBlock *>(out));
  case Activations::F32: std::copy_n(x, cols, f); return;
  case Activations::F16:
    if (avx2)
      return roundHalfAvx2(x, cols, f);
    for (size_t c = 0; c < cols; ++c)
      f[c] = halfToFloat(ops::floatToHalf(x[c]));
    return;
  case Activations::BF16:
    for (size_t c = 0; c < cols; ++c)
      f[c] = ops::bf16ToFloat(ops::floatToBf16(x[c]));
    return;
  }
}

} // namespace hearth::cpu::kernels
