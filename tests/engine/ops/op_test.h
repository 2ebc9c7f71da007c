// Op-test harness: each Vulkan op against its CPU reference (ggml's test-backend-ops idea).
//
//   TEST_P(RmsNormTest, Shapes) {
//     vk::Context &ctx = test::context(GetParam());          // fp16 path on / off
//     auto x = test::GuardedBuffer::create(ctx, n * 4, "x");   // sentinels on both sides
//     x.upload(std::span<const float>(input));
//     ... record the op on x.view() / y.view(), submitAndWait ...
//     EXPECT_TRUE(test::matches(expected, y.download<float>(), 1e-7, "rms_norm n=3"));
//     EXPECT_TRUE(y.sentinelsIntact());
//   }
//   INSTANTIATE_TEST_SUITE_P(Paths, RmsNormTest, test::kFp16Paths, test::pathName);
//
// NMSE = Σ(ref−got)² / Σref² over elements finite in both; a NaN/Inf in one and not in
// the other (or of another kind) fails regardless. With HEARTH_VK_VALIDATION=1 the
// validation layer runs and each program ends by asserting zero validation errors.
#pragma once

#include "vk/buffer.h"
#include "vk/context.h"
#include "vk/kernel.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace hearth::test {

inline double nmse(std::span<const float> ref, std::span<const float> got)
{
  double num = 0, den = 0;
  for (size_t i = 0; i < ref.size() && i < got.size(); ++i) {
    if (!std::isfinite(ref[i]) || !std::isfinite(got[i]))
      continue;
    const double d = double(ref[i]) - double(got[i]);
    num += d * d;
    den += double(ref[i]) * double(ref[i]);
  }
  if (den == 0)
    return num == 0 ? 0.0 : INFINITY;
  return num / den;
}

// Sizes equal, NaN/Inf at the same places (same sign for Inf), NMSE <= maxNmse.
inline ::testing::AssertionResult matches(std::span<const float> ref, std::span<const float> got, double maxNmse,
                                          const std::string &what)
{
  if (ref.size() != got.size())
    return ::testing::AssertionFailure() << what << ": size " << got.size() << ", expected " << ref.size();
  for (size_t i = 0; i < ref.size(); ++i) {
    const bool refNan = std::isnan(ref[i]), gotNan = std::isnan(got[i]);
    const bool refInf = std::isinf(ref[i]), gotInf = std::isinf(got[i]);
    if (refNan != gotNan || refInf != gotInf || (refInf && std::signbit(ref[i]) != std::signbit(got[i])))
      return ::testing::AssertionFailure() << what << ": element " << i << " is " << got[i] << ", expected "
                                           << ref[i] << " (NaN/Inf disagreement)";
  }
  const double e = nmse(ref, got);
  if (!(e <= maxNmse)) {
    size_t worst = 0;
    for (size_t i = 0; i < ref.size(); ++i)
      if (std::fabs(ref[i] - got[i]) > std::fabs(ref[worst] - got[worst]))
        worst = i;
    return ::testing::AssertionFailure() << what << ": NMSE " << e << " > " << maxNmse << " (worst element " << worst
                                         << ": " << got[worst] << " vs " << ref[worst] << ")";
  }
  return ::testing::AssertionSuccess() << what << ": NMSE " << e;
}

// One Vulkan context per path for the whole test program (fp16 = false forces the fp32
// path, like HEARTH_NO_FP16=1). Validation follows HEARTH_VK_VALIDATION.
inline vk::Context &context(bool fp16 = true)
{
  static std::unique_ptr<vk::Context> contexts[2];
  auto &slot = contexts[fp16 ? 1 : 0];
  if (!slot) {
    vk::ContextOptions options;
    options.fp16 = fp16 ? -1 : 0;
    auto ctx = vk::Context::create(options);
    if (!ctx) {
      std::fprintf(stderr, "cannot create a Vulkan context: %s\n", ctx.error().message.c_str());
      std::abort();
    }
    slot = std::move(*ctx);
    // Every program ends by checking that the validation layer reported nothing.
    struct Check : ::testing::Environment {
      vk::Context *ctx;
      explicit Check(vk::Context *c) : ctx(c) {}
      void TearDown() override
      {
        EXPECT_EQ(ctx->validationErrors(), 0u) << "Vulkan validation errors on " << ctx->info().name;
      }
    };
    ::testing::AddGlobalTestEnvironment(new Check(slot.get()));
  }
  return *slot;
}

