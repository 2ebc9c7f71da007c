#include "vk/context.h"

#include "vk/device_query.h"
#include "vk/kernel.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace hearth::vk {
namespace {

std::filesystem::path defaultCacheDir()
{
  if (const char *d = std::getenv("HEARTH_DATA_DIR"); d && *d)
    return std::filesystem::path(d) / "cache";
  if (const char *x = std::getenv("XDG_CACHE_HOME"); x && *x)
    return std::filesystem::path(x) / "hearth";
  if (const char *h = std::getenv("HOME"); h && *h)
    return std::filesystem::path(h) / ".cache" / "hearth";
  return {};
}

} // namespace

Result<std::unique_ptr<Context>> Context::create(const ContextOptions &options)
{
  std::unique_ptr<Context> ctx(new Context());
  if (auto s = ctx->init(options); !s)
    return std::unexpected(s.error());
  return ctx;
}

VKAPI_ATTR VkBool32 VKAPI_CALL Context::onMessage(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                  VkDebugUtilsMessageTypeFlagsEXT,
                                                  const VkDebugUtilsMessengerCallbackDataEXT *data, void *user)
{
  auto *ctx = static_cast<Context *>(user);
  if (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) {
    ctx->m_validationErrors.fetch_add(1);
    std::fprintf(stderr, "[vk validation] %s\n", data->pMessage);
  } else if (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT) {
    std::fprintf(stderr, "[vk validation warning] %s\n", data->pMessage);
  }
  return VK_FALSE;
}

Status Context::init(const ContextOptions &options)
{
  const bool validation = options.validation < 0 ? envFlag("HEARTH_VK_VALIDATION") : options.validation != 0;
  auto instance = createInstance(validation);
  if (!instance)
    return std::unexpected(instance.error());
  m_instance = *instance;
  if (validation) {
    auto create = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(m_instance, "vkCreateDebugUtilsMessengerEXT"));
    if (!create)
      return fail(ErrorCode::Vulkan, "[vk] vkCreateDebugUtilsMessengerEXT is not available");
    auto info = vkStruct<VkDebugUtilsMessengerCreateInfoEXT>(VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT);
    info.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
    info.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                       VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
    info.pfnUserCallback = &Context::onMessage;
    info.pUserData = this;
    HEARTH_VK(create(m_instance, &info, nullptr, &m_messenger));
  }

  uint32_t count = 0;
  HEARTH_VK(vkEnumeratePhysicalDevices(m_instance, &count, nullptr));
  std::vector<VkPhysicalDevice> physical(count);
  HEARTH_VK(vkEnumeratePhysicalDevices(m_instance, &count, physical.data()));
  const bool allowFp16 = options.fp16 < 0 ? !envFlag("HEARTH_NO_FP16") : options.fp16 != 0;
  std::vector<DeviceInfo> infos;
  for (uint32_t i = 0; i < count; ++i)
    infos.push_back(queryDevice(physical[i], i, allowFp16));
  std::string selector = options.device;
  if (selector.empty())
    if (const char *env = std::getenv("HEARTH_DEVICE"))
      selector = env;
  auto index = pickDevice(infos, selector);
  if (!index)
    return std::unexpected(index.error());
  m_physical = physical[*index];
  m_info = infos[*index];
  vkGetPhysicalDeviceMemoryProperties(m_physical, &m_memory);
  VkPhysicalDeviceProperties props;
  vkGetPhysicalDeviceProperties(m_physical, &props);
  m_minOffsetAlignment = props.limits.minStorageBufferOffsetAlignment;
  m_maxBinding = props.limits.maxStorageBufferRange;
  if (const char *env = std::getenv("HEARTH_MAX_BINDING"); env && *env) {
    const uint64_t forced = std::strtoull(env, nullptr, 10);
    if (forced >= 256 && forced < m_maxBinding)
      m_maxBinding = forced & ~uint64_t(255);
  }
  m_minTexelAlignment = std::max<uint64_t>(props.limits.minTexelBufferOffsetAlignment, 1);
  m_maxTexelBinding = std::min<uint64_t>(uint64_t(props.limits.maxTexelBufferElements) * 16, m_maxBinding);
  HEARTH_TRY(createDevice());
  loadPipelineCache(options.pipelineCacheDir.empty() ? defaultCacheDir() : options.pipelineCacheDir);
  return {};
}

