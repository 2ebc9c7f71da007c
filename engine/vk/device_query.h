// Internal: what Context and listDevices() share about physical devices.
#pragma once

#include "hearth/devices.h"

#include <string_view>
#include <vector>
#include <vulkan/vulkan.h>

namespace hearth::vk {

// Creates a Vulkan 1.2 instance; with `validation`, enables the Khronos validation
// layer and VK_EXT_debug_utils (an error if the layer is not installed).
Result<VkInstance> createInstance(bool validation);
// Facts about one device; fp16 is reported only when `allowFp16`.
DeviceInfo queryDevice(VkPhysicalDevice device, uint32_t index, bool allowFp16);
// The index into `devices` chosen by `selector` ("" = best type; digits = index; else a
// case-insensitive name substring).
Result<uint32_t> pickDevice(const std::vector<DeviceInfo> &devices, std::string_view selector);
// True unless the environment variable is unset, empty or "0".
bool envFlag(const char *name);

} // namespace hearth::vk
