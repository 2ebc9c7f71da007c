#version 450
// Plain matrix × vector(s) over any weight type, one workgroup per output row:
// y[t][firstRow + r] (= | +=) Σ_c W[r][c] · x[t][c]. Element-wise decoding (dequant.glsl), fp32
// accumulation. A simple, obviously-correct kernel; the fast per-type kernels replace it.
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint TYPE = 0;

layout(std430, binding = 0) readonly buffer W { uint wdata[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) buffer Y { float y[]; };

layout(push_constant) uniform Push {
  uint cols;
  uint rows;     // in this chunk
  uint firstRow;
  uint rowBytes;
  uint n;        // tokens
  uint yStride;  // total rows of W (the length of a y row)
  uint accumulate; // y += instead of y =
} pc;

#define DQ_BUF wdata
#include "dequant.glsl"

shared float partial[gl_WorkGroupSize.x];

void main()
{
  const uint r = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  if (r >= pc.rows)
    return;
  const uint lid = gl_LocalInvocationID.x;
  for (uint t = 0u; t < pc.n; ++t) {
    float sum = 0.0;
    for (uint c = lid; c < pc.cols; c += gl_WorkGroupSize.x)
      sum += dq_element(TYPE, r * pc.rowBytes, c) * x[t * pc.cols + c];
    partial[lid] = sum;
    barrier();
    for (uint s = gl_WorkGroupSize.x / 2u; s > 0u; s >>= 1u) {
      if (lid < s)
        partial[lid] += partial[lid + s];
      barrier();
    }
    if (lid == 0u) {
      const uint o = t * pc.yStride + pc.firstRow + r;
      y[o] = pc.accumulate != 0u ? y[o] + partial[0] : partial[0];
    }
    barrier();
  }
}
