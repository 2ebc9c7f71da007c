// Plain matrix × vectors over any weight type (shaders/dequant_matvec.comp).
#include "ops/op_util.h"
#include "ops/ops.h"

namespace hearth::ops {

namespace {
struct Push {
  uint32_t cols, rows, firstRow, rowBytes, n, yStride, accumulate;
};
} // namespace

Status matVecGeneric(vk::Recorder &rec, const DeviceWeight &w, vk::BufferView x, vk::BufferView y, uint32_t n,
                     bool accumulate)
{
  constexpr uint32_t wg = 64;
  HEARTH_KERNEL_OR_RETURN(k, rec, ShaderId::dequant_matvec,
                          {.buffers = 3, .pushBytes = sizeof(Push), .constants = {wg, uint32_t(w.type)}});
  for (const auto &c : w.chunks) {
    const Push push{w.cols, c.rows, c.firstRow, uint32_t(w.rowBytes), n, w.rows, accumulate ? 1u : 0u};
    const auto g = detail::grid1D(c.rows, 1);
    rec.dispatch(*k, {{c.view, vk::Access::Read}, {x, vk::Access::Read}, {y, accumulate ? vk::Access::ReadWrite : vk::Access::Write}}, push, g.x, g.y);
  }
  return {};
}

} // namespace hearth::ops
