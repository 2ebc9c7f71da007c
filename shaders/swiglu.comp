#version 450
// SwiGLU: out[i] = silu(gate[i]) * up[i], silu(g) = g / (1 + e^-g).
layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer Gate { float gate[]; };
layout(std430, binding = 1) readonly buffer Up { float up[]; };
layout(std430, binding = 2) writeonly buffer Out { float outv[]; };

layout(push_constant) uniform Push {
  uint count;
} pc;

void main()
{
  const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  if (i >= pc.count)
    return;
  const float g = gate[i];
  outv[i] = g / (1.0 + exp(-g)) * up[i];
}
