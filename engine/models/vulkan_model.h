// The Vulkan backend: a llama / qwen2 model whose whole forward pass runs in Hearth's
// compute shaders (engine/ops). Weights are uploaded once to device-local memory; the
// decode step is recorded once and resubmitted per token; prompts are evaluated in chunks
// of at most `prefillChunk` tokens so that no single submission runs long.
#pragma once

#include "hearth/model.h"

#include <filesystem>
#include <memory>

namespace hearth::models {

struct VulkanOptions {
  uint32_t prefillChunk = 64; // tokens per prefill submission (clamped so logits fit a binding)
  // llama.cpp's CPU arithmetic (ops::ref::Rounding::Ggml) instead of fp32 activations.
  // Where the device has shaderFloat64, bit for bit (ops/ggml_ops.h, ops::attentionGgml):
  // Q8 activation blocks with integer dots chained by fused multiply-adds for Q4_0, Q4_1 and
  // Q8_0 weights, double-sum RMSNorm, cosf/sinf RoPE, llama.cpp's attention and vector exp;
  // the logits then equal the reference backend's with Rounding::Ggml. Other weight types,
  // and devices without float64, get the activations rounded alike but fp32 sums: close,
  // not equal. HEARTH_VK_GGML=exact | rounding (the rounding only) | off overrides.
  bool ggmlRounding = false;
};

// Refuses, before allocating anything, a model whose weights + KV cache + activations
// exceed the device's budget (HEARTH_VK_BUDGET=bytes overrides the budget, for tests).
Result<std::unique_ptr<Model>> loadVulkanModel(const std::filesystem::path &path, const LoadOptions &options,
                                               const VulkanOptions &vulkan = {});

} // namespace hearth::models
