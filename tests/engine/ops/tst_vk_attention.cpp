// Prefill attention in query/KV tiles (ops::attentionPrefill, shaders/attention_prefill.comp)
// against the CPU reference: GQA 1/4/7, batches that are not a multiple of the 16-token
// query tile, KV lengths spanning several key tiles, head sizes 64, 128 and 36 (32-, 16-
// and 32-key tiles), f16 and f32 caches, queries rounded to f16; sentinels around the output.
#include "op_test.h"

#include "ops/cpu_ref.h"
#include "ops/ops.h"
#include "ops/quant.h"

using namespace hearth;

namespace {

class VkAttention : public ::testing::TestWithParam<bool> {
protected:
  vk::Context &ctx() { return test::context(GetParam()); }

  struct Case {
    uint32_t group, pos0, n, headDim;
    bool roundQ = false;
  };

  // Runs one shape; the caches hold f16-representable values so that the f32 cache of the
  // fp32 path and the reference's f16 cache hold the same numbers.
  void check(const Case &c)
  {
    const bool f16 = ctx().info().fp16;
    const uint32_t nHeadKv = 2, nHead = nHeadKv * c.group, width = nHeadKv * c.headDim;
    const uint32_t kvLen = c.pos0 + c.n, ctxLen = kvLen + 3;
    const uint32_t seed = c.group * 1000 + c.pos0 * 7 + c.n + c.headDim;
    const auto q = test::randomFloats(size_t(c.n) * nHead * c.headDim, seed, -2.0f, 2.0f);
    const auto kvals = test::randomFloats(size_t(kvLen) * width, seed + 1, -2.0f, 2.0f);
    const auto vvals = test::randomFloats(size_t(kvLen) * width, seed + 2, -1.0f, 1.0f);
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
    auto gq = test::GuardedBuffer::create(ctx(), q.size() * 4, "q");
    gq.upload(q);
    auto out = test::GuardedBuffer::create(ctx(), q.size() * 4, "attention out");
    auto step = vk::Buffer::create(ctx(), 16, vk::Memory::Host, "step");
    ASSERT_TRUE(step.has_value());
    std::memcpy(step->mapped(), &c.pos0, 4);

    ops::AttentionShape shape{c.n, nHead, nHeadKv, c.headDim, 1, f16, c.roundQ};
    ASSERT_TRUE(ops::attentionPrefillSupported(shape));
    test::runOnce(ctx(), [&](vk::Recorder &rec) {
      return ops::attentionPrefill(rec, gq.view(), gk.view(), gv.view(), step->view(0, 4), out.view(), shape);
    });
    std::vector<float> qRef = q, expected(q.size());
    if (c.roundQ)
      for (float &v : qRef)
        v = ops::halfToFloat(ops::floatToHalf(v));
    ops::ref::attention(qRef.data(), kh.data(), vh.data(), expected.data(), c.n, c.pos0, nHead, nHeadKv, c.headDim);
    const std::string name = "prefill attention group " + std::to_string(c.group) + " pos0 " + std::to_string(c.pos0) +
                             " n " + std::to_string(c.n) + " head " + std::to_string(c.headDim) +
                             (c.roundQ ? " roundQ" : "");
    EXPECT_TRUE(test::matches(expected, out.download<float>(), 5e-4, name));
    EXPECT_TRUE(out.sentinelsIntact()) << name;
    EXPECT_TRUE(gk.sentinelsIntact() && gv.sentinelsIntact() && gq.sentinelsIntact()) << name;
  }
};

} // namespace

TEST_P(VkAttention, PrefillTilesMatchTheReference)
{
  for (uint32_t group : {1u, 4u, 7u})
    for (uint32_t pos0 : {0u, 37u})
      for (uint32_t n : {2u, 16u, 45u})
        check({group, pos0, n, 64});
}

TEST_P(VkAttention, PrefillTilesLongBatchAndWideHeads)
{
  check({4, 0, 100, 64});        // 7 query tiles, 4 key tiles
  check({7, 5, 33, 128});        // 16-key tiles
  check({1, 150, 20, 128});      // 11 key tiles before the batch's last
  check({4, 3, 29, 64, true});   // queries rounded to f16
  check({4, 40, 18, 36});        // a head size that is not a multiple of 16
}

TEST(VkAttentionShapes, PrefillNeedsABatchAndAHeadSizeOfFours)
{
  EXPECT_FALSE(ops::attentionPrefillSupported({1, 8, 2, 64}));
  EXPECT_FALSE(ops::attentionPrefillSupported({9, 8, 2, 66}));
  EXPECT_FALSE(ops::attentionPrefillSupported({9, 8, 2, 260}));
  EXPECT_TRUE(ops::attentionPrefillSupported({9, 8, 2, 68}));
}

INSTANTIATE_TEST_SUITE_P(Paths, VkAttention, test::kFp16Paths, test::pathName);
