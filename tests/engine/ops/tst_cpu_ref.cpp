// The reference ops on small cases whose answers are worked out by hand (the real-model
// agreement with llama.cpp in tests/engine/models checks them all together).
#include "ops/cpu_ref.h"
#include "ops/quant.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>
#include <vector>

using namespace hearth;
using namespace hearth::ops;

TEST(CpuRef, RmsNormScalesByRootMeanSquareAndWeight)
{
  const std::vector<float> x = {3, 4, 0, 0, /* t1 */ 1, 1, 1, 1};
  const std::vector<float> w = {1, 2, 3, 4};
  std::vector<float> y(8);
  ref::rmsNorm(x.data(), w.data(), y.data(), 2, 4, 0.0f);
  // t0: rms = sqrt(25 / 4) = 2.5
  EXPECT_FLOAT_EQ(y[0], 3 / 2.5f * 1);
  EXPECT_FLOAT_EQ(y[1], 4 / 2.5f * 2);
  EXPECT_FLOAT_EQ(y[2], 0.0f);
  EXPECT_FLOAT_EQ(y[7], 4.0f);
}

TEST(CpuRef, MatmulOfQuantizedWeightsEqualsDequantizedF32)
{
  const size_t rows = 5, cols = 512, n = 3;
  std::mt19937 rng(1);
  std::normal_distribution<float> normal;
  std::vector<float> w(rows * cols), x(n * cols);
  for (auto &v : w) v = normal(rng);
  for (auto &v : x) v = normal(rng);
  for (TensorType type : {TensorType::Q4_K, TensorType::Q6_K, TensorType::Q8_0, TensorType::BF16}) {
    std::vector<std::byte> q(rowBytes(type, cols) * rows);
    for (size_t r = 0; r < rows; ++r)
      quantizeRow(type, &w[r * cols], q.data() + r * rowBytes(type, cols), cols);
    std::vector<float> wd(rows * cols), y(n * rows), yd(n * rows);
    dequantizeRow(type, q.data(), wd.data(), rows * cols);
    ref::matmul(type, q.data(), rows, cols, x.data(), y.data(), n);
    // Independent naive product over the dequantized weights.
    for (size_t t = 0; t < n; ++t)
      for (size_t r = 0; r < rows; ++r) {
        double s = 0;
        for (size_t c = 0; c < cols; ++c)
          s += double(wd[r * cols + c]) * x[t * cols + c];
        EXPECT_NEAR(y[t * rows + r], s, 1e-4 * std::abs(s) + 1e-4);
      }
  }
}

TEST(CpuRef, RopeRotatesThePairsOfEachConvention)
{
  // One head of 6, ropeDims 4: pairs i = 0, 1 rotate by pos · 100^(-2i/4) = pos, pos/10.
  const float base = 100.0f;
  for (bool neox : {false, true}) {
    std::vector<float> x = {1, 2, 3, 4, 5, 6};
    ref::rope(x.data(), 1, 1, 6, 2, 4, base, neox);
    const double a0 = 2.0, a1 = 0.2;
    auto rot = [](double x0, double x1, double a) {
      return std::pair{x0 * std::cos(a) - x1 * std::sin(a), x0 * std::sin(a) + x1 * std::cos(a)};
    };
    const auto [p0, p1] = neox ? rot(1, 3, a0) : rot(1, 2, a0);
    const auto [q0, q1] = neox ? rot(2, 4, a1) : rot(3, 4, a1);
    if (neox) {
      EXPECT_NEAR(x[0], p0, 1e-6); EXPECT_NEAR(x[2], p1, 1e-6);
      EXPECT_NEAR(x[1], q0, 1e-6); EXPECT_NEAR(x[3], q1, 1e-6);
    } else {
      EXPECT_NEAR(x[0], p0, 1e-6); EXPECT_NEAR(x[1], p1, 1e-6);
      EXPECT_NEAR(x[2], q0, 1e-6); EXPECT_NEAR(x[3], q1, 1e-6);
    }
    EXPECT_EQ(x[4], 5.0f); // beyond ropeDims: untouched
    EXPECT_EQ(x[5], 6.0f);
  }
  std::vector<float> x = {1, 2, 3, 4};
  ref::rope(x.data(), 1, 2, 2, 0, 2, 10000.0f, false); // position 0: identity
  EXPECT_EQ(x, (std::vector<float>{1, 2, 3, 4}));
}

