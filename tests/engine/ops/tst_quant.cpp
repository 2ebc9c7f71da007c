// The quant formats against GGUF's own definitions: dequantization of random blocks equals,
// bit for bit, what the Python `gguf` package computes (fixtures made by
// tests/fixtures/quant/make_quant_fixtures.py); the legacy quantizers write the same bytes
// as gguf's; every quantizer round-trips within its format's error.
#include "ops/quant.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

using namespace hearth;
using namespace hearth::ops;

namespace {

std::vector<char> readFixture(const std::string &name)
{
  const char *root = std::getenv("HEARTH_FIXTURES");
  EXPECT_NE(root, nullptr) << "HEARTH_FIXTURES is not set";
  if (!root)
    return {};
  const auto path = std::filesystem::path(root) / "quant" / name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "missing fixture " << path;
  return {std::istreambuf_iterator<char>(in), {}};
}

std::vector<float> asFloats(const std::vector<char> &bytes)
{
  std::vector<float> v(bytes.size() / 4);
  std::memcpy(v.data(), bytes.data(), v.size() * 4);
  return v;
}

uint32_t bits(float f)
{
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

constexpr TensorType kTypes[] = {TensorType::F32,  TensorType::F16,  TensorType::BF16,
                                 TensorType::Q8_0, TensorType::Q4_0, TensorType::Q4_1,
                                 TensorType::Q4_K, TensorType::Q5_K, TensorType::Q6_K};

class QuantType : public ::testing::TestWithParam<TensorType> {};

std::string typeName(const ::testing::TestParamInfo<TensorType> &info)
{
  return std::string(tensorTypeName(info.param));
}

} // namespace

TEST_P(QuantType, DequantizeMatchesGgufBitForBit)
{
  const TensorType type = GetParam();
  const std::string name(tensorTypeName(type));
  const auto blocks = readFixture(name + ".blocks");
  const auto expected = asFloats(readFixture(name + ".f32"));
  ASSERT_EQ(expected.size(), 4096u);
  ASSERT_EQ(blocks.size(), rowBytes(type, expected.size()));

  std::vector<float> got(expected.size());
  dequantizeRow(type, blocks.data(), got.data(), got.size());
  size_t mismatches = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    if (bits(got[i]) != bits(expected[i]) && mismatches++ < 5)
      ADD_FAILURE() << name << " element " << i << ": got " << got[i] << " expected "
                    << expected[i];
  }
  EXPECT_EQ(mismatches, 0u);

  // Row by row (several blocks at a time) gives the same values as the whole tensor.
  const size_t rowLen = tensorTypeInfo(type).blockElements * 2;
  std::vector<float> row(rowLen);
  dequantizeRow(type, blocks.data() + rowBytes(type, rowLen), row.data(), rowLen);
  EXPECT_EQ(std::memcmp(row.data(), got.data() + rowLen, rowLen * 4), 0);
}

