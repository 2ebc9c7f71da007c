// The op suite against the CPU backend's ops (cpu/ops.h, cpu/matmul.h): each op against
// its plain reference (ops/cpu_ref.h) with the op suite's thresholds (NMSE ≤ 1e-7 for
// exact ops, ≤ 5e-4 for matmul and attention), and RMSNorm, RoPE, SwiGLU, attention and the
// Q8_0/Q4_0/Q4_1 matmul equal to the reference's Rounding::Ggml (llama.cpp's arithmetic)
// value for value; shapes that are not multiples of the SIMD width, GQA groups 1/4/7, pools
// of 1 to 3 threads, the AVX2 and the portable paths (tst_cpu_ops_portable).
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

// Equal values (NaN where the reference has NaN; ±0 alike): ops::ref's Rounding::Ggml
// arithmetic reproduced exactly.
::testing::AssertionResult sameValues(const std::vector<float> &ref, const std::vector<float> &got,
                                      const std::string &what)
{
  if (ref.size() != got.size())
    return ::testing::AssertionFailure() << what << ": size " << got.size() << ", expected " << ref.size();
  size_t differ = 0, first = 0;
  for (size_t i = 0; i < ref.size(); ++i)
    if (!(ref[i] == got[i] || (std::isnan(ref[i]) && std::isnan(got[i]))) && differ++ == 0)
      first = i;
  if (differ == 0)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << what << ": " << differ << " of " << ref.size() << " values differ, first "
                                       << first << ": " << got[first] << " vs " << ref[first] << " (diff "
                                       << got[first] - ref[first] << ")";
}

cpu::ThreadPool &pool(size_t threads)
{
  static cpu::ThreadPool pools[3] = {cpu::ThreadPool(1), cpu::ThreadPool(2), cpu::ThreadPool(3)};
  return pools[threads - 1];
}

} // namespace

// Also the reference's Ggml rounding (llama.cpp's float scale) exactly.
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
      EXPECT_TRUE(sameValues(ggml, got, shapeName("rms_norm (ggml)", {dim, n})));
      ref::addBias(expected.data(), b.data(), n, dim);
      cpu::addBias(got.data(), b.data(), n, dim);
      ref::add(expected.data(), x.data(), n * dim);
      cpu::add(got.data(), x.data(), n * dim);
      EXPECT_TRUE(test::matches(expected, got, 1e-7, shapeName("bias+add", {dim, n})));
    }
}

// Counts across the threading threshold, rows whose length is not a multiple of 16 (the
// tail takes expf); large |g| (e^g overflow, vexp's subnormal range) and NaN kept. Within
// the plain reference's NMSE and equal to its Ggml rounding.
TEST(CpuOps, SwiGlu)
{
  for (size_t threads : {1u, 3u})
    for (size_t count : {1u, 7u, 100u, 1536u, 40000u})
      for (size_t rowLength : {size_t(0), size_t(1536), size_t(1000), size_t(37)}) {
        if (rowLength > count)
          continue;
        auto gate = test::randomFloats(count, uint32_t(count), -8.0f, 8.0f);
        const auto up = test::randomFloats(count, uint32_t(count + 1), -2.0f, 2.0f);
        if (count >= 100) {
          gate[3] = 95.0f;
          gate[5] = -95.0f;
          gate[9] = 100.0f; // e^−g between 2^−149 and 2^−126
          gate[count - 1] = NAN;
        }
        std::vector<float> expected(count), ggml(count), got(count);
        ref::swiglu(gate.data(), up.data(), expected.data(), count);
        ref::swiglu(gate.data(), up.data(), ggml.data(), count, ref::Rounding::Ggml, rowLength);
        cpu::swiglu(gate.data(), up.data(), got.data(), count, pool(threads), rowLength);
        const std::string what = shapeName("swiglu count/row/threads", {count, rowLength, threads});
        EXPECT_TRUE(test::matches(expected, got, 1e-7, what));
        EXPECT_TRUE(sameValues(ggml, got, what + " (ggml)"));
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
          // llama.cpp's angle arithmetic, exactly as the reference's Ggml rounding has it
          EXPECT_TRUE(sameValues(ggml, got, what + " (ggml)"));
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

// Decode and prefill, GQA groups 1/4/7, head sizes with and without a whole number of
// 16- and 64-lanes (64, 128, 40, 36), contexts past one 64-step and not a multiple of 16,
// both roundings, 1 to 3 threads: within the plain reference's NMSE, and with Ggml rounding
// equal to the reference's Rounding::Ggml (llama.cpp's order of sums).
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
            const std::string what = shapeName(ggml ? "attention ggml headDim/group/pos0/n" : "attention headDim/group/pos0/n",
                                               {headDim, group, pos0, n});
            EXPECT_TRUE(test::matches(expected, got, 5e-4, what));
            if (ggml) {
              EXPECT_TRUE(sameValues(expected, got, what));
            }
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
      for (size_t n : {1u, 2u, 9u}) {
        const auto wv = test::randomFloats(rows * cols, uint32_t(rows + cols + size_t(type)));
        std::vector<std::byte> w(rows * ops::rowBytes(type, cols));
        for (size_t r = 0; r < rows; ++r)
          ops::quantizeRow(type, wv.data() + r * cols, w.data() + r * ops::rowBytes(type, cols), cols);
        const auto x = test::randomFloats(n * cols, uint32_t(n + 1));
        std::vector<float> expected(n * rows), got(n * rows);
        ref::matmul(type, w.data(), rows, cols, x.data(), expected.data(), n);
        // The portable variant (HEARTH_CPU_PORTABLE=1) runs the portable kernels too.
        const cpu::Isa isa = cpu::hasAvx2() ? cpu::detectIsa() : cpu::Isa::Portable;
        cpu::matmul(type, w.data(), rows, cols, x.data(), got.data(), n, pool(3), isa);
        const std::string what = std::string(tensorTypeName(type)) + shapeName(" matmul", {rows, cols, n});
        EXPECT_TRUE(test::matches(expected, got, 5e-4, what));
        if (type == TensorType::Q8_0 || type == TensorType::Q4_0 || type == TensorType::Q4_1) {
          std::vector<float> ggml(n * rows);
          ref::matmul(type, w.data(), rows, cols, x.data(), ggml.data(), n, ref::Rounding::Ggml);
          EXPECT_TRUE(sameValues(ggml, got, what + " (ggml)"));
        }
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
