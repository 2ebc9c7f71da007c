// CPU backend ops (see ops.h): portable loops, AVX2/FMA/F16C kernels for the hot ones
// (attention, swiglu, softmax, KV writes), chosen at run time.
#include "cpu/ops.h"

#include "cpu/ops_simd.h"
#include "ops/quant.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace hearth::cpu {
namespace {

float roundHalf(float x) { return ops::halfToFloat(ops::floatToHalf(x)); }

// Σ x[i]² as llama.cpp's CPU backend sums it: float squares added in order in double.
double sumSquares(const float *x, size_t n)
{
  double s = 0.0;
  for (size_t i = 0; i < n; ++i)
    s += double(x[i] * x[i]);
  return s;
}

void swigluPortable(const float *gate, const float *up, float *out, size_t count)
{
  for (size_t i = 0; i < count; ++i) {
    const float g = gate[i];
    out[i] = g / (1.0f + std::exp(-g)) * up[i];
  }
}

// x[0, len) = softmax(x); returns nothing, in place; portable.
void softmaxRowPortable(float *x, size_t len)
{
  float max = x[0];
  for (size_t i = 1; i < len; ++i)
    max = std::max(max, x[i]);
  float sum = 0.0f;
  for (size_t i = 0; i < len; ++i) {
    x[i] = std::exp(x[i] - max);
    sum += x[i];
  }
  const float inv = 1.0f / sum;
  for (size_t i = 0; i < len; ++i)
    x[i] *= inv;
}

// One (token, head) of attention, portable. qh: [headDim] (already rounded);
// scores: [len] scratch; out: [headDim].
void attendPortable(const float *qh, const uint16_t *k, const uint16_t *v, size_t stride, size_t len,
                    size_t headDim, float scale, bool ggml, float *scores, float *out)
{
  for (size_t p = 0; p < len; ++p) {
    const uint16_t *kp = k + p * stride;
    float s = 0.0f;
    for (size_t d = 0; d < headDim; ++d)
      s += qh[d] * ops::halfToFloat(kp[d]);
    scores[p] = s * scale;
  }
  softmaxRowPortable(scores, len);
  std::fill(out, out + headDim, 0.0f);
  for (size_t p = 0; p < len; ++p) {
    const float w = ggml ? roundHalf(scores[p]) : scores[p];
    const uint16_t *vp = v + p * stride;
    for (size_t d = 0; d < headDim; ++d)
      out[d] += w * ops::halfToFloat(vp[d]);
  }
}

// Per-thread scratch for attention scores, grown when a longer context needs it.
float *scoreScratch(size_t len)
{
  thread_local std::vector<float> scores;
  if (scores.size() < len)
    scores.resize(std::max(len, size_t(4096)));
  return scores.data();
}

} // namespace

bool hasAvx2()
{
  static const bool yes = [] {
    const char *off = std::getenv("HEARTH_CPU_PORTABLE");
    if (off && *off && std::strcmp(off, "0") != 0)
      return false;
    return simd::cpuHasAvx2();
  }();
  return yes;
}

