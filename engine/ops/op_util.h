// Small helpers shared by the op files.
#pragma once

#include "vk/buffer.h"
#include "vk/kernel.h"

#include <algorithm>
#include <span>
#include <string_view>

namespace hearth::ops {
struct RopeShape;
}

namespace hearth::ops::detail {

inline uint32_t divUp(uint64_t a, uint64_t b)
{
  return uint32_t((a + b - 1) / b);
}

// Workgroups for `count` invocations of `wg` each, as (x, y) so that x stays within
// Vulkan's guaranteed 65535; shaders index i = gid.x + gid.y · numGroups.x · wg.
struct Grid {
  uint32_t x = 1;
  uint32_t y = 1;
};
inline Grid grid1D(uint64_t count, uint32_t wg)
{
  const uint32_t groups = divUp(count, wg);
  const uint32_t x = std::min<uint32_t>(groups, 65535);
  return {x, divUp(groups, x == 0 ? 1 : x)};
}

// Looks up a kernel; on failure records the error in the recorder and returns null.
inline const vk::Kernel *kernel(vk::Recorder &rec, ShaderId id, const vk::KernelSpec &spec)
{
  auto k = rec.context().kernel(id, spec);
  if (!k) {
    rec.setError(k.error());
    return nullptr;
  }
  return *k;
}

// RoPE (rope.cpp): uploads a [maxPos][ropeDims / 2] table of (cos, sin) pairs, and records
// the rotation of x by one of the shaders that read such a table (rope, rope_ggml).
Result<vk::Buffer> uploadRopeTable(vk::Context &ctx, std::span<const float> cosSin, std::string_view what);
Status recordRope(vk::Recorder &rec, ShaderId shader, vk::BufferView x, vk::BufferView table, vk::BufferView step,
                  const RopeShape &shape);
} // namespace hearth::ops::detail

#define HEARTH_KERNEL_OR_RETURN(var, rec, id, ...)                                                 \
  const vk::Kernel *var = ::hearth::ops::detail::kernel(rec, id, __VA_ARGS__);                     \
  if (!var)                                                                                        \
    return rec.end();
