// Row softmax in place (shaders/softmax.comp): one workgroup per row.
#include "ops/op_util.h"
#include "ops/ops.h"

namespace hearth::ops {

namespace {
struct Push {
  uint32_t dim, n;
};
} // namespace

Status softmax(vk::Recorder &rec, vk::BufferView x, uint32_t n, uint32_t dim)
{
  constexpr uint32_t wg = 64;
  HEARTH_KERNEL_OR_RETURN(k, rec, ShaderId::softmax, {.buffers = 1, .pushBytes = sizeof(Push), .constants = {wg}});
  rec.dispatch(*k, {{x, vk::Access::ReadWrite}}, Push{dim, n}, n);
  return {};
}

} // namespace hearth::ops
