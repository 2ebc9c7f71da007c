// The Vulkan ops of the ggml-exact arithmetic: each reproduces, bit for bit, what
// ops::ref with Rounding::Ggml computes (engine/ops/cpu_ref_ggml.h), i.e. llama.cpp's CPU
// backend's float operations in its order. Slower than the default ops (serial sums), for
// the models::VulkanOptions::ggmlRounding mode that reproduces llama.cpp's logits.
//
//   HEARTH_TRY(ops::rmsNormGgml(rec, x, norm, h, n, nEmbd, eps));
//   HEARTH_TRY(ops::quantizeQ8Ggml(rec, h, hq, n, nEmbd));          // h → 8-bit blocks
//   HEARTH_TRY(ops::matmulGgml(rec, wq, hq, q, n));                  // q = Wq · h
//
// The shaders rely on IEEE float division and square root and on fma() being fused, as
// lavapipe computes them (tests/engine/ops/tst_vk_ggml_ops.cpp checks every op's bits).
// rmsNormGgml sums in double: the device needs DeviceInfo::float64.
#pragma once

#include "ops/matmul.h"
#include "ops/ops.h"
#include "ops/tensor.h"

#include <cstdint>

namespace hearth::ops {

// Q8_0, Q4_0 and Q4_1: the weight types matmulGgml() multiplies exactly.
bool hasGgmlMatmul(TensorType type);

// Bytes of n rows of cols activations as quantizeQ8Ggml() writes them (48 per 32-block).
uint64_t q8GgmlBytes(uint32_t n, uint32_t cols);
// xq = x quantized to 8-bit 32-blocks (int8 quants, f16 scale, f16 block sum).
// x: [n][cols] fp32, cols a multiple of 32; xq: q8GgmlBytes(n, cols) bytes.
Status quantizeQ8Ggml(vk::Recorder &rec, vk::BufferView x, vk::BufferView xq, uint32_t n, uint32_t cols);

// y[t][r] (= | += | = bias +) Σ_c W[r][c] · x[t][c] from xq = quantizeQ8Ggml(x): the
// per-block integer dot products accumulated in block order with fused multiply-adds.
// w: Q8_0, Q4_0 or Q4_1; y: [n][w.rows]; bias: [w.rows] (MatmulOutput::Bias).
Status matmulGgml(vk::Recorder &rec, const DeviceWeight &w, vk::BufferView xq, vk::BufferView y, uint32_t n,
                  MatmulOutput output = MatmulOutput::Store, vk::BufferView bias = {});

// y = rmsnorm(x) · w with the squares summed in double in order. x, y: [n][dim]; w: [dim].
Status rmsNormGgml(vk::Recorder &rec, vk::BufferView x, vk::BufferView w, vk::BufferView y, uint32_t n,
                   uint32_t dim, float eps);

// (cos, sin) of every rotation angle, [maxPos][ropeDims/2] vec2: float angles by repeated
// products, libm's cosf / sinf (the host's, as the reference computes them).
Result<vk::Buffer> ropeTableGgml(vk::Context &ctx, uint32_t maxPos, uint32_t ropeDims, float freqBase,
                                 const float *freqFactors);
// Rotation with fused products, over a table from ropeTableGgml(). As ops::rope otherwise.
Status ropeGgml(vk::Recorder &rec, vk::BufferView x, vk::BufferView table, vk::BufferView step,
                const RopeShape &shape);

// out = silu(gate) · up with the vector exp of rows' full 16-chunks. rowLength: elements
// of a token's row (a multiple of 16 for exact results). All [count]; out may alias.
Status swigluGgml(vk::Recorder &rec, vk::BufferView gate, vk::BufferView up, vk::BufferView out, uint32_t count,
                  uint32_t rowLength);

} // namespace hearth::ops
