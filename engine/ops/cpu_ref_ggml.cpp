// Rounding::Ggml's arithmetic (see cpu_ref_ggml.h). Compiled without contraction: every
// fused multiply-add here is an explicit std::fma, every other product rounds on its own.
#include "ops/cpu_ref_ggml.h"

#include "ops/quant.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <vector>

namespace hearth::ops::ref::ggml {
namespace {

constexpr size_t kLanes = 16; // fp32 lanes of a 512-bit vector

float roundHalf(float x) { return halfToFloat(floatToHalf(x)); }

} // namespace

float laneSum(const float *v)
{
  float h[8], q[4];
  for (size_t i = 0; i < 8; ++i)
    h[i] = v[i] + v[i + 8];
  for (size_t i = 0; i < 4; ++i)
    q[i] = h[i] + h[i + 4];
  return (q[0] + q[2]) + (q[1] + q[3]);
}

namespace {

// ---- 8-bit activation blocks ---------------------------------------------------------------

// One row of activations as 32-blocks: q = round-to-even(x · 127/amax), d = half(amax/127),
// s = half((amax/127) · Σq) (the block sum Q4_1 products need).
struct Q8Row {
  std::vector<int8_t> q; // [cols]
  std::vector<float> d;  // [cols / 32], f16 values
  std::vector<float> s;  // [cols / 32], f16 values
};

void quantizeRow(const float *x, size_t cols, Q8Row &r)
{
  const size_t nb = cols / kQK;
  r.q.resize(cols);
  r.d.resize(nb);
  r.s.resize(nb);
  for (size_t b = 0; b < nb; ++b) {
    const float *xb = x + b * kQK;
    float amax = 0.0f;
    for (int j = 0; j < kQK; ++j)
      amax = std::max(amax, std::fabs(xb[j]));
    const float d = amax / 127.0f;
    const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
    int sum = 0;
    for (int j = 0; j < kQK; ++j) {
      const int q = int(std::nearbyint(xb[j] * id));
      r.q[b * kQK + j] = int8_t(q);
      sum += q;
    }
    r.d[b] = roundHalf(d);
    r.s[b] = roundHalf(d * float(sum));
  }
}

// Σ_b over the blocks of one weight row, in order: c = fma(Σ w·q, d_w·d_x, c), and for Q4_1
// c = fma(m_w, s_x, c).
float rowDot(TensorType type, const std::byte *w, const Q8Row &x, size_t nb)
{
  float c = 0.0f;
  for (size_t b = 0; b < nb; ++b) {
    const int8_t *q = x.q.data() + b * kQK;
    int isum = 0;
    float dw = 0.0f;
    if (type == TensorType::Q8_0) {
      const auto &blk = reinterpret_cast<const BlockQ8_0 *>(w)[b];
      for (int j = 0; j < kQK; ++j)
        isum += int(blk.qs[j]) * q[j];
      dw = halfToFloat(blk.d);
    } else if (type == TensorType::Q4_0) {
      const auto &blk = reinterpret_cast<const BlockQ4_0 *>(w)[b];
      for (int j = 0; j < kQK / 2; ++j)
        isum += (int(blk.qs[j] & 15) - 8) * q[j] + (int(blk.qs[j] >> 4) - 8) * q[j + kQK / 2];
      dw = halfToFloat(blk.d);
    } else {
      const auto &blk = reinterpret_cast<const BlockQ4_1 *>(w)[b];
      for (int j = 0; j < kQK / 2; ++j)
        isum += int(blk.qs[j] & 15) * q[j] + int(blk.qs[j] >> 4) * q[j + kQK / 2];
      dw = halfToFloat(blk.d);
    }
    c = std::fma(float(isum), dw * x.d[b], c);
    if (type == TensorType::Q4_1)
      c = std::fma(halfToFloat(reinterpret_cast<const BlockQ4_1 *>(w)[b].m), x.s[b], c);
  }
  return c;
}

// ---- f16 dot products of attention ---------------------------------------------------------
// Products of two f16 values are exact in fp32, so a lane's fused multiply-add equals a
// float addition of the product.

// Prefill (a batch of ≥ 2 tokens): lane j accumulates elements j, j+16, j+32, … in order;
// then the lanes are summed as a tree. len must be a multiple of 16 (zero-padded).
float dotLanes(const float *a, const float *b, size_t len)
{
  float acc[kLanes] = {};
  for (size_t l = 0; l < len; l += kLanes)
    for (size_t j = 0; j < kLanes; ++j)
      acc[j] += a[l + j] * b[l + j];
  return laneSum(acc);
}

// Decode (one token): four 16-lane accumulators over 64-element steps, combined pairwise
// (0+2, 1+3, then 0+1) and tree-summed; the elements past the last full step are added one
// by one in double.
float dotSteps(const float *a, const float *b, size_t len)
{
  const size_t steps = len / (4 * kLanes) * (4 * kLanes);
  float acc[4][kLanes] = {};
  for (size_t i = 0; i < steps; i += 4 * kLanes)
    for (size_t k = 0; k < 4; ++k)
      for (size_t j = 0; j < kLanes; ++j)
        acc[k][j] += a[i + k * kLanes + j] * b[i + k * kLanes + j];
  for (size_t j = 0; j < kLanes; ++j) {
    acc[0][j] += acc[2][j];
    acc[1][j] += acc[3][j];
    acc[0][j] += acc[1][j];
  }
  double sum = laneSum(acc[0]);
  for (size_t i = steps; i < len; ++i)
    sum += double(a[i] * b[i]);
  return float(sum);
}

size_t roundUp(size_t x, size_t m) { return (x + m - 1) / m * m; }

} // namespace

float vexp(float x)
{
  // exp(x) = 2^n · p(b) with n = round(x·log2 e) and b = x − n·ln 2 in two parts.
  const float shifter = 0x1.8p23f;
  const float z = std::fma(x, 0x1.715476p+0f, shifter);
  const float n = z - shifter;
  const float b = std::fma(-n, 0x1.7f7d1cp-20f, std::fma(-n, 0x1.62e4p-1f, x));
  if (std::fabs(n) > 192.0f)
    return n <= 0.0f ? 0.0f : std::numeric_limits<float>::infinity();
  const float u = b * b;
  const float j = std::fma(std::fma(std::fma(0x1.0e4020p-7f, b, 0x1.573e2ep-5f), u,
                                    std::fma(0x1.555e66p-3f, b, 0x1.fffdb6p-2f)),
                           u, std::fma(0x1.ffffecp-1f, b, 1.0f));
  return std::ldexp(j, int(n));
}

bool hasIntegerMatmul(TensorType type)
{
  return type == TensorType::Q4_0 || type == TensorType::Q4_1 || type == TensorType::Q8_0;
}

void matmul(TensorType type, const void *w, size_t rows, size_t cols, const float *x, float *y,
            size_t n)
{
  assert(hasIntegerMatmul(type) && cols % kQK == 0);
  const size_t stride = rowBytes(type, cols);
  const auto *base = static_cast<const std::byte *>(w);
  std::vector<Q8Row> xq(n);
  for (size_t t = 0; t < n; ++t)
    quantizeRow(x + t * cols, cols, xq[t]);
  for (size_t r = 0; r < rows; ++r)
    for (size_t t = 0; t < n; ++t)
      y[t * rows + r] = rowDot(type, base + r * stride, xq[t], cols / kQK);
}

void rmsNorm(const float *x, const float *w, float *y, size_t n, size_t dim, float eps)
{
  for (size_t t = 0; t < n; ++t) {
    const float *xt = x + t * dim;
    double sum = 0.0;
    for (size_t c = 0; c < dim; ++c)
      sum += double(xt[c] * xt[c]);
    const float mean = float(sum / double(dim));
    const float scale = 1.0f / std::sqrt(mean + eps);
    for (size_t c = 0; c < dim; ++c)
      y[t * dim + c] = xt[c] * scale * w[c];
  }
}

void rope(float *x, size_t n, size_t nHeads, size_t headDim, uint32_t pos0, uint32_t ropeDims,
          float freqBase, bool neox, const float *freqFactors)
{
  const size_t half = ropeDims / 2;
  const float thetaScale = std::pow(freqBase, -2.0f / float(ropeDims));
  std::vector<float> cosv(half), sinv(half);
  for (size_t t = 0; t < n; ++t) {
    float theta = float(pos0 + t); // angle of pair i: p · thetaScale^i, by repeated products
    for (size_t i = 0; i < half; ++i) {
      const float th = freqFactors ? theta / freqFactors[i] : theta;
      cosv[i] = std::cos(th);
      sinv[i] = std::sin(th);
      theta *= thetaScale;
    }
    for (size_t h = 0; h < nHeads; ++h) {
      float *v = x + (t * nHeads + h) * headDim;
      for (size_t i = 0; i < half; ++i) {
        const float c = cosv[i], s = sinv[i];
        const size_t a = neox ? i : 2 * i, b = neox ? i + half : 2 * i + 1;
        const float x0 = v[a], x1 = v[b];
        v[a] = std::fma(x0, c, -(x1 * s));
        v[b] = std::fma(x0, s, x1 * c);
      }
    }
  }
}

void attention(const float *q, const uint16_t *kCache, const uint16_t *vCache, float *out, size_t n,
               uint32_t pos0, size_t nHead, size_t nHeadKv, size_t headDim)
{
  assert(nHeadKv > 0 && nHead % nHeadKv == 0);
  // A batch's products go through 16-lane tiles when the summed length allows (q·k: head
  // size a multiple of 16; p·v: always, the KV length being padded), a token's through steps.
  const bool prefill = n >= 2, prefillQk = prefill && headDim % kLanes == 0;
  const size_t group = nHead / nHeadKv, kvWidth = nHeadKv * headDim;
  const size_t total = pos0 + n, padded = roundUp(total, 4 * kLanes);
  const float scale = 1.0f / std::sqrt(float(headDim));
  // f16 K, and V transposed ([kvHead][d][position]), zero-padded to `padded` positions.
  std::vector<float> k(total * kvWidth), vt(nHeadKv * headDim * padded, 0.0f);
  for (size_t p = 0; p < total; ++p)
    for (size_t i = 0; i < kvWidth; ++i) {
      k[p * kvWidth + i] = halfToFloat(kCache[p * kvWidth + i]);
      vt[i * padded + p] = halfToFloat(vCache[p * kvWidth + i]);
    }
  std::vector<float> qh(headDim), key(headDim), w(padded), prob(padded);
  for (size_t t = 0; t < n; ++t) {
    const size_t len = pos0 + t + 1;
    for (size_t h = 0; h < nHead; ++h) {
      const size_t kvh = h / group;
      for (size_t d = 0; d < headDim; ++d)
        qh[d] = roundHalf(q[(t * nHead + h) * headDim + d]);
      float max = -std::numeric_limits<float>::infinity();
      for (size_t p = 0; p < len; ++p) {
        std::copy_n(&k[p * kvWidth + kvh * headDim], headDim, key.begin());
        const float s = prefillQk ? dotLanes(key.data(), qh.data(), headDim) : dotSteps(key.data(), qh.data(), headDim);
        w[p] = s * scale;
        max = std::max(max, w[p]);
      }
      // Softmax: exp in 16-wide chunks, each chunk tree-summed in float, chunks in double.
      std::fill(prob.begin(), prob.end(), 0.0f);
      for (size_t p = 0; p < len; ++p)
        prob[p] = vexp(w[p] - max);
      double sum = 0.0;
      for (size_t c = 0; c < len; c += kLanes)
        sum += double(laneSum(&prob[c]));
      const float inv = float(1.0 / sum);
      for (size_t p = 0; p < len; ++p)
        prob[p] = roundHalf(prob[p] * inv);
      float *o = out + (t * nHead + h) * headDim;
      for (size_t d = 0; d < headDim; ++d) {
        const float *vrow = &vt[(kvh * headDim + d) * padded];
        o[d] = prefill ? dotLanes(vrow, prob.data(), roundUp(len, kLanes)) : dotSteps(vrow, prob.data(), padded);
      }
    }
  }
}

void swiglu(const float *gate, const float *up, float *out, size_t count, size_t rowLength)
{
  if (rowLength == 0)
    rowLength = count;
  const size_t vectorized = rowLength / kLanes * kLanes; // the rest takes the scalar expf
  for (size_t i = 0; i < count; ++i) {
    const float g = gate[i];
    const float e = i % rowLength < vectorized ? vexp(0.0f - g) : std::exp(-g);
    out[i] = g / (1.0f + e) * up[i];
  }
}

} // namespace hearth::ops::ref::ggml
