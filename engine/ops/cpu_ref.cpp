// Plain reference ops (see cpu_ref.h): loops written for clarity, double accumulation.
#include "ops/cpu_ref.h"

#include "ops/cpu_ref_ggml.h"
#include "ops/quant.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <vector>

namespace hearth::ops::ref {
namespace {

// Σ a[i]·b[i] in double, four independent partial sums (vectorizes, still exact-ish).
double dot(const float *a, const float *b, size_t n)
{
  double s[4] = {0, 0, 0, 0};
  size_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (int k = 0; k < 4; ++k)
      s[k] += double(a[i + k]) * double(b[i + k]);
  for (; i < n; ++i)
    s[0] += double(a[i]) * double(b[i]);
  return (s[0] + s[1]) + (s[2] + s[3]);
}

float roundHalf(float x) { return halfToFloat(floatToHalf(x)); }

// Q8_0/Q8_1 values of 32-blocks as llama.cpp's x86 CPU path computes them:
// q = round-to-even(x · 127/amax), value = half(amax/127) · q.
void roundQ8_0(float *x, size_t count)
{
  for (size_t b = 0; b < count; b += 32) {
    float amax = 0.0f;
    for (size_t j = 0; j < 32; ++j)
      amax = std::max(amax, std::fabs(x[b + j]));
    const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
    const float d = roundHalf(amax / 127.0f);
    for (size_t j = 0; j < 32; ++j)
      x[b + j] = d * std::nearbyint(x[b + j] * id);
  }
}

// Q8_K values of 256-blocks: q = min(127, round-to-even(x · −127/max)) where max is the
// signed value of largest magnitude; value = q / (−127/max) with a float scale.
void roundQ8_K(float *x, size_t count)
{
  for (size_t b = 0; b < count; b += 256) {
    float amax = 0.0f, max = 0.0f;
    for (size_t j = 0; j < 256; ++j)
      if (std::fabs(x[b + j]) > amax) {
        amax = std::fabs(x[b + j]);
        max = x[b + j];
      }
    const float iscale = amax != 0.0f ? -127.0f / max : 0.0f;
    const float d = amax != 0.0f ? 1.0f / iscale : 0.0f;
    for (size_t j = 0; j < 256; ++j)
      x[b + j] = d * std::min(127.0f, std::nearbyint(iscale * x[b + j]));
  }
}

} // namespace

void roundActivations(TensorType weightType, float *x, size_t n, size_t cols)
{
  const size_t count = n * cols;
  switch (weightType) {
  case TensorType::Q4_0:
  case TensorType::Q4_1:
  case TensorType::Q8_0: roundQ8_0(x, count); break;
  case TensorType::Q4_K:
  case TensorType::Q5_K:
  case TensorType::Q6_K: roundQ8_K(x, count); break;
  case TensorType::F16: for (size_t i = 0; i < count; ++i) x[i] = roundHalf(x[i]); break;
  case TensorType::BF16:
    for (size_t i = 0; i < count; ++i) x[i] = bf16ToFloat(floatToBf16(x[i]));
    break;
  default: break;
  }
}

void embedding(TensorType type, const void *table, size_t dim, const int32_t *tokens, size_t n,
               float *out)
{
  const size_t stride = rowBytes(type, dim);
  const auto *base = static_cast<const std::byte *>(table);
  for (size_t t = 0; t < n; ++t) {
    assert(tokens[t] >= 0);
    dequantizeRow(type, base + size_t(tokens[t]) * stride, out + t * dim, dim);
  }
}

void rmsNorm(const float *x, const float *w, float *y, size_t n, size_t dim, float eps,
             Rounding rounding)
{
  if (rounding == Rounding::Ggml)
    return ggml::rmsNorm(x, w, y, n, dim, eps);
  for (size_t t = 0; t < n; ++t) {
    const float *xt = x + t * dim;
    const double meanSquare = dot(xt, xt, dim) / double(dim);
    const float scale = float(1.0 / std::sqrt(meanSquare + double(eps)));
    for (size_t c = 0; c < dim; ++c)
      y[t * dim + c] = xt[c] * scale * w[c];
  }
}

void matmul(TensorType type, const void *w, size_t rows, size_t cols, const float *x, float *y,
            size_t n, Rounding rounding)
{
  if (rounding == Rounding::Ggml && ggml::hasIntegerMatmul(type))
    return ggml::matmul(type, w, rows, cols, x, y, n);
  const size_t stride = rowBytes(type, cols);
  const auto *base = static_cast<const std::byte *>(w);
  std::vector<float> row(cols), rounded;
  if (rounding == Rounding::Ggml) {
    rounded.assign(x, x + n * cols);
    roundActivations(type, rounded.data(), n, cols);
    x = rounded.data();
  }
  for (size_t r = 0; r < rows; ++r) {
    dequantizeRow(type, base + r * stride, row.data(), cols); // once per row, all tokens
    for (size_t t = 0; t < n; ++t)
      y[t * rows + r] = float(dot(row.data(), x + t * cols, cols));
  }
}

void addBias(float *x, const float *b, size_t n, size_t dim)
{
  for (size_t t = 0; t < n; ++t)
    for (size_t c = 0; c < dim; ++c)
      x[t * dim + c] += b[c];
}

void add(float *x, const float *y, size_t count)
{
  for (size_t i = 0; i < count; ++i)
    x[i] += y[i];
}

void rope(float *x, size_t n, size_t nHeads, size_t headDim, uint32_t pos0, uint32_t ropeDims,
          float freqBase, bool neox, const float *freqFactors, Rounding rounding)
{
  if (rounding == Rounding::Ggml)
    return ggml::rope(x, n, nHeads, headDim, pos0, ropeDims, freqBase, neox, freqFactors);
  assert(ropeDims % 2 == 0 && ropeDims <= headDim);
  const size_t half = ropeDims / 2;
  for (size_t t = 0; t < n; ++t) {
    const double pos = double(pos0 + t);
    for (size_t i = 0; i < half; ++i) {
      double theta = pos * std::pow(double(freqBase), -2.0 * double(i) / double(ropeDims));
      if (freqFactors)
        theta /= double(freqFactors[i]);
      const float c = float(std::cos(theta)), s = float(std::sin(theta));
      for (size_t h = 0; h < nHeads; ++h) {
        float *v = x + (t * nHeads + h) * headDim;
        const size_t a = neox ? i : 2 * i;
        const size_t b = neox ? i + half : 2 * i + 1;
        const float x0 = v[a], x1 = v[b];
        v[a] = x0 * c - x1 * s;
        v[b] = x0 * s + x1 * c;
      }
    }
  }
}

void kvWrite(uint16_t *cache, const float *kv, size_t n, uint32_t pos0, size_t kvHeads,
             size_t headDim)
{
  const size_t width = kvHeads * headDim;
  for (size_t t = 0; t < n; ++t)
    for (size_t i = 0; i < width; ++i)
      cache[(pos0 + t) * width + i] = floatToHalf(kv[t * width + i]);
}

void attention(const float *q, const uint16_t *kCache, const uint16_t *vCache, float *out, size_t n,
               uint32_t pos0, size_t nHead, size_t nHeadKv, size_t headDim, Rounding rounding)
{
  if (rounding == Rounding::Ggml)
    return ggml::attention(q, kCache, vCache, out, n, pos0, nHead, nHeadKv, headDim);
  std::vector<float> qh(headDim);
  assert(nHeadKv > 0 && nHead % nHeadKv == 0);
  const size_t group = nHead / nHeadKv;
  const size_t kvWidth = nHeadKv * headDim;
  const float scale = float(1.0 / std::sqrt(double(headDim)));
  std::vector<float> key(headDim), scores(pos0 + n);
  std::vector<double> acc(headDim);
  for (size_t t = 0; t < n; ++t) {
    const size_t len = pos0 + t + 1; // causal: positions [0, pos0 + t]
    for (size_t h = 0; h < nHead; ++h) {
      const size_t kvh = h / group;
      const float *qt = q + (t * nHead + h) * headDim;
      for (size_t d = 0; d < headDim; ++d)
        qh[d] = qt[d];
      for (size_t p = 0; p < len; ++p) {
        dequantizeRow(TensorType::F16, kCache + p * kvWidth + kvh * headDim, key.data(), headDim);
        scores[p] = float(dot(qh.data(), key.data(), headDim)) * scale;
      }
      softmax(scores.data(), 1, len);
      std::fill(acc.begin(), acc.end(), 0.0);
      for (size_t p = 0; p < len; ++p) {
        const uint16_t *v = vCache + p * kvWidth + kvh * headDim;
        for (size_t d = 0; d < headDim; ++d)
          acc[d] += double(scores[p]) * double(halfToFloat(v[d]));
      }
      float *o = out + (t * nHead + h) * headDim;
      for (size_t d = 0; d < headDim; ++d)
        o[d] = float(acc[d]);
    }
  }
}

void softmax(float *x, size_t n, size_t dim)
{
  for (size_t t = 0; t < n; ++t) {
    float *row = x + t * dim;
    const float max = *std::max_element(row, row + dim);
    double sum = 0.0;
    for (size_t i = 0; i < dim; ++i) {
      row[i] = std::exp(row[i] - max);
      sum += row[i];
    }
    const float inv = float(1.0 / sum);
    for (size_t i = 0; i < dim; ++i)
      row[i] *= inv;
  }
}

void swiglu(const float *gate, const float *up, float *out, size_t count, Rounding rounding,
            size_t rowLength)
{
  if (rounding == Rounding::Ggml)
    return ggml::swiglu(gate, up, out, count, rowLength);
  for (size_t i = 0; i < count; ++i) {
    const float g = gate[i];
    out[i] = g / (1.0f + std::exp(-g)) * up[i];
  }
}

} // namespace hearth::ops::ref
