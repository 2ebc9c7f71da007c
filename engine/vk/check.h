// Turning failed Vulkan calls into hearth::Error values.
#pragma once

#include "hearth/error.h"

#include <vulkan/vulkan.h>

namespace hearth::vk {

// A zeroed Vulkan struct with its sType set: auto info = vkStruct<VkBufferCreateInfo>(VK_STRUCTURE_TYPE_...);
template <class T> T vkStruct(VkStructureType type)
{
  T value{};
  value.sType = type;
  return value;
}

const char *resultName(VkResult result); // "VK_ERROR_OUT_OF_DEVICE_MEMORY"

// "[vk] vkAllocateMemory failed: VK_ERROR_OUT_OF_DEVICE_MEMORY (weights 'blk.0.attn_q')"
Error vulkanError(const char *call, VkResult result, std::string_view what = {});

} // namespace hearth::vk

// Evaluates a Vulkan call; on failure returns the Error from the enclosing function
// (which must return Result<...> or Status).
#define HEARTH_VK(call)                                                                            \
  do {                                                                                             \
    const VkResult hearth_vk_r = (call);                                                           \
    if (hearth_vk_r != VK_SUCCESS)                                                                 \
      return std::unexpected(::hearth::vk::vulkanError(#call, hearth_vk_r));                       \
  } while (0)

// Propagates the error of an expression returning Status / Result<T>.
#define HEARTH_TRY(expr)                                                                           \
  do {                                                                                             \
    if (auto hearth_try_r = (expr); !hearth_try_r)                                                 \
      return std::unexpected(std::move(hearth_try_r.error()));                                     \
  } while (0)