Status Context::createDevice()
{
  uint32_t families = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(m_physical, &families, nullptr);
  std::vector<VkQueueFamilyProperties> fam(families);
  vkGetPhysicalDeviceQueueFamilyProperties(m_physical, &families, fam.data());
  // Prefer a compute queue without graphics (async compute), else any compute queue.
  int chosen = -1;
  for (uint32_t i = 0; i < families; ++i)
    if ((fam[i].queueFlags & VK_QUEUE_COMPUTE_BIT) &&
        (chosen < 0 || (!(fam[i].queueFlags & VK_QUEUE_GRAPHICS_BIT) && (fam[chosen].queueFlags & VK_QUEUE_GRAPHICS_BIT))))
      chosen = int(i);
  if (chosen < 0)
    return fail(ErrorCode::Unsupported, "[vk] device '{}' has no compute queue", m_info.name);
  m_queueFamily = uint32_t(chosen);

  const float priority = 1.0f;
  auto queue = vkStruct<VkDeviceQueueCreateInfo>(VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO);
  queue.queueFamilyIndex = m_queueFamily;
  queue.queueCount = 1;
  queue.pQueuePriorities = &priority;

  auto f11 = vkStruct<VkPhysicalDeviceVulkan11Features>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES);
  auto f12 = vkStruct<VkPhysicalDeviceVulkan12Features>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES);
  f12.pNext = &f11;
  auto features = vkStruct<VkPhysicalDeviceFeatures2>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2);
  features.pNext = &f12;
  if (m_info.fp16) {
    f12.shaderFloat16 = VK_TRUE;
    f11.storageBuffer16BitAccess = VK_TRUE;
  }
  if (m_info.int8) {
    f12.shaderInt8 = VK_TRUE;
    f12.storageBuffer8BitAccess = VK_TRUE;
  }
  if (m_info.float64) { // exact-arithmetic shaders (double sums)
    features.features.shaderFloat64 = VK_TRUE;
    features.features.shaderInt64 = VK_TRUE;
  }
  auto info = vkStruct<VkDeviceCreateInfo>(VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO);
  info.pNext = &features;
  info.queueCreateInfoCount = 1;
  info.pQueueCreateInfos = &queue;
  HEARTH_VK(vkCreateDevice(m_physical, &info, nullptr, &m_device));
  vkGetDeviceQueue(m_device, m_queueFamily, 0, &m_queue);

  auto pool = vkStruct<VkCommandPoolCreateInfo>(VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO);
  pool.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  pool.queueFamilyIndex = m_queueFamily;
  HEARTH_VK(vkCreateCommandPool(m_device, &pool, nullptr, &m_transferPool));
  auto alloc = vkStruct<VkCommandBufferAllocateInfo>(VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO);
  alloc.commandPool = m_transferPool;
  alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  alloc.commandBufferCount = 1;
  HEARTH_VK(vkAllocateCommandBuffers(m_device, &alloc, &m_transferCmd));
  auto fence = vkStruct<VkFenceCreateInfo>(VK_STRUCTURE_TYPE_FENCE_CREATE_INFO);
  HEARTH_VK(vkCreateFence(m_device, &fence, nullptr, &m_transferFence));
  return {};
}

