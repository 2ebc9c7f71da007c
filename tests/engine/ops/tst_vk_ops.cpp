// Every Vulkan op (matrix multiplication aside) against the CPU reference over a sweep of
// shapes, in the fp16 and fp32 paths, with sentinels around every output.
#include "op_test.h"

#include "ops/cpu_ref.h"
#include "ops/ops.h"
#include "ops/quant.h"

#include <cstdlib>

using namespace hearth;
namespace ref = hearth::ops::ref;

namespace {

class VkOps : public ::testing::TestWithParam<bool> {
protected:
  vk::Context &ctx() { return test::context(GetParam()); }
  bool kvF16() { return ctx().info().fp16; }

  // A one-word step buffer holding pos0.
  vk::Buffer stepBuffer(uint32_t pos0)
  {
    auto b = vk::Buffer::create(ctx(), 16, vk::Memory::Host, "step");
    EXPECT_TRUE(b.has_value());
    std::memcpy(b->mapped(), &pos0, 4);
    return std::move(*b);
  }
  test::GuardedBuffer floats(const std::vector<float> &v, const char *name)
  {
    auto g = test::GuardedBuffer::create(ctx(), v.size() * 4, name);
    g.upload(v);
    return g;
  }
  test::GuardedBuffer output(size_t count, const char *name)
  {
    return test::GuardedBuffer::create(ctx(), count * 4, name);
  }
};

std::string shapeName(const char *op, std::initializer_list<uint32_t> dims)
{
  std::string s = op;
  for (auto d : dims)
    s += " " + std::to_string(d);
  return s;
}

constexpr TensorType k_allTypes[] = {TensorType::F32,  TensorType::F16,  TensorType::BF16,
                                     TensorType::Q8_0, TensorType::Q4_0, TensorType::Q4_1,
                                     TensorType::Q4_K, TensorType::Q5_K, TensorType::Q6_K};

std::vector<std::byte> quantizeRows(TensorType type, const std::vector<float> &values, size_t rows, size_t cols)
{
  const size_t rb = ops::rowBytes(type, cols);
  std::vector<std::byte> out(rows * rb);
  for (size_t r = 0; r < rows; ++r)
    ops::quantizeRow(type, values.data() + r * cols, out.data() + r * rb, cols);
  return out;
}

} // namespace

TEST_P(VkOps, EmbeddingEveryTypeBitExact)
{
  for (TensorType type : k_allTypes) {
    const uint32_t block = tensorTypeInfo(type).blockElements;
    const uint32_t dim = block == 256 ? 512 : 96, vocab = 37;
    const auto values = test::randomFloats(size_t(vocab) * dim, 11 + uint32_t(type), -2.0f, 2.0f);
    const auto bytes = quantizeRows(type, values, vocab, dim);
    auto table = ops::uploadWeight(ctx(), "table", type, vocab, dim, bytes);
    ASSERT_TRUE(table.has_value()) << table.error().message;
    for (uint32_t n : {1u, 4u, 9u}) {
      std::vector<int32_t> tokens(n);
      for (uint32_t t = 0; t < n; ++t)
        tokens[t] = int32_t((t * 13 + 5) % vocab);
      tokens[0] = int32_t(vocab - 1);
      auto tok = test::GuardedBuffer::create(ctx(), n * 4, "tokens");
      tok.upload(tokens);
      auto out = output(size_t(n) * dim, "embedding out");
      test::runOnce(ctx(), [&](vk::Recorder &rec) { return ops::embedding(rec, tok.view(), *table, out.view(), n); });
      std::vector<float> expected(size_t(n) * dim);
      ref::embedding(type, bytes.data(), dim, tokens.data(), n, expected.data());
      const auto got = out.download<float>();
      ASSERT_EQ(std::memcmp(expected.data(), got.data(), got.size() * 4), 0)
          << tensorTypeName(type) << " n=" << n << ": " << test::matches(expected, got, 0, "embedding").message();
      EXPECT_TRUE(out.sentinelsIntact()) << tensorTypeName(type);
    }
  }
}

