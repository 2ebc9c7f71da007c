#version 450
// RMSNorm fused with the weight multiply: y[t][c] = x[t][c] / sqrt(mean(x[t]²) + eps) * w[c].
// One workgroup per row.
layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer W { float w[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };

layout(push_constant) uniform Push {
  uint dim;
  uint n;
  float eps;
} pc;

shared float partial[gl_WorkGroupSize.x];

void main()
{
  const uint row = gl_WorkGroupID.x;
  const uint lid = gl_LocalInvocationID.x;
  const uint base = row * pc.dim;
  float sum = 0.0;
  for (uint c = lid; c < pc.dim; c += gl_WorkGroupSize.x)
    sum += x[base + c] * x[base + c];
  partial[lid] = sum;
  barrier();
  for (uint s = gl_WorkGroupSize.x / 2; s > 0; s >>= 1) {
    if (lid < s)
      partial[lid] += partial[lid + s];
    barrier();
  }
  const float scale = 1.0 / sqrt(partial[0] / float(pc.dim) + pc.eps);
  for (uint c = lid; c < pc.dim; c += gl_WorkGroupSize.x)
    y[base + c] = x[base + c] * scale * w[c];
}
