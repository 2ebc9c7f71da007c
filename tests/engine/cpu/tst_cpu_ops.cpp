// The op suite against the CPU backend's ops (cpu/ops.h, cpu/matmul.h): each op against
// its plain reference (ops/cpu_ref.h) with the op suite's thresholds (NMSE ≤ 1e-7 for
// exact ops, ≤ 5e-4 for matmul and attention), shapes that are not multiples of the SIMD
// width, GQA groups 1/4/7, pools of 1 to 3 threads, the AVX2 and the portable paths.
#include "cpu/matmul.h"
#include "cpu/ops.h"
#include "cpu/thread_pool.h"
#include "op_test.h"
#include "ops/cpu_ref.h"
#include "ops/quant.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

using namespace hearth;
namespace ref = hearth::ops::ref;

namespace {

std::string shapeName(const std::string &op, std::initializer_list<size_t> dims)
{
  std::string s = op;
  for (size_t d : dims)
    s += " " + std::to_string(d);
  return s;
}

cpu::ThreadPool &pool(size_t threads)
{
  static cpu::ThreadPool pools[3] = {cpu::ThreadPool(1), cpu::ThreadPool(2), cpu::ThreadPool(3)};
  return pools[threads - 1];
}

} // namespace

// Also within 1e-12 of the reference's Ggml rounding (llama.cpp's float scale).
TEST(CpuOps, RmsNormAddBias)
{
  for (size_t dim : {1u, 7u, 33u, 576u, 1001u})
    for (size_t n : {1u, 3u, 8u}) {
      const auto x = test::randomFloats(n * dim, uint32_t(dim + n), -3.0f, 3.0f);
      const auto w = test::randomFloats(dim, uint32_t(dim), 0.5f, 1.5f);
      const auto b = test::randomFloats(dim, uint32_t(dim + 1));
      std::vector<float> expected(x.size()), got(x.size());
      ref::rmsNorm(x.data(), w.data(), expected.data(), n, dim, 1e-5f);
      cpu::rmsNorm(x.data(), w.data(), got.data(), n, dim, 1e-5f);
      EXPECT_TRUE(test::matches(expected, got, 1e-7, shapeName("rms_norm", {dim, n})));
      std::vector<float> ggml(x.size());
      ref::rmsNorm(x.data(), w.data(), ggml.data(), n, dim, 1e-5f, ref::Rounding::Ggml);
      EXPECT_TRUE(test::matches(ggml, got, 1e-12, shapeName("rms_norm (ggml)", {dim, n})));
      ref::addBias(expected.data(), b.data(), n, dim);
      cpu::addBias(got.data(), b.data(), n, dim);
      ref::add(expected.data(), x.data(), n * dim);
      cpu::add(got.data(), x.data(), n * dim);
      EXPECT_TRUE(test::matches(expected, got, 1e-7, shapeName("bias+add", {dim, n})));
    }
}

// Counts across the threading threshold; large |g| (e^g overflow) and NaN kept.
TEST(CpuOps, SwiGlu)
{
  for (size_t threads : {1u, 3u})
    for (size_t count : {1u, 7u, 100u, 1536u, 40000u}) {
      auto gate = test::randomFloats(count, uint32_t(count), -8.0f, 8.0f);
      const auto up = test::randomFloats(count, uint32_t(count + 1), -2.0f, 2.0f);
      if (count >= 100) {
        gate[3] = 95.0f;
        gate[5] = -95.0f;
        gate[count - 1] = NAN;
      }
      std::vector<float> expected(count), got(count);
      ref::swiglu(gate.data(), up.data(), expected.data(), count);
      cpu::swiglu(gate.data(), up.data(), got.data(), count, pool(threads));
      EXPECT_TRUE(test::matches(expected, got, 1e-7, shapeName("swiglu count/threads", {count, threads})));
    }
}