TEST_P(VkOps, RmsNorm)
{
  for (uint32_t dim : {1u, 7u, 64u, 576u, 1000u})
    for (uint32_t n : {1u, 2u, 5u, 9u}) {
      const auto x = test::randomFloats(size_t(n) * dim, dim + n, -3.0f, 3.0f);
      const auto w = test::randomFloats(dim, dim * 7);
      auto gx = floats(x, "x"), gw = floats(w, "w");
      auto y = output(size_t(n) * dim, "y");
      test::runOnce(ctx(), [&](vk::Recorder &rec) { return ops::rmsNorm(rec, gx.view(), gw.view(), y.view(), n, dim, 1e-5f); });
      std::vector<float> expected(x.size());
      ref::rmsNorm(x.data(), w.data(), expected.data(), n, dim, 1e-5f);
      EXPECT_TRUE(test::matches(expected, y.download<float>(), 1e-7, shapeName("rms_norm", {dim, n})));
      EXPECT_TRUE(y.sentinelsIntact());
    }
}

TEST_P(VkOps, BiasAndResidualAdd)
{
  for (uint32_t dim : {1u, 33u, 576u})
    for (uint32_t n : {1u, 3u, 9u}) {
      const auto x = test::randomFloats(size_t(n) * dim, dim + 3 * n);
      const auto b = test::randomFloats(dim, dim + 5);
      const auto r = test::randomFloats(size_t(n) * dim, dim + 9 * n);
      auto gx = floats(x, "x"), gb = floats(b, "bias"), gr = floats(r, "residual");
      test::runOnce(ctx(), [&](vk::Recorder &rec) -> Status {
        HEARTH_TRY(ops::addBias(rec, gx.view(), gb.view(), n, dim));
        return ops::addResidual(rec, gx.view(), gr.view(), n * dim);
      });
      auto expected = x;
      ref::addBias(expected.data(), b.data(), n, dim);
      ref::add(expected.data(), r.data(), expected.size());
      EXPECT_TRUE(test::matches(expected, gx.download<float>(), 1e-7, shapeName("add", {dim, n})));
      EXPECT_TRUE(gx.sentinelsIntact());
    }
}

TEST_P(VkOps, SwiGlu)
{
  for (uint32_t count : {1u, 255u, 1536u * 3u, 70001u}) {
    const auto g = test::randomFloats(count, count, -6.0f, 6.0f);
    const auto u = test::randomFloats(count, count + 1, -2.0f, 2.0f);
    auto gg = floats(g, "gate"), gu = floats(u, "up");
    auto out = output(count, "out");
    test::runOnce(ctx(), [&](vk::Recorder &rec) { return ops::swiglu(rec, gg.view(), gu.view(), out.view(), count); });
    std::vector<float> expected(count);
    ref::swiglu(g.data(), u.data(), expected.data(), count);
    EXPECT_TRUE(test::matches(expected, out.download<float>(), 1e-7, shapeName("swiglu", {count})));
    EXPECT_TRUE(out.sentinelsIntact());
  }
}

TEST_P(VkOps, Softmax)
{
  for (uint32_t dim : {1u, 5u, 100u, 1031u})
    for (uint32_t n : {1u, 4u, 9u}) {
      auto x = test::randomFloats(size_t(n) * dim, dim * n, -20.0f, 20.0f);
      if (dim > 1)
        x[1] = -INFINITY; // a masked entry: exactly zero probability
      auto gx = floats(x, "x");
      test::runOnce(ctx(), [&](vk::Recorder &rec) { return ops::softmax(rec, gx.view(), n, dim); });
      ref::softmax(x.data(), n, dim);
      EXPECT_TRUE(test::matches(x, gx.download<float>(), 1e-7, shapeName("softmax", {dim, n})));
      EXPECT_TRUE(gx.sentinelsIntact());
    }
}

