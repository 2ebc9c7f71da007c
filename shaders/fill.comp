#version 450
// Fills a float buffer with a constant: the smallest shader, used to check the
// Vulkan layer end to end (upload, dispatch, read back).
layout(local_size_x = 64) in;

layout(std430, binding = 0) writeonly buffer Out { float data[]; } dst;

layout(push_constant) uniform Push {
  uint n;
  float value;
} pc;

void main()
{
  const uint i = gl_GlobalInvocationID.x;
  if (i < pc.n)
    dst.data[i] = pc.value;
}
