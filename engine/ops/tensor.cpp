#include "ops/tensor.h"

#include "ops/quant.h"

#include <numeric>

namespace hearth::ops {

uint32_t rowsPerChunk(uint64_t rowBytes, uint64_t maxBinding, uint64_t alignment)
{
  if (rowBytes == 0 || rowBytes > maxBinding)
    return 0;
  // Chunks start at multiples of rowBytes · k; make that a multiple of `alignment`.
  const uint64_t step = alignment / std::gcd(rowBytes, alignment);
  const uint64_t rows = maxBinding / rowBytes / step * step;
  return uint32_t(std::min<uint64_t>(rows, UINT32_MAX));
}

uint64_t weightDeviceBytes(TensorType type, uint64_t rows, uint64_t cols)
{
  return rows * rowBytes(type, cols);
}

Result<DeviceWeight> uploadWeight(vk::Context &ctx, std::string name, TensorType type, uint32_t rows, uint32_t cols,
                                  std::span<const std::byte> data)
{
  if (!isSupportedType(type))
    return fail(ErrorCode::Unsupported, "[vk] tensor '{}': type {} is not supported on the GPU", name,
                tensorTypeName(type));
  DeviceWeight w;
  w.type = type;
  w.rows = rows;
  w.cols = cols;
  w.rowBytes = rowBytes(type, cols);
  const uint64_t bytes = w.rowBytes * rows;
  if (data.size() != bytes)
    return fail(ErrorCode::Format, "[vk] tensor '{}': {} bytes, expected {} ({} rows of {} {})", name, data.size(),
                bytes, rows, cols, tensorTypeName(type));
  uint32_t per = rows;
  if (bytes > ctx.maxBinding()) {
    per = rowsPerChunk(w.rowBytes, ctx.maxBinding(), ctx.minStorageOffsetAlignment());
    if (per == 0)
      return fail(ErrorCode::Unsupported, "[vk] tensor '{}': one row ({} bytes) exceeds the binding limit {}", name,
                  w.rowBytes, ctx.maxBinding());
  }
  // Shaders read whole 32-bit words: pad the buffer so a view may round its range up to
  // a multiple of 4 and still lie inside it.
  const uint64_t padded = (bytes + 15) & ~uint64_t(15);
  auto buffer = vk::Buffer::create(ctx, padded, vk::Memory::Device, name);
  if (!buffer)
    return std::unexpected(buffer.error());
  w.buffer = std::move(*buffer);
  if (auto s = w.buffer.upload(data); !s)
    return std::unexpected(s.error());
  for (uint32_t first = 0; first < rows; first += per) {
    const uint32_t n = std::min(per, rows - first);
    const uint64_t offset = first * w.rowBytes;
    const uint64_t range = std::min<uint64_t>((n * w.rowBytes + 3) & ~uint64_t(3), padded - offset);
    w.chunks.push_back({w.buffer.view(offset, range), first, n});
  }
  w.name = std::move(name);
  return w;
}

} // namespace hearth::ops
