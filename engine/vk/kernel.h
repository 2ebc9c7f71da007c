// Compute kernels and the command recorder: what every op is written with.
//
// Conventions for op authors (engine/ops/<op>.cpp + shaders/<op>.comp):
//  * An op is a free function in hearth::ops taking a `vk::Recorder &` first, then the
//    buffer views it reads, then the views it writes, then plain shape parameters:
//      Status rmsNorm(vk::Recorder &rec, vk::BufferView x, vk::BufferView weight,
//                     vk::BufferView y, uint32_t n, uint32_t rows, float eps);
//    It records dispatches and never submits or waits; shape checks that depend on input
//    data return an Error, those that are programmer mistakes assert.
//  * The kernel comes from `rec.context().kernel(ShaderId::<shader file stem>, spec)`,
//    cached per (shader, spec). KernelSpec: number of storage buffers (bindings 0..N-1 of
//    set 0, in the order the op passes them: inputs first, outputs last), push-constant
//    size, and specialization constants by constant_id (0, 1, ...). Use constant_id 0 for
//    the workgroup size (`layout(local_size_x_id = 0) in;`) and, where needed, constant_id
//    1 for the subgroup size (ctx.info().subgroupSize: 8 on lavapipe, 32/64 on GPUs; a
//    shader must be correct for any of them).
//  * Push constants: a C++ struct of 4-byte fields (uint32_t / float / int32_t) mirrored by
//    the shader's `layout(push_constant)` block, at most 128 bytes.
//  * Each binding is declared Read, Write or ReadWrite: the recorder inserts a barrier only
//    before a dispatch that reads or writes what an earlier one (since the last barrier)
//    wrote, or writes what an earlier one read. Declaring correctly is what makes results
//    right; declaring Write for something only read costs barriers.
//  * Buffers are std430 arrays of 32-bit words (uint / float / vec4 / uvec4); quantized
//    blocks are decoded from words, never byte by byte (per-byte loads are slow on
//    lavapipe, contiguous per-lane loads vectorize). fp16 values are read with
//    unpackHalf2x16 so no 16-bit storage feature is needed; ctx.info().fp16 says when
//    float16_t arithmetic may be used.
//  * A binding's range is at most ctx.maxBinding() (maxStorageBufferRange, or the
//    HEARTH_MAX_BINDING override). Weights bigger than that come as several chunks of
//    whole rows (see ops/tensor.h); the op dispatches once per chunk with the chunk's first
//    row in its push constants.
//  * Accumulate in fp32. Write only inside the output's range: tests put sentinel bytes
//    on both sides and check them untouched.
#pragma once

#include "vk/buffer.h"
#include "vk/context.h"

#include <initializer_list>
#include <map>
#include <optional>
#include <span>
#include <tuple>
#include <vector>

namespace hearth::vk {

struct KernelSpec {
  uint32_t buffers = 1;                // storage buffers at bindings 0..buffers-1
  uint32_t pushBytes = 0;              // push-constant block size (<= 128)
  std::vector<uint32_t> constants;     // specialization constants, constant_id = index
  // Bit i set: binding i is a uniform texel buffer of 16-byte texels (R32G32B32A32_UINT,
  // `uniform usamplerBuffer` in GLSL) instead of a storage buffer. Only for devices with
  // info().texelWeights; its view's offset and range follow minTexelOffsetAlignment() and
  // maxTexelBinding() and its range is a multiple of 16.
  uint32_t texels = 0;
};

class Kernel {
public:
  static Result<Kernel> create(Context &ctx, ShaderId shader, const KernelSpec &spec);
  Kernel() = default;
  Kernel(Kernel &&o) noexcept { *this = std::move(o); }
  Kernel &operator=(Kernel &&o) noexcept;
  Kernel(const Kernel &) = delete;
  Kernel &operator=(const Kernel &) = delete;
  ~Kernel() { reset(); }

