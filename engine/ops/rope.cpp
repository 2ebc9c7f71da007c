// Rotary position embedding (shaders/rope.comp) and its (cos, sin) table.
#include "ops/op_util.h"
#include "ops/ops.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace hearth::ops {

namespace {
struct Push {
  uint32_t n, heads, headDim, ropeDims, neox, maxPos;
};
} // namespace

Result<vk::Buffer> ropeTable(vk::Context &ctx, uint32_t maxPos, uint32_t ropeDims, float freqBase,
                             const float *freqFactors)
{
  const uint32_t half = ropeDims / 2;
  std::vector<float> cs(size_t(maxPos) * half * 2);
  for (uint32_t pos = 0; pos < maxPos; ++pos)
    for (uint32_t i = 0; i < half; ++i) {
      // Same expression as the CPU reference, so both round to the same floats.
      double theta = double(pos) * std::pow(double(freqBase), -2.0 * double(i) / double(ropeDims));
      if (freqFactors)
        theta /= double(freqFactors[i]);
      cs[(size_t(pos) * half + i) * 2] = float(std::cos(theta));
      cs[(size_t(pos) * half + i) * 2 + 1] = float(std::sin(theta));
    }
  return detail::uploadRopeTable(ctx, cs, "RoPE table");
}

Status rope(vk::Recorder &rec, vk::BufferView x, vk::BufferView table, vk::BufferView step, const RopeShape &s)
{
  return detail::recordRope(rec, ShaderId::rope, x, table, step, s);
}

namespace detail {

Result<vk::Buffer> uploadRopeTable(vk::Context &ctx, std::span<const float> cosSin, std::string_view what)
{
  auto buffer = vk::Buffer::create(ctx, std::max<size_t>(cosSin.size(), 4) * sizeof(float), vk::Memory::Device, what);
  if (!buffer)
    return std::unexpected(buffer.error());
  HEARTH_TRY(buffer->uploadSpan(cosSin));
  return std::move(*buffer);
}

Status recordRope(vk::Recorder &rec, ShaderId shader, vk::BufferView x, vk::BufferView table, vk::BufferView step,
                  const RopeShape &s)
{
  constexpr uint32_t wg = 32;
  HEARTH_KERNEL_OR_RETURN(k, rec, shader, {.buffers = 3, .pushBytes = sizeof(Push), .constants = {wg}});
  const Push push{s.n, s.heads, s.headDim, s.ropeDims, s.neox ? 1u : 0u, s.maxPos};
  rec.dispatch(*k, {{x, vk::Access::ReadWrite}, {table, vk::Access::Read}, {step, vk::Access::Read}}, push,
               detail::divUp(s.ropeDims / 2, wg), s.heads, s.n);
  return {};
}

} // namespace detail

} // namespace hearth::ops
