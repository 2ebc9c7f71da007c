#version 450
// In-place add with broadcast: x[i] += y[i % period]. Residual connections use
// period = count; bias adds use period = the row length.
layout(local_size_x_id = 0) in;

layout(std430, binding = 0) buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Y { float y[]; };

layout(push_constant) uniform Push {
  uint count;
  uint period;
} pc;

void main()
{
  const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  if (i < pc.count)
    x[i] += y[i % pc.period];
}
