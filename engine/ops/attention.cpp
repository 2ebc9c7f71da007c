// Causal GQA attention over the KV cache: per-split online softmax (shaders/attention.comp)
// then a merge of the splits (shaders/attention_combine.comp); for prefill batches also
// query tiles against shared-memory KV tiles (shaders/attention_prefill.comp).
#include "ops/op_util.h"
#include "ops/ops.h"

#include <cmath>

namespace hearth::ops {

namespace {
struct SplitPush {
  uint32_t n, nHead, nHeadKv, nSplits;
  float scale;
};
struct CombinePush {
  uint32_t rows, headDim, nSplits;
};
struct PrefillPush {
  uint32_t n, nHead, nHeadKv;
  float scale;
};
constexpr uint32_t kPrefillRows = 16; // query tokens per workgroup (BR in the shader)

// Keys per KV tile: the K and V tiles in fp32 stay within 16 KiB of shared memory.
uint32_t prefillKeys(uint32_t headDim)
{
  return headDim <= 64 ? 32 : headDim <= 128 ? 16 : 8;
}
} // namespace

uint64_t attentionScratchBytes(const AttentionShape &s)
{
  return uint64_t(s.nSplits) * s.n * s.nHead * (s.headDim + 2) * sizeof(float);
}

uint32_t attentionSplits(uint32_t maxKv)
{
  return std::clamp<uint32_t>(detail::divUp(maxKv, 128), 1, 16);
}

Status attention(vk::Recorder &rec, vk::BufferView q, vk::BufferView kCache, vk::BufferView vCache,
                 vk::BufferView step, vk::BufferView scratch, vk::BufferView out, const AttentionShape &s)
{
  const uint32_t group = s.nHead / s.nHeadKv;
  const uint32_t rowsPerKv = s.n * group;
  // One invocation per query row; small groups for decode, wider for prefill.
  const uint32_t wg = rowsPerKv <= 8 ? 8 : rowsPerKv <= 32 ? 32 : 64;
  HEARTH_KERNEL_OR_RETURN(
      split, rec, ShaderId::attention,
      {.buffers = 5, .pushBytes = sizeof(SplitPush), .constants = {wg, s.headDim, s.kvF16 ? 1u : 0u, s.roundQ ? 1u : 0u}});
  const SplitPush sp{s.n, s.nHead, s.nHeadKv, s.nSplits, float(1.0 / std::sqrt(double(s.headDim)))};
  rec.dispatch(*split,
               {{q, vk::Access::Read},
                {kCache, vk::Access::Read},
                {vCache, vk::Access::Read},
                {step, vk::Access::Read},
                {scratch, vk::Access::Write}},
               sp, detail::divUp(rowsPerKv, wg), s.nHeadKv, s.nSplits);

  constexpr uint32_t cwg = 64;
  HEARTH_KERNEL_OR_RETURN(combine, rec, ShaderId::attention_combine,
                          {.buffers = 2, .pushBytes = sizeof(CombinePush), .constants = {cwg}});
  const CombinePush cp{s.n * s.nHead, s.headDim, s.nSplits};
  rec.dispatch(*combine, {{scratch, vk::Access::Read}, {out, vk::Access::Write}}, cp, detail::divUp(s.headDim, cwg),
               s.n * s.nHead);
  return {};
}

bool attentionPrefillSupported(const AttentionShape &s)
{
  return s.n > 1 && s.headDim % 4 == 0 && s.headDim <= 256 && s.nHeadKv > 0 && s.nHead % s.nHeadKv == 0;
}

Status attentionPrefill(vk::Recorder &rec, vk::BufferView q, vk::BufferView kCache, vk::BufferView vCache,
                        vk::BufferView step, vk::BufferView out, const AttentionShape &s)
{
  if (!attentionPrefillSupported(s))
    return fail(ErrorCode::InvalidArgument, "[attention] prefill tiles need n > 1 and a head size that is a "
                "multiple of 4 up to 256, not n {} head size {}", s.n, s.headDim);
  HEARTH_KERNEL_OR_RETURN(
      tiles, rec, ShaderId::attention_prefill,
      {.buffers = 5, .pushBytes = sizeof(PrefillPush),
       .constants = {kPrefillRows, s.headDim, prefillKeys(s.headDim), s.kvF16 ? 1u : 0u, s.roundQ ? 1u : 0u}});
  const PrefillPush pp{s.n, s.nHead, s.nHeadKv, float(1.0 / std::sqrt(double(s.headDim)))};
  rec.dispatch(*tiles,
               {{q, vk::Access::Read},
                {kCache, vk::Access::Read},
                {vCache, vk::Access::Read},
                {step, vk::Access::Read},
                {out, vk::Access::Write}},
               pp, detail::divUp(s.n, kPrefillRows), s.nHead, 1);
  return {};
}

} // namespace hearth::ops
