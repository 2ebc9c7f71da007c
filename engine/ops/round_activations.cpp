// Activation rounding as llama.cpp's CPU backend does it (shaders/round_activations.comp).
#include "ops/op_util.h"
#include "ops/ops.h"

namespace hearth::ops {

namespace {
struct Push {
  uint32_t count, withCorr;
};
} // namespace

ActivationRounding activationRounding(TensorType weightType)
{
  switch (weightType) {
  case TensorType::Q4_0:
  case TensorType::Q8_0: return ActivationRounding::Q8_0;
  case TensorType::Q4_1: return ActivationRounding::Q8_1;
  case TensorType::Q4_K:
  case TensorType::Q5_K:
  case TensorType::Q6_K: return ActivationRounding::Q8_K;
  case TensorType::F16: return ActivationRounding::F16;
  case TensorType::BF16: return ActivationRounding::BF16;
  default: return ActivationRounding::None;
  }
}

Status roundActivations(vk::Recorder &rec, vk::BufferView x, vk::BufferView xr, vk::BufferView corr, uint32_t n,
                        uint32_t cols, ActivationRounding mode)
{
  if (mode == ActivationRounding::None)
    return fail(ErrorCode::Internal, "[round_activations] nothing to round");
  const uint32_t shaderMode = mode == ActivationRounding::Q8_K  ? 2
                              : mode == ActivationRounding::F16  ? 3
                              : mode == ActivationRounding::BF16 ? 4
                                                                 : 1;
  const uint32_t block = shaderMode == 2 ? 256 : shaderMode == 1 ? 32 : 1;
  if (cols % block != 0)
    return fail(ErrorCode::InvalidArgument, "[round_activations] row of {} not a multiple of {}", cols, block);
  constexpr uint32_t wg = 64;
  HEARTH_KERNEL_OR_RETURN(k, rec, ShaderId::round_activations,
                          {.buffers = 3, .pushBytes = sizeof(Push), .constants = {wg, shaderMode}});
  const bool withCorr = mode == ActivationRounding::Q8_1;
  const auto g = detail::grid1D(uint64_t(n) * cols / block, wg);
  rec.dispatch(*k, {{x, vk::Access::Read}, {xr, vk::Access::Write}, {corr, withCorr ? vk::Access::Write : vk::Access::Read}},
               Push{n * cols, withCorr ? 1u : 0u}, g.x, g.y);
  return {};
}

} // namespace hearth::ops
