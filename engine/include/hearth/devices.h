// The compute devices Hearth can run on, as the Vulkan loader reports them.
//
//   auto devices = hearth::listDevices();          // every Vulkan physical device
//   if (devices) for (const auto &d : *devices) print(d.name, deviceTypeName(d.type));
//
// The engine picks discrete > integrated > virtual > CPU; the environment variable
// HEARTH_DEVICE (an index into this list or a substring of a name) overrides the choice,
// and HEARTH_NO_FP16=1 turns off the fp16 paths even where the device has them.
#pragma once

#include "hearth/error.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hearth {

enum class DeviceType { Discrete, Integrated, Virtual, Cpu, Other };
std::string_view deviceTypeName(DeviceType type); // "discrete GPU", "CPU", ...

struct DeviceInfo {
  uint32_t index = 0;        // position in the loader's list (what HEARTH_DEVICE takes)
  std::string name;          // "llvmpipe (LLVM 15.0.6, 256 bits)"
  DeviceType type = DeviceType::Other;
  std::string driver;        // "llvmpipe · Mesa 22.3.6 (LLVM 15.0.6)"
  uint32_t apiVersion = 0;   // VK_MAKE_API_VERSION encoding
  uint64_t deviceLocalBytes = 0; // size of the largest device-local heap
  uint64_t budgetBytes = 0;  // what Hearth lets itself allocate there
  uint32_t subgroupSize = 0;
  uint64_t maxStorageBufferRange = 0;
  bool fp16 = false;             // shaderFloat16 + 16-bit storage buffers (and not HEARTH_NO_FP16)
  bool int8 = false;             // shaderInt8 + 8-bit storage buffers
  bool float64 = false;          // shaderFloat64 + shaderInt64 (enabled on the device when present)
  bool subgroupArithmetic = false; // subgroupAdd & co. in compute shaders
  // Weights read through uniform texel buffers of 16-byte texels (R32G32B32A32_UINT), which
  // lavapipe loads several times faster than storage buffers: on by default on CPU devices,
  // HEARTH_TEXEL=1 turns it on for others that support it, HEARTH_NO_TEXEL=1 off.
  bool texelWeights = false;
  bool usable = false;           // Vulkan 1.2 and a compute queue
};

// Lists every Vulkan device; an error if there is no Vulkan loader or driver at all.
Result<std::vector<DeviceInfo>> listDevices();

// The device the engine would use given `selector` ("" = best; an index or a name
// substring otherwise). Errors name the selector when it matches nothing.
Result<DeviceInfo> selectDevice(std::string_view selector);

// Multi-line human description of a device: name, type, driver, memory, features.
std::string describeDevice(const DeviceInfo &info);

} // namespace hearth
