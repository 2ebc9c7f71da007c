// RMSNorm fused with the weight multiply (shaders/rms_norm.comp): one workgroup per row.
#include "ops/op_util.h"
#include "ops/ops.h"

namespace hearth::ops {

namespace {
struct Push {
  uint32_t dim, n;
  float eps;
};
} // namespace

Status rmsNorm(vk::Recorder &rec, vk::BufferView x, vk::BufferView w, vk::BufferView y, uint32_t n, uint32_t dim,
               float eps)
{
  constexpr uint32_t wg = 64;
  HEARTH_KERNEL_OR_RETURN(k, rec, ShaderId::rms_norm, {.buffers = 3, .pushBytes = sizeof(Push), .constants = {wg}});
  rec.dispatch(*k, {{x, vk::Access::Read}, {w, vk::Access::Read}, {y, vk::Access::Write}}, Push{dim, n, eps}, n);
  return {};
}

} // namespace hearth::ops
