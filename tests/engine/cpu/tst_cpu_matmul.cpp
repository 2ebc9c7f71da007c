// The CPU backend's matmul against the plain reference, on every instruction set this CPU
// runs (portable, AVX2, AVX-512 VNNI, AMX tiles for batches of 8+ tokens): with llama.cpp-style activation rounding
// (ops::ref::Rounding::Ggml) every kernel gives the reference's values up to fp32 summation
// order (NMSE ≤ 1e-10), and Q8_0/Q4_0/Q4_1 (decode's 4-row kernels included, and the
// 16-row packed layout's kernels on AVX-512) exactly the reference's bits; Q4_K packed, its
// rows-as-stored kernels' bits; against exact math the error stays within the op suite's matmul
// bound (NMSE ≤ 5e-4). Shapes: row counts that are not multiples of the kernels' row
// blocks, column counts of several blocks (tails for the float types), n = 1…9, 17, 64
// tokens (every remainder of the 4-token blocking). The SIMD activation quantizers write
// the portable ones' bytes; the thread pool covers every row once.
#include "cpu/kernels.h"
#include "cpu/matmul.h"
#include "cpu/thread_pool.h"
#include "ops/cpu_ref.h"
#include "ops/cpu_ref_ggml.h"
#include "ops/quant.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstring>
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

// Normal values, with outliers (×20) every 37th when asked, as real activations have.
std::vector<float> activations(size_t count, std::mt19937 &rng, bool outliers = true)
{
  std::normal_distribution<float> normal;
  std::vector<float> x(count);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = normal(rng) * (outliers && i % 37 == 0 ? 20.0f : 1.0f);
  return x;
}

std::vector<std::byte> quantized(TensorType type, size_t rows, size_t cols, std::mt19937 &rng)
{
  std::normal_distribution<float> normal;
  std::vector<float> wf(rows * cols);
  for (auto &v : wf)
    v = normal(rng);
  const size_t rowBytes = ops::rowBytes(type, cols);
  std::vector<std::byte> w(rowBytes * rows);
  for (size_t r = 0; r < rows; ++r)
    ops::quantizeRow(type, &wf[r * cols], w.data() + r * rowBytes, cols);
  return w;
}

const TensorType kTypes[] = {TensorType::Q8_0, TensorType::Q4_0, TensorType::Q4_1, TensorType::Q4_K, TensorType::Q5_K,
                             TensorType::Q6_K, TensorType::F16,  TensorType::BF16, TensorType::F32};

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

TEST(CpuMatmul, MatchesTheReferenceForEveryTypeAndIsa)
{
  cpu::ThreadPool pool(2);
  std::mt19937 rng(5);
  const auto isas = cpu::supportedIsas();
  std::printf("instruction sets tested:");
  for (cpu::Isa isa : isas)
    std::printf(" %s", cpu::isaName(isa));
  std::printf("\n");
  for (TensorType type : kTypes) {
    const size_t block = tensorTypeInfo(type).blockElements;
    const size_t cols = block == 256 ? 768 : block == 32 ? 160 : 100;
    const size_t rows = 133;
    const auto w = quantized(type, rows, cols, rng);
    // The 16-row packed layout (Q8_0/Q4_0/Q4_1 with AVX2 or AVX-512, Q4_K/Q6_K with
    // AVX-512): 8 groups and 5 rows as stored.
    std::vector<std::byte> packed(w.size());
    const bool packable = cpu::packs16(type, cpu::Isa::Avx512) || cpu::packs16(type, cpu::Isa::Avx2);
    if (packable)
      cpu::packRows16(type, w.data(), rows, cols, packed.data(), pool);
    for (size_t n : {1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 17u, 64u})
      for (bool outliers : {false, true}) {
        // With outliers, 8-bit activations alone move the result by NMSE ~5e-4 (Q8_K's
        // 256-blocks): the exact bound holds for plain normal activations only.
        const auto x = activations(n * cols, rng, outliers);
        std::vector<float> exact(n * rows), ggml(n * rows);
        ops::ref::matmul(type, w.data(), rows, cols, x.data(), exact.data(), n);
        ops::ref::matmul(type, w.data(), rows, cols, x.data(), ggml.data(), n, ops::ref::Rounding::Ggml);
        std::vector<float> firstSimd; // K-quants: every SIMD ISA gives the same bits
        for (cpu::Isa isa : isas) {
          std::vector<float> y(n * rows, NAN);
          cpu::matmul(type, w.data(), rows, cols, x.data(), y.data(), n, pool, isa);
          const bool kQuant = type == TensorType::Q4_K || type == TensorType::Q5_K || type == TensorType::Q6_K;
          if (kQuant && isa != cpu::Isa::Portable) {
            if (firstSimd.empty())
              firstSimd = y;
            else
              EXPECT_EQ(std::memcmp(firstSimd.data(), y.data(), y.size() * sizeof(float)), 0)
                  << "SIMD ISAs disagree";
          }
          SCOPED_TRACE(testing::Message() << tensorTypeName(type) << " n=" << n << " " << cpu::isaName(isa)
                                          << (outliers ? " outliers" : ""));
          if (!outliers) {
            EXPECT_LE(nmse(exact, y), 5e-4);
          }
          EXPECT_LE(nmse(ggml, y), 1e-10);
          if (ops::ref::ggml::hasIntegerMatmul(type)) { // Q8_0/Q4_0/Q4_1: the reference's bits
            EXPECT_EQ(std::memcmp(ggml.data(), y.data(), y.size() * sizeof(float)), 0);
          }
          if (packable && cpu::packs16(type, isa)) {
            std::vector<float> yp(n * rows, NAN);
            cpu::matmul(type, packed.data(), rows, cols, x.data(), yp.data(), n, pool, isa, cpu::Layout::Packed16);
            // The rows-as-stored kernels' bits (for Q8_0/Q4_0/Q4_1 the reference's, checked above).
            EXPECT_EQ(std::memcmp(y.data(), yp.data(), yp.size() * sizeof(float)), 0) << "packed layout";
          }
        }
      }
  }
}

