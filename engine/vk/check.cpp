#include "vk/check.h"

namespace hearth::vk {

const char *resultName(VkResult result)
{
  switch (result) {
#define HEARTH_CASE(x) case x: return #x
    HEARTH_CASE(VK_SUCCESS);
    HEARTH_CASE(VK_NOT_READY);
    HEARTH_CASE(VK_TIMEOUT);
    HEARTH_CASE(VK_INCOMPLETE);
    HEARTH_CASE(VK_ERROR_OUT_OF_HOST_MEMORY);
    HEARTH_CASE(VK_ERROR_OUT_OF_DEVICE_MEMORY);
    HEARTH_CASE(VK_ERROR_INITIALIZATION_FAILED);
    HEARTH_CASE(VK_ERROR_DEVICE_LOST);
    HEARTH_CASE(VK_ERROR_MEMORY_MAP_FAILED);
    HEARTH_CASE(VK_ERROR_LAYER_NOT_PRESENT);
    HEARTH_CASE(VK_ERROR_EXTENSION_NOT_PRESENT);
    HEARTH_CASE(VK_ERROR_FEATURE_NOT_PRESENT);
    HEARTH_CASE(VK_ERROR_INCOMPATIBLE_DRIVER);
    HEARTH_CASE(VK_ERROR_TOO_MANY_OBJECTS);
    HEARTH_CASE(VK_ERROR_FORMAT_NOT_SUPPORTED);
    HEARTH_CASE(VK_ERROR_FRAGMENTED_POOL);
    HEARTH_CASE(VK_ERROR_UNKNOWN);
    HEARTH_CASE(VK_ERROR_OUT_OF_POOL_MEMORY);
    HEARTH_CASE(VK_ERROR_INVALID_EXTERNAL_HANDLE);
    HEARTH_CASE(VK_ERROR_FRAGMENTATION);
    HEARTH_CASE(VK_PIPELINE_COMPILE_REQUIRED);
#undef HEARTH_CASE
  default: break;
  }
  return "VK_RESULT_UNKNOWN";
}

Error vulkanError(const char *call, VkResult result, std::string_view what)
{
  std::string callName(call);
  if (auto paren = callName.find('('); paren != std::string::npos)
    callName.resize(paren);
  const ErrorCode code = (result == VK_ERROR_OUT_OF_DEVICE_MEMORY || result == VK_ERROR_OUT_OF_HOST_MEMORY)
                             ? ErrorCode::OutOfMemory
                             : ErrorCode::Vulkan;
  std::string message = fmt::format("[vk] {} failed: {} ({})", callName, resultName(result), int(result));
  if (!what.empty())
    message += fmt::format(" ({})", what);
  return Error{code, std::move(message)};
}

} // namespace hearth::vk
