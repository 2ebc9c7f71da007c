// Internal to the Vulkan backend: the model's tensors on the device, and the budget check.
#pragma once

#include "models/model_config.h"
#include "ops/tensor.h"
#include "vk/buffer.h"

#include <atomic>
#include <functional>
#include <vector>

namespace hearth::models {

struct VulkanLayer {
  vk::Buffer attnNorm;     // [nEmbd] f32
  ops::DeviceWeight wq;    // [nHead·headDim][nEmbd]
  ops::DeviceWeight wk;    // [nHeadKv·headDim][nEmbd]
  ops::DeviceWeight wv;    // [nHeadKv·headDim][nEmbd]
  vk::Buffer bq, bk, bv;   // [nHead·headDim], [nHeadKv·headDim] ×2, f32 (qkvBias only)
  ops::DeviceWeight wo;    // [nEmbd][nHead·headDim]
  vk::Buffer ffnNorm;      // [nEmbd] f32
  ops::DeviceWeight gate;  // [nFf][nEmbd]
  ops::DeviceWeight up;    // [nFf][nEmbd]
  ops::DeviceWeight down;  // [nEmbd][nFf]
};

struct VulkanWeights {
  ops::DeviceWeight tokenEmbd;       // [nVocab][nEmbd]
  ops::DeviceWeight output;          // [nVocab][nEmbd]; empty when tied (use tokenEmbd)
  vk::Buffer outputNorm;             // [nEmbd] f32
  std::vector<VulkanLayer> layers;   // [nLayer]
  std::vector<float> ropeFreqs;      // [ropeDims/2] or empty
  const ops::DeviceWeight &outputMatrix() const { return output.buffer ? output : tokenEmbd; }
};

// Device bytes the weights take.
uint64_t weightBytes(const ModelWeights &w);

// Uploads every tensor; `progress` gets 0..1, `cancel` stops between tensors.
Result<VulkanWeights> uploadWeights(vk::Context &ctx, const ModelWeights &w, const std::function<void(float)> &progress,
                                    const std::atomic<bool> *cancel);

} // namespace hearth::models
