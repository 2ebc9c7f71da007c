#version 450
// Row softmax in place, max subtracted: x[t][:] = exp(x - max) / sum. One workgroup per row.
layout(local_size_x_id = 0) in;

layout(std430, binding = 0) buffer X { float x[]; };

layout(push_constant) uniform Push {
  uint dim;
  uint n;
} pc;

shared float partial[gl_WorkGroupSize.x];

float reduce(float v, bool isMax)
{
  const uint lid = gl_LocalInvocationID.x;
  partial[lid] = v;
  barrier();
  for (uint s = gl_WorkGroupSize.x / 2; s > 0; s >>= 1) {
    if (lid < s)
      partial[lid] = isMax ? max(partial[lid], partial[lid + s]) : partial[lid] + partial[lid + s];
    barrier();
  }
  const float r = partial[0];
  barrier();
  return r;
}

void main()
{
  const uint base = gl_WorkGroupID.x * pc.dim;
  const uint lid = gl_LocalInvocationID.x;
  float m = -1.0 / 0.0;
  for (uint c = lid; c < pc.dim; c += gl_WorkGroupSize.x)
    m = max(m, x[base + c]);
  m = reduce(m, true);
  float sum = 0.0;
  for (uint c = lid; c < pc.dim; c += gl_WorkGroupSize.x) {
    const float e = exp(x[base + c] - m);
    x[base + c] = e;
    sum += e;
  }
  sum = reduce(sum, false);
  const float inv = 1.0 / sum;
  for (uint c = lid; c < pc.dim; c += gl_WorkGroupSize.x)
    x[base + c] *= inv;
}
