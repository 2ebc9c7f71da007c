// Embedding lookup: decodes one table row per token (shaders/embedding.comp).
#include "ops/op_util.h"
#include "ops/ops.h"

namespace hearth::ops {

namespace {
struct Push {
  uint32_t n, dim, firstRow, rows, rowBytes;
};
} // namespace

Status embedding(vk::Recorder &rec, vk::BufferView tokens, const DeviceWeight &table, vk::BufferView out, uint32_t n)
{
  constexpr uint32_t wg = 64;
  HEARTH_KERNEL_OR_RETURN(k, rec, ShaderId::embedding,
                          {.buffers = 3, .pushBytes = sizeof(Push), .constants = {wg, uint32_t(table.type)}});
  for (const auto &c : table.chunks) {
    const Push push{n, table.cols, c.firstRow, c.rows, uint32_t(table.rowBytes)};
    rec.dispatch(*k, {{tokens, vk::Access::Read}, {c.view, vk::Access::Read}, {out, vk::Access::Write}}, push,
                 detail::divUp(table.cols, wg), n);
  }
  return {};
}

} // namespace hearth::ops