TEST(CpuRef, AttentionIsCausalWithGroupedHeads)
{
  // 4 query heads over 2 KV heads, head dim 2, 3 cached positions.
  const size_t nHead = 4, nKv = 2, hd = 2, len = 3;
  std::vector<float> k(len * nKv * hd), v(len * nKv * hd);
  for (size_t i = 0; i < k.size(); ++i) {
    k[i] = 0.25f * float(i % 5) - 0.5f;
    v[i] = float(i);
  }
  std::vector<uint16_t> kc(len * nKv * hd), vc(len * nKv * hd);
  ref::kvWrite(kc.data(), k.data(), len, 0, nKv, hd);
  ref::kvWrite(vc.data(), v.data(), len, 0, nKv, hd);
  std::vector<float> q = {1, 0, 0, 1, 0.5f, 0.5f, -1, 2}; // one token at position 2
  std::vector<float> out(nHead * hd);
  ref::attention(q.data(), kc.data(), vc.data(), out.data(), 1, 2, nHead, nKv, hd);
  for (size_t h = 0; h < nHead; ++h) {
    const size_t g = h / 2;
    double w[3], sum = 0;
    for (size_t p = 0; p < len; ++p) {
      const double s = (q[h * hd] * k[(p * nKv + g) * hd] + q[h * hd + 1] * k[(p * nKv + g) * hd + 1]) /
                       std::sqrt(2.0);
      sum += w[p] = std::exp(s);
    }
    for (size_t d = 0; d < hd; ++d) {
      double o = 0;
      for (size_t p = 0; p < len; ++p)
        o += w[p] / sum * v[(p * nKv + g) * hd + d];
      EXPECT_NEAR(out[h * hd + d], o, 1e-5) << "head " << h;
    }
  }
  // The first token of a batch at position 0 sees only itself: output = its value.
  ref::attention(q.data(), kc.data(), vc.data(), out.data(), 1, 0, nHead, nKv, hd);
  EXPECT_FLOAT_EQ(out[0], v[0]);
  EXPECT_FLOAT_EQ(out[7], v[3]);
}

TEST(CpuRef, SoftmaxSwigluEmbeddingBiasAdd)
{
  std::vector<float> s = {1, 2, 3, 1000, 1000, 1000};
  ref::softmax(s.data(), 2, 3);
  const double e = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  EXPECT_NEAR(s[2], std::exp(3.0) / e, 1e-7);
  EXPECT_FLOAT_EQ(s[4], 1.0f / 3); // large values: no overflow

  const float g[2] = {0.0f, 2.0f}, u[2] = {5.0f, 3.0f};
  float o[2];
  ref::swiglu(g, u, o, 2);
  EXPECT_EQ(o[0], 0.0f);
  EXPECT_NEAR(o[1], 2.0 / (1.0 + std::exp(-2.0)) * 3.0, 1e-6);

  std::vector<float> table(4 * 32);
  std::iota(table.begin(), table.end(), 0.0f);
  std::vector<std::byte> q8(rowBytes(TensorType::F16, 32) * 4);
  quantizeRow(TensorType::F16, table.data(), q8.data(), table.size());
  const int32_t tokens[2] = {3, 1};
  std::vector<float> emb(64);
  ref::embedding(TensorType::F16, q8.data(), 32, tokens, 2, emb.data());
  EXPECT_EQ(emb[0], 96.0f);
  EXPECT_EQ(emb[63], 63.0f);

  float x[4] = {1, 2, 3, 4};
  const float b[2] = {10, 20};
  ref::addBias(x, b, 2, 2);
  EXPECT_EQ(x[3], 24.0f);
  ref::add(x, x, 4);
  EXPECT_EQ(x[0], 22.0f);
}

// Rounding::Ggml (llama.cpp's CPU arithmetic, ops/cpu_ref_ggml.h) is exact bit for bit only
// against llama.cpp itself (tests/engine/models/tst_reference_llamacpp.cpp); here each op
// stays within its rounding of the exact one, with a hand-checked case where possible.
namespace {
double relError(const std::vector<float> &ref, const std::vector<float> &got)
{
  double num = 0, den = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    num += (double(ref[i]) - got[i]) * (double(ref[i]) - got[i]);
    den += double(ref[i]) * ref[i];
  }
  return std::sqrt(num / den);
}
std::vector<float> normals(size_t n, unsigned seed, float scale = 1.0f)
{
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::vector<float> v(n);
  for (auto &x : v)
    x = normal(rng) * scale;
  return v;
}
} // namespace

