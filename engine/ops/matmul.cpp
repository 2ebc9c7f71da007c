#include "ops/matmul.h"

#include "ops/quant.h"

#include <algorithm>
#include <cstdlib>

namespace hearth::ops {
namespace {

// Mirrors `Push` in shaders/mm_common.glsl.
struct MatmulPush {
  uint32_t nRows;    // rows of W in this dispatch
  uint32_t nCols;
  uint32_t rowBytes;
  uint32_t wOffset;  // byte offset of the dispatch's first row inside the weight binding
  uint32_t nTokens;
  uint32_t yStride;  // floats per token row of y
  uint32_t yOffset;  // first row of the dispatch inside a token row of y
  uint32_t mode;     // MatmulOutput
};
static_assert(sizeof(MatmulPush) == 32);

// Tile shapes (specialization constants 0 and 1; 2 is the subgroup size). Matvec: a
// subgroup of invocations × R rows each; tiled: WG tokens × R rows.
// Matvec rows per invocation: several on a CPU device (lavapipe: fewer, longer invocations
// amortize the per-block work; the K-quants' kernels with 8 rows take lavapipe seconds to
// compile), one on a GPU (more workgroups in flight).
uint32_t matvecRows(const vk::Context &ctx, TensorType type)
{
  if (ctx.info().type != DeviceType::Cpu)
    return 1;
  return tensorTypeInfo(type).blockElements == 256 ? 4 : 8;
}
constexpr uint32_t kTiledRows = 8; // more rows unrolled make lavapipe's compile slow
// HEARTH_MV_ROWS / HEARTH_MM_ROWS override the rows per invocation (matvec) and per tile
// (tiled) for tuning with tests/bench/bench_matmul.
uint32_t tuned(const char *name, uint32_t fallback)
{
  const char *v = std::getenv(name);
  return v && *v ? uint32_t(std::atoi(v)) : fallback;
}

// Each kernel reading its weights from a storage buffer, and from a texel buffer (_tx).
struct Shaders {
  ShaderId matvec, tiled;
  ShaderId matvecTexel, tiledTexel;
};

#define HEARTH_MM_SHADERS(t) \
  Shaders { ShaderId::matvec_##t, ShaderId::matmul_##t, ShaderId::matvec_##t##_tx, ShaderId::matmul_##t##_tx }

std::optional<Shaders> shadersFor(TensorType type)
{
  switch (type) {
  case TensorType::F32: return HEARTH_MM_SHADERS(f32);
  case TensorType::F16: return HEARTH_MM_SHADERS(f16);
  case TensorType::BF16: return HEARTH_MM_SHADERS(bf16);
  case TensorType::Q8_0: return HEARTH_MM_SHADERS(q8_0);
  case TensorType::Q4_0: return HEARTH_MM_SHADERS(q4_0);
  case TensorType::Q4_1: return HEARTH_MM_SHADERS(q4_1);
  case TensorType::Q4_K: return HEARTH_MM_SHADERS(q4_k);
  case TensorType::Q5_K: return HEARTH_MM_SHADERS(q5_k);
  case TensorType::Q6_K: return HEARTH_MM_SHADERS(q6_k);
  default: return std::nullopt;
  }
}
#undef HEARTH_MM_SHADERS

uint32_t ceilDiv(uint64_t a, uint64_t b)
{
  return uint32_t((a + b - 1) / b);
}

Status checkShapes(const Matrix &w, vk::BufferView x, vk::BufferView y, uint32_t nTokens, MatmulOutput output,
                   vk::BufferView bias)
{
  const auto info = tensorTypeInfo(w.type);
  if (!shadersFor(w.type))
    return fail(ErrorCode::Unsupported, "[matmul] no kernel for weight type {}", info.name);
  if (w.buffer == nullptr || !*w.buffer || w.rows == 0 || w.cols == 0)
    return fail(ErrorCode::InvalidArgument, "[matmul] empty weight matrix ({} x {})", w.rows, w.cols);
  if (w.cols % info.blockElements != 0)
    return fail(ErrorCode::InvalidArgument, "[matmul] {} columns is not a multiple of the {} block size {}", w.cols,
                info.name, info.blockElements);
  const uint64_t bytes = rowBytes(w.type, w.cols) * uint64_t(w.rows);
  if (w.offset % 2 != 0 || w.offset + bytes > w.buffer->size())
    return fail(ErrorCode::InvalidArgument, "[matmul] {} weights at offset {} ({} bytes) outside their buffer ({} bytes)",
                info.name, w.offset, bytes, w.buffer->size());
  // The kernels read whole 16-byte words; a word cut by the end of the buffer reads as 0.
  if ((w.offset + bytes + 15) / 16 * 16 > w.buffer->size())
    return fail(ErrorCode::InvalidArgument,
                "[matmul] {} weights end at byte {} of a {}-byte buffer: it must be padded to a multiple of 16 bytes",
                info.name, w.offset + bytes, w.buffer->size());
  if (nTokens == 0)
    return fail(ErrorCode::InvalidArgument, "[matmul] no tokens");
  if (x.range < uint64_t(nTokens) * w.cols * 4)
    return fail(ErrorCode::InvalidArgument, "[matmul] x view of {} bytes, {} tokens x {} columns need {}", x.range,
                nTokens, w.cols, uint64_t(nTokens) * w.cols * 4);
  if (y.range < uint64_t(nTokens) * w.rows * 4)
    return fail(ErrorCode::InvalidArgument, "[matmul] y view of {} bytes, {} tokens x {} rows need {}", y.range,
                nTokens, w.rows, uint64_t(nTokens) * w.rows * 4);
  if (output == MatmulOutput::Bias && bias.range < uint64_t(w.rows) * 4)
    return fail(ErrorCode::InvalidArgument, "[matmul] bias view of {} bytes, {} rows need {}", bias.range, w.rows,
                uint64_t(w.rows) * 4);
  return {};
}

} // namespace

Status recordMatmulWith(const MatmulConfig &config, vk::Recorder &rec, const Matrix &w, vk::BufferView x,
                        vk::BufferView y, uint32_t nTokens, MatmulOutput output, vk::BufferView bias)
{
  if (auto s = checkShapes(w, x, y, nTokens, output, bias); !s)
    return s;
  vk::Context &ctx = rec.context();
  MatmulKernel which = config.kernel;
  if (which == MatmulKernel::Auto)
    which = nTokens <= kMatvecMaxTokens ? MatmulKernel::Matvec : MatmulKernel::Tiled;
  const bool matvec = which == MatmulKernel::Matvec;
  const bool texel = config.texel < 0 ? ctx.info().texelWeights : config.texel > 0;
  if (texel && !ctx.info().texelWeights)
    return fail(ErrorCode::Unsupported, "[matmul] texel-buffer weights asked for, but {} cannot bind them",
                ctx.info().name);
  const Shaders shaders = *shadersFor(w.type);
  const uint32_t subgroup = std::max(config.subgroupSize ? config.subgroupSize : ctx.info().subgroupSize, 1u);
  // Matvec: one subgroup per workgroup (its invocations share each load of x).
  const uint32_t wg = subgroup;
  const uint32_t mvRows = tuned("HEARTH_MV_ROWS", matvecRows(ctx, w.type));
  const uint32_t tiledRows = tuned("HEARTH_MM_ROWS", kTiledRows);
  const uint32_t rowsPerGroup = matvec ? wg * mvRows : tiledRows;
  const ShaderId shader = texel ? (matvec ? shaders.matvecTexel : shaders.tiledTexel)
                                 : (matvec ? shaders.matvec : shaders.tiled);
  auto kernel = ctx.kernel(shader, {.buffers = 4, .pushBytes = sizeof(MatmulPush),
                                    .constants = {wg, matvec ? mvRows : tiledRows, subgroup},
                                    .texels = texel ? 1u : 0u});
  if (!kernel)
    return std::unexpected(kernel.error());

  // Ranges of whole rows, each bound from an offset aligned for both the storage-buffer
  // rules and the shader's 16-byte loads; the shader gets the remainder as wOffset.
  const uint64_t align =
      std::max<uint64_t>(16, texel ? ctx.minTexelOffsetAlignment() : ctx.minStorageOffsetAlignment());
  const uint64_t rowBytesW = rowBytes(w.type, w.cols);
  const uint64_t limit = (texel ? ctx.maxTexelBinding() : ctx.maxBinding()) / 16 * 16;
  if (limit < align + rowBytesW + 16)
    return fail(ErrorCode::Unsupported, "[matmul] a row of {} bytes does not fit one binding of {} bytes", rowBytesW,
                ctx.maxBinding());
  const uint64_t rowsPerRange = std::min<uint64_t>(w.rows, (limit - align - 16) / rowBytesW);
  const vk::Access yAccess = output == MatmulOutput::Add ? vk::Access::ReadWrite : vk::Access::Write;
  const vk::BufferView biasView = output == MatmulOutput::Bias ? bias : x;

  for (uint64_t first = 0; first < w.rows; first += rowsPerRange) {
    const uint64_t n = std::min<uint64_t>(rowsPerRange, w.rows - first);
    const uint64_t start = w.offset + first * rowBytesW;
    const uint64_t bound = start / align * align;
    // Up to the end of the 16-byte word holding the range's last byte.
    const uint64_t end = (start + n * rowBytesW + 15) / 16 * 16;
    const MatmulPush push{uint32_t(n),        w.cols,  uint32_t(rowBytesW), uint32_t(start - bound),
                          nTokens,            w.rows,  uint32_t(first),     uint32_t(output)};
    const uint32_t groupsX = matvec ? ceilDiv(n, rowsPerGroup) : ceilDiv(nTokens, wg);
    const uint32_t groupsY = matvec ? 1 : ceilDiv(n, rowsPerGroup);
    rec.dispatch(**kernel,
                 {{w.buffer->view(bound, end - bound), vk::Access::Read},
                  {x, vk::Access::Read},
                  {biasView, vk::Access::Read},
                  {y, yAccess}},
                 push, groupsX, groupsY);
  }
  return {};
}

Status recordMatmul(vk::Recorder &rec, const Matrix &w, vk::BufferView x, vk::BufferView y, uint32_t nTokens,
                    MatmulOutput output, vk::BufferView bias)
{
  return recordMatmulWith({}, rec, w, x, y, nTokens, output, bias);
}

Status recordMatmul(vk::Recorder &rec, const DeviceWeight &w, vk::BufferView x, vk::BufferView y, uint32_t nTokens,
                    MatmulOutput output, vk::BufferView bias)
{
  return recordMatmul(rec, Matrix{w.type, w.rows, w.cols, &w.buffer, 0}, x, y, nTokens, output, bias);
}

} // namespace hearth::ops
