#include "vk/kernel.h"

#include <cassert>

namespace hearth::vk {

// ---------------------------------------------------------------- Kernel

Result<Kernel> Kernel::create(Context &ctx, ShaderId shader, const KernelSpec &spec)
{
  assert(spec.pushBytes <= 128 && spec.pushBytes % 4 == 0);
  Kernel k;
  k.m_device = ctx.device();
  k.m_buffers = spec.buffers;
  k.m_texels = spec.texels;
  k.m_pushBytes = spec.pushBytes;
  k.m_shader = shader;
  const auto code = shaderSpirv(shader);
  const std::string what = shaderName(shader);

  auto module = vkStruct<VkShaderModuleCreateInfo>(VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO);
  module.codeSize = code.size() * sizeof(uint32_t);
  module.pCode = code.data();
  if (VkResult r = vkCreateShaderModule(k.m_device, &module, nullptr, &k.m_module); r != VK_SUCCESS)
    return std::unexpected(vulkanError("vkCreateShaderModule", r, what));

  std::vector<VkDescriptorSetLayoutBinding> bindings(spec.buffers);
  for (uint32_t i = 0; i < spec.buffers; ++i)
    bindings[i] = {i, (spec.texels >> i) & 1 ? VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER : VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                   1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
  auto setInfo = vkStruct<VkDescriptorSetLayoutCreateInfo>(VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO);
  setInfo.bindingCount = spec.buffers;
  setInfo.pBindings = bindings.data();
  if (VkResult r = vkCreateDescriptorSetLayout(k.m_device, &setInfo, nullptr, &k.m_setLayout); r != VK_SUCCESS)
    return std::unexpected(vulkanError("vkCreateDescriptorSetLayout", r, what));

  VkPushConstantRange push{VK_SHADER_STAGE_COMPUTE_BIT, 0, spec.pushBytes};
  auto layout = vkStruct<VkPipelineLayoutCreateInfo>(VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO);
  layout.setLayoutCount = 1;
  layout.pSetLayouts = &k.m_setLayout;
  layout.pushConstantRangeCount = spec.pushBytes ? 1 : 0;
  layout.pPushConstantRanges = &push;
  if (VkResult r = vkCreatePipelineLayout(k.m_device, &layout, nullptr, &k.m_layout); r != VK_SUCCESS)
    return std::unexpected(vulkanError("vkCreatePipelineLayout", r, what));

  std::vector<VkSpecializationMapEntry> entries(spec.constants.size());
  for (uint32_t i = 0; i < entries.size(); ++i)
    entries[i] = {i, i * 4, 4};
  VkSpecializationInfo specInfo{uint32_t(entries.size()), entries.data(), spec.constants.size() * 4,
                                spec.constants.data()};
  auto pipe = vkStruct<VkComputePipelineCreateInfo>(VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO);
  pipe.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
  pipe.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  pipe.stage.module = k.m_module;
  pipe.stage.pName = "main";
  pipe.stage.pSpecializationInfo = entries.empty() ? nullptr : &specInfo;
  pipe.layout = k.m_layout;
  if (VkResult r = vkCreateComputePipelines(k.m_device, ctx.pipelineCache(), 1, &pipe, nullptr, &k.m_pipeline);
      r != VK_SUCCESS)
    return std::unexpected(vulkanError("vkCreateComputePipelines", r, what));
  return k;
}

Kernel &Kernel::operator=(Kernel &&o) noexcept
{
  if (this != &o) {
    reset();
    m_device = std::exchange(o.m_device, VK_NULL_HANDLE);
    m_module = std::exchange(o.m_module, VK_NULL_HANDLE);
    m_setLayout = std::exchange(o.m_setLayout, VK_NULL_HANDLE);
    m_layout = std::exchange(o.m_layout, VK_NULL_HANDLE);
    m_pipeline = std::exchange(o.m_pipeline, VK_NULL_HANDLE);
    m_buffers = o.m_buffers;
    m_texels = o.m_texels;
    m_pushBytes = o.m_pushBytes;
    m_shader = o.m_shader;
  }
  return *this;
}

void Kernel::reset()
{
  if (!m_device)
    return;
  if (m_pipeline)
    vkDestroyPipeline(m_device, m_pipeline, nullptr);
  if (m_layout)
    vkDestroyPipelineLayout(m_device, m_layout, nullptr);
  if (m_setLayout)
    vkDestroyDescriptorSetLayout(m_device, m_setLayout, nullptr);
  if (m_module)
    vkDestroyShaderModule(m_device, m_module, nullptr);
  m_device = VK_NULL_HANDLE;
}

// ---------------------------------------------------------------- Recorder

namespace {
constexpr uint32_t k_setsPerPool = 256;
constexpr uint32_t k_buffersPerSet = 8; // average; a pool holds k_setsPerPool * this descriptors
} // namespace

Result<Recorder> Recorder::create(Context &ctx)
{
  Recorder r;
  r.m_ctx = &ctx;
  VkDevice dev = ctx.device();
  auto pool = vkStruct<VkCommandPoolCreateInfo>(VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO);
  pool.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  pool.queueFamilyIndex = ctx.queueFamily();
  HEARTH_VK(vkCreateCommandPool(dev, &pool, nullptr, &r.m_pool));
  auto alloc = vkStruct<VkCommandBufferAllocateInfo>(VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO);
  alloc.commandPool = r.m_pool;
  alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  alloc.commandBufferCount = 1;
  HEARTH_VK(vkAllocateCommandBuffers(dev, &alloc, &r.m_cmd));
  auto fence = vkStruct<VkFenceCreateInfo>(VK_STRUCTURE_TYPE_FENCE_CREATE_INFO);
  HEARTH_VK(vkCreateFence(dev, &fence, nullptr, &r.m_fence));
  return r;
}

Recorder &Recorder::operator=(Recorder &&o) noexcept
{
  if (this != &o) {
    reset();
    m_ctx = std::exchange(o.m_ctx, nullptr);
    m_pool = std::exchange(o.m_pool, VK_NULL_HANDLE);
    m_cmd = std::exchange(o.m_cmd, VK_NULL_HANDLE);
    m_fence = std::exchange(o.m_fence, VK_NULL_HANDLE);
    m_descriptorPools = std::move(o.m_descriptorPools);
    m_texelViews = std::move(o.m_texelViews);
    o.m_texelViews.clear();
    m_currentPool = o.m_currentPool;
    m_recording = std::exchange(o.m_recording, false);
    m_ended = std::exchange(o.m_ended, false);
    m_inFlight = std::exchange(o.m_inFlight, false);
    m_error = std::move(o.m_error);
    m_written = std::move(o.m_written);
    m_read = std::move(o.m_read);
    m_dispatches = o.m_dispatches;
    m_barriers = o.m_barriers;
    m_queries = std::exchange(o.m_queries, VK_NULL_HANDLE);
    m_queryCapacity = std::exchange(o.m_queryCapacity, 0);
    m_timestampPeriodNs = o.m_timestampPeriodNs;
    m_stampShaders = std::move(o.m_stampShaders);
    m_opTimes = std::move(o.m_opTimes);
    m_profiledSubmits = o.m_profiledSubmits;
  }
  return *this;
}

void Recorder::reset()
{
  if (!m_ctx)
    return;
  VkDevice dev = m_ctx->device();
  if (m_inFlight)
    vkWaitForFences(dev, 1, &m_fence, VK_TRUE, UINT64_MAX);
  for (auto p : m_descriptorPools)
    vkDestroyDescriptorPool(dev, p, nullptr);
  m_descriptorPools.clear();
  destroyTexelViews();
  if (m_queries)
    vkDestroyQueryPool(dev, m_queries, nullptr);
  m_queries = VK_NULL_HANDLE;
  if (m_fence)
    vkDestroyFence(dev, m_fence, nullptr);
  if (m_pool)
    vkDestroyCommandPool(dev, m_pool, nullptr);
  m_ctx = nullptr;
}

Status Recorder::begin()
{
  HEARTH_TRY(wait());
  VkDevice dev = m_ctx->device();
  for (auto p : m_descriptorPools)
    HEARTH_VK(vkResetDescriptorPool(dev, p, 0));
  m_currentPool = 0;
  destroyTexelViews();
  m_error.reset();
  m_written.clear();
  m_read.clear();
  m_dispatches = 0;
  m_barriers = 0;
  m_ended = false;
  HEARTH_VK(vkResetCommandBuffer(m_cmd, 0));
  auto info = vkStruct<VkCommandBufferBeginInfo>(VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO);
  HEARTH_VK(vkBeginCommandBuffer(m_cmd, &info));
  m_recording = true;
  // Whatever earlier submissions (or the host) wrote is visible to this recording.
  auto b = vkStruct<VkMemoryBarrier>(VK_STRUCTURE_TYPE_MEMORY_BARRIER);
  b.srcAccessMask = VK_ACCESS_MEMORY_WRITE_BIT | VK_ACCESS_HOST_WRITE_BIT;
  b.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT |
                    VK_ACCESS_TRANSFER_WRITE_BIT;
  vkCmdPipelineBarrier(m_cmd, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT | VK_PIPELINE_STAGE_HOST_BIT,
                       VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1, &b, 0, nullptr, 0,
                       nullptr);
  m_stampShaders.clear();
  if (m_queries) {
    // Reset inside the recording: a recording submitted many times restarts its queries.
    vkCmdResetQueryPool(m_cmd, m_queries, 0, m_queryCapacity);
    vkCmdWriteTimestamp(m_cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, m_queries, 0);
  }
  return {};
}

Status Recorder::enableTimestamps()
{
  if (m_queries)
    return {};
  if (m_recording)
    return fail(ErrorCode::Internal, "[vk] enableTimestamps() while recording");
  VkPhysicalDeviceProperties props;
  vkGetPhysicalDeviceProperties(m_ctx->physicalDevice(), &props);
  uint32_t families = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(m_ctx->physicalDevice(), &families, nullptr);
  std::vector<VkQueueFamilyProperties> family(families);
  vkGetPhysicalDeviceQueueFamilyProperties(m_ctx->physicalDevice(), &families, family.data());
  if (m_ctx->queueFamily() >= families || family[m_ctx->queueFamily()].timestampValidBits == 0)
    return fail(ErrorCode::Unsupported, "[vk] {}: the compute queue has no timestamps", m_ctx->info().name);
  m_timestampPeriodNs = double(props.limits.timestampPeriod);
  m_queryCapacity = 8192; // dispatches timed per recording; later ones go untimed
  auto info = vkStruct<VkQueryPoolCreateInfo>(VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO);
  info.queryType = VK_QUERY_TYPE_TIMESTAMP;
  info.queryCount = m_queryCapacity;
  HEARTH_VK(vkCreateQueryPool(m_ctx->device(), &info, nullptr, &m_queries));
  return {};
}

void Recorder::clearOpTimes()
{
  m_opTimes.clear();
  m_profiledSubmits = 0;
}

void Recorder::collectTimestamps()
{
  const uint32_t count = uint32_t(m_stampShaders.size()) + 1;
  if (!m_queries || count < 2)
    return;
  std::vector<uint64_t> stamps(count);
  const VkResult r = vkGetQueryPoolResults(m_ctx->device(), m_queries, 0, count, count * sizeof(uint64_t),
                                           stamps.data(), sizeof(uint64_t), VK_QUERY_RESULT_64_BIT);
  if (r != VK_SUCCESS)
    return; // profiling is best effort: a missing sample is not an engine error
  for (uint32_t i = 1; i < count; ++i) {
    OpTime &t = m_opTimes[m_stampShaders[i - 1]];
    ++t.dispatches;
    t.ns += double(stamps[i] - stamps[i - 1]) * m_timestampPeriodNs;
  }
  ++m_profiledSubmits;
}

void Recorder::setError(Error error)
{
  if (!m_error)
    m_error = std::move(error);
}

VkDescriptorSet Recorder::allocateSet(const Kernel &kernel)
{
  VkDevice dev = m_ctx->device();
  for (;;) {
    if (m_currentPool == m_descriptorPools.size()) {
      const VkDescriptorPoolSize sizes[] = {{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, k_setsPerPool * k_buffersPerSet},
                                            {VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, k_setsPerPool}};
      auto info = vkStruct<VkDescriptorPoolCreateInfo>(VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO);
      info.maxSets = k_setsPerPool;
      info.poolSizeCount = m_ctx->info().texelWeights ? 2 : 1;
      info.pPoolSizes = sizes;
      VkDescriptorPool pool = VK_NULL_HANDLE;
      if (VkResult r = vkCreateDescriptorPool(dev, &info, nullptr, &pool); r != VK_SUCCESS) {
        setError(vulkanError("vkCreateDescriptorPool", r));
        return VK_NULL_HANDLE;
      }
      m_descriptorPools.push_back(pool);
    }
    VkDescriptorSetLayout layout = kernel.setLayout();
    auto alloc = vkStruct<VkDescriptorSetAllocateInfo>(VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO);
    alloc.descriptorPool = m_descriptorPools[m_currentPool];
    alloc.descriptorSetCount = 1;
    alloc.pSetLayouts = &layout;
    VkDescriptorSet set = VK_NULL_HANDLE;
    const VkResult r = vkAllocateDescriptorSets(dev, &alloc, &set);
    if (r == VK_SUCCESS)
      return set;
    if (r != VK_ERROR_OUT_OF_POOL_MEMORY && r != VK_ERROR_FRAGMENTED_POOL) {
      setError(vulkanError("vkAllocateDescriptorSets", r, shaderName(kernel.shader())));
      return VK_NULL_HANDLE;
    }
    ++m_currentPool; // this pool is full: next one (created above if needed)
  }
}

VkBufferView Recorder::texelView(const BufferView &view)
{
  const auto key = std::make_tuple(view.buffer, view.offset, view.range);
  if (auto it = m_texelViews.find(key); it != m_texelViews.end())
    return it->second;
  auto info = vkStruct<VkBufferViewCreateInfo>(VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO);
  info.buffer = view.buffer;
  info.format = VK_FORMAT_R32G32B32A32_UINT;
  info.offset = view.offset;
  info.range = view.range;
  VkBufferView handle = VK_NULL_HANDLE;
  if (VkResult r = vkCreateBufferView(m_ctx->device(), &info, nullptr, &handle); r != VK_SUCCESS) {
    setError(vulkanError("vkCreateBufferView", r, fmt::format("offset {}, range {}", view.offset, view.range)));
    return VK_NULL_HANDLE;
  }
  m_texelViews.emplace(key, handle);
  return handle;
}

void Recorder::destroyTexelViews()
{
  for (const auto &[key, handle] : m_texelViews)
    vkDestroyBufferView(m_ctx->device(), handle, nullptr);
  m_texelViews.clear();
}

void Recorder::barrier()
{
  if (!ok())
    return;
  auto b = vkStruct<VkMemoryBarrier>(VK_STRUCTURE_TYPE_MEMORY_BARRIER);
  b.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
  b.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT |
                    VK_ACCESS_TRANSFER_WRITE_BIT;
  const VkPipelineStageFlags stages = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
  vkCmdPipelineBarrier(m_cmd, stages, stages, 0, 1, &b, 0, nullptr, 0, nullptr);
  m_written.clear();
  m_read.clear();
  ++m_barriers;
}

void Recorder::track(std::span<const Binding> bindings)
{
  bool hazard = false;
  for (const auto &b : bindings) {
    for (const auto &w : m_written)
      hazard = hazard || w.overlaps(b.view);
    if (b.access != Access::Read)
      for (const auto &r : m_read)
        hazard = hazard || r.overlaps(b.view);
  }
  if (hazard)
    barrier();
  for (const auto &b : bindings) {
    if (b.access != Access::Write)
      m_read.push_back(b.view);
    if (b.access != Access::Read)
      m_written.push_back(b.view);
  }
}

void Recorder::dispatch(const Kernel &kernel, std::span<const Binding> bindings, const void *push, uint32_t pushBytes,
                        uint32_t groupsX, uint32_t groupsY, uint32_t groupsZ)
{
  if (!ok())
    return;
  assert(bindings.size() == kernel.buffers() && "binding count differs from the kernel's KernelSpec");
  assert(pushBytes == kernel.pushBytes() && "push-constant size differs from the kernel's KernelSpec");
  if (groupsX == 0 || groupsY == 0 || groupsZ == 0)
    return;
  std::vector<VkDescriptorBufferInfo> infos(bindings.size());
  std::vector<VkBufferView> views(bindings.size());
  std::vector<VkWriteDescriptorSet> writes(bindings.size());
  VkDescriptorSet set = allocateSet(kernel);
  if (!set)
    return;
  for (size_t i = 0; i < bindings.size(); ++i) {
    const auto &v = bindings[i].view;
    const bool texel = (kernel.texels() >> i) & 1;
    const uint64_t limit = texel ? m_ctx->maxTexelBinding() : m_ctx->maxBinding();
    const uint64_t align = texel ? m_ctx->minTexelOffsetAlignment() : m_ctx->minStorageOffsetAlignment();
    if (v.range > limit || v.range == 0 || (texel && v.range % 16 != 0) || v.offset % align != 0) {
      setError(Error{ErrorCode::Internal,
                     fmt::format("[vk] {}: {}binding {} (offset {}, range {}) exceeds the binding limit {}, is not "
                                 "aligned to {}{}",
                                 shaderName(kernel.shader()), texel ? "texel " : "", i, v.offset, v.range, limit, align,
                                 texel ? " or is not whole 16-byte texels" : "")});
      return;
    }
    writes[i] = vkStruct<VkWriteDescriptorSet>(VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET);
    writes[i].dstSet = set;
    writes[i].dstBinding = uint32_t(i);
    writes[i].descriptorCount = 1;
    if (texel) {
      views[i] = texelView(v);
      if (!views[i])
        return;
      writes[i].descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER;
      writes[i].pTexelBufferView = &views[i];
    } else {
      infos[i] = {v.buffer, v.offset, v.range};
      writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
      writes[i].pBufferInfo = &infos[i];
    }
  }
  vkUpdateDescriptorSets(m_ctx->device(), uint32_t(writes.size()), writes.data(), 0, nullptr);
  track(bindings);
  vkCmdBindPipeline(m_cmd, VK_PIPELINE_BIND_POINT_COMPUTE, kernel.pipeline());
  vkCmdBindDescriptorSets(m_cmd, VK_PIPELINE_BIND_POINT_COMPUTE, kernel.layout(), 0, 1, &set, 0, nullptr);
  if (pushBytes)
    vkCmdPushConstants(m_cmd, kernel.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, pushBytes, push);
  vkCmdDispatch(m_cmd, groupsX, groupsY, groupsZ);
  ++m_dispatches;
  if (m_queries && m_stampShaders.size() + 1 < m_queryCapacity) {
    m_stampShaders.push_back(kernel.shader());
    vkCmdWriteTimestamp(m_cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, m_queries, uint32_t(m_stampShaders.size()));
  }
}

void Recorder::fill(BufferView view, uint32_t word)
{
  if (!ok())
    return;
  barrier();
  vkCmdFillBuffer(m_cmd, view.buffer, view.offset, view.range, word);
  barrier();
}

void Recorder::copy(BufferView src, BufferView dst)
{
  if (!ok())
    return;
  assert(src.range == dst.range);
  barrier();
  VkBufferCopy region{src.offset, dst.offset, src.range};
  vkCmdCopyBuffer(m_cmd, src.buffer, dst.buffer, 1, &region);
  barrier();
}

Status Recorder::end()
{
  if (m_error)
    return std::unexpected(*m_error);
  if (m_ended)
    return {};
  if (!m_recording)
    return fail(ErrorCode::Internal, "[vk] Recorder::end() without begin()");
  // Results are visible to the host once the fence signals.
  auto b = vkStruct<VkMemoryBarrier>(VK_STRUCTURE_TYPE_MEMORY_BARRIER);
  b.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
  b.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
  vkCmdPipelineBarrier(m_cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                       VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &b, 0, nullptr, 0, nullptr);
  HEARTH_VK(vkEndCommandBuffer(m_cmd));
  m_recording = false;
  m_ended = true;
  return {};
}

Status Recorder::submit()
{
  HEARTH_TRY(end());
  HEARTH_TRY(wait());
  VkDevice dev = m_ctx->device();
  HEARTH_VK(vkResetFences(dev, 1, &m_fence));
  auto info = vkStruct<VkSubmitInfo>(VK_STRUCTURE_TYPE_SUBMIT_INFO);
  info.commandBufferCount = 1;
  info.pCommandBuffers = &m_cmd;
  HEARTH_VK(vkQueueSubmit(m_ctx->queue(), 1, &info, m_fence));
  m_inFlight = true;
  return {};
}

Status Recorder::wait()
{
  if (!m_inFlight)
    return {};
  m_inFlight = false;
  HEARTH_VK(vkWaitForFences(m_ctx->device(), 1, &m_fence, VK_TRUE, UINT64_MAX));
  collectTimestamps();
  return {};
}

Status Recorder::submitAndWait()
{
  HEARTH_TRY(submit());
  return wait();
}

} // namespace hearth::vk