TEST(CpuRefGgml, MatmulQuantizesActivationsToEightBitsAndStaysNearExact)
{
  const size_t rows = 7, cols = 96, n = 3;
  const auto w = normals(rows * cols, 3), x = normals(n * cols, 4);
  for (TensorType type : {TensorType::Q4_0, TensorType::Q4_1, TensorType::Q8_0}) {
    std::vector<std::byte> q(rowBytes(type, cols) * rows);
    for (size_t r = 0; r < rows; ++r)
      quantizeRow(type, &w[r * cols], q.data() + r * rowBytes(type, cols), cols);
    std::vector<float> exact(n * rows), ggml(n * rows), rounded(n * rows);
    ref::matmul(type, q.data(), rows, cols, x.data(), exact.data(), n);
    ref::matmul(type, q.data(), rows, cols, x.data(), ggml.data(), n, ref::Rounding::Ggml);
    EXPECT_GT(relError(exact, ggml), 1e-5) << tensorTypeName(type) << ": activations were not quantized";
    EXPECT_LT(relError(exact, ggml), 2e-2) << tensorTypeName(type);
    // The same 8-bit values, summed exactly: differs from Ggml's fp32 sums only by rounding.
    std::vector<float> xr = x;
    ref::roundActivations(type, xr.data(), n, cols);
    ref::matmul(type, q.data(), rows, cols, xr.data(), rounded.data(), n);
    if (type != TensorType::Q4_1) { // Q4_1 also uses the f16 block sum, not Σ of rounded values
      EXPECT_LT(relError(rounded, ggml), 1e-6) << tensorTypeName(type);
    }
  }
  // One block, hand-checked: x = 127 at j = 0, zeros elsewhere → d_x = half(1) = 1,
  // q_x = 127; weights all 2 → d_w = half(2/127), q_w = 127: y = fp32(127 · 127 · d_w).
  std::vector<float> one(32, 0.0f), wrow(32, 2.0f), y(1);
  one[0] = 127.0f;
  std::vector<std::byte> wq(rowBytes(TensorType::Q8_0, 32));
  quantizeRow(TensorType::Q8_0, wrow.data(), wq.data(), 32);
  ref::matmul(TensorType::Q8_0, wq.data(), 1, 32, one.data(), y.data(), 1, ref::Rounding::Ggml);
  EXPECT_EQ(y[0], 16129.0f * halfToFloat(floatToHalf(2.0f / 127.0f)));
}

TEST(CpuRefGgml, NormRopeAttentionAndSwigluStayWithinRoundingOfExact)
{
  const size_t n = 20, dim = 128, nHead = 4, nHeadKv = 2, headDim = 32;
  const auto x = normals(n * dim, 5, 3.0f), w = normals(dim, 6);
  std::vector<float> a(n * dim), b(n * dim);
  ref::rmsNorm(x.data(), w.data(), a.data(), n, dim, 1e-5f);
  ref::rmsNorm(x.data(), w.data(), b.data(), n, dim, 1e-5f, ref::Rounding::Ggml);
  EXPECT_LT(relError(a, b), 1e-6);

  auto qa = normals(n * nHead * headDim, 7), qb = qa;
  ref::rope(qa.data(), n, nHead, headDim, 200, headDim, 10000.0f, false);
  ref::rope(qb.data(), n, nHead, headDim, 200, headDim, 10000.0f, false, nullptr, ref::Rounding::Ggml);
  EXPECT_GT(relError(qa, qb), 0.0) << "float angles by repeated products differ from exact ones";
  EXPECT_LT(relError(qa, qb), 1e-4);

  const auto kv = normals((n + 30) * nHeadKv * headDim, 8);
  std::vector<uint16_t> kc(kv.size()), vc(kv.size());
  for (size_t i = 0; i < kv.size(); ++i) {
    kc[i] = floatToHalf(kv[i]);
    vc[i] = floatToHalf(kv[kv.size() - 1 - i]);
  }
  for (size_t batch : {n, size_t(1)}) { // a batch (prefill sums) and a single token (decode sums)
    std::vector<float> oa(batch * nHead * headDim), ob(oa.size());
    ref::attention(qa.data(), kc.data(), vc.data(), oa.data(), batch, 30, nHead, nHeadKv, headDim);
    ref::attention(qa.data(), kc.data(), vc.data(), ob.data(), batch, 30, nHead, nHeadKv, headDim, ref::Rounding::Ggml);
    EXPECT_LT(relError(oa, ob), 2e-3) << "batch " << batch; // f16 queries and weights
  }

  const auto g = normals(3 * 40, 9, 4.0f), u = normals(3 * 40, 10);
  std::vector<float> sa(g.size()), sb(g.size());
  ref::swiglu(g.data(), u.data(), sa.data(), g.size());
  ref::swiglu(g.data(), u.data(), sb.data(), g.size(), ref::Rounding::Ggml, 40); // 32 polynomial + 8 expf per row
  EXPECT_LT(relError(sa, sb), 1e-6);
}