TEST_P(VkOps, RopeNormalAndNeox)
{
  struct Case {
    uint32_t heads, headDim, ropeDims, pos0;
  };
  for (const Case c : {Case{1, 64, 64, 0}, Case{3, 64, 64, 17}, Case{9, 64, 32, 250}, Case{2, 128, 128, 1000}})
    for (bool neox : {false, true})
      for (uint32_t n : {1u, 6u, 9u}) {
        const uint32_t maxPos = 1100;
        auto table = ops::ropeTable(ctx(), maxPos, c.ropeDims, 10000.0f, nullptr);
        ASSERT_TRUE(table.has_value()) << table.error().message;
        auto x = test::randomFloats(size_t(n) * c.heads * c.headDim, c.heads + n + c.pos0);
        auto gx = floats(x, "x");
        auto step = stepBuffer(c.pos0);
        const ops::RopeShape shape{n, c.heads, c.headDim, c.ropeDims, neox, maxPos};
        test::runOnce(ctx(),
                      [&](vk::Recorder &rec) { return ops::rope(rec, gx.view(), table->view(), step.view(0, 4), shape); });
        ref::rope(x.data(), n, c.heads, c.headDim, c.pos0, c.ropeDims, 10000.0f, neox);
        EXPECT_TRUE(test::matches(x, gx.download<float>(), 1e-7,
                                  shapeName(neox ? "rope neox" : "rope", {c.heads, c.headDim, c.ropeDims, c.pos0, n})));
        EXPECT_TRUE(gx.sentinelsIntact());
      }
}

TEST_P(VkOps, KvWrite)
{
  const uint32_t kvHeads = 3, headDim = 64, width = kvHeads * headDim, ctxLen = 40;
  const bool f16 = kvF16();
  for (uint32_t pos0 : {0u, 7u, 31u})
    for (uint32_t n : {1u, 9u}) {
      const auto kv = test::randomFloats(size_t(n) * width, pos0 + n, -4.0f, 4.0f);
      auto gkv = floats(kv, "kv");
      auto cache = test::GuardedBuffer::create(ctx(), size_t(ctxLen) * width * (f16 ? 2 : 4), "cache");
      auto step = stepBuffer(pos0);
      test::runOnce(ctx(), [&](vk::Recorder &rec) {
        return ops::kvWrite(rec, gkv.view(), cache.view(), step.view(0, 4), n, width, ctxLen, f16);
      });
      if (f16) {
        std::vector<uint16_t> expected(size_t(ctxLen) * width, 0xA5A5);
        ref::kvWrite(expected.data(), kv.data(), n, pos0, kvHeads, headDim);
        EXPECT_EQ(cache.download<uint16_t>(), expected) << "pos0 " << pos0 << " n " << n;
      } else {
        const auto got = cache.download<float>();
        for (uint32_t t = 0; t < n; ++t)
          for (uint32_t i = 0; i < width; ++i)
            ASSERT_EQ(got[(pos0 + t) * width + i], kv[t * width + i]);
        uint32_t pattern;
        std::memset(&pattern, 0xA5, 4);
        EXPECT_EQ(std::memcmp(&got[0], &pattern, 4) == 0, pos0 > 0);
      }
      EXPECT_TRUE(cache.sentinelsIntact());
    }
}

