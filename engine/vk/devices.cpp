// Device enumeration, description and selection.
#include "vk/check.h"
#include "vk/device_query.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>

namespace hearth {

std::string_view deviceTypeName(DeviceType type)
{
  switch (type) {
  case DeviceType::Discrete: return "discrete GPU";
  case DeviceType::Integrated: return "integrated GPU";
  case DeviceType::Virtual: return "virtual GPU";
  case DeviceType::Cpu: return "CPU";
  case DeviceType::Other: return "other";
  }
  return "other";
}

std::string describeDevice(const DeviceInfo &d)
{
  auto mib = [](uint64_t b) { return b / (1024 * 1024); };
  std::string features;
  auto add = [&](bool on, const char *name) {
    if (on)
      features += features.empty() ? name : fmt::format(", {}", name);
  };
  add(d.fp16, "fp16");
  add(d.int8, "int8");
  add(d.float64, "float64");
  add(d.subgroupArithmetic, "subgroup arithmetic");
  add(d.texelWeights, "texel-buffer weights");
  return fmt::format("{}: {} ({})\n  driver: {}\n  Vulkan {}.{}.{}\n  memory: {} MiB device-local, budget {} MiB\n"
                     "  subgroup size {}, max storage binding {} MiB\n  features: {}",
                     d.index, d.name, deviceTypeName(d.type), d.driver, VK_API_VERSION_MAJOR(d.apiVersion),
                     VK_API_VERSION_MINOR(d.apiVersion), VK_API_VERSION_PATCH(d.apiVersion), mib(d.deviceLocalBytes),
                     mib(d.budgetBytes), d.subgroupSize, mib(d.maxStorageBufferRange),
                     features.empty() ? "none" : features);
}

Result<std::vector<DeviceInfo>> listDevices()
{
  auto instance = vk::createInstance(false);
  if (!instance)
    return std::unexpected(instance.error());
  uint32_t count = 0;
  std::vector<VkPhysicalDevice> devices;
  VkResult r = vkEnumeratePhysicalDevices(*instance, &count, nullptr);
  if (r == VK_SUCCESS) {
    devices.resize(count);
    r = vkEnumeratePhysicalDevices(*instance, &count, devices.data());
  }
  std::vector<DeviceInfo> out;
  const bool allowFp16 = !vk::envFlag("HEARTH_NO_FP16");
  for (uint32_t i = 0; r == VK_SUCCESS && i < count; ++i)
    out.push_back(vk::queryDevice(devices[i], i, allowFp16));
  vkDestroyInstance(*instance, nullptr);
  if (r != VK_SUCCESS)
    return std::unexpected(vk::vulkanError("vkEnumeratePhysicalDevices", r));
  return out;
}

Result<DeviceInfo> selectDevice(std::string_view selector)
{
  auto devices = listDevices();
  if (!devices)
    return std::unexpected(devices.error());
  auto index = vk::pickDevice(*devices, selector);
  if (!index)
    return std::unexpected(index.error());
  return (*devices)[*index];
}

namespace vk {

bool envFlag(const char *name)
{
  const char *v = std::getenv(name);
  return v && *v && std::strcmp(v, "0") != 0;
}

Result<VkInstance> createInstance(bool validation)
{
  auto app = vkStruct<VkApplicationInfo>(VK_STRUCTURE_TYPE_APPLICATION_INFO);
  app.pApplicationName = "Hearth";
  app.pEngineName = "Hearth";
  app.apiVersion = VK_API_VERSION_1_2;
  const char *layers[] = {"VK_LAYER_KHRONOS_validation"};
  const char *extensions[] = {VK_EXT_DEBUG_UTILS_EXTENSION_NAME};
  auto info = vkStruct<VkInstanceCreateInfo>(VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO);
  info.pApplicationInfo = &app;
  if (validation) {
    info.enabledLayerCount = 1;
    info.ppEnabledLayerNames = layers;
    info.enabledExtensionCount = 1;
    info.ppEnabledExtensionNames = extensions;
  }
  VkInstance instance = VK_NULL_HANDLE;
  const VkResult r = vkCreateInstance(&info, nullptr, &instance);
  if (r != VK_SUCCESS)
    return std::unexpected(vulkanError("vkCreateInstance", r,
                                       validation ? "with VK_LAYER_KHRONOS_validation (is vulkan-validationlayers installed?)"
                                                  : "is a Vulkan driver installed?"));
  return instance;
}

DeviceInfo queryDevice(VkPhysicalDevice device, uint32_t index, bool allowFp16)
{
  auto driver = vkStruct<VkPhysicalDeviceDriverProperties>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES);
  auto subgroup = vkStruct<VkPhysicalDeviceSubgroupProperties>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES);
  subgroup.pNext = &driver;
  auto props = vkStruct<VkPhysicalDeviceProperties2>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2);
  props.pNext = &subgroup;
  vkGetPhysicalDeviceProperties2(device, &props);

  auto f11 = vkStruct<VkPhysicalDeviceVulkan11Features>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES);
  auto f12 = vkStruct<VkPhysicalDeviceVulkan12Features>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES);
  f12.pNext = &f11;
  auto features = vkStruct<VkPhysicalDeviceFeatures2>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2);
  features.pNext = &f12;
  const bool v12 = props.properties.apiVersion >= VK_API_VERSION_1_2;
  if (v12)
    vkGetPhysicalDeviceFeatures2(device, &features);

  DeviceInfo d;
  d.index = index;
  d.name = props.properties.deviceName;
  switch (props.properties.deviceType) {
  case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: d.type = DeviceType::Discrete; break;
  case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: d.type = DeviceType::Integrated; break;
  case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: d.type = DeviceType::Virtual; break;
  case VK_PHYSICAL_DEVICE_TYPE_CPU: d.type = DeviceType::Cpu; break;
  default: d.type = DeviceType::Other; break;
  }
  d.driver = fmt::format("{} · {}", driver.driverName, driver.driverInfo);
  d.apiVersion = props.properties.apiVersion;
  d.subgroupSize = subgroup.subgroupSize;
  d.maxStorageBufferRange = props.properties.limits.maxStorageBufferRange;
  d.subgroupArithmetic = (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) &&
                         (subgroup.supportedOperations & VK_SUBGROUP_FEATURE_ARITHMETIC_BIT);
  d.fp16 = allowFp16 && v12 && f12.shaderFloat16 && f11.storageBuffer16BitAccess;
  d.int8 = v12 && f12.shaderInt8 && f12.storageBuffer8BitAccess;
  d.float64 = v12 && features.features.shaderFloat64 && features.features.shaderInt64;
  VkFormatProperties texel;
  vkGetPhysicalDeviceFormatProperties(device, VK_FORMAT_R32G32B32A32_UINT, &texel);
  // Measured faster only on a CPU device (lavapipe); HEARTH_TEXEL=1 tries them elsewhere.
  const bool texelOk = (texel.bufferFeatures & VK_FORMAT_FEATURE_UNIFORM_TEXEL_BUFFER_BIT) &&
                       props.properties.limits.maxTexelBufferElements >= (1u << 20);
  d.texelWeights = texelOk && !vk::envFlag("HEARTH_NO_TEXEL") &&
                   (props.properties.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU || vk::envFlag("HEARTH_TEXEL"));

  VkPhysicalDeviceMemoryProperties memory;
  vkGetPhysicalDeviceMemoryProperties(device, &memory);
  for (uint32_t h = 0; h < memory.memoryHeapCount; ++h)
    if (memory.memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT)
      d.deviceLocalBytes = std::max<uint64_t>(d.deviceLocalBytes, memory.memoryHeaps[h].size);
  // Leave room for the driver, the compositor and other programs: 80% of the heap.
  d.budgetBytes = d.deviceLocalBytes / 10 * 8;

  uint32_t families = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(device, &families, nullptr);
  std::vector<VkQueueFamilyProperties> fam(families);
  vkGetPhysicalDeviceQueueFamilyProperties(device, &families, fam.data());
  const bool compute = std::any_of(fam.begin(), fam.end(),
                                   [](const auto &f) { return (f.queueFlags & VK_QUEUE_COMPUTE_BIT) != 0; });
  d.usable = v12 && compute;
  return d;
}