TEST_P(QuantType, QuantizeRoundTripWithinFormatError)
{
  const TensorType type = GetParam();
  std::mt19937 rng(7);
  std::normal_distribution<float> normal;
  const size_t n = 8192;
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i)
    x[i] = normal(rng) * (i < n / 2 ? 1.0f : 0.02f); // two magnitudes
  for (size_t i = 256; i < 512; ++i)
    x[i] = 0.0f; // an all-zero super-block
  std::vector<std::byte> q(rowBytes(type, n));
  quantizeRow(type, x.data(), q.data(), n);
  std::vector<float> y(n);
  dequantizeRow(type, q.data(), y.data(), n);

  // NMSE per half (each magnitude separately), and zeros stay exactly zero.
  double maxNmse = 0.0;
  for (size_t h = 0; h < 2; ++h) {
    double err = 0.0, ref = 0.0;
    for (size_t i = h * n / 2; i < (h + 1) * n / 2; ++i) {
      err += double(x[i] - y[i]) * (x[i] - y[i]);
      ref += double(x[i]) * x[i];
    }
    maxNmse = std::max(maxNmse, err / ref);
  }
  for (size_t i = 256; i < 512; ++i)
    ASSERT_EQ(y[i], 0.0f) << "element " << i;

  // Bounds: about (range / levels)^2 / 12 relative to the variance, with margin.
  double bound = 0.0;
  switch (type) {
  case TensorType::F32: bound = 0.0; break;
  case TensorType::F16: bound = 1e-7; break;
  case TensorType::BF16: bound = 1e-5; break;
  case TensorType::Q8_0: bound = 1e-4; break;
  case TensorType::Q4_0: bound = 1.5e-2; break;
  case TensorType::Q4_1: bound = 1e-2; break;
  case TensorType::Q4_K: bound = 1e-2; break;
  case TensorType::Q5_K: bound = 3e-3; break;
  case TensorType::Q6_K: bound = 1e-3; break;
  default: FAIL();
  }
  std::printf("%s quantize->dequantize NMSE %.3g (bound %.3g)\n",
              std::string(tensorTypeName(type)).c_str(), maxNmse, bound);
  EXPECT_LE(maxNmse, bound);
}

INSTANTIATE_TEST_SUITE_P(Types, QuantType, ::testing::ValuesIn(kTypes), typeName);

TEST(Quant, LegacyQuantizersWriteGgufBytes)
{
  for (TensorType type : {TensorType::F16, TensorType::BF16, TensorType::Q8_0, TensorType::Q4_0,
                          TensorType::Q4_1}) {
    const std::string name(tensorTypeName(type));
    const auto input = asFloats(readFixture(name + ".input.f32"));
    const auto expected = readFixture(name + ".quant");
    ASSERT_EQ(expected.size(), rowBytes(type, input.size())) << name;
    std::vector<char> got(expected.size());
    quantizeRow(type, input.data(), got.data(), input.size());
    size_t firstDiff = got.size();
    for (size_t i = 0; i < got.size() && firstDiff == got.size(); ++i)
      if (got[i] != expected[i])
        firstDiff = i;
    EXPECT_EQ(firstDiff, got.size()) << name << ": first differing byte " << firstDiff;
  }
}

TEST(Quant, HalfConversionRoundTripsEveryHalf)
{
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = halfToFloat(static_cast<uint16_t>(h));
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(halfToFloat(floatToHalf(f)))) << h;
      continue;
    }
    ASSERT_EQ(floatToHalf(f), h) << "half 0x" << std::hex << h;
  }
  EXPECT_EQ(floatToHalf(65520.0f), 0x7C00); // rounds up to infinity
  EXPECT_EQ(floatToHalf(65519.0f), 0x7BFF); // largest finite
  EXPECT_EQ(floatToHalf(std::ldexp(1.0f, -25)), 0x0000); // tie to even: zero
  EXPECT_EQ(floatToHalf(std::ldexp(1.5f, -25)), 0x0001);
  EXPECT_EQ(floatToBf16(1.0f + std::ldexp(1.0f, -8)), 0x3F80); // tie to even
  EXPECT_EQ(floatToBf16(1.0f + std::ldexp(3.0f, -8)), 0x3F82);
}

#if defined(__FLT16_MAX__)
TEST(Quant, FloatToHalfMatchesTheCompiler)
{
  std::mt19937 rng(3);
  std::uniform_int_distribution<uint32_t> any;
  for (int i = 0; i < 200000; ++i) {
    uint32_t u = any(rng);
    u = (u & 0x87FFFFFF) | ((0x30 + (u >> 27 & 0x0F)) << 23 & 0x7F800000); // |x| in ~[2^-32, 2^17)
    float f;
    std::memcpy(&f, &u, 4);
    const _Float16 h = static_cast<_Float16>(f);
    uint16_t expected;
    std::memcpy(&expected, &h, 2);
    ASSERT_EQ(floatToHalf(f), expected) << f;
  }
}
#endif
