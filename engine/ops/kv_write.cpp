// KV-cache write, f16 or f32 (shaders/kv_write.comp).
#include "ops/op_util.h"
#include "ops/ops.h"

namespace hearth::ops {

namespace {
struct Push {
  uint32_t n, width, ctx;
};
} // namespace

Status kvWrite(vk::Recorder &rec, vk::BufferView kv, vk::BufferView cache, vk::BufferView step, uint32_t n,
               uint32_t width, uint32_t ctx, bool f16)
{
  constexpr uint32_t wg = 64;
  HEARTH_KERNEL_OR_RETURN(k, rec, ShaderId::kv_write,
                          {.buffers = 3, .pushBytes = sizeof(Push), .constants = {wg, f16 ? 1u : 0u}});
  rec.dispatch(*k, {{kv, vk::Access::Read}, {cache, vk::Access::Write}, {step, vk::Access::Read}},
               Push{n, width, ctx}, detail::divUp(width / 2, wg), n);
  return {};
}

} // namespace hearth::ops
