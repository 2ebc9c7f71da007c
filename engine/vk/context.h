// The Vulkan context: instance, the chosen device, its compute queue, the persistent
// pipeline cache, cached kernels and a staging path for uploads and downloads.
//
//   auto ctx = vk::Context::create({});            // HEARTH_DEVICE / HEARTH_NO_FP16 honoured
//   if (!ctx) return std::unexpected(ctx.error());
//   auto buf = vk::Buffer::create(**ctx, 4096, vk::Memory::Device, "scratch");
//
// One Context per engine thread; every object made from it must be destroyed before it.
// With HEARTH_VK_VALIDATION=1 the Khronos validation layer is enabled and a debug
// messenger counts (and prints) every validation error: validationErrors().
#pragma once

#include "hearth/devices.h"
#include "hearth/shader_ids.h"
#include "vk/check.h"

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace hearth::vk {

class Kernel;
struct KernelSpec;

struct ContextOptions {
  std::string device;        // "" = best (or HEARTH_DEVICE); an index or a name substring
  int validation = -1;       // -1: HEARTH_VK_VALIDATION; 0 off; 1 on
  int fp16 = -1;             // -1: device support unless HEARTH_NO_FP16=1; 0 off; 1 if supported
  std::filesystem::path pipelineCacheDir; // "" = HEARTH_DATA_DIR/cache or ~/.cache/hearth
};

class Context {
public:
  static Result<std::unique_ptr<Context>> create(const ContextOptions &options);
  ~Context();
  Context(const Context &) = delete;
  Context &operator=(const Context &) = delete;

  const DeviceInfo &info() const { return m_info; }
  // Largest range one descriptor may bind: maxStorageBufferRange, or HEARTH_MAX_BINDING
  // (bytes) when smaller, so tests can force tensors to be split.
  uint64_t maxBinding() const { return m_maxBinding; }
  uint64_t minStorageOffsetAlignment() const { return m_minOffsetAlignment; }
  // Texel-buffer bindings (info().texelWeights): the largest range one may bind (texels of
  // 16 bytes, never more than maxBinding()) and the alignment of its offset.
  uint64_t maxTexelBinding() const { return m_maxTexelBinding; }
  uint64_t minTexelOffsetAlignment() const { return m_minTexelAlignment; }
  // Validation errors reported since creation (always 0 without validation).
  uint32_t validationErrors() const { return m_validationErrors.load(); }
  bool validationEnabled() const { return m_messenger != VK_NULL_HANDLE; }

  // A compute kernel for (shader, spec), created on first use and kept.
  Result<const Kernel *> kernel(ShaderId shader, const KernelSpec &spec);

  // Copies bytes into / out of a buffer through the staging buffer (or directly when the
  // memory is host-visible). Blocking.
  Status upload(VkBuffer dst, uint64_t dstOffset, std::span<const std::byte> bytes);
  Status download(VkBuffer src, uint64_t srcOffset, std::span<std::byte> bytes);

  // Writes the pipeline cache to disk (also done by the destructor).
  Status savePipelineCache();

  VkInstance instance() const { return m_instance; }
  VkPhysicalDevice physicalDevice() const { return m_physical; }
  VkDevice device() const { return m_device; }
  VkQueue queue() const { return m_queue; }
  uint32_t queueFamily() const { return m_queueFamily; }
  VkPipelineCache pipelineCache() const { return m_pipelineCache; }
  // Memory type index with all of `required` (and as many of `preferred` as possible).
  Result<uint32_t> memoryType(uint32_t typeBits, VkMemoryPropertyFlags required,
                              VkMemoryPropertyFlags preferred) const;
  bool memoryTypeCoherent(uint32_t type) const; // host-visible and host-coherent

private:
  Context() = default;
  Status init(const ContextOptions &options);
  Status createDevice();
  void loadPipelineCache(const std::filesystem::path &dir);
  Status copy(VkBuffer src, uint64_t srcOffset, VkBuffer dst, uint64_t dstOffset, uint64_t bytes);
  Status ensureStaging();
  static VKAPI_ATTR VkBool32 VKAPI_CALL onMessage(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                  VkDebugUtilsMessageTypeFlagsEXT types,
                                                  const VkDebugUtilsMessengerCallbackDataEXT *data,
                                                  void *user);

  DeviceInfo m_info;
  uint64_t m_maxBinding = 0;
  uint64_t m_minOffsetAlignment = 16;
  uint64_t m_maxTexelBinding = 0;
  uint64_t m_minTexelAlignment = 16;
  std::atomic<uint32_t> m_validationErrors{0};
  VkInstance m_instance = VK_NULL_HANDLE;
  VkDebugUtilsMessengerEXT m_messenger = VK_NULL_HANDLE;
  VkPhysicalDevice m_physical = VK_NULL_HANDLE;
  VkPhysicalDeviceMemoryProperties m_memory{};
  VkDevice m_device = VK_NULL_HANDLE;
  VkQueue m_queue = VK_NULL_HANDLE;
  uint32_t m_queueFamily = 0;
  VkPipelineCache m_pipelineCache = VK_NULL_HANDLE;
  std::filesystem::path m_pipelineCacheFile;
  VkCommandPool m_transferPool = VK_NULL_HANDLE;
  VkCommandBuffer m_transferCmd = VK_NULL_HANDLE;
  VkFence m_transferFence = VK_NULL_HANDLE;
  // staging: host-visible, persistently mapped
  VkBuffer m_staging = VK_NULL_HANDLE;
  VkDeviceMemory m_stagingMemory = VK_NULL_HANDLE;
  std::byte *m_stagingMap = nullptr;
  uint64_t m_stagingSize = 0;
  std::map<std::pair<ShaderId, std::vector<uint32_t>>, std::unique_ptr<Kernel>> m_kernels;
};

} // namespace hearth::vk
