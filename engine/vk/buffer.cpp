#include "vk/buffer.h"

#include <cassert>
#include <cstring>

namespace hearth::vk {

Result<Buffer> Buffer::create(Context &ctx, uint64_t bytes, Memory memory, std::string_view what)
{
  Buffer b;
  b.m_ctx = &ctx;
  b.m_size = bytes;
  auto info = vkStruct<VkBufferCreateInfo>(VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO);
  info.size = std::max<uint64_t>(bytes, 4);
  info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  if (ctx.info().texelWeights)
    info.usage |= VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT;
  info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  VkDevice dev = ctx.device();
  if (VkResult r = vkCreateBuffer(dev, &info, nullptr, &b.m_buffer); r != VK_SUCCESS)
    return std::unexpected(vulkanError("vkCreateBuffer", r, fmt::format("{}, {} bytes", what, bytes)));
  VkMemoryRequirements req;
  vkGetBufferMemoryRequirements(dev, b.m_buffer, &req);
  const VkMemoryPropertyFlags required =
      memory == Memory::Host ? VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT
                             : VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
  // On unified memory (CPU, integrated GPU) device memory that the host can map directly
  // saves the staging copy.
  const bool unified = ctx.info().type == DeviceType::Cpu || ctx.info().type == DeviceType::Integrated;
  const VkMemoryPropertyFlags coherent = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  const VkMemoryPropertyFlags preferred = memory == Memory::Host ? VkMemoryPropertyFlags(VK_MEMORY_PROPERTY_HOST_CACHED_BIT)
                                          : unified               ? coherent
                                                                  : VkMemoryPropertyFlags(0);
  auto type = ctx.memoryType(req.memoryTypeBits, required, preferred);
  if (!type)
    return std::unexpected(type.error());
  auto alloc = vkStruct<VkMemoryAllocateInfo>(VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO);
  alloc.allocationSize = req.size;
  alloc.memoryTypeIndex = *type;
  if (VkResult r = vkAllocateMemory(dev, &alloc, nullptr, &b.m_memory); r != VK_SUCCESS)
    return std::unexpected(vulkanError("vkAllocateMemory", r, fmt::format("{}, {} bytes", what, bytes)));
  if (VkResult r = vkBindBufferMemory(dev, b.m_buffer, b.m_memory, 0); r != VK_SUCCESS)
    return std::unexpected(vulkanError("vkBindBufferMemory", r, what));
  if (ctx.memoryTypeCoherent(*type) && (memory == Memory::Host || unified)) {
    if (VkResult r = vkMapMemory(dev, b.m_memory, 0, VK_WHOLE_SIZE, 0, &b.m_mapped); r != VK_SUCCESS)
      return std::unexpected(vulkanError("vkMapMemory", r, what));
  }
  return b;
}

Buffer &Buffer::operator=(Buffer &&o) noexcept
{
  if (this != &o) {
    reset();
    m_ctx = std::exchange(o.m_ctx, nullptr);
    m_buffer = std::exchange(o.m_buffer, VK_NULL_HANDLE);
    m_memory = std::exchange(o.m_memory, VK_NULL_HANDLE);
    m_size = std::exchange(o.m_size, 0);
    m_mapped = std::exchange(o.m_mapped, nullptr);
  }
  return *this;
}

void Buffer::reset()
{
  if (!m_ctx)
    return;
  VkDevice dev = m_ctx->device();
  if (m_buffer)
    vkDestroyBuffer(dev, m_buffer, nullptr);
  if (m_memory)
    vkFreeMemory(dev, m_memory, nullptr); // unmaps implicitly
  m_buffer = VK_NULL_HANDLE;
  m_memory = VK_NULL_HANDLE;
  m_mapped = nullptr;
  m_ctx = nullptr;
}

BufferView Buffer::view(uint64_t offset, uint64_t range) const
{
  assert(offset <= m_size);
  if (range == ~uint64_t(0))
    range = m_size - offset;
  assert(offset + range <= m_size);
  return {m_buffer, offset, range};
}

Status Buffer::upload(std::span<const std::byte> bytes, uint64_t offset)
{
  if (offset + bytes.size() > m_size)
    return fail(ErrorCode::InvalidArgument, "[vk] upload of {} bytes at {} past buffer end ({})", bytes.size(), offset,
                m_size);
  if (m_mapped) {
    std::memcpy(static_cast<std::byte *>(m_mapped) + offset, bytes.data(), bytes.size());
    return {};
  }
  return m_ctx->upload(m_buffer, offset, bytes);
}

Status Buffer::download(std::span<std::byte> bytes, uint64_t offset) const
{
  if (offset + bytes.size() > m_size)
    return fail(ErrorCode::InvalidArgument, "[vk] download of {} bytes at {} past buffer end ({})", bytes.size(), offset,
                m_size);
  if (m_mapped) {
    std::memcpy(bytes.data(), static_cast<const std::byte *>(m_mapped) + offset, bytes.size());
    return {};
  }
  return m_ctx->download(m_buffer, offset, bytes);
}

// --- Context's staging path ---

Status Context::ensureStaging()
{
  if (m_staging)
    return {};
  auto info = vkStruct<VkBufferCreateInfo>(VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO);
  info.size = 32ull << 20;
  info.usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  HEARTH_VK(vkCreateBuffer(m_device, &info, nullptr, &m_staging));
  VkMemoryRequirements req;
  vkGetBufferMemoryRequirements(m_device, m_staging, &req);
  auto type = memoryType(req.memoryTypeBits, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                         VK_MEMORY_PROPERTY_HOST_CACHED_BIT);
  if (!type)
    return std::unexpected(type.error());
  auto alloc = vkStruct<VkMemoryAllocateInfo>(VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO);
  alloc.allocationSize = req.size;
  alloc.memoryTypeIndex = *type;
  HEARTH_VK(vkAllocateMemory(m_device, &alloc, nullptr, &m_stagingMemory));
  HEARTH_VK(vkBindBufferMemory(m_device, m_staging, m_stagingMemory, 0));
  void *map = nullptr;
  HEARTH_VK(vkMapMemory(m_device, m_stagingMemory, 0, VK_WHOLE_SIZE, 0, &map));
  m_stagingMap = static_cast<std::byte *>(map);
  m_stagingSize = info.size;
  return {};
}

Status Context::copy(VkBuffer src, uint64_t srcOffset, VkBuffer dst, uint64_t dstOffset, uint64_t bytes)
{
  HEARTH_VK(vkResetCommandBuffer(m_transferCmd, 0));
  auto begin = vkStruct<VkCommandBufferBeginInfo>(VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO);
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  HEARTH_VK(vkBeginCommandBuffer(m_transferCmd, &begin));
  auto before = vkStruct<VkMemoryBarrier>(VK_STRUCTURE_TYPE_MEMORY_BARRIER);
  before.srcAccessMask = VK_ACCESS_MEMORY_WRITE_BIT;
  before.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
  vkCmdPipelineBarrier(m_transferCmd, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1, &before,
                       0, nullptr, 0, nullptr);
  VkBufferCopy region{srcOffset, dstOffset, bytes};
  vkCmdCopyBuffer(m_transferCmd, src, dst, 1, &region);
  auto after = vkStruct<VkMemoryBarrier>(VK_STRUCTURE_TYPE_MEMORY_BARRIER);
  after.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  after.dstAccessMask = VK_ACCESS_HOST_READ_BIT | VK_ACCESS_MEMORY_READ_BIT;
  vkCmdPipelineBarrier(m_transferCmd, VK_PIPELINE_STAGE_TRANSFER_BIT,
                       VK_PIPELINE_STAGE_HOST_BIT | VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, 0, 1, &after, 0, nullptr, 0,
                       nullptr);
  HEARTH_VK(vkEndCommandBuffer(m_transferCmd));
  auto submit = vkStruct<VkSubmitInfo>(VK_STRUCTURE_TYPE_SUBMIT_INFO);
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &m_transferCmd;
  HEARTH_VK(vkResetFences(m_device, 1, &m_transferFence));
  HEARTH_VK(vkQueueSubmit(m_queue, 1, &submit, m_transferFence));
  HEARTH_VK(vkWaitForFences(m_device, 1, &m_transferFence, VK_TRUE, UINT64_MAX));
  return {};
}

Status Context::upload(VkBuffer dst, uint64_t dstOffset, std::span<const std::byte> bytes)
{
  HEARTH_TRY(ensureStaging());
  for (uint64_t done = 0; done < bytes.size();) {
    const uint64_t n = std::min<uint64_t>(m_stagingSize, bytes.size() - done);
    std::memcpy(m_stagingMap, bytes.data() + done, n);
    HEARTH_TRY(copy(m_staging, 0, dst, dstOffset + done, n));
    done += n;
  }
  return {};
}

Status Context::download(VkBuffer src, uint64_t srcOffset, std::span<std::byte> bytes)
{
  HEARTH_TRY(ensureStaging());
  for (uint64_t done = 0; done < bytes.size();) {
    const uint64_t n = std::min<uint64_t>(m_stagingSize, bytes.size() - done);
    HEARTH_TRY(copy(src, srcOffset + done, m_staging, 0, n));
    std::memcpy(bytes.data() + done, m_stagingMap, n);
    done += n;
  }
  return {};
}

} // namespace hearth::vk