TEST(CpuOps, Softmax)
{
  for (size_t dim : {1u, 7u, 33u, 1000u})
    for (size_t n : {1u, 4u}) {
      auto x = test::randomFloats(n * dim, uint32_t(dim * 3 + n), -20.0f, 20.0f);
      auto got = x;
      ref::softmax(x.data(), n, dim);
      cpu::softmax(got.data(), n, dim);
      EXPECT_TRUE(test::matches(x, got, 1e-7, shapeName("softmax", {dim, n})));
    }
}

TEST(CpuOps, RopeNormalAndNeoxWithFrequencyFactors)
{
  struct Case {
    size_t heads, headDim;
    uint32_t ropeDims, pos0;
  };
  for (const Case c : {Case{1, 64, 64, 0}, Case{3, 64, 64, 17}, Case{9, 64, 32, 250}, Case{2, 128, 128, 1000},
                       Case{5, 36, 20, 3}})
    for (bool neox : {false, true})
      for (bool factors : {false, true})
        for (size_t n : {1u, 6u, 9u}) {
          const auto freq = test::randomFloats(c.ropeDims / 2, c.ropeDims, 1.0f, 8.0f);
          auto x = test::randomFloats(n * c.heads * c.headDim, uint32_t(c.heads + n + c.pos0));
          auto got = x, ggml = x;
          const float *ff = factors ? freq.data() : nullptr;
          ref::rope(x.data(), n, c.heads, c.headDim, c.pos0, c.ropeDims, 10000.0f, neox, ff);
          ref::rope(ggml.data(), n, c.heads, c.headDim, c.pos0, c.ropeDims, 10000.0f, neox, ff, ref::Rounding::Ggml);
          cpu::RopeTable table;
          table.compute(c.pos0, n, c.ropeDims, 10000.0f, ff);
          cpu::rope(got.data(), n, c.heads, c.headDim, neox, table);
          const std::string what = shapeName(neox ? "rope neox" : "rope", {c.heads, c.headDim, c.ropeDims, c.pos0, n});
          EXPECT_TRUE(test::matches(x, got, 1e-7, what));
          // llama.cpp's angle arithmetic, as the reference's Ggml rounding has it
          EXPECT_TRUE(test::matches(ggml, got, 1e-12, what + " (ggml)"));
        }
}

// Bit for bit, including rows not a multiple of 8 wide and the cache around them untouched.
TEST(CpuOps, KvWriteBitExact)
{
  for (size_t kvHeads : {1u, 3u})
    for (size_t headDim : {36u, 64u})
      for (uint32_t pos0 : {0u, 7u, 31u})
        for (size_t n : {1u, 9u}) {
          const size_t width = kvHeads * headDim, ctx = 48;
          auto kv = test::randomFloats(n * width, uint32_t(pos0 + n + width), -70000.0f, 70000.0f);
          kv[0] = 1e-6f; // subnormal in f16
          std::vector<uint16_t> expected(ctx * width, 0xA5A5), got(ctx * width, 0xA5A5);
          ref::kvWrite(expected.data(), kv.data(), n, pos0, kvHeads, headDim);
          cpu::kvWrite(got.data(), kv.data(), n, pos0, width);
          EXPECT_EQ(got, expected) << "kvHeads " << kvHeads << " headDim " << headDim << " pos0 " << pos0 << " n " << n;
        }
}

