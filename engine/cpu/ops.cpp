// CPU backend ops (see ops.h): portable loops, AVX2/FMA/F16C kernels for the hot ones
// (attention, swiglu, softmax, KV writes), chosen at run time.
#include "cpu/ops.h"
#include "cpu/matmul.h"

#include "cpu/ops_simd.h"
#include "ops/cpu_ref_ggml.h"
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

// out = silu(gate) · up over [begin, end) of rows rowLength long: llama.cpp's vector exp
// for the elements of each row's whole 16-chunks, the C library's expf for the rest.
void swigluRange(const float *gate, const float *up, float *out, size_t begin, size_t end, size_t rowLength,
                 bool avx2)
{
  const size_t vec = rowLength / 16 * 16;
  for (size_t i = begin; i < end;) {
    const size_t rowStart = i / rowLength * rowLength, rowEnd = std::min(end, rowStart + rowLength);
    const size_t vecEnd = std::min(rowEnd, rowStart + vec);
    if (i < vecEnd) {
      if (avx2)
        simd::swigluVexp(gate + i, up + i, out + i, vecEnd - i);
      else
        for (size_t k = i; k < vecEnd; ++k)
          out[k] = gate[k] / (1.0f + ops::ref::ggml::vexp(0.0f - gate[k])) * up[k];
      i = vecEnd;
    }
    for (; i < rowEnd; ++i)
      out[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];
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

// ---- attention, portable: simd::attend's arithmetic in scalar code -----------------------

using ops::ref::ggml::laneSum; // the sum of 16 lanes as a 512-bit horizontal add reduces them

float dotLanes(const uint16_t *k, const float *q, size_t len)
{
  float acc[16] = {};
  for (size_t c = 0; c < len; c += 16)
    for (size_t j = 0; j < 16; ++j)
      acc[j] = std::fma(ops::halfToFloat(k[c + j]), q[c + j], acc[j]);
  return laneSum(acc);
}

float dotSteps(const uint16_t *k, const float *q, size_t len)
{
  const size_t steps = len / 64 * 64;
  float acc[4][16] = {};
  for (size_t i = 0; i < steps; i += 64)
    for (size_t r = 0; r < 4; ++r)
      for (size_t j = 0; j < 16; ++j)
        acc[r][j] = std::fma(ops::halfToFloat(k[i + 16 * r + j]), q[i + 16 * r + j], acc[r][j]);
  for (size_t j = 0; j < 16; ++j) {
    acc[0][j] += acc[2][j];
    acc[1][j] += acc[3][j];
    acc[0][j] += acc[1][j];
  }
  double sum = laneSum(acc[0]);
  for (size_t i = steps; i < len; ++i)
    sum += double(ops::halfToFloat(k[i]) * q[i]);
  return float(sum);
}

void attendPortable(const float *qh, const uint16_t *k, const uint16_t *v, size_t stride, size_t len,
                    size_t headDim, float scale, bool roundWeights, bool prefill, float *scores, float *lanes,
                    float *out)
{
  const bool lanesQk = prefill && headDim % 16 == 0;
  float max = -INFINITY;
  for (size_t p = 0; p < len; ++p) {
    const uint16_t *kp = k + p * stride;
    scores[p] = (lanesQk ? dotLanes(kp, qh, headDim) : dotSteps(kp, qh, headDim)) * scale;
    max = std::max(max, scores[p]);
  }
  const size_t padded = (len + 15) / 16 * 16;
  for (size_t p = 0; p < padded; ++p)
    scores[p] = p < len ? ops::ref::ggml::vexp(scores[p] - max) : 0.0f;
  double sum = 0.0;
  for (size_t p = 0; p < len; p += 16)
    sum += double(laneSum(scores + p));
  const float inv = float(1.0 / sum);
  for (size_t p = 0; p < len; ++p)
    scores[p] = roundWeights ? roundHalf(scores[p] * inv) : scores[p] * inv;
  // Lane j of `classes` sums the positions p ≡ j in order (rows[j][d]), then the tree.
  const size_t classes = prefill ? 16 : 64;
  for (size_t j = 0; j < classes; ++j)
    for (size_t d = 0; d < headDim; ++d) {
      float acc = 0.0f;
      for (size_t p = j; p < len; p += classes)
        acc = std::fma(scores[p], ops::halfToFloat(v[p * stride + d]), acc);
      lanes[j * headDim + d] = acc;
    }
  float col[64];
  for (size_t d = 0; d < headDim; ++d) {
    for (size_t j = 0; j < classes; ++j)
      col[j] = lanes[j * headDim + d];
    if (!prefill)
      for (size_t j = 0; j < 16; ++j) {
        col[j] += col[32 + j];
        col[16 + j] += col[48 + j];
        col[j] += col[16 + j];
      }
    out[d] = laneSum(col);
  }
}

// Per-thread attention scratch: scores [len rounded up to 16] and lanes [64][headDim],
// grown when a longer context needs it.
struct AttentionScratch {
  std::vector<float> scores, lanes;
  void reserve(size_t len, size_t headDim)
  {
    const size_t padded = (len + 15) / 16 * 16;
    if (scores.size() < padded)
      scores.resize(std::max(padded, size_t(4096)));
    if (lanes.size() < 64 * headDim)
      lanes.resize(64 * headDim);
  }
};

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

void swiglu(const float *gate, const float *up, float *out, size_t count, ThreadPool &pool, size_t rowLength)
{
  const bool avx2 = hasAvx2();
  if (rowLength == 0)
    rowLength = count;
  auto run = [&](size_t begin, size_t end) { swigluRange(gate, up, out, begin, end, rowLength, avx2); };
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

namespace {

// Prefill with AVX2 when query heads share kv heads: one item per (token, kv head), its
// group's queries together (simd::attendGroup), kv-head-major like attention()'s items.
void attentionGrouped(const float *q, const uint16_t *kCache, const uint16_t *vCache, float *out, size_t n,
                      uint32_t pos0, size_t nHead, size_t nHeadKv, size_t headDim, bool ggmlRounding,
                      ThreadPool &pool)
{
  const size_t group = nHead / nHeadKv, stride = nHeadKv * headDim;
  const float scale = 1.0f / std::sqrt(float(headDim));
  const bool wide = detectIsa() >= Isa::Avx512; // (AVX-512 kernels for the group)
  pool.parallelFor(n * nHeadKv, [&](size_t begin, size_t end) {
    thread_local std::vector<float> qs, scores, lanes;
    thread_local std::vector<const float *> qp;
    thread_local std::vector<float *> sp, lp, op;
    const size_t padded = (pos0 + n + 15) / 16 * 16;
    qs.resize(group * headDim);
    scores.resize(group * padded);
    lanes.resize(group * 16 * headDim);
    qp.resize(group);
    sp.resize(group);
    lp.resize(group);
    op.resize(group);
    for (size_t item = begin; item < end; ++item) {
      const size_t kvh = item / n, t = item % n;
      for (size_t g = 0; g < group; ++g) {
        const size_t h = kvh * group + g;
        simd::roundedCopy(q + (t * nHead + h) * headDim, qs.data() + g * headDim, headDim, ggmlRounding);
        qp[g] = qs.data() + g * headDim;
        sp[g] = scores.data() + g * padded;
        lp[g] = lanes.data() + g * 16 * headDim;
        op[g] = out + (t * nHead + h) * headDim;
      }
      simd::attendGroup(qp.data(), group, kCache + kvh * headDim, vCache + kvh * headDim, stride, pos0 + t + 1,
                        headDim, scale, ggmlRounding, wide, sp.data(), lp.data(), op.data());
    }
  });
}

} // namespace

void attention(const float *q, const uint16_t *kCache, const uint16_t *vCache, float *out, size_t n,
               uint32_t pos0, size_t nHead, size_t nHeadKv, size_t headDim, bool ggmlRounding,
               ThreadPool &pool)
{
  assert(nHeadKv > 0 && nHead % nHeadKv == 0 && headDim <= 512);
  const size_t group = nHead / nHeadKv;
  const size_t stride = nHeadKv * headDim;
  const float scale = 1.0f / std::sqrt(float(headDim));
  const bool avx2 = hasAvx2(), prefill = n >= 2;
  if (avx2 && prefill && headDim % 16 == 0 && group > 1)
    return attentionGrouped(q, kCache, vCache, out, n, pos0, nHead, nHeadKv, headDim, ggmlRounding, pool);
  // Items head-major (item = h · n + t) so that each thread's share of the causal
  // triangle is about the same.
  pool.parallelFor(n * nHead, [&](size_t begin, size_t end) {
    thread_local AttentionScratch scratch;
    scratch.reserve(pos0 + n, headDim);
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
        simd::attend(qh, k, v, stride, len, headDim, scale, ggmlRounding, prefill, scratch.scores.data(),
                     scratch.lanes.data(), o);
      } else {
        for (size_t d = 0; d < headDim; ++d)
          qh[d] = ggmlRounding ? roundHalf(qt[d]) : qt[d];
        attendPortable(qh, k, v, stride, len, headDim, scale, ggmlRounding, prefill, scratch.scores.data(),
                       scratch.lanes.data(), o);
      }
    }
  });
}

} // namespace hearth::cpu