inline const auto kFp16Paths = ::testing::Values(true, false);
inline std::string pathName(const ::testing::TestParamInfo<bool> &info)
{
  return info.param ? "fp16" : "fp32";
}

// A device buffer with `k_guard` sentinel bytes on each side of the payload.
class GuardedBuffer {
public:
  static constexpr uint64_t k_guard = 256;
  static constexpr uint8_t k_sentinel = 0xA5;

  static GuardedBuffer create(vk::Context &ctx, uint64_t bytes, const std::string &name)
  {
    GuardedBuffer g;
    g.m_bytes = bytes;
    auto b = vk::Buffer::create(ctx, bytes + 2 * k_guard, vk::Memory::Device, name);
    if (!b) {
      ADD_FAILURE() << b.error().message;
      return g;
    }
    g.m_buffer = std::move(*b);
    std::vector<std::byte> fill(bytes + 2 * k_guard, std::byte(k_sentinel));
    if (auto s = g.m_buffer.upload(fill); !s)
      ADD_FAILURE() << s.error().message;
    return g;
  }

  vk::BufferView view() const { return m_buffer.view(k_guard, m_bytes); }
  uint64_t bytes() const { return m_bytes; }

  template <class T> void upload(std::span<const T> values)
  {
    ASSERT_LE(values.size_bytes(), m_bytes);
    auto s = m_buffer.upload(std::as_bytes(values), k_guard);
    ASSERT_TRUE(s.has_value()) << s.error().message;
  }
  template <class T> void upload(const std::vector<T> &values) { upload(std::span<const T>(values)); }

  template <class T> std::vector<T> download() const
  {
    std::vector<T> out(m_bytes / sizeof(T));
    auto s = m_buffer.download(std::as_writable_bytes(std::span(out)), k_guard);
    EXPECT_TRUE(s.has_value()) << s.error().message;
    return out;
  }

  ::testing::AssertionResult sentinelsIntact() const
  {
    std::vector<std::byte> all(m_bytes + 2 * k_guard);
    if (auto s = m_buffer.download(all); !s)
      return ::testing::AssertionFailure() << s.error().message;
    for (uint64_t i = 0; i < all.size(); ++i) {
      if (i >= k_guard && i < k_guard + m_bytes)
        continue;
      if (all[i] != std::byte(k_sentinel))
        return ::testing::AssertionFailure()
               << "sentinel byte overwritten at " << (i < k_guard ? "-" : "+")
               << (i < k_guard ? k_guard - i : i - k_guard - m_bytes) << " from the output";
    }
    return ::testing::AssertionSuccess();
  }

private:
  vk::Buffer m_buffer;
  uint64_t m_bytes = 0;
};

inline std::vector<float> randomFloats(size_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f)
{
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (auto &x : v)
    x = dist(rng);
  return v;
}

// Records with a fresh recorder (`record(rec)` returns Status), submits and waits; fails the
// test on any error.
template <class Fn> void runOnce(vk::Context &ctx, Fn &&record)
{
  auto rec = vk::Recorder::create(ctx);
  ASSERT_TRUE(rec.has_value()) << rec.error().message;
  ASSERT_TRUE(rec->begin().has_value());
  auto recorded = record(*rec);
  ASSERT_TRUE(recorded.has_value()) << recorded.error().message;
  auto s = rec->submitAndWait();
  ASSERT_TRUE(s.has_value()) << s.error().message;
}

// Every element's bits equal (NaNs included): for ops that reproduce a reference's
// arithmetic exactly. On a mismatch: how many differ, the first, and both bit patterns.
inline ::testing::AssertionResult sameBits(const std::vector<float> &ref, const std::vector<float> &got,
                                           const std::string &what)
{
  if (ref.size() != got.size())
    return ::testing::AssertionFailure() << what << ": size " << got.size() << " vs " << ref.size();
  size_t differ = 0, first = 0;
  for (size_t i = 0; i < ref.size(); ++i)
    if (std::bit_cast<uint32_t>(ref[i]) != std::bit_cast<uint32_t>(got[i]) && differ++ == 0)
      first = i;
  if (differ == 0)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << what << ": " << differ << " of " << ref.size()
                                       << " elements differ, first " << first << ": " << got[first] << " (0x"
                                       << std::hex << std::bit_cast<uint32_t>(got[first]) << ") vs " << std::dec
                                       << ref[first] << " (0x" << std::hex << std::bit_cast<uint32_t>(ref[first])
                                       << ")";
}

} // namespace hearth::test
