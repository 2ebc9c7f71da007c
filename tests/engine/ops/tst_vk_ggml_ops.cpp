// The ggml-exact Vulkan ops (ops/ggml_ops.h) against ops::ref with Rounding::Ggml: every
// output must equal the reference's bits, over awkward shapes and values (half-denormal
// block scales, zero blocks, wide exponent ranges), in the fp16 and fp32 paths, with
// sentinels around every output.
#include "op_test.h"

#include "ops/cpu_ref.h"
#include "ops/ggml_ops.h"
#include "ops/quant.h"

#include <cstring>

using namespace hearth;
namespace ref = hearth::ops::ref;

namespace {

class VkGgmlOps : public ::testing::TestWithParam<bool> {
protected:
  vk::Context &ctx() { return test::context(GetParam()); }
  void SetUp() override
  {
    if (!ctx().info().float64)
      GTEST_SKIP() << ctx().info().name << " has no shaderFloat64";
  }
  test::GuardedBuffer floats(const std::vector<float> &v, const char *name)
  {
    auto g = test::GuardedBuffer::create(ctx(), v.size() * 4, name);
    g.upload(v);
    return g;
  }
};

// Activations whose 32-blocks span what a model produces and the edge cases of the 8-bit
// quantization: ordinary, tiny (scale below f16's normal range), zero, large, and blocks
// with one outlier.
std::vector<float> awkwardActivations(size_t n, uint32_t seed)
{
  auto v = test::randomFloats(n, seed, -1.0f, 1.0f);
  for (size_t b = 0; b * 32 < n; ++b) {
    const size_t kind = (b * 7 + seed) % 6;
    for (size_t j = b * 32; j < std::min(n, b * 32 + 32); ++j) {
      if (kind == 1)
        v[j] *= 3e-4f; // d = amax/127 is an f16 subnormal
      else if (kind == 2)
        v[j] = 0.0f;
      else if (kind == 3)
        v[j] *= 40.0f;
      else if (kind == 4 && j == b * 32 + 5)
        v[j] = 25.0f;
    }
  }
  return v;
}

std::vector<std::byte> quantizeRows(TensorType type, const std::vector<float> &values, size_t rows, size_t cols)
{
  const size_t rb = ops::rowBytes(type, cols);
  std::vector<std::byte> out(rows * rb);
  for (size_t r = 0; r < rows; ++r)
    ops::quantizeRow(type, values.data() + r * cols, out.data() + r * rb, cols);
  return out;
}

} // namespace

TEST_P(VkGgmlOps, MatmulBitExact)
{
  struct Shape {
    uint32_t rows, cols;
  };
  for (TensorType type : {TensorType::Q8_0, TensorType::Q4_0, TensorType::Q4_1})
    for (const Shape s : {Shape{1, 32}, Shape{7, 96}, Shape{45, 576}, Shape{70, 1536}}) {
      const uint32_t seed = s.rows * 31 + uint32_t(type);
      const auto wf = test::randomFloats(size_t(s.rows) * s.cols, seed, -0.5f, 0.5f);
      const auto bytes = quantizeRows(type, wf, s.rows, s.cols);
      auto w = ops::uploadWeight(ctx(), "w", type, s.rows, s.cols, bytes);
      ASSERT_TRUE(w.has_value()) << w.error().message;
      const auto bias = test::randomFloats(s.rows, seed + 1);
      auto gb = floats(bias, "bias");
      for (uint32_t n : {1u, 2u, 3u, 5u, 9u}) {
        const auto x = awkwardActivations(size_t(n) * s.cols, seed + n);
        const auto y0 = test::randomFloats(size_t(n) * s.rows, seed + 2 * n);
        const auto mode = n == 3 ? ops::MatmulOutput::Add : n == 5 ? ops::MatmulOutput::Bias : ops::MatmulOutput::Store;
        auto gx = floats(x, "x"), gy = floats(y0, "y");
        auto xq = test::GuardedBuffer::create(ctx(), ops::q8GgmlBytes(n, s.cols), "xq");
        test::runOnce(ctx(), [&](vk::Recorder &rec) -> Status {
          HEARTH_TRY(ops::quantizeQ8Ggml(rec, gx.view(), xq.view(), n, s.cols));
          return ops::matmulGgml(rec, *w, xq.view(), gy.view(), n, mode, gb.view());
        });
        std::vector<float> expected(y0.size());
        ref::matmul(type, bytes.data(), s.rows, s.cols, x.data(), expected.data(), n, ref::Rounding::Ggml);
        for (size_t i = 0; i < expected.size(); ++i)
          if (mode == ops::MatmulOutput::Add)
            expected[i] = y0[i] + expected[i];
          else if (mode == ops::MatmulOutput::Bias)
            expected[i] = expected[i] + bias[i % s.rows];
        EXPECT_TRUE(test::sameBits(expected, gy.download<float>(),
                             fmt::format("{} {}x{} n={}", tensorTypeName(type), s.rows, s.cols, n)));
        EXPECT_TRUE(gy.sentinelsIntact());
        EXPECT_TRUE(xq.sentinelsIntact());
      }
    }
}

