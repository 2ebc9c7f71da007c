#version 450
// RMSNorm as llama.cpp's CPU backend computes it (ops::ref::ggml::rmsNorm): the float
// squares x·x summed in order in double, mean = float(sum / dim), scale = 1 / sqrt(mean +
// eps) in float, y = (x · scale) · w. x, y: [n][dim]; w: [dim]. One workgroup per row: its
// first invocation sums (the order is the point), then every invocation writes a share.
layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer W { float w[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };

layout(push_constant) uniform Push {
  uint dim;
  uint n;
  float eps;
} pc;

shared float scaleShared;

void main()
{
  const uint base = gl_WorkGroupID.x * pc.dim;
  if (gl_LocalInvocationID.x == 0u) {
    double sum = 0.0LF;
    for (uint c = 0u; c < pc.dim; ++c) {
      precise float sq = x[base + c] * x[base + c];
      sum += double(sq);
    }
    precise float mean = float(sum / double(pc.dim));
    precise float scale = 1.0 / sqrt(mean + pc.eps);
    scaleShared = scale;
  }
  barrier();
  const float scale = scaleShared;
  for (uint c = gl_LocalInvocationID.x; c < pc.dim; c += gl_WorkGroupSize.x) {
    precise float v = (x[base + c] * scale) * w[c];
    y[base + c] = v;
  }
}