// Attention over a cache filled with f16-representable values, so that the f32 cache of
// the fp32 path and the reference's f16 cache hold the same numbers.
TEST_P(VkOps, AttentionGqaDecodeAndPrefill)
{
  const bool f16 = kvF16();
  const uint32_t nHeadKv = 2, headDim = 64, ctxLen = 700;
  for (uint32_t group : {1u, 4u, 7u})
    for (uint32_t pos0 : {0u, 37u, 600u})
      for (uint32_t n : {1u, 5u, 9u}) {
        const uint32_t nHead = nHeadKv * group, width = nHeadKv * headDim, kvLen = pos0 + n;
        const auto q = test::randomFloats(size_t(n) * nHead * headDim, group * 100 + pos0 + n, -2.0f, 2.0f);
        const auto kvals = test::randomFloats(size_t(kvLen) * width, pos0 * 3 + n, -2.0f, 2.0f);
        const auto vvals = test::randomFloats(size_t(kvLen) * width, pos0 * 5 + n, -1.0f, 1.0f);
        std::vector<uint16_t> kh(size_t(ctxLen) * width), vh(size_t(ctxLen) * width);
        std::vector<float> kf(kh.size()), vf(vh.size());
        for (size_t i = 0; i < kvals.size(); ++i) {
          kh[i] = ops::floatToHalf(kvals[i]);
          vh[i] = ops::floatToHalf(vvals[i]);
          kf[i] = ops::halfToFloat(kh[i]);
          vf[i] = ops::halfToFloat(vh[i]);
        }
        auto upload = [&](const auto &h, const auto &f, const char *name) {
          auto g = test::GuardedBuffer::create(ctx(), size_t(ctxLen) * width * (f16 ? 2 : 4), name);
          if (f16)
            g.upload(h);
          else
            g.upload(f);
          return g;
        };
        auto gk = upload(kh, kf, "k cache"), gv = upload(vh, vf, "v cache");
        auto gq = floats(q, "q");
        auto out = output(q.size(), "attention out");
        auto step = stepBuffer(pos0);
        for (uint32_t splits : {ops::attentionSplits(kvLen), 16u}) {
          const ops::AttentionShape shape{n, nHead, nHeadKv, headDim, splits, f16};
          auto scratch = test::GuardedBuffer::create(ctx(), ops::attentionScratchBytes(shape), "scratch");
          test::runOnce(ctx(), [&](vk::Recorder &rec) {
            return ops::attention(rec, gq.view(), gk.view(), gv.view(), step.view(0, 4), scratch.view(), out.view(),
                                  shape);
          });
          std::vector<float> expected(q.size());
          ref::attention(q.data(), kh.data(), vh.data(), expected.data(), n, pos0, nHead, nHeadKv, headDim);
          EXPECT_TRUE(test::matches(expected, out.download<float>(), 5e-4,
                                    shapeName("attention group/pos0/n/splits", {group, pos0, n, splits})));
          EXPECT_TRUE(out.sentinelsIntact());
          EXPECT_TRUE(scratch.sentinelsIntact());
        }
      }
}

TEST_P(VkOps, GenericMatVecEveryType)
{
  for (TensorType type : k_allTypes) {
    const uint32_t block = tensorTypeInfo(type).blockElements;
    const uint32_t cols = block == 256 ? 512 : 96;
    for (uint32_t rows : {1u, 67u})
      for (uint32_t n : {1u, 9u}) {
        const auto wv = test::randomFloats(size_t(rows) * cols, rows + cols + uint32_t(type));
        const auto bytes = quantizeRows(type, wv, rows, cols);
        auto w = ops::uploadWeight(ctx(), "w", type, rows, cols, bytes);
        ASSERT_TRUE(w.has_value()) << w.error().message;
        const auto x = test::randomFloats(size_t(n) * cols, n + 1);
        auto gx = floats(x, "x");
        auto y = output(size_t(n) * rows, "y");
        test::runOnce(ctx(), [&](vk::Recorder &rec) { return ops::matVecGeneric(rec, *w, gx.view(), y.view(), n); });
        std::vector<float> expected(size_t(n) * rows);
        ref::matmul(type, bytes.data(), rows, cols, x.data(), expected.data(), n);
        EXPECT_TRUE(test::matches(expected, y.download<float>(), 1e-7,
                                  std::string(tensorTypeName(type)) + shapeName(" matvec", {rows, cols, n})));
        EXPECT_TRUE(y.sentinelsIntact());
      }
  }
}

INSTANTIATE_TEST_SUITE_P(Paths, VkOps, test::kFp16Paths, test::pathName);

