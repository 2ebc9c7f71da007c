// Matrix multiplications: y[t][r] = Σ_c W[r][c] · x[t][c] with the weights in any of the
// engine's types (F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q4_K, Q5_K, Q6_K; GGUF block layout),
// fp32 activations and fp32 accumulation.
//
//   const ops::DeviceWeight &wq = ...;                                  // [nEmbd][nEmbd]
//   HEARTH_TRY(ops::recordMatmul(rec, wq, h.view(), q.view(), nTokens));   // q = Wq · h
//   HEARTH_TRY(ops::recordMatmul(rec, wo, a.view(), x.view(), nTokens,     // x += Wo · a
//                                ops::MatmulOutput::Add));
//
// Few tokens (decode) run the matrix × vector kernel, more the tiled matrix × matrix kernel
// (kMatvecMaxTokens). A matrix larger than one binding (Context::maxBinding()) is bound as
// several ranges of whole rows, one dispatch each. The kernels read weights as 16-byte
// words: a range is bound from the 16-byte word holding its first byte to the one holding
// its last, so the buffer must extend to a multiple of 16 bytes past the matrix's end
// (uploadWeight pads its buffer so; recordMatmul checks).
#pragma once

#include "hearth/tensor_type.h"
#include "ops/tensor.h"
#include "vk/buffer.h"
#include "vk/kernel.h"

#include <cstdint>

namespace hearth::ops {

// A weight matrix in a device buffer: `rows` rows of `cols` elements (GGUF ne[0] = cols,
// contiguous; ne[1] = rows), row r at byte offset + r * rowBytes(type, cols).
struct Matrix {
  TensorType type = TensorType::F32;
  uint32_t rows = 0;
  uint32_t cols = 0;               // a multiple of the type's block size
  const vk::Buffer *buffer = nullptr;
  uint64_t offset = 0;             // byte offset of row 0; even
};

enum class MatmulOutput : uint32_t {
  Store = 0, // y = W x
  Add = 1,   // y += W x (the residual connection; y is read and written)
  Bias = 2,  // y = W x + bias, bias: [rows]
};

// Batches of at most this many tokens use the matrix × vector kernel.
inline constexpr uint32_t kMatvecMaxTokens = 4;

// Records y[t][r] (= | +=) Σ_c W[r][c] · x[t][c] for t < nTokens.
// x: [nTokens][cols] fp32; y: [nTokens][rows] fp32; bias: [rows] fp32 (MatmulOutput::Bias).
// Errors (named after the op and the value) for a type without a kernel, cols not a multiple
// of the block size, views too small, or a single row larger than one binding.
Status recordMatmul(vk::Recorder &rec, const Matrix &w, vk::BufferView x, vk::BufferView y, uint32_t nTokens,
                    MatmulOutput output = MatmulOutput::Store, vk::BufferView bias = {});

// The same for a weight uploaded by uploadWeight() (its buffer, from byte 0).
Status recordMatmul(vk::Recorder &rec, const DeviceWeight &w, vk::BufferView x, vk::BufferView y, uint32_t nTokens,
                    MatmulOutput output = MatmulOutput::Store, vk::BufferView bias = {});

// How recordMatmul runs, for tests and benchmarks.
enum class MatmulKernel { Auto, Matvec, Tiled }; // Auto picks by nTokens
struct MatmulConfig {
  MatmulKernel kernel = MatmulKernel::Auto;
  // The subgroup size the kernels are specialized for; 0 = the device's. A size the device
  // does not run (as on GPUs with varying subgroup sizes) takes the kernels' path without
  // subgroup sharing, which tests exercise this way.
  uint32_t subgroupSize = 0;
  // Weights through a texel buffer (1) or a storage buffer (0); -1: texel where the device
  // can (DeviceInfo::texelWeights). Same results either way.
  int texel = -1;
};
Status recordMatmulWith(const MatmulConfig &config, vk::Recorder &rec, const Matrix &w, vk::BufferView x,
                        vk::BufferView y, uint32_t nTokens, MatmulOutput output = MatmulOutput::Store,
                        vk::BufferView bias = {});

} // namespace hearth::ops