  VkPipeline pipeline() const { return m_pipeline; }
  VkPipelineLayout layout() const { return m_layout; }
  VkDescriptorSetLayout setLayout() const { return m_setLayout; }
  uint32_t buffers() const { return m_buffers; }
  uint32_t texels() const { return m_texels; }
  uint32_t pushBytes() const { return m_pushBytes; }
  ShaderId shader() const { return m_shader; }

private:
  void reset();
  VkDevice m_device = VK_NULL_HANDLE;
  VkShaderModule m_module = VK_NULL_HANDLE;
  VkDescriptorSetLayout m_setLayout = VK_NULL_HANDLE;
  VkPipelineLayout m_layout = VK_NULL_HANDLE;
  VkPipeline m_pipeline = VK_NULL_HANDLE;
  uint32_t m_buffers = 0;
  uint32_t m_texels = 0;
  uint32_t m_pushBytes = 0;
  ShaderId m_shader{};
};

enum class Access { Read, Write, ReadWrite };

struct Binding {
  BufferView view;
  Access access = Access::Read;
};

// Records dispatches into one command buffer; the recording can be submitted many times
// (the decode step is recorded once and resubmitted per token). Vulkan errors while
// recording are kept and returned by end()/submit().
//
//   auto rec = vk::Recorder::create(ctx);
//   rec->begin();
//   HEARTH_TRY(ops::rmsNorm(*rec, x, w, y, n, rows, eps));
//   HEARTH_TRY(rec->submitAndWait());
class Recorder {
public:
  static Result<Recorder> create(Context &ctx);
  Recorder() = default;
  Recorder(Recorder &&o) noexcept { *this = std::move(o); }
  Recorder &operator=(Recorder &&o) noexcept;
  Recorder(const Recorder &) = delete;
  Recorder &operator=(const Recorder &) = delete;
  ~Recorder() { reset(); }

  Context &context() const { return *m_ctx; }

  // Starts a new recording (waits for a submission still in flight, frees descriptors).
  Status begin();
  void dispatch(const Kernel &kernel, std::span<const Binding> bindings, const void *push, uint32_t pushBytes,
                uint32_t groupsX, uint32_t groupsY = 1, uint32_t groupsZ = 1);
  template <class Push>
  void dispatch(const Kernel &kernel, std::initializer_list<Binding> bindings, const Push &push, uint32_t groupsX,
                uint32_t groupsY = 1, uint32_t groupsZ = 1)
  {
    dispatch(kernel, std::span<const Binding>(bindings.begin(), bindings.size()), &push, sizeof(Push), groupsX,
             groupsY, groupsZ);
  }
  void fill(BufferView view, uint32_t word);      // vkCmdFillBuffer (range multiple of 4)
  void copy(BufferView src, BufferView dst);      // vkCmdCopyBuffer (same range)
  void barrier();                                 // full compute/transfer barrier
  // Remembers an error found by an op (returned by end/submit) and records nothing more.
  void setError(Error error);
  Status end();
  Status submit();          // end() if needed, then queue it with a fence
  Status wait();            // waits for the last submit
  Status submitAndWait();

  uint32_t dispatches() const { return m_dispatches; } // in the current recording
  uint32_t barriers() const { return m_barriers; }

  // Profiling: with timestamps on (call before begin()), each dispatch of a recording is
  // followed by a timestamp, and every completed submission adds each dispatch's time
  // (from the previous timestamp to its own) to its shader's entry.
  struct OpTime {
    uint64_t dispatches = 0;
    double ns = 0;
  };
  Status enableTimestamps();
  const std::map<ShaderId, OpTime> &opTimes() const { return m_opTimes; }
  uint64_t profiledSubmits() const { return m_profiledSubmits; }
  void clearOpTimes();

private:
  void reset();
  bool ok() const { return m_recording && !m_error; }
  VkDescriptorSet allocateSet(const Kernel &kernel);
  VkBufferView texelView(const BufferView &view); // kept until the next begin()
  void destroyTexelViews();
  void track(std::span<const Binding> bindings);

  Context *m_ctx = nullptr;
  VkCommandPool m_pool = VK_NULL_HANDLE;
  VkCommandBuffer m_cmd = VK_NULL_HANDLE;
  VkFence m_fence = VK_NULL_HANDLE;
  std::vector<VkDescriptorPool> m_descriptorPools;
  std::map<std::tuple<VkBuffer, uint64_t, uint64_t>, VkBufferView> m_texelViews; // this recording's
  size_t m_currentPool = 0;
  bool m_recording = false;
  bool m_ended = false;
  bool m_inFlight = false;
  std::optional<Error> m_error;
  std::vector<BufferView> m_written; // since the last barrier
  std::vector<BufferView> m_read;
  uint32_t m_dispatches = 0;
  uint32_t m_barriers = 0;
  // Timestamps (profiling only).
  void collectTimestamps();
  VkQueryPool m_queries = VK_NULL_HANDLE;
  uint32_t m_queryCapacity = 0;
  double m_timestampPeriodNs = 1;
  std::vector<ShaderId> m_stampShaders; // shader of timestamp i+1
  std::map<ShaderId, OpTime> m_opTimes;
  uint64_t m_profiledSubmits = 0;
};

} // namespace hearth::vk