Result<uint32_t> pickDevice(const std::vector<DeviceInfo> &devices, std::string_view selector)
{
  if (devices.empty())
    return fail(ErrorCode::Unsupported, "[vk] no Vulkan device found (is mesa-vulkan-drivers installed?)");
  if (!selector.empty()) {
    const bool digits = std::all_of(selector.begin(), selector.end(), [](char c) { return std::isdigit(uint8_t(c)); });
    if (digits) {
      const uint32_t index = uint32_t(std::strtoul(std::string(selector).c_str(), nullptr, 10));
      if (index >= devices.size())
        return fail(ErrorCode::InvalidArgument, "[vk] device index {} out of range ({} devices)", index, devices.size());
      if (!devices[index].usable)
        return fail(ErrorCode::Unsupported, "[vk] device {} '{}' lacks Vulkan 1.2 or a compute queue", index,
                    devices[index].name);
      return index;
    }
    auto lower = [](std::string_view s) {
      std::string out(s);
      for (auto &c : out)
        c = char(std::tolower(uint8_t(c)));
      return out;
    };
    const std::string want = lower(selector);
    for (const auto &d : devices)
      if (d.usable && lower(d.name).find(want) != std::string::npos)
        return d.index;
    return fail(ErrorCode::InvalidArgument, "[vk] no usable device matches '{}'", selector);
  }
  auto rank = [](DeviceType t) {
    switch (t) {
    case DeviceType::Discrete: return 0;
    case DeviceType::Integrated: return 1;
    case DeviceType::Virtual: return 2;
    case DeviceType::Cpu: return 3;
    case DeviceType::Other: return 4;
    }
    return 4;
  };
  const DeviceInfo *best = nullptr;
  for (const auto &d : devices)
    if (d.usable && (!best || rank(d.type) < rank(best->type)))
      best = &d;
  if (!best)
    return fail(ErrorCode::Unsupported, "[vk] no device supports Vulkan 1.2 with a compute queue");
  return best->index;
}

} // namespace vk
} // namespace hearth