TEST_P(VkGgmlOps, RmsNormBitExact)
{
  for (uint32_t dim : {1u, 7u, 64u, 576u, 1000u})
    for (uint32_t n : {1u, 2u, 5u}) {
      auto x = test::randomFloats(size_t(n) * dim, dim + n, -3.0f, 3.0f);
      for (size_t i = 0; i < x.size(); i += 5)
        x[i] *= i % 2 ? 1e-3f : 60.0f; // exponents far apart: the double sum rounds
      const auto w = test::randomFloats(dim, dim * 7, -2.0f, 2.0f);
      auto gx = floats(x, "x"), gw = floats(w, "w");
      auto y = test::GuardedBuffer::create(ctx(), x.size() * 4, "y");
      test::runOnce(ctx(), [&](vk::Recorder &rec) {
        return ops::rmsNormGgml(rec, gx.view(), gw.view(), y.view(), n, dim, 1e-5f);
      });
      std::vector<float> expected(x.size());
      ref::rmsNorm(x.data(), w.data(), expected.data(), n, dim, 1e-5f, ref::Rounding::Ggml);
      EXPECT_TRUE(test::sameBits(expected, y.download<float>(), fmt::format("rms_norm {} n={}", dim, n)));
      EXPECT_TRUE(y.sentinelsIntact());
    }
}

TEST_P(VkGgmlOps, RopeBitExact)
{
  struct Case {
    uint32_t heads, headDim, ropeDims, pos0;
    float freqBase;
    bool factors;
  };
  const uint32_t n = 3, maxPos = 600;
  for (const Case c : {Case{3, 64, 64, 0, 10000.0f, false}, Case{2, 128, 128, 517, 500000.0f, true},
                       Case{4, 64, 32, 77, 1000000.0f, false}})
    for (bool neox : {false, true}) {
      std::vector<float> factors(c.ropeDims / 2);
      for (size_t i = 0; i < factors.size(); ++i)
        factors[i] = 1.0f + float(i % 5) * 1.7f;
      const float *ff = c.factors ? factors.data() : nullptr;
      auto table = ops::ropeTableGgml(ctx(), maxPos, c.ropeDims, c.freqBase, ff);
      ASSERT_TRUE(table.has_value()) << table.error().message;
      auto step = vk::Buffer::create(ctx(), 16, vk::Memory::Host, "step");
      ASSERT_TRUE(step.has_value());
      std::memcpy(step->mapped(), &c.pos0, 4);
      auto x = test::randomFloats(size_t(n) * c.heads * c.headDim, c.pos0 + c.heads, -4.0f, 4.0f);
      auto gx = floats(x, "x");
      const ops::RopeShape shape{n, c.heads, c.headDim, c.ropeDims, neox, maxPos};
      test::runOnce(ctx(), [&](vk::Recorder &rec) {
        return ops::ropeGgml(rec, gx.view(), table->view(), step->view(0, 4), shape);
      });
      ref::rope(x.data(), n, c.heads, c.headDim, c.pos0, c.ropeDims, c.freqBase, neox, ff, ref::Rounding::Ggml);
      EXPECT_TRUE(test::sameBits(x, gx.download<float>(),
                           fmt::format("rope{} {} {} {} pos {}", neox ? " neox" : "", c.heads, c.headDim, c.ropeDims,
                                       c.pos0)));
      EXPECT_TRUE(gx.sentinelsIntact());
    }
}

