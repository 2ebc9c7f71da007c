// Device buffers (RAII, movable) and views of byte ranges inside them.
//
//   auto w = vk::Buffer::create(ctx, bytes.size(), vk::Memory::Device, "blk.0.attn_q.weight");
//   HEARTH_TRY(w->upload(bytes));                    // staged when not host-visible
//   rec.dispatch(kernel, {{w->view(), vk::Access::Read}, ...}, push, groups);
#pragma once

#include "vk/context.h"

#include <cstdint>
#include <span>
#include <string>
#include <vulkan/vulkan.h>

namespace hearth::vk {

enum class Memory {
  Device, // device-local; written through upload(), read through download()
  Host,   // host-visible, coherent, persistently mapped: small parameters, readback
};

// A byte range of a buffer, as bound to one descriptor. range <= Context::maxBinding().
struct BufferView {
  VkBuffer buffer = VK_NULL_HANDLE;
  uint64_t offset = 0;
  uint64_t range = 0;
  bool overlaps(const BufferView &o) const
  {
    return buffer == o.buffer && offset < o.offset + o.range && o.offset < offset + range;
  }
};

class Buffer {
public:
  // `what` names the buffer in error messages ("KV cache layer 3").
  static Result<Buffer> create(Context &ctx, uint64_t bytes, Memory memory, std::string_view what);
  Buffer() = default;
  Buffer(Buffer &&o) noexcept { *this = std::move(o); }
  Buffer &operator=(Buffer &&o) noexcept;
  Buffer(const Buffer &) = delete;
  Buffer &operator=(const Buffer &) = delete;
  ~Buffer() { reset(); }

  explicit operator bool() const { return m_buffer != VK_NULL_HANDLE; }
  VkBuffer handle() const { return m_buffer; }
  uint64_t size() const { return m_size; }
  // Whole buffer by default; asserts the range is inside it.
  BufferView view(uint64_t offset = 0, uint64_t range = ~uint64_t(0)) const;
  void *mapped() const { return m_mapped; } // non-null for Memory::Host (and UMA device memory)

  Status upload(std::span<const std::byte> bytes, uint64_t offset = 0);
  Status download(std::span<std::byte> bytes, uint64_t offset = 0) const;
  template <class T> Status uploadSpan(std::span<const T> values, uint64_t offset = 0)
  {
    return upload(std::as_bytes(values), offset);
  }
  template <class T> Status downloadSpan(std::span<T> values, uint64_t offset = 0) const
  {
    return download(std::as_writable_bytes(values), offset);
  }

private:
  void reset();
  Context *m_ctx = nullptr;
  VkBuffer m_buffer = VK_NULL_HANDLE;
  VkDeviceMemory m_memory = VK_NULL_HANDLE;
  uint64_t m_size = 0;
  void *m_mapped = nullptr;
};

} // namespace hearth::vk
