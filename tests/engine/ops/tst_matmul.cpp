// Matrix multiplications on Vulkan against the CPU reference (ops::ref::matmul): every
// weight type, both kernels, rows not a multiple of any tile, 1..9, 17 and 64 tokens, the
// three output modes, NaN/Inf propagation, sentinels around y, weights at an unaligned
// offset, and matrices split over several bindings (HEARTH_MAX_BINDING forced small).
#include "ops/cpu_ref.h"
#include "ops/matmul.h"
#include "ops/quant.h"
#include "op_test.h"

#include <cstdlib>

namespace hearth {
namespace {

using ops::MatmulKernel;
using ops::MatmulOutput;

constexpr double kMaxNmse = 5e-4;
constexpr TensorType kTypes[] = {TensorType::F32,  TensorType::F16,  TensorType::BF16,
                                 TensorType::Q8_0, TensorType::Q4_0, TensorType::Q4_1,
                                 TensorType::Q4_K, TensorType::Q5_K, TensorType::Q6_K};

// A weight matrix quantized from random values, on the device at byte `offset` of its buffer
// (the bytes before it hold garbage the kernels must not use).
struct TestMatrix {
  std::vector<std::byte> bytes; // rows · rowBytes, as GGUF stores it
  std::unique_ptr<vk::Buffer> buffer;
  ops::Matrix matrix;
};

TestMatrix makeMatrix(vk::Context &ctx, TensorType type, uint32_t rows, uint32_t cols, uint32_t seed,
                      uint64_t offset = 0)
{
  TestMatrix m;
  const size_t rowBytes = ops::rowBytes(type, cols);
  m.bytes.resize(rowBytes * rows);
  const auto values = test::randomFloats(size_t(rows) * cols, seed);
  for (uint32_t r = 0; r < rows; ++r)
    ops::quantizeRow(type, values.data() + size_t(r) * cols, m.bytes.data() + r * rowBytes, cols);
  // Padded to whole 16-byte words, as the kernels read them (recordMatmul checks it).
  const uint64_t size = (offset + m.bytes.size() + 15) / 16 * 16;
  auto buffer = vk::Buffer::create(ctx, size, vk::Memory::Device, "matmul test weights");
  EXPECT_TRUE(buffer.has_value()) << buffer.error().message;
  m.buffer = std::make_unique<vk::Buffer>(std::move(*buffer));
  std::vector<std::byte> all(offset, std::byte(0x7f));
  all.insert(all.end(), m.bytes.begin(), m.bytes.end());
  all.resize(size, std::byte(0x7f));
  auto s = m.buffer->upload(all);
  EXPECT_TRUE(s.has_value()) << s.error().message;
  m.matrix = {type, rows, cols, m.buffer.get(), offset};
  return m;
}

struct Case {
  MatmulKernel kernel = MatmulKernel::Auto;
  MatmulOutput output = MatmulOutput::Store;
  uint32_t tokens = 1;
  uint32_t subgroupSize = 0; // MatmulConfig::subgroupSize
  int texel = -1;            // MatmulConfig::texel
};

std::string describe(const TestMatrix &m, const Case &c)
{
  const char *kernel = c.kernel == MatmulKernel::Matvec ? "matvec" : c.kernel == MatmulKernel::Tiled ? "tiled" : "auto";
  return fmt::format("{} {}x{} n={} {} mode={} texel={}", tensorTypeName(m.matrix.type), m.matrix.rows,
                     m.matrix.cols, c.tokens, kernel, uint32_t(c.output), c.texel);
}

// Runs one case on the GPU and compares with the reference; x may contain NaN/Inf.
void check(vk::Context &ctx, const TestMatrix &m, const Case &c, std::vector<float> x)
{
  const uint32_t rows = m.matrix.rows, cols = m.matrix.cols, n = c.tokens;
  ASSERT_EQ(x.size(), size_t(n) * cols);
  const auto bias = test::randomFloats(rows, 77);
  const auto y0 = test::randomFloats(size_t(n) * rows, 78); // what Add accumulates onto
  std::vector<float> expected(size_t(n) * rows);
  ops::ref::matmul(m.matrix.type, m.bytes.data(), rows, cols, x.data(), expected.data(), n);
  for (size_t i = 0; i < expected.size(); ++i) {
    if (c.output == MatmulOutput::Add)
      expected[i] += y0[i];
    else if (c.output == MatmulOutput::Bias)
      expected[i] += bias[i % rows];
  }

  auto xb = test::GuardedBuffer::create(ctx, x.size() * 4, "x");
  auto yb = test::GuardedBuffer::create(ctx, expected.size() * 4, "y");
  auto bb = test::GuardedBuffer::create(ctx, bias.size() * 4, "bias");
  xb.upload(x);
  bb.upload(bias);
  if (c.output == MatmulOutput::Add)
    yb.upload(y0);
  test::runOnce(ctx, [&](vk::Recorder &rec) {
    return ops::recordMatmulWith({c.kernel, c.subgroupSize, c.texel}, rec, m.matrix, xb.view(), yb.view(), n, c.output, bb.view());
  });
  EXPECT_TRUE(test::matches(expected, yb.download<float>(), kMaxNmse, describe(m, c)));
  EXPECT_TRUE(yb.sentinelsIntact()) << describe(m, c);
}

uint32_t blockOf(TensorType type)
{
  return tensorTypeInfo(type).blockElements;
}

class MatmulTest : public ::testing::TestWithParam<bool> {};

// Every type and kernel over token counts around the tile sizes; 37 rows is no multiple of
// any tile, and the columns hold an odd number of blocks (odd block offsets in a row).
TEST_P(MatmulTest, EveryTypeBothKernels)
{
  vk::Context &ctx = test::context(GetParam());
  for (TensorType type : kTypes) {
    const uint32_t cols = blockOf(type) == 256 ? 768 : 160;
    const auto m = makeMatrix(ctx, type, 37, cols, 1 + uint32_t(type));
    for (uint32_t n : {1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 17u, 64u}) {
      const auto x = test::randomFloats(size_t(n) * cols, 100 + n);
      if (n <= 9)
        check(ctx, m, {MatmulKernel::Matvec, MatmulOutput::Store, n}, x);
      check(ctx, m, {MatmulKernel::Tiled, MatmulOutput::Store, n}, x);
    }
  }
}

// Weights read through storage buffers and through texel buffers (where the device binds
// them: lavapipe does, and takes them by default) give the same results.
TEST_P(MatmulTest, StorageAndTexelWeights)
{
  vk::Context &ctx = test::context(GetParam());
  const std::vector<int> ways = ctx.info().texelWeights ? std::vector<int>{0, 1} : std::vector<int>{0};
  for (TensorType type : kTypes) {
    const uint32_t cols = blockOf(type) == 256 ? 512 : 96;
    const auto m = makeMatrix(ctx, type, 29, cols, 40 + uint32_t(type));
    for (int texel : ways)
      for (uint32_t n : {1u, 3u, 11u}) {
        const auto x = test::randomFloats(size_t(n) * cols, 300 + n);
        check(ctx, m, {n <= 4 ? MatmulKernel::Matvec : MatmulKernel::Tiled, MatmulOutput::Store, n, 0, texel}, x);
      }
  }
}

// Residual add and bias, through the automatic kernel choice, decode and prefill sizes.
TEST_P(MatmulTest, OutputModes)
{
  vk::Context &ctx = test::context(GetParam());
  for (TensorType type : {TensorType::Q4_1, TensorType::Q6_K}) {
    const uint32_t cols = blockOf(type) == 256 ? 512 : 96;
    const auto m = makeMatrix(ctx, type, 45, cols, 5);
    for (uint32_t n : {1u, 17u})
      for (MatmulOutput out : {MatmulOutput::Add, MatmulOutput::Bias})
        check(ctx, m, {MatmulKernel::Auto, out, n}, test::randomFloats(size_t(n) * cols, 9 + n));
  }
}

// A NaN in one token's x makes that token's whole output NaN and leaves the others finite;
// an Inf through F32 weights gives the reference's signed infinities.
TEST_P(MatmulTest, NanAndInfPropagate)
{
  vk::Context &ctx = test::context(GetParam());
  for (TensorType type : kTypes) {
    const uint32_t cols = blockOf(type) == 256 ? 256 : 64;
    const auto m = makeMatrix(ctx, type, 11, cols, 21);
    for (uint32_t n : {2u, 9u}) {
      auto x = test::randomFloats(size_t(n) * cols, 31);
      x[cols + 5] = NAN; // token 1
      for (MatmulKernel k : {MatmulKernel::Matvec, MatmulKernel::Tiled})
        check(ctx, m, {k, MatmulOutput::Store, n}, x);
    }
  }
  const auto m = makeMatrix(ctx, TensorType::F32, 11, 64, 22);
  auto x = test::randomFloats(3 * 64, 32);
  x[64 + 7] = INFINITY;
  for (MatmulKernel k : {MatmulKernel::Matvec, MatmulKernel::Tiled})
    check(ctx, m, {k, MatmulOutput::Store, 3}, x);
}

// Specialized for a subgroup size of 32 while lavapipe runs 8: the kernels' path for
// devices whose subgroups are smaller than reported (no subgroup sharing).
TEST_P(MatmulTest, SubgroupSizeMismatch)
{
  vk::Context &ctx = test::context(GetParam());
  // One type: the path is the same code for all, and every kernel costs compile time.
  const auto m = makeMatrix(ctx, TensorType::Q4_1, 41, 96, 71);
  for (uint32_t n : {1u, 5u})
    for (MatmulKernel k : {MatmulKernel::Matvec, MatmulKernel::Tiled})
      check(ctx, m, {k, MatmulOutput::Store, n, 32}, test::randomFloats(size_t(n) * 96, 73));
}

// Weights that start at an offset that is not a multiple of 16 (nor of 4).
TEST_P(MatmulTest, UnalignedWeightOffset)
{
  vk::Context &ctx = test::context(GetParam());
  for (TensorType type : {TensorType::Q8_0, TensorType::Q4_0, TensorType::F16, TensorType::Q6_K}) {
    const uint32_t cols = blockOf(type) == 256 ? 256 : 96;
    const auto m = makeMatrix(ctx, type, 19, cols, 41, 18);
    for (uint32_t n : {1u, 6u})
      for (MatmulKernel k : {MatmulKernel::Matvec, MatmulKernel::Tiled})
        check(ctx, m, {k, MatmulOutput::Store, n}, test::randomFloats(size_t(n) * cols, 43));
  }
}

// HEARTH_MAX_BINDING=1024: every matrix is bound as many ranges of whole rows, most of them
// starting inside a 16-byte word.
TEST_P(MatmulTest, SplitAcrossBindings)
{
  setenv("HEARTH_MAX_BINDING", "1024", 1);
  vk::ContextOptions options;
  options.fp16 = GetParam() ? -1 : 0;
  auto small = vk::Context::create(options);
  unsetenv("HEARTH_MAX_BINDING");
  ASSERT_TRUE(small.has_value()) << small.error().message;
  vk::Context &ctx = **small;
  ASSERT_EQ(ctx.maxBinding(), 1024u);
  for (TensorType type : {TensorType::Q8_0, TensorType::Q4_1, TensorType::Q6_K, TensorType::F32}) {
    const uint32_t cols = blockOf(type) == 256 ? 256 : 96;
    const auto m = makeMatrix(ctx, type, 29, cols, 51, 2);
    // x and y must fit one binding too: at most 1024 bytes.
    for (uint32_t n : {1u, 2u}) {
      if (n * cols * 4 > 1024)
        continue;
      for (MatmulKernel k : {MatmulKernel::Matvec, MatmulKernel::Tiled})
        check(ctx, m, {k, n == 1 ? MatmulOutput::Store : MatmulOutput::Add, n},
              test::randomFloats(size_t(n) * cols, 53));
    }
  }
  EXPECT_EQ(ctx.validationErrors(), 0u);
}

// Inputs that are not ours to accept come back as errors naming the op.
TEST_P(MatmulTest, RejectsBadShapes)
{
  vk::Context &ctx = test::context(GetParam());
  auto m = makeMatrix(ctx, TensorType::Q4_K, 4, 256, 61);
  auto x = test::GuardedBuffer::create(ctx, 256 * 4, "x");
  auto y = test::GuardedBuffer::create(ctx, 4 * 4, "y");
  auto rec = vk::Recorder::create(ctx);
  ASSERT_TRUE(rec.has_value());
  ASSERT_TRUE(rec->begin().has_value());
  ops::Matrix bad = m.matrix;
  bad.cols = 200; // not a multiple of 256
  auto s = ops::recordMatmul(*rec, bad, x.view(), y.view(), 1);
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().message.find("[matmul]"), std::string::npos) << s.error().message;
  bad = m.matrix;
  bad.type = TensorType::Q2_K;
  s = ops::recordMatmul(*rec, bad, x.view(), y.view(), 1);
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().message.find("Q2_K"), std::string::npos) << s.error().message;
  // One Q8_0 row (34 bytes) in a 34-byte buffer: its last 16-byte word is cut.
  auto tight = vk::Buffer::create(ctx, 34, vk::Memory::Device, "unpadded");
  ASSERT_TRUE(tight.has_value());
  s = ops::recordMatmul(*rec, ops::Matrix{TensorType::Q8_0, 1, 32, &*tight, 0}, x.view(), y.view(), 1);
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().message.find("padded"), std::string::npos) << s.error().message;
  s = ops::recordMatmul(*rec, m.matrix, x.view(), y.view(), 2); // x holds one token
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().message.find("x view"), std::string::npos) << s.error().message;
}

INSTANTIATE_TEST_SUITE_P(Paths, MatmulTest, test::kFp16Paths, test::pathName);

} // namespace
} // namespace hearth
