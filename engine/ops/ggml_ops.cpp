// The ggml-exact ops (ggml_ops.h): shaders quantize_q8_ggml, matvec_ggml, rms_norm_ggml,
// rope_ggml, swiglu_ggml.
#include "ops/ggml_ops.h"

#include "ops/op_util.h"
#include "ops/quant.h"

#include <cmath>
#include <cstdlib>
#include <vector>

namespace hearth::ops {

namespace {

struct MatmulPush { // mirrors shaders/matvec_ggml.comp
  uint32_t nRows, nCols, rowBytes, wOffset, nTokens, yStride, yOffset, mode;
};
struct NormPush {
  uint32_t dim, n;
  float eps;
};
struct SwigluPush {
  uint32_t count, rowLength;
};

constexpr uint64_t kQ8BlockBytes = 48;

uint32_t tuned(const char *name, uint32_t fallback)
{
  const char *v = std::getenv(name);
  return v && *v ? uint32_t(std::max(1, std::atoi(v))) : fallback;
}

} // namespace

bool hasGgmlMatmul(TensorType type)
{
  return type == TensorType::Q8_0 || type == TensorType::Q4_0 || type == TensorType::Q4_1;
}

uint64_t q8GgmlBytes(uint32_t n, uint32_t cols)
{
  return uint64_t(n) * (cols / 32) * kQ8BlockBytes;
}

Status quantizeQ8Ggml(vk::Recorder &rec, vk::BufferView x, vk::BufferView xq, uint32_t n, uint32_t cols)
{
  if (cols % 32 != 0)
    return fail(ErrorCode::InvalidArgument, "[quantize_q8_ggml] row of {} not a multiple of 32", cols);
  if (x.range < uint64_t(n) * cols * 4 || xq.range < q8GgmlBytes(n, cols))
    return fail(ErrorCode::InvalidArgument, "[quantize_q8_ggml] views of {} / {} bytes for {} x {}", x.range, xq.range,
                n, cols);
  constexpr uint32_t wg = 64;
  HEARTH_KERNEL_OR_RETURN(k, rec, ShaderId::quantize_q8_ggml, {.buffers = 2, .pushBytes = 4, .constants = {wg}});
  const uint32_t blocks = n * (cols / 32);
  const auto g = detail::grid1D(blocks, wg);
  rec.dispatch(*k, {{x, vk::Access::Read}, {xq, vk::Access::Write}}, blocks, g.x, g.y);
  return {};
}

Status matmulGgml(vk::Recorder &rec, const DeviceWeight &w, vk::BufferView xq, vk::BufferView y, uint32_t n,
                  MatmulOutput output, vk::BufferView bias)
{
  if (!hasGgmlMatmul(w.type))
    return fail(ErrorCode::Unsupported, "[matvec_ggml] {}: no exact kernel for {}", w.name, tensorTypeName(w.type));
  if (n == 0 || w.rows == 0 || w.cols % 32 != 0)
    return fail(ErrorCode::InvalidArgument, "[matvec_ggml] {}: {} x {} for {} tokens", w.name, w.rows, w.cols, n);
  if (xq.range < q8GgmlBytes(n, w.cols) || y.range < uint64_t(n) * w.rows * 4 ||
      (output == MatmulOutput::Bias && bias.range < uint64_t(w.rows) * 4))
    return fail(ErrorCode::InvalidArgument, "[matvec_ggml] {}: views too small for {} tokens", w.name, n);
  vk::Context &ctx = rec.context();
  const uint32_t type = w.type == TensorType::Q8_0 ? 0 : w.type == TensorType::Q4_0 ? 1 : 2;
  const uint32_t wg = std::max(ctx.info().subgroupSize, 1u);
  const uint32_t rowsPer = tuned("HEARTH_GGML_MV_ROWS", ctx.info().type == DeviceType::Cpu ? 4 : 1);
  const uint32_t tokensPer = n == 1 ? 1 : tuned("HEARTH_GGML_MV_TOKENS", 4);
  // Weights through a texel buffer where the device binds them (faster on lavapipe).
  const bool texel = ctx.info().texelWeights;
  HEARTH_KERNEL_OR_RETURN(k, rec, texel ? ShaderId::matvec_ggml_tx : ShaderId::matvec_ggml,
                          {.buffers = 4,
                           .pushBytes = sizeof(MatmulPush),
                           .constants = {wg, rowsPer, type, tokensPer},
                           .texels = texel ? 1u : 0u});
  // Ranges of whole rows bound from an aligned offset up to the 16-byte word holding their
  // last byte (uploadWeight pads the buffer to 16 bytes), as recordMatmul binds them.
  const uint64_t align =
      std::max<uint64_t>(16, texel ? ctx.minTexelOffsetAlignment() : ctx.minStorageOffsetAlignment());
  const uint64_t limit = (texel ? ctx.maxTexelBinding() : ctx.maxBinding()) / 16 * 16;
  if (limit < align + w.rowBytes + 16)
    return fail(ErrorCode::Unsupported, "[matvec_ggml] {}: a row of {} bytes does not fit one binding", w.name,
                w.rowBytes);
  const uint64_t rowsPerRange = std::min<uint64_t>(w.rows, (limit - align - 16) / w.rowBytes);
  const vk::BufferView biasView = output == MatmulOutput::Bias ? bias : xq;
  for (uint64_t first = 0; first < w.rows; first += rowsPerRange) {
    const uint64_t rows = std::min<uint64_t>(rowsPerRange, w.rows - first);
    const uint64_t start = first * w.rowBytes, bound = start / align * align;
    const uint64_t end = std::min<uint64_t>((start + rows * w.rowBytes + 15) / 16 * 16, w.buffer.size());
    const MatmulPush push{uint32_t(rows), w.cols, uint32_t(w.rowBytes), uint32_t(start - bound), n, w.rows,
                          uint32_t(first), uint32_t(output)};
    rec.dispatch(*k,
                 {{w.buffer.view(bound, end - bound), vk::Access::Read},
                  {xq, vk::Access::Read},
                  {biasView, vk::Access::Read},
                  {y, output == MatmulOutput::Add ? vk::Access::ReadWrite : vk::Access::Write}},
                 push, detail::divUp(rows, uint64_t(wg) * rowsPer), detail::divUp(n, tokensPer));
  }
  return {};
}

Status rmsNormGgml(vk::Recorder &rec, vk::BufferView x, vk::BufferView w, vk::BufferView y, uint32_t n,
                   uint32_t dim, float eps)
{
  if (!rec.context().info().float64)
    return fail(ErrorCode::Unsupported, "[rms_norm_ggml] device '{}' has no shaderFloat64",
                rec.context().info().name);
  constexpr uint32_t wg = 64;
  HEARTH_KERNEL_OR_RETURN(k, rec, ShaderId::rms_norm_ggml,
                          {.buffers = 3, .pushBytes = sizeof(NormPush), .constants = {wg}});
  rec.dispatch(*k, {{x, vk::Access::Read}, {w, vk::Access::Read}, {y, vk::Access::Write}}, NormPush{dim, n, eps}, n);
  return {};
}

Result<vk::Buffer> ropeTableGgml(vk::Context &ctx, uint32_t maxPos, uint32_t ropeDims, float freqBase,
                                 const float *freqFactors)
{
  const uint32_t half = ropeDims / 2;
  // The reference's expressions in float (ops::ref::ggml::rope), so both round alike.
  const float thetaScale = std::pow(freqBase, -2.0f / float(ropeDims));
  std::vector<float> cs(size_t(maxPos) * half * 2);
  for (uint32_t pos = 0; pos < maxPos; ++pos) {
    float theta = float(pos);
    for (uint32_t i = 0; i < half; ++i) {
      const float th = freqFactors ? theta / freqFactors[i] : theta;
      cs[(size_t(pos) * half + i) * 2] = std::cos(th);
      cs[(size_t(pos) * half + i) * 2 + 1] = std::sin(th);
      theta *= thetaScale;
    }
  }
  return detail::uploadRopeTable(ctx, cs, "RoPE table (ggml)");
}

Status ropeGgml(vk::Recorder &rec, vk::BufferView x, vk::BufferView table, vk::BufferView step, const RopeShape &s)
{
  return detail::recordRope(rec, ShaderId::rope_ggml, x, table, step, s);
}

Status swigluGgml(vk::Recorder &rec, vk::BufferView gate, vk::BufferView up, vk::BufferView out, uint32_t count,
                  uint32_t rowLength)
{
  constexpr uint32_t wg = 256;
  HEARTH_KERNEL_OR_RETURN(k, rec, ShaderId::swiglu_ggml,
                          {.buffers = 3, .pushBytes = sizeof(SwigluPush), .constants = {wg}});
  const auto g = detail::grid1D(count, wg);
  rec.dispatch(*k, {{gate, vk::Access::Read}, {up, vk::Access::Read}, {out, vk::Access::Write}},
               SwigluPush{count, rowLength == 0 ? count : rowLength}, g.x, g.y);
  return {};
}

} // namespace hearth::ops
