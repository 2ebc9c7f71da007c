// Weights on the device, bound in chunks of whole rows.
//
// A weight matrix is `rows` rows of `cols` elements of `type` (GGUF's ne1 × ne0), each row
// rowBytes(type, cols) bytes, uploaded once into one device-local buffer. A descriptor may
// bind at most Context::maxBinding() bytes (maxStorageBufferRange, 128 MiB on lavapipe, or
// the HEARTH_MAX_BINDING override), so a bigger tensor is described as several chunks of
// whole rows, each chunk's offset aligned for binding; ops dispatch once per chunk and pass
// the chunk's first row in their push constants.
//
//   auto w = ops::uploadWeight(ctx, "blk.0.attn_q.weight", TensorType::Q4_1, 576, 576, bytes);
//   for (const auto &c : w->chunks) rec.dispatch(k, {{x, Read}, {c.view, Read}, {y, Write}}, ...);
#pragma once

#include "hearth/tensor_type.h"
#include "vk/buffer.h"

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace hearth::ops {

struct WeightChunk {
  vk::BufferView view; // rows [firstRow, firstRow + rows), starting at the view's offset
  uint32_t firstRow = 0;
  uint32_t rows = 0;
};

struct DeviceWeight {
  std::string name;
  TensorType type = TensorType::F32;
  uint32_t rows = 0;
  uint32_t cols = 0;            // elements per row
  uint64_t rowBytes = 0;
  vk::Buffer buffer;            // [rows][rowBytes]
  std::vector<WeightChunk> chunks;
};

// Rows per chunk so that a chunk fits `maxBinding` bytes and every chunk starts at a
// multiple of `alignment` bytes. 0 if even one row does not fit.
uint32_t rowsPerChunk(uint64_t rowBytes, uint64_t maxBinding, uint64_t alignment);

// Bytes the weight will take on the device (the model's budget check adds these up).
uint64_t weightDeviceBytes(TensorType type, uint64_t rows, uint64_t cols);

// Uploads `data` (rows · rowBytes(type, cols) bytes) into device-local memory.
Result<DeviceWeight> uploadWeight(vk::Context &ctx, std::string name, TensorType type, uint32_t rows, uint32_t cols,
                                  std::span<const std::byte> data);

} // namespace hearth::ops
