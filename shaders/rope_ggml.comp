#version 450
// Rotary position embedding as llama.cpp's CPU backend computes it (ops::ref::ggml::rope):
// the (cos, sin) table is made on the host the same way (ops::ropeTableGgml) and each pair
// rotates with fused products: x0' = fma(x0, c, −(x1·s)), x1' = fma(x0, s, x1·c).
// x: [n][heads][headDim] in place, token t at position pos0 + t (step buffer);
// cs: [maxPos][ropeDims/2] (cos, sin). Normal pairs (2i, 2i+1); NeoX (i, i + ropeDims/2).
#include "ggml_fma.glsl"

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
  precise float p = x1 * r.y;
  precise float y0 = fmaExact(x0, r.x, -p);
  precise float q = x1 * r.x;
  precise float y1 = fmaExact(x0, r.y, q);
  x[a] = y0;
  x[b] = y1;
}