// Tables bigger than one binding are split into chunks of rows: force a tiny limit.
TEST(VkOpsChunked, EmbeddingAndMatVecAcrossChunks)
{
  setenv("HEARTH_MAX_BINDING", "4096", 1);
  auto ctx = vk::Context::create({});
  unsetenv("HEARTH_MAX_BINDING");
  ASSERT_TRUE(ctx.has_value()) << ctx.error().message;
  const uint32_t vocab = 301, dim = 96;
  const auto values = test::randomFloats(size_t(vocab) * dim, 5);
  const auto bytes = quantizeRows(TensorType::Q4_1, values, vocab, dim);
  auto table = ops::uploadWeight(**ctx, "table", TensorType::Q4_1, vocab, dim, bytes);
  ASSERT_TRUE(table.has_value()) << table.error().message;
  EXPECT_GE(table->chunks.size(), 5u);
  for (const auto &c : table->chunks) {
    EXPECT_LE(c.view.range, 4096u);
    EXPECT_EQ(c.view.offset % (*ctx)->minStorageOffsetAlignment(), 0u);
  }
  const std::vector<int32_t> tokens{0, 300, 150, 37, 299, 64};
  const uint32_t n = uint32_t(tokens.size());
  auto tok = test::GuardedBuffer::create(**ctx, n * 4, "tokens");
  tok.upload(tokens);
  auto out = test::GuardedBuffer::create(**ctx, n * dim * 4, "out");
  const uint32_t nLogits = 3; // 3 rows of logits fit one 4096-byte binding
  auto y = test::GuardedBuffer::create(**ctx, nLogits * vocab * 4, "y");
  test::runOnce(**ctx, [&](vk::Recorder &rec) -> Status {
    HEARTH_TRY(ops::embedding(rec, tok.view(), *table, out.view(), n));
    vk::BufferView firstRows = out.view();
    firstRows.range = nLogits * dim * 4;
    return ops::matVecGeneric(rec, *table, firstRows, y.view(), nLogits); // tied-output logits
  });
  std::vector<float> emb(size_t(n) * dim), logits(size_t(nLogits) * vocab);
  ref::embedding(TensorType::Q4_1, bytes.data(), dim, tokens.data(), n, emb.data());
  ref::matmul(TensorType::Q4_1, bytes.data(), vocab, dim, emb.data(), logits.data(), nLogits);
  EXPECT_TRUE(test::matches(emb, out.download<float>(), 0, "chunked embedding"));
  EXPECT_TRUE(test::matches(logits, y.download<float>(), 1e-7, "chunked matvec"));
  EXPECT_TRUE(out.sentinelsIntact());
  EXPECT_TRUE(y.sentinelsIntact());
  EXPECT_EQ((*ctx)->validationErrors(), 0u);
}

// Activation rounding for llama.cpp agreement: bit for bit with ops::ref::roundActivations,
// and a Q4_1 product with the Q8_1 block-sum correction equal to the Ggml reference matmul.
TEST(VkOpsGgml, RoundActivationsBitExact)
{
  auto &ctx = test::context();
  for (TensorType type : {TensorType::Q8_0, TensorType::Q4_1, TensorType::Q4_K, TensorType::F16, TensorType::BF16}) {
    const uint32_t n = 3, cols = 512;
    const auto x = test::randomFloats(size_t(n) * cols, 17 + uint32_t(type), -3.0f, 3.0f);
    auto gx = test::GuardedBuffer::create(ctx, x.size() * 4, "x");
    gx.upload(x);
    auto xr = test::GuardedBuffer::create(ctx, x.size() * 4, "xr");
    auto corr = test::GuardedBuffer::create(ctx, n * cols / 32 * 4, "corr");
    test::runOnce(ctx, [&](vk::Recorder &rec) {
      return ops::roundActivations(rec, gx.view(), xr.view(), corr.view(), n, cols, ops::activationRounding(type));
    });
    auto expected = x;
    ref::roundActivations(type, expected.data(), n, cols);
    const auto got = xr.download<float>();
    size_t mismatches = 0;
    for (size_t i = 0; i < got.size(); ++i)
      mismatches += std::memcmp(&got[i], &expected[i], 4) != 0;
    EXPECT_EQ(mismatches, 0u) << tensorTypeName(type);
    EXPECT_TRUE(xr.sentinelsIntact());
    EXPECT_TRUE(corr.sentinelsIntact());
  }
}