// Decode and prefill, GQA groups 1/4/7, head sizes with and without a specialised
// kernel (64, 128, 40, 36), both roundings, 1 to 3 threads.
TEST(CpuOps, AttentionGqaDecodeAndPrefill)
{
  const size_t nHeadKv = 2, ctx = 700;
  for (size_t headDim : {64u, 128u, 40u, 36u})
    for (size_t group : {1u, 4u, 7u})
      for (uint32_t pos0 : {0u, 37u, 600u})
        for (size_t n : {1u, 5u, 9u}) {
          const size_t nHead = nHeadKv * group, width = nHeadKv * headDim, kvLen = pos0 + n;
          const uint32_t seed = uint32_t(group * 100 + pos0 + n + headDim);
          const auto q = test::randomFloats(n * nHead * headDim, seed, -2.0f, 2.0f);
          const auto kv = test::randomFloats(2 * kvLen * width, seed + 1, -2.0f, 2.0f);
          std::vector<uint16_t> k(ctx * width), v(ctx * width);
          for (size_t i = 0; i < kvLen * width; ++i) {
            k[i] = ops::floatToHalf(kv[i]);
            v[i] = ops::floatToHalf(kv[kvLen * width + i] * 0.5f);
          }
          for (bool ggml : {false, true}) {
            std::vector<float> expected(q.size()), got(q.size());
            ref::attention(q.data(), k.data(), v.data(), expected.data(), n, pos0, nHead, nHeadKv, headDim,
                           ggml ? ref::Rounding::Ggml : ref::Rounding::Exact);
            cpu::attention(q.data(), k.data(), v.data(), got.data(), n, pos0, nHead, nHeadKv, headDim, ggml,
                           pool(1 + (n + group) % 3));
            EXPECT_TRUE(test::matches(expected, got, 5e-4,
                                      shapeName(ggml ? "attention ggml headDim/group/pos0/n" : "attention headDim/group/pos0/n",
                                                {headDim, group, pos0, n})));
          }
        }
}

// The backend's matmul over every weight type the models use, rows not a multiple of
// the thread count, batches of 1 and 9, against exact math. (NMSE needs a few outputs:
// over a single dot product a near-zero result makes any rounding look large.)
TEST(CpuOps, MatmulEveryType)
{
  const TensorType types[] = {TensorType::F32,  TensorType::F16,  TensorType::BF16, TensorType::Q8_0, TensorType::Q4_0,
                              TensorType::Q4_1, TensorType::Q4_K, TensorType::Q5_K, TensorType::Q6_K};
  for (TensorType type : types) {
    const size_t cols = tensorTypeInfo(type).blockElements == 256 ? 512 : 96;
    for (size_t rows : {13u, 67u})
      for (size_t n : {1u, 9u}) {
        const auto wv = test::randomFloats(rows * cols, uint32_t(rows + cols + size_t(type)));
        std::vector<std::byte> w(rows * ops::rowBytes(type, cols));
        for (size_t r = 0; r < rows; ++r)
          ops::quantizeRow(type, wv.data() + r * cols, w.data() + r * ops::rowBytes(type, cols), cols);
        const auto x = test::randomFloats(n * cols, uint32_t(n + 1));
        std::vector<float> expected(n * rows), got(n * rows);
        ref::matmul(type, w.data(), rows, cols, x.data(), expected.data(), n);
        cpu::matmul(type, w.data(), rows, cols, x.data(), got.data(), n, pool(3));
        EXPECT_TRUE(test::matches(expected, got, 5e-4,
                                  std::string(tensorTypeName(type)) + shapeName(" matmul", {rows, cols, n})));
      }
  }
}

// Dispatches in quick succession (workers spinning) and after pauses longer than the
// spin (workers asleep): every index covered exactly once each time.
TEST(CpuThreadPool, SpinningAndSleepingDispatches)
{
  cpu::ThreadPool p(3);
  std::vector<std::atomic<int>> hits(1000);
  for (int round = 0; round < 400; ++round) {
    const size_t count = 1 + size_t(round * 37) % hits.size();
    p.parallelFor(count, [&](size_t b, size_t e) {
      for (size_t i = b; i < e; ++i)
        hits[i].fetch_add(1);
    });
    if (round % 50 == 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  std::vector<int> expected(hits.size(), 0);
  for (int round = 0; round < 400; ++round)
    for (size_t i = 0; i < 1 + size_t(round * 37) % hits.size(); ++i)
      ++expected[i];
  for (size_t i = 0; i < hits.size(); ++i)
    ASSERT_EQ(hits[i].load(), expected[i]) << "index " << i;
}