// Large shapes with one thread and with several: the row split changes nothing (20 tokens:
// AMX's 16-row groups and 16-token tiles where the CPU has them, a partial tile included).
TEST(CpuMatmul, ThreadCountDoesNotChangeResults)
{
  std::mt19937 rng(9);
  cpu::ThreadPool one(1), three(3);
  const size_t rows = 1000, cols = 1024, n = 20;
  for (TensorType type : {TensorType::Q4_K, TensorType::Q8_0, TensorType::Q4_1}) {
    const auto w = quantized(type, rows, cols, rng);
    const auto x = activations(n * cols, rng);
    std::vector<float> a(n * rows), b(n * rows);
    cpu::matmul(type, w.data(), rows, cols, x.data(), a.data(), n, one);
    cpu::matmul(type, w.data(), rows, cols, x.data(), b.data(), n, three);
    EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * 4), 0) << tensorTypeName(type);
    if (cpu::packs16(type, cpu::detectIsa()))
      for (size_t tokens : {size_t(1), n}) {
        std::vector<std::byte> packed(w.size());
        cpu::packRows16(type, w.data(), rows, cols, packed.data(), three);
        std::vector<float> p(tokens * rows), q(tokens * rows);
        cpu::matmul(type, w.data(), rows, cols, x.data(), p.data(), tokens, one);
        cpu::matmul(type, packed.data(), rows, cols, x.data(), q.data(), tokens, three, cpu::detectIsa(),
                    cpu::Layout::Packed16);
        EXPECT_EQ(std::memcmp(p.data(), q.data(), p.size() * 4), 0) << tensorTypeName(type) << " packed, n=" << tokens;
      }
  }
}

// Every ISA's activation quantizer writes the portable quantizer's bytes, including a
// Q8_K block whose largest magnitude occurs with both signs (the first one decides) and
// an all-zero block.
TEST(CpuMatmul, ActivationQuantizersAgreeAcrossIsas)
{
  namespace k = cpu::kernels;
  std::mt19937 rng(3);
  const size_t cols = 1024;
  auto x = activations(cols, rng);
  x[300] = -500.0f; // block 1: -500 first, then +500
  x[400] = 500.0f;
  std::fill(x.begin() + 512, x.begin() + 768, 0.0f); // block 2: zeros
  for (k::Activations format : {k::Activations::Q8, k::Activations::Q8K, k::Activations::F16,
                                k::Activations::BF16, k::Activations::F32}) {
    const size_t bytes = k::activationBytes(format, cols);
    std::vector<std::byte> portable(bytes), other(bytes);
    k::quantizeActivations(format, x.data(), cols, portable.data(), cpu::Isa::Portable);
    for (cpu::Isa isa : cpu::supportedIsas()) {
      std::fill(other.begin(), other.end(), std::byte{0x5A});
      k::quantizeActivations(format, x.data(), cols, other.data(), isa);
      EXPECT_EQ(std::memcmp(portable.data(), other.data(), bytes), 0)
          << "format " << int(format) << " " << cpu::isaName(isa);
    }
  }
  // The tie took the first value: the Q8_K scale of block 1 is negative (max = -500).
  std::vector<k::Q8KBlock> q(cols / 256);
  k::quantizeActivations(k::Activations::Q8K, x.data(), cols, q.data(), cpu::detectIsa());
  EXPECT_FLOAT_EQ(q[1].d, 1.0f / (-127.0f / -500.0f));
  EXPECT_EQ(q[2].d, 0.0f);
}

// A K-quant token's outputs do not depend on the batch it comes in: alone (decode's row
// kernel), in a batch of 20 (AMX tiles where the CPU has them, the row kernels' 4 or 8
// tokens a call elsewhere), the same bits on every ISA. Prompts sliced differently and the
// KV cache written by decode then agree exactly.
TEST(CpuMatmul, KQuantResultsDoNotDependOnTheBatch)
{
  std::mt19937 rng(13);
  cpu::ThreadPool pool(2);
  const size_t rows = 70, cols = 512, n = 20;
  for (TensorType type : {TensorType::Q4_K, TensorType::Q5_K, TensorType::Q6_K}) {
    const auto w = quantized(type, rows, cols, rng);
    const auto x = activations(n * cols, rng);
    for (cpu::Isa isa : cpu::supportedIsas()) {
      std::vector<float> batch(n * rows), alone(n * rows);
      cpu::matmul(type, w.data(), rows, cols, x.data(), batch.data(), n, pool, isa);
      for (size_t t = 0; t < n; ++t)
        cpu::matmul(type, w.data(), rows, cols, x.data() + t * cols, alone.data() + t * rows, 1, pool, isa);
      EXPECT_EQ(std::memcmp(batch.data(), alone.data(), batch.size() * sizeof(float)), 0)
          << tensorTypeName(type) << " " << cpu::isaName(isa);
    }
  }
}
