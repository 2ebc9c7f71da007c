// The CPU backend's matmul against the plain reference: with llama.cpp-style activation
// rounding the integer kernels give the reference's values (NMSE ≤ 1e-10); against exact
// math the error stays within the op suite's matmul bound (NMSE ≤ 5e-4). AVX2 and portable
// paths agree; the thread pool covers every row once.
#include "cpu/matmul.h"
#include "cpu/thread_pool.h"
#include "ops/cpu_ref.h"
#include "ops/quant.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <random>
#include <vector>

using namespace hearth;

namespace {

double nmse(const std::vector<float> &ref, const std::vector<float> &got)
{
  double err = 0, sum = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    err += double(ref[i] - got[i]) * (ref[i] - got[i]);
    sum += double(ref[i]) * ref[i];
  }
  return err / sum;
}

} // namespace

TEST(CpuThreadPool, CoversEveryIndexOnce)
{
  cpu::ThreadPool pool(3);
  for (size_t count : {1u, 2u, 5u, 1000u}) {
    std::vector<std::atomic<int>> hits(count);
    for (int round = 0; round < 20; ++round)
      pool.parallelFor(count, [&](size_t b, size_t e) {
        for (size_t i = b; i < e; ++i)
          ++hits[i];
      });
    for (size_t i = 0; i < count; ++i)
      ASSERT_EQ(hits[i].load(), 20) << "count " << count << " index " << i;
  }
}

TEST(CpuMatmul, MatchesTheReferenceForEveryType)
{
  cpu::ThreadPool pool(2);
  std::mt19937 rng(5);
  std::normal_distribution<float> normal;
  const size_t rows = 67;
  for (TensorType type : {TensorType::Q8_0, TensorType::Q4_0, TensorType::Q4_1, TensorType::Q4_K,
                          TensorType::Q5_K, TensorType::Q6_K, TensorType::F16, TensorType::BF16,
                          TensorType::F32}) {
    const size_t cols = tensorTypeInfo(type).blockElements == 256 ? 512 : 96;
    std::vector<float> wf(rows * cols);
    for (auto &v : wf)
      v = normal(rng);
    std::vector<std::byte> w(ops::rowBytes(type, cols) * rows);
    for (size_t r = 0; r < rows; ++r)
      ops::quantizeRow(type, &wf[r * cols], w.data() + r * ops::rowBytes(type, cols), cols);
    for (size_t n : {1u, 2u, 5u, 9u}) {
      std::vector<float> x(n * cols);
      for (size_t i = 0; i < x.size(); ++i)
        x[i] = normal(rng) * (i % 37 == 0 ? 20.0f : 1.0f); // outliers, as real activations have
      std::vector<float> exact(n * rows), ggml(n * rows);
      ops::ref::matmul(type, w.data(), rows, cols, x.data(), exact.data(), n);
      ops::ref::matmul(type, w.data(), rows, cols, x.data(), ggml.data(), n, ops::ref::Rounding::Ggml);
      for (cpu::Isa isa : {cpu::Isa::Portable, cpu::detectIsa()}) {
        std::vector<float> y(n * rows, NAN);
        cpu::matmul(type, w.data(), rows, cols, x.data(), y.data(), n, pool, isa);
        const bool integer = type == TensorType::Q8_0 || type == TensorType::Q4_0 || type == TensorType::Q4_1;
        SCOPED_TRACE(testing::Message() << tensorTypeName(type) << " n=" << n << " " << cpu::isaName(isa));
        EXPECT_LE(nmse(exact, y), 5e-4);
        if (integer)
          EXPECT_LE(nmse(ggml, y), 1e-10);
        else
          EXPECT_LE(nmse(exact, y), 1e-10);
      }
    }
  }
}