void Context::loadPipelineCache(const std::filesystem::path &dir)
{
  std::vector<char> data;
  if (!dir.empty()) {
    m_pipelineCacheFile = dir / fmt::format("vk-pipelines-{}.bin", m_info.index);
    std::ifstream in(m_pipelineCacheFile, std::ios::binary);
    if (in)
      data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  auto info = vkStruct<VkPipelineCacheCreateInfo>(VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO);
  info.initialDataSize = data.size();
  info.pInitialData = data.empty() ? nullptr : data.data();
  // The driver checks the header (vendor, device, cache UUID) and ignores stale data;
  // a cache it still rejects is simply not used.
  if (vkCreatePipelineCache(m_device, &info, nullptr, &m_pipelineCache) != VK_SUCCESS) {
    info.initialDataSize = 0;
    info.pInitialData = nullptr;
    if (vkCreatePipelineCache(m_device, &info, nullptr, &m_pipelineCache) != VK_SUCCESS)
      m_pipelineCache = VK_NULL_HANDLE;
  }
}

Status Context::savePipelineCache()
{
  if (m_pipelineCache == VK_NULL_HANDLE || m_pipelineCacheFile.empty())
    return {};
  size_t size = 0;
  HEARTH_VK(vkGetPipelineCacheData(m_device, m_pipelineCache, &size, nullptr));
  std::vector<char> data(size);
  HEARTH_VK(vkGetPipelineCacheData(m_device, m_pipelineCache, &size, data.data()));
  std::error_code ec;
  std::filesystem::create_directories(m_pipelineCacheFile.parent_path(), ec);
  const auto tmp = m_pipelineCacheFile.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(data.data(), std::streamsize(size));
    if (!out)
      return fail(ErrorCode::Io, "[vk] cannot write pipeline cache {}", tmp);
  }
  std::filesystem::rename(tmp, m_pipelineCacheFile, ec);
  if (ec)
    return fail(ErrorCode::Io, "[vk] cannot rename {} to {}: {}", tmp, m_pipelineCacheFile.string(), ec.message());
  return {};
}

Context::~Context()
{
  if (m_device) {
    vkDeviceWaitIdle(m_device);
    (void)savePipelineCache();
    m_kernels.clear();
    if (m_staging)
      vkDestroyBuffer(m_device, m_staging, nullptr);
    if (m_stagingMemory)
      vkFreeMemory(m_device, m_stagingMemory, nullptr);
    if (m_transferFence)
      vkDestroyFence(m_device, m_transferFence, nullptr);
    if (m_transferPool)
      vkDestroyCommandPool(m_device, m_transferPool, nullptr);
    if (m_pipelineCache)
      vkDestroyPipelineCache(m_device, m_pipelineCache, nullptr);
    vkDestroyDevice(m_device, nullptr);
  }
  if (m_messenger) {
    auto destroy = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(m_instance, "vkDestroyDebugUtilsMessengerEXT"));
    if (destroy)
      destroy(m_instance, m_messenger, nullptr);
  }
  if (m_instance)
    vkDestroyInstance(m_instance, nullptr);
}

Result<const Kernel *> Context::kernel(ShaderId shader, const KernelSpec &spec)
{
  std::vector<uint32_t> key{spec.buffers, spec.pushBytes, spec.texels};
  key.insert(key.end(), spec.constants.begin(), spec.constants.end());
  auto k = std::make_pair(shader, std::move(key));
  if (auto it = m_kernels.find(k); it != m_kernels.end())
    return it->second.get();
  auto kernel = Kernel::create(*this, shader, spec);
  if (!kernel)
    return std::unexpected(kernel.error());
  auto owned = std::make_unique<Kernel>(std::move(*kernel));
  const Kernel *ptr = owned.get();
  m_kernels.emplace(std::move(k), std::move(owned));
  return ptr;
}

Result<uint32_t> Context::memoryType(uint32_t typeBits, VkMemoryPropertyFlags required,
                                     VkMemoryPropertyFlags preferred) const
{
  int best = -1;
  int bestScore = -1;
  for (uint32_t i = 0; i < m_memory.memoryTypeCount; ++i) {
    const auto flags = m_memory.memoryTypes[i].propertyFlags;
    if (!(typeBits & (1u << i)) || (flags & required) != required)
      continue;
    const int score = __builtin_popcount(flags & preferred);
    if (score > bestScore) {
      best = int(i);
      bestScore = score;
    }
  }
  if (best < 0)
    return fail(ErrorCode::Unsupported, "[vk] no memory type with flags {:#x} on '{}'", uint32_t(required), m_info.name);
  return uint32_t(best);
}

bool Context::memoryTypeCoherent(uint32_t type) const
{
  const VkMemoryPropertyFlags want = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  return (m_memory.memoryTypes[type].propertyFlags & want) == want;
}

} // namespace hearth::vk
