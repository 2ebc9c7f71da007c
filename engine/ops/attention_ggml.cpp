// Attention with llama.cpp's CPU arithmetic (shaders/attention_ggml.comp), bit for bit
// equal to ops::ref::ggml::attention: a workgroup per (query head, token) computes the
// scores, the softmax with its double sum and the output row in the reference's order.
#include "ops/op_util.h"
#include "ops/ops.h"

#include <algorithm>
#include <cmath>

namespace hearth::ops {

namespace {
struct GgmlPush {
  uint32_t n, nHead, nHeadKv, maxKv;
  float scale;
};
constexpr uint32_t kMaxHeadDim = 1024;
constexpr uint32_t kLanes = 16;
} // namespace

uint64_t attentionGgmlScratchBytes(const AttentionShape &s, uint32_t maxKv)
{
  return uint64_t(s.n) * s.nHead * maxKv * sizeof(float);
}

Status attentionGgmlSupported(const vk::Context &ctx, const AttentionShape &s)
{
  if (!ctx.info().float64)
    return fail(ErrorCode::Unsupported, "[attention_ggml] device '{}' has no shaderFloat64/shaderInt64: llama.cpp's "
                "attention arithmetic sums in double", ctx.info().name);
  if (s.n == 0 || s.nHeadKv == 0 || s.nHead % s.nHeadKv != 0 || s.headDim == 0 || s.headDim > kMaxHeadDim ||
      s.n > 65535)
    return fail(ErrorCode::InvalidArgument, "[attention_ggml] unsupported shape: n {}, {} heads over {} KV heads, "
                "head size {} (at most {})", s.n, s.nHead, s.nHeadKv, s.headDim, kMaxHeadDim);
  return {};
}

Status attentionGgml(vk::Recorder &rec, vk::BufferView q, vk::BufferView kCache, vk::BufferView vCache,
                     vk::BufferView step, vk::BufferView scratch, vk::BufferView out, const AttentionShape &s,
                     uint32_t maxKv)
{
  HEARTH_TRY(attentionGgmlSupported(rec.context(), s));
  const uint64_t need = attentionGgmlScratchBytes(s, maxKv);
  if (maxKv == 0 || scratch.range < need)
    return fail(ErrorCode::InvalidArgument, "[attention_ggml] scratch of {} bytes for KV length {}: {} needed",
                scratch.range, maxKv, need);
  const bool prefill = s.n >= 2;
  // One subgroup per workgroup (a power of two, as the max reduction needs): on lavapipe
  // 8 lanes, where wider groups spend their time switching between barriers.
  const uint32_t wg = std::clamp<uint32_t>(rec.context().info().subgroupSize, 8, 64);
  HEARTH_KERNEL_OR_RETURN(
      kernel, rec, ShaderId::attention_ggml,
      {.buffers = 6,
       .pushBytes = sizeof(GgmlPush),
       .constants = {wg, s.headDim, s.kvF16 ? 1u : 0u, prefill ? 1u : 0u,
                     prefill && s.headDim % kLanes == 0 ? 1u : 0u}});
  // The reference's scale, computed the same way (float square root, float division).
  const GgmlPush push{s.n, s.nHead, s.nHeadKv, maxKv, 1.0f / std::sqrt(float(s.headDim))};
  rec.dispatch(*kernel,
               {{q, vk::Access::Read},
                {kCache, vk::Access::Read},
                {vCache, vk::Access::Read},
                {step, vk::Access::Read},
                {scratch, vk::Access::ReadWrite},
                {out, vk::Access::Write}},
               push, s.nHead, s.n, 1);
  return {};
}

} // namespace hearth::ops
