// Shared by the matrix multiplications (matvec_*.comp, matmul_*.comp): bindings, push
// constants and the weight fetch that decodes blocks at any even byte offset.
//
// y[t][r] = Σ_c W[r][c] · x[t][c]   (fp32 accumulation)
//   binding 0  W     the rows [firstRow, firstRow + nRows) of the weight tensor, GGUF block
//                    layout, read as 16-byte words; row r starts at byte wOffset + r*rowBytes
//   binding 1  x     [nTokens][nCols] fp32, read as vec4 (nCols is a multiple of 32)
//   binding 2  bias  [yStride] fp32, read only when mode == MODE_BIAS (any buffer otherwise)
//   binding 3  y     [nTokens][yStride] fp32; this dispatch writes columns
//                    [yOffset, yOffset + nRows) of every token row
//
// Weights are never read byte by byte (weight_words.glsl).
#extension GL_EXT_control_flow_attributes : require
#extension GL_KHR_shader_subgroup_ballot : require

// The subgroup size (specialization constant 2): 8 on lavapipe, 32 or 64 on GPUs.
layout(constant_id = 2) const uint SG = 8u;

#include "weight_words.glsl"
layout(std430, binding = 1) readonly buffer Activations { vec4 xData[]; };
layout(std430, binding = 2) readonly buffer Bias { float biasData[]; };
layout(std430, binding = 3) buffer Outputs { float yData[]; };

#define MODE_STORE 0u // y = W x
#define MODE_ADD 1u   // y += W x   (the residual connection)
#define MODE_BIAS 2u  // y = W x + bias

layout(push_constant) uniform Push {
  uint nRows;    // rows of W in this dispatch
  uint nCols;    // K, a multiple of the block size
  uint rowBytes; // bytes of one row of W
  uint wOffset;  // byte offset of the first row inside binding 0 (even)
  uint nTokens;
  uint yStride;  // floats per token row of y (all rows of W)
  uint yOffset;  // first row of this dispatch inside a token row of y
  uint mode;     // MODE_*
} pc;

// Signed bytes of a word as floats, low byte first.
vec4 i8x4(uint w)
{
  return vec4(ivec4(int(w << 24), int(w << 16), int(w << 8), int(w)) >> 24);
}
// Low nibbles of bytes 0..3 / high nibbles, as floats.
vec4 lowNibbles(uint w)
{
  return vec4(uvec4(w, w >> 8, w >> 16, w >> 24) & 15u);
}
vec4 highNibbles(uint w)
{
  return vec4(uvec4(w >> 4, w >> 12, w >> 20, w >> 28) & 15u);
}
float sum4(vec4 v)
{
  return (v.x + v.y) + (v.z + v.w);
}
