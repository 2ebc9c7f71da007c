// Bias add and residual add: x[i] += y[i % period] (shaders/add.comp).
#include "ops/op_util.h"
#include "ops/ops.h"

namespace hearth::ops {

namespace {
struct Push {
  uint32_t count, period;
};

Status addPeriodic(vk::Recorder &rec, vk::BufferView x, vk::BufferView y, uint32_t count, uint32_t period)
{
  constexpr uint32_t wg = 256;
  HEARTH_KERNEL_OR_RETURN(k, rec, ShaderId::add, {.buffers = 2, .pushBytes = sizeof(Push), .constants = {wg}});
  const auto g = detail::grid1D(count, wg);
  rec.dispatch(*k, {{x, vk::Access::ReadWrite}, {y, vk::Access::Read}}, Push{count, period}, g.x, g.y);
  return {};
}
} // namespace

Status addBias(vk::Recorder &rec, vk::BufferView x, vk::BufferView bias, uint32_t n, uint32_t dim)
{
  return addPeriodic(rec, x, bias, n * dim, dim);
}

Status addResidual(vk::Recorder &rec, vk::BufferView x, vk::BufferView y, uint32_t count)
{
  return addPeriodic(rec, x, y, count, count);
}

} // namespace hearth::ops
