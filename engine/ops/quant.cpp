// Reference codecs of GGUF's tensor formats. Compiled with -ffp-contract=off: the
// dequantizers must round exactly as GGUF's definitions do (multiply, then add).
#include "ops/quant.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>

namespace hearth::ops {
namespace {

uint32_t floatBits(float f)
{
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

float bitsFloat(uint32_t u)
{
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// Round half away from zero, as C's roundf (GGUF's Q8_0 rounding).
int roundAway(float x) { return static_cast<int>(std::round(x)); }
// Round half to even (used only by the K-quant fits, where any rounding is valid).
int nearestInt(float x) { return static_cast<int>(std::nearbyint(x)); }

// ---- Q8_0 / Q4_0 / Q4_1 ----------------------------------------------------------------------

void dequantQ8_0(const BlockQ8_0 *b, float *y, size_t nb)
{
  for (size_t i = 0; i < nb; ++i) {
    const float d = halfToFloat(b[i].d);
    for (int j = 0; j < kQK; ++j)
      y[i * kQK + j] = d * static_cast<float>(b[i].qs[j]);
  }
}

void quantQ8_0(const float *x, BlockQ8_0 *b, size_t nb)
{
  for (size_t i = 0; i < nb; ++i, x += kQK) {
    float amax = 0.0f;
    for (int j = 0; j < kQK; ++j)
      amax = std::max(amax, std::fabs(x[j]));
    const float d = amax / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    b[i].d = floatToHalf(d);
    for (int j = 0; j < kQK; ++j)
      b[i].qs[j] = static_cast<int8_t>(roundAway(x[j] * id));
  }
}

void dequantQ4_0(const BlockQ4_0 *b, float *y, size_t nb)
{
  for (size_t i = 0; i < nb; ++i, y += kQK) {
    const float d = halfToFloat(b[i].d);
    for (int j = 0; j < kQK / 2; ++j) {
      y[j] = static_cast<float>((b[i].qs[j] & 0x0F) - 8) * d;
      y[j + kQK / 2] = static_cast<float>((b[i].qs[j] >> 4) - 8) * d;
    }
  }
}

void quantQ4_0(const float *x, BlockQ4_0 *b, size_t nb)
{
  for (size_t i = 0; i < nb; ++i, x += kQK) {
    float amax = 0.0f, max = 0.0f; // the value of largest magnitude, sign kept
    for (int j = 0; j < kQK; ++j) {
      if (amax < std::fabs(x[j])) {
        amax = std::fabs(x[j]);
        max = x[j];
      }
    }
    const float d = max / -8.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    b[i].d = floatToHalf(d);
    for (int j = 0; j < kQK / 2; ++j) {
      const int q0 = std::min(15, static_cast<int>(x[j] * id + 8.5f));
      const int q1 = std::min(15, static_cast<int>(x[j + kQK / 2] * id + 8.5f));
      b[i].qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
    }
  }
}

void dequantQ4_1(const BlockQ4_1 *b, float *y, size_t nb)
{
  for (size_t i = 0; i < nb; ++i, y += kQK) {
    const float d = halfToFloat(b[i].d);
    const float m = halfToFloat(b[i].m);
    for (int j = 0; j < kQK / 2; ++j) {
      y[j] = static_cast<float>(b[i].qs[j] & 0x0F) * d + m;
      y[j + kQK / 2] = static_cast<float>(b[i].qs[j] >> 4) * d + m;
    }
  }
}

void quantQ4_1(const float *x, BlockQ4_1 *b, size_t nb)
{
  for (size_t i = 0; i < nb; ++i, x += kQK) {
    float min = x[0], max = x[0];
    for (int j = 1; j < kQK; ++j) {
      min = std::min(min, x[j]);
      max = std::max(max, x[j]);
    }
    const float d = (max - min) / 15.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    b[i].d = floatToHalf(d);
    b[i].m = floatToHalf(min);
    for (int j = 0; j < kQK / 2; ++j) {
      const int q0 = std::min(15, static_cast<int>((x[j] - min) * id + 0.5f));
      const int q1 = std::min(15, static_cast<int>((x[j + kQK / 2] - min) * id + 0.5f));
      b[i].qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
    }
  }
}

// ---- Q4_K / Q5_K ---------------------------------------------------------------------------

void packScaleMinK4(const uint8_t *ls, const uint8_t *lm, uint8_t *scales)
{
  std::memset(scales, 0, kKScaleBytes);
  for (int j = 0; j < 8; ++j) {
    if (j < 4) {
      scales[j] = ls[j];
      scales[j + 4] = lm[j];
    } else {
      scales[j + 4] = static_cast<uint8_t>((ls[j] & 0x0F) | ((lm[j] & 0x0F) << 4));
      scales[j - 4] |= static_cast<uint8_t>((ls[j] >> 4) << 6);
      scales[j] |= static_cast<uint8_t>((lm[j] >> 4) << 6);
    }
  }
}

// Fits x = (d * sc[i]) * q - (dmin * m[i]) with q in [0, nmax] over 8 sub-blocks of 32:
// per sub-block min/max, then 6-bit scales and mins. Writes d, dmin, packed scales and
// the levels L[256].
void fitScaleMinK(const float *x, int nmax, uint16_t *d, uint16_t *dmin, uint8_t *scales,
                  uint8_t *L)
{
  float scale[8], minv[8], maxScale = 0.0f, maxMin = 0.0f;
  for (int i = 0; i < 8; ++i) {
    float mn = 0.0f, mx = x[32 * i]; // the min is never above zero (it is subtracted)
    for (int l = 0; l < 32; ++l) {
      mn = std::min(mn, x[32 * i + l]);
      mx = std::max(mx, x[32 * i + l]);
    }
    scale[i] = std::max(0.0f, mx - mn) / static_cast<float>(nmax);
    minv[i] = -mn;
    maxScale = std::max(maxScale, scale[i]);
    maxMin = std::max(maxMin, minv[i]);
  }
  const float inv = maxScale > 0.0f ? 63.0f / maxScale : 0.0f;
  const float invMin = maxMin > 0.0f ? 63.0f / maxMin : 0.0f;
  uint8_t ls[8], lm[8];
  for (int i = 0; i < 8; ++i) {
    ls[i] = static_cast<uint8_t>(std::min(63, nearestInt(inv * scale[i])));
    lm[i] = static_cast<uint8_t>(std::min(63, nearestInt(invMin * minv[i])));
  }
  *d = floatToHalf(maxScale / 63.0f);
  *dmin = floatToHalf(maxMin / 63.0f);
  packScaleMinK4(ls, lm, scales);
  const float df = halfToFloat(*d), dminf = halfToFloat(*dmin);
  for (int i = 0; i < 8; ++i) {
    const float dd = df * ls[i], dm = dminf * lm[i];
    for (int l = 0; l < 32; ++l) {
      const int q = dd > 0.0f ? nearestInt((x[32 * i + l] + dm) / dd) : 0;
      L[32 * i + l] = static_cast<uint8_t>(std::clamp(q, 0, nmax));
    }
  }
}

void dequantQ4_K(const BlockQ4_K *b, float *y, size_t nb)
{
  for (size_t i = 0; i < nb; ++i) {
    const float d = halfToFloat(b[i].d);
    const float min = halfToFloat(b[i].dmin);
    const uint8_t *q = b[i].qs;
    for (int j = 0, is = 0; j < kQKK; j += 64, is += 2, q += 32) {
      uint8_t sc, m;
      unpackScaleMinK4(is, b[i].scales, &sc, &m);
      const float d1 = d * sc, m1 = min * m;
      unpackScaleMinK4(is + 1, b[i].scales, &sc, &m);
      const float d2 = d * sc, m2 = min * m;
      for (int l = 0; l < 32; ++l)
        *y++ = d1 * static_cast<float>(q[l] & 0x0F) - m1;
      for (int l = 0; l < 32; ++l)
        *y++ = d2 * static_cast<float>(q[l] >> 4) - m2;
    }
  }
}

void quantQ4_K(const float *x, BlockQ4_K *b, size_t nb)
{
  uint8_t L[kQKK];
  for (size_t i = 0; i < nb; ++i, x += kQKK) {
    fitScaleMinK(x, 15, &b[i].d, &b[i].dmin, b[i].scales, L);
    for (int j = 0; j < kQKK; j += 64)
      for (int l = 0; l < 32; ++l)
        b[i].qs[j / 2 + l] = static_cast<uint8_t>(L[j + l] | (L[j + l + 32] << 4));
  }
}

void dequantQ5_K(const BlockQ5_K *b, float *y, size_t nb)
{
  for (size_t i = 0; i < nb; ++i) {
    const float d = halfToFloat(b[i].d);
    const float min = halfToFloat(b[i].dmin);
    const uint8_t *ql = b[i].qs;
    const uint8_t *qh = b[i].qh;
    unsigned u1 = 1, u2 = 2;
    for (int j = 0, is = 0; j < kQKK; j += 64, is += 2, ql += 32, u1 <<= 2, u2 <<= 2) {
      uint8_t sc, m;
      unpackScaleMinK4(is, b[i].scales, &sc, &m);
      const float d1 = d * sc, m1 = min * m;
      unpackScaleMinK4(is + 1, b[i].scales, &sc, &m);
      const float d2 = d * sc, m2 = min * m;
      for (int l = 0; l < 32; ++l)
        *y++ = d1 * static_cast<float>((ql[l] & 0x0F) + (qh[l] & u1 ? 16 : 0)) - m1;
      for (int l = 0; l < 32; ++l)
        *y++ = d2 * static_cast<float>((ql[l] >> 4) + (qh[l] & u2 ? 16 : 0)) - m2;
    }
  }
}

void quantQ5_K(const float *x, BlockQ5_K *b, size_t nb)
{
  uint8_t L[kQKK];
  for (size_t i = 0; i < nb; ++i, x += kQKK) {
    fitScaleMinK(x, 31, &b[i].d, &b[i].dmin, b[i].scales, L);
    std::memset(b[i].qh, 0, sizeof b[i].qh);
    for (int j = 0, n = 0; j < kQKK; j += 64, n += 2) {
      for (int l = 0; l < 32; ++l) {
        const int lo = L[j + l], hi = L[j + l + 32];
        b[i].qs[j / 2 + l] = static_cast<uint8_t>((lo & 0x0F) | ((hi & 0x0F) << 4));
        b[i].qh[l] |= static_cast<uint8_t>(((lo >> 4) << n) | ((hi >> 4) << (n + 1)));
      }
    }
  }
}

// ---- Q6_K ------------------------------------------------------------------------------------

void dequantQ6_K(const BlockQ6_K *b, float *y, size_t nb)
{
  for (size_t i = 0; i < nb; ++i) {
    const float d = halfToFloat(b[i].d);
    const uint8_t *ql = b[i].ql;
    const uint8_t *qh = b[i].qh;
    const int8_t *sc = b[i].scales;
    for (int n = 0; n < kQKK; n += 128, y += 128, ql += 64, qh += 32, sc += 8) {
      for (int l = 0; l < 32; ++l) {
        const int is = l / 16;
        const int q1 = ((ql[l] & 0x0F) | (((qh[l] >> 0) & 3) << 4)) - 32;
        const int q2 = ((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) - 32;
        const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
        const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
        y[l] = d * sc[is] * static_cast<float>(q1);
        y[l + 32] = d * sc[is + 2] * static_cast<float>(q2);
        y[l + 64] = d * sc[is + 4] * static_cast<float>(q3);
        y[l + 96] = d * sc[is + 6] * static_cast<float>(q4);
      }
    }
  }
}

void quantQ6_K(const float *x, BlockQ6_K *b, size_t nb)
{
  uint8_t L[kQKK];
  for (size_t i = 0; i < nb; ++i, x += kQKK) {
    // Per 16-element sub-block: the signed value of largest magnitude maps to -32.
    float scale[16], maxScale = 0.0f, amaxScale = 0.0f;
    for (int s = 0; s < 16; ++s) {
      float amax = 0.0f, max = 0.0f;
      for (int l = 0; l < 16; ++l) {
        const float v = x[16 * s + l];
        if (amax < std::fabs(v)) {
          amax = std::fabs(v);
          max = v;
        }
      }
      scale[s] = max / -32.0f;
      if (amaxScale < std::fabs(scale[s])) {
        amaxScale = std::fabs(scale[s]);
        maxScale = scale[s];
      }
    }
    const float iscale = maxScale != 0.0f ? -128.0f / maxScale : 0.0f;
    b[i].d = floatToHalf(iscale != 0.0f ? 1.0f / iscale : 0.0f);
    const float d = halfToFloat(b[i].d);
    for (int s = 0; s < 16; ++s) {
      b[i].scales[s] = static_cast<int8_t>(std::clamp(nearestInt(iscale * scale[s]), -128, 127));
      const float ds = d * b[i].scales[s];
      for (int l = 0; l < 16; ++l) {
        const int q = ds != 0.0f ? nearestInt(x[16 * s + l] / ds) : 0;
        L[16 * s + l] = static_cast<uint8_t>(std::clamp(q, -32, 31) + 32);
      }
    }
    uint8_t *ql = b[i].ql, *qh = b[i].qh;
    for (int j = 0; j < kQKK; j += 128, ql += 64, qh += 32) {
      for (int l = 0; l < 32; ++l) {
        const int q1 = L[j + l], q2 = L[j + l + 32], q3 = L[j + l + 64], q4 = L[j + l + 96];
        ql[l] = static_cast<uint8_t>((q1 & 0x0F) | ((q3 & 0x0F) << 4));
        ql[l + 32] = static_cast<uint8_t>((q2 & 0x0F) | ((q4 & 0x0F) << 4));
        qh[l] = static_cast<uint8_t>((q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) |
                                     ((q4 >> 4) << 6));
      }
    }
  }
}

} // namespace

// ---- half / bfloat16 -------------------------------------------------------------------------

float halfToFloat(uint16_t h)
{
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  const uint32_t exp = (h >> 10) & 0x1F;
  uint32_t mant = h & 0x03FF;
  if (exp == 0) {
    if (mant == 0)
      return bitsFloat(sign);
    int e = -1; // subnormal: normalize
    do {
      ++e;
      mant <<= 1;
    } while (!(mant & 0x0400));
    mant &= 0x03FF;
    return bitsFloat(sign | static_cast<uint32_t>(112 - e) << 23 | mant << 13);
  }
  if (exp == 31)
    return bitsFloat(sign | 0x7F800000u | mant << 13);
  return bitsFloat(sign | (exp + 112) << 23 | mant << 13);
}

uint16_t floatToHalf(float f)
{
  const uint32_t x = floatBits(f);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000);
  const uint32_t ax = x & 0x7FFFFFFF;
  if (ax > 0x7F800000) // NaN: quiet, keep the top payload bits
    return static_cast<uint16_t>(sign | 0x7E00 | ((ax >> 13) & 0x03FF));
  if (ax >= 0x47800000) // >= 65536 (and infinity)
    return static_cast<uint16_t>(sign | 0x7C00);
  if (ax >= 0x38800000) { // normal half: rebias, round to nearest even (may carry to inf)
    uint32_t r = ax - (112u << 23);
    r += 0x0FFF + ((r >> 13) & 1);
    return static_cast<uint16_t>(sign | (r >> 13));
  }
  // Subnormal half (or zero): units of 2^-24, scaling by 2^24 is exact.
  const float units = std::fabs(f) * 16777216.0f;
  return static_cast<uint16_t>(sign | static_cast<uint16_t>(std::nearbyint(units)));
}

float bf16ToFloat(uint16_t b) { return bitsFloat(static_cast<uint32_t>(b) << 16); }

uint16_t floatToBf16(float f)
{
  const uint32_t x = floatBits(f);
  if ((x & 0x7FFFFFFF) > 0x7F800000)
    return static_cast<uint16_t>((x >> 16) | 64);
  return static_cast<uint16_t>((static_cast<uint64_t>(x) + (0x7FFF + ((x >> 16) & 1))) >> 16);
}

void unpackScaleMinK4(int j, const uint8_t *q, uint8_t *scale, uint8_t *min)
{
  if (j < 4) {
    *scale = q[j] & 63;
    *min = q[j + 4] & 63;
  } else {
    *scale = static_cast<uint8_t>((q[j + 4] & 0x0F) | ((q[j - 4] >> 6) << 4));
    *min = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
  }
}

// ---- dispatch --------------------------------------------------------------------------------

bool isSupportedType(TensorType type)
{
  switch (type) {
  case TensorType::F32:
  case TensorType::F16:
  case TensorType::BF16:
  case TensorType::Q8_0:
  case TensorType::Q4_0:
  case TensorType::Q4_1:
  case TensorType::Q4_K:
  case TensorType::Q5_K:
  case TensorType::Q6_K:
    return true;
  default:
    return false;
  }
}

size_t rowBytes(TensorType type, size_t n)
{
  const TensorTypeInfo info = tensorTypeInfo(type);
  assert(n % info.blockElements == 0);
  return n / info.blockElements * info.blockBytes;
}

void dequantizeRow(TensorType type, const void *src, float *dst, size_t n)
{
  assert(isSupportedType(type));
  const size_t nb = n / tensorTypeInfo(type).blockElements;
  assert(nb * tensorTypeInfo(type).blockElements == n);
  const auto *u16 = static_cast<const uint16_t *>(src);
  switch (type) {
  case TensorType::F32: std::memcpy(dst, src, n * sizeof(float)); break;
  case TensorType::F16: for (size_t i = 0; i < n; ++i) dst[i] = halfToFloat(u16[i]); break;
  case TensorType::BF16: for (size_t i = 0; i < n; ++i) dst[i] = bf16ToFloat(u16[i]); break;
  case TensorType::Q8_0: dequantQ8_0(static_cast<const BlockQ8_0 *>(src), dst, nb); break;
  case TensorType::Q4_0: dequantQ4_0(static_cast<const BlockQ4_0 *>(src), dst, nb); break;
  case TensorType::Q4_1: dequantQ4_1(static_cast<const BlockQ4_1 *>(src), dst, nb); break;
  case TensorType::Q4_K: dequantQ4_K(static_cast<const BlockQ4_K *>(src), dst, nb); break;
  case TensorType::Q5_K: dequantQ5_K(static_cast<const BlockQ5_K *>(src), dst, nb); break;
  case TensorType::Q6_K: dequantQ6_K(static_cast<const BlockQ6_K *>(src), dst, nb); break;
  default: break;
  }
}

void quantizeRow(TensorType type, const float *src, void *dst, size_t n)
{
  assert(isSupportedType(type));
  const size_t nb = n / tensorTypeInfo(type).blockElements;
  assert(nb * tensorTypeInfo(type).blockElements == n);
  auto *u16 = static_cast<uint16_t *>(dst);
  switch (type) {
  case TensorType::F32: std::memcpy(dst, src, n * sizeof(float)); break;
  case TensorType::F16: for (size_t i = 0; i < n; ++i) u16[i] = floatToHalf(src[i]); break;
  case TensorType::BF16: for (size_t i = 0; i < n; ++i) u16[i] = floatToBf16(src[i]); break;
  case TensorType::Q8_0: quantQ8_0(src, static_cast<BlockQ8_0 *>(dst), nb); break;
  case TensorType::Q4_0: quantQ4_0(src, static_cast<BlockQ4_0 *>(dst), nb); break;
  case TensorType::Q4_1: quantQ4_1(src, static_cast<BlockQ4_1 *>(dst), nb); break;
  case TensorType::Q4_K: quantQ4_K(src, static_cast<BlockQ4_K *>(dst), nb); break;
  case TensorType::Q5_K: quantQ5_K(src, static_cast<BlockQ5_K *>(dst), nb); break;
  case TensorType::Q6_K: quantQ6_K(src, static_cast<BlockQ6_K *>(dst), nb); break;
  default: break;
  }
}

} // namespace hearth::ops