TEST_P(VkGgmlOps, SwigluBitExact)
{
  for (uint32_t rowLength : {1536u, 64u, 48u})
    for (uint32_t n : {1u, 3u}) {
      const uint32_t count = n * rowLength;
      auto gate = test::randomFloats(count, rowLength + n, -12.0f, 12.0f);
      for (size_t i = 0; i < gate.size(); i += 11)
        gate[i] *= 20.0f; // exp's overflow and underflow ends
      const auto up = test::randomFloats(count, rowLength * 3 + n, -3.0f, 3.0f);
      auto gg = floats(gate, "gate"), gu = floats(up, "up");
      auto out = test::GuardedBuffer::create(ctx(), size_t(count) * 4, "out");
      test::runOnce(ctx(), [&](vk::Recorder &rec) {
        return ops::swigluGgml(rec, gg.view(), gu.view(), out.view(), count, rowLength);
      });
      std::vector<float> expected(count);
      ref::swiglu(gate.data(), up.data(), expected.data(), count, ref::Rounding::Ggml, rowLength);
      EXPECT_TRUE(test::sameBits(expected, out.download<float>(), fmt::format("swiglu row {} n={}", rowLength, n)));
      EXPECT_TRUE(out.sentinelsIntact());
    }
}

INSTANTIATE_TEST_SUITE_P(Paths, VkGgmlOps, test::kFp16Paths, test::pathName);

// A matrix bound as several ranges of rows (HEARTH_MAX_BINDING forces 4 KiB bindings):
// rows of 54 bytes (Q4_0), so ranges start inside 16-byte words.
TEST(VkGgmlOpsChunked, MatmulAcrossBindingRanges)
{
  setenv("HEARTH_MAX_BINDING", "4096", 1);
  auto ctx = vk::Context::create({});
  unsetenv("HEARTH_MAX_BINDING");
  ASSERT_TRUE(ctx.has_value()) << ctx.error().message;
  if (!(*ctx)->info().float64)
    GTEST_SKIP() << "no shaderFloat64";
  const uint32_t rows = 301, cols = 96, n = 2;
  const auto bytes = quantizeRows(TensorType::Q4_0, test::randomFloats(size_t(rows) * cols, 9), rows, cols);
  auto w = ops::uploadWeight(**ctx, "w", TensorType::Q4_0, rows, cols, bytes);
  ASSERT_TRUE(w.has_value()) << w.error().message;
  const auto x = awkwardActivations(size_t(n) * cols, 4);
  auto gx = test::GuardedBuffer::create(**ctx, x.size() * 4, "x");
  gx.upload(x);
  auto xq = test::GuardedBuffer::create(**ctx, ops::q8GgmlBytes(n, cols), "xq");
  auto y = test::GuardedBuffer::create(**ctx, size_t(n) * rows * 4, "y");
  test::runOnce(**ctx, [&](vk::Recorder &rec) -> Status {
    HEARTH_TRY(ops::quantizeQ8Ggml(rec, gx.view(), xq.view(), n, cols));
    return ops::matmulGgml(rec, *w, xq.view(), y.view(), n);
  });
  std::vector<float> expected(size_t(n) * rows);
  ref::matmul(TensorType::Q4_0, bytes.data(), rows, cols, x.data(), expected.data(), n, ref::Rounding::Ggml);
  EXPECT_TRUE(test::sameBits(expected, y.download<float>(), "Q4_0 301x96 in 4 KiB ranges"));
  EXPECT_TRUE(y.sentinelsIntact());
}
