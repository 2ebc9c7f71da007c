// SwiGLU gate: out = silu(gate) · up (shaders/swiglu.comp).
#include "ops/op_util.h"
#include "ops/ops.h"

namespace hearth::ops {

Status swiglu(vk::Recorder &rec, vk::BufferView gate, vk::BufferView up, vk::BufferView out, uint32_t count)
{
  constexpr uint32_t wg = 256;
  HEARTH_KERNEL_OR_RETURN(k, rec, ShaderId::swiglu, {.buffers = 3, .pushBytes = 4, .constants = {wg}});
  const auto g = detail::grid1D(count, wg);
  rec.dispatch(*k, {{gate, vk::Access::Read}, {up, vk::Access::Read}, {out, vk::Access::Write}}, count, g.x, g.y);
  return {};
}

} // namespace hearth::ops