void rmsNorm(const float *x, const float *w, float *y, size_t n, size_t dim, float eps)
{
  for (size_t t = 0; t < n; ++t) {
    const float *xt = x + t * dim;
    float *yt = y + t * dim;
    // mean and scale in float, as llama.cpp: activations quantized right after the norm
    // then round as llama.cpp's do
    const float mean = float(sumSquares(xt, dim) / double(dim));
    const float scale = 1.0f / std::sqrt(mean + eps);
    for (size_t c = 0; c < dim; ++c)
      yt[c] = xt[c] * scale * w[c];
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

void swiglu(const float *gate, const float *up, float *out, size_t count, ThreadPool &pool)
{
  const bool avx2 = hasAvx2();
  auto run = [&](size_t begin, size_t end) {
    if (avx2)
      simd::swiglu(gate + begin, up + begin, out + begin, end - begin);
    else
      swigluPortable(gate + begin, up + begin, out + begin, end - begin);
  };
  constexpr size_t kChunk = 4096; // elements per pool item: small counts stay on this thread
  if (count < 4 * kChunk) {
    run(0, count);
    return;
  }
  const size_t items = (count + kChunk - 1) / kChunk;
  pool.parallelFor(items, [&](size_t b, size_t e) { run(b * kChunk, std::min(count, e * kChunk)); });
}

void softmax(float *x, size_t n, size_t dim)
{
  for (size_t t = 0; t < n; ++t) {
    if (hasAvx2())
      simd::softmaxRow(x + t * dim, dim);
    else
      softmaxRowPortable(x + t * dim, dim);
  }
}

void RopeTable::compute(uint32_t pos0, size_t n, uint32_t ropeDims, float freqBase, const float *freqFactors)
{
  // llama.cpp's angles: pair i at position p turns by p · s^i, s = base^(−2/ropeDims), the
  // powers built by repeated float products, then float cos/sin.
  half = ropeDims / 2;
  cs.resize(n * half * 2);
  const float thetaScale = std::pow(freqBase, -2.0f / float(ropeDims));
  for (size_t t = 0; t < n; ++t) {
    float theta = float(pos0 + t);
    for (size_t i = 0; i < half; ++i) {
      const float th = freqFactors ? theta / freqFactors[i] : theta;
      cs[(t * half + i) * 2] = std::cos(th);
      cs[(t * half + i) * 2 + 1] = std::sin(th);
      theta *= thetaScale;
    }
  }
}

void rope(float *x, size_t n, size_t nHeads, size_t headDim, bool neox, const RopeTable &table)
{
  const size_t half = table.half;
  assert(2 * half <= headDim && table.cs.size() >= n * half * 2);
  for (size_t t = 0; t < n; ++t) {
    const float *cs = table.cs.data() + t * half * 2;
    for (size_t h = 0; h < nHeads; ++h) {
      float *v = x + (t * nHeads + h) * headDim;
      for (size_t i = 0; i < half; ++i) {
        const size_t a = neox ? i : 2 * i;
        const size_t b = neox ? i + half : 2 * i + 1;
        const float c = cs[2 * i], s = cs[2 * i + 1];
        const float x0 = v[a], x1 = v[b];
        v[a] = std::fma(x0, c, -(x1 * s)); // fused as llama.cpp's rotation
        v[b] = std::fma(x0, s, x1 * c);
      }
    }
  }
}

void kvWrite(uint16_t *cache, const float *kv, size_t n, uint32_t pos0, size_t width)
{
  uint16_t *dst = cache + size_t(pos0) * width;
  if (hasAvx2()) {
    simd::toHalf(kv, dst, n * width);
    return;
  }
  for (size_t i = 0; i < n * width; ++i)
    dst[i] = ops::floatToHalf(kv[i]);
}

void attention(const float *q, const uint16_t *kCache, const uint16_t *vCache, float *out, size_t n,
               uint32_t pos0, size_t nHead, size_t nHeadKv, size_t headDim, bool ggmlRounding,
               ThreadPool &pool)
{
  assert(nHeadKv > 0 && nHead % nHeadKv == 0 && headDim <= 512);
  const size_t group = nHead / nHeadKv;
  const size_t stride = nHeadKv * headDim;
  const float scale = float(1.0 / std::sqrt(double(headDim)));
  const bool avx2 = hasAvx2();
  // Items head-major (item = h · n + t) so that each thread's share of the causal
  // triangle is about the same.
  pool.parallelFor(n * nHead, [&](size_t begin, size_t end) {
    float *scores = scoreScratch(pos0 + n);
    alignas(32) float qh[512];
    for (size_t item = begin; item < end; ++item) {
      const size_t h = item / n, t = item % n;
      const size_t kvh = h / group;
      const size_t len = pos0 + t + 1;
      const float *qt = q + (t * nHead + h) * headDim;
      float *o = out + (t * nHead + h) * headDim;
      const uint16_t *k = kCache + kvh * headDim, *v = vCache + kvh * headDim;
      if (avx2) {
        simd::roundedCopy(qt, qh, headDim, ggmlRounding);
        simd::attend(qh, k, v, stride, len, headDim, scale, ggmlRounding, scores, o);
      } else {
        for (size_t d = 0; d < headDim; ++d)
          qh[d] = ggmlRounding ? roundHalf(qt[d]) : qt[d];
        attendPortable(qh, k, v, stride, len, headDim, scale, ggmlRounding, scores, o);
      }
    }
  });
}

} // namespace hearth::cpu
