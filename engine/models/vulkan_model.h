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
  // Round activations as llama.cpp's CPU backend does (Q8 blocks before quantized matmuls,
  // f16 queries): logits then track llama.cpp's closely, near-ties included
  // (ops::ref::Rounding::Ggml). Off: fp32 activations, the exact computation.
  bool ggmlRounding = false;
};

// Refuses, before allocating anything, a model whose weights + KV cache + activations
// exceed the device's budget (HEARTH_VK_BUDGET=bytes overrides the budget, for tests).
Result<std::unique_ptr<Model>> loadVulkanModel(const std::filesystem::path &path, const LoadOptions &options,
                                               const VulkanOptions &vulkan = {});

} // namespace hearth::models
