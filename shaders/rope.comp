#version 450
// Rotary position embedding in place. x: [n][heads][headDim]; token t is at position
// pos0 + t with pos0 read from the step buffer (so a recorded decode step can be
// resubmitted). cs: [maxPos][ropeDims/2] of (cos, sin), computed on the host in double.
// Normal (llama) rotates pairs (2i, 2i+1); NeoX (qwen2) pairs (i, i + ropeDims/2).
layout(local_size_x_id = 0) in;

layout(std430, binding = 0) buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Table { vec2 cs[]; };
layout(std430, binding = 2) readonly buffer Step { uint pos0; };

layout(push_constant) uniform Push {
  uint n;
  uint heads;
  uint headDim;
  uint ropeDims;
  uint neox;
  uint maxPos;
} pc;

void main()
{
  const uint i = gl_GlobalInvocationID.x;
  const uint h = gl_GlobalInvocationID.y;
  const uint t = gl_GlobalInvocationID.z;
  const uint half_ = pc.ropeDims / 2u;
  const uint pos = pos0 + t;
  if (i >= half_ || h >= pc.heads || t >= pc.n || pos >= pc.maxPos)
    return;
  const vec2 r = cs[pos * half_ + i];
  const uint base = (t * pc.heads + h) * pc.headDim;
  const uint a = base + (pc.neox != 0u ? i : 2u * i);
  const uint b = base + (pc.neox != 0u ? i + half_ : 2u * i + 1u);
  const float x0 = x[a];
  const float x1 = x[b];
  precise float y0 = x0 * r.x - x1 * r.y;
  precise float y1 = x0 * r.y + x1 * r.x;
  x[a] = y0;
  x[b] = y1;
}
