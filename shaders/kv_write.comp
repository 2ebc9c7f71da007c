#version 450
// KV-cache write: cache[pos0 + t][h][d] = kv[t][h][d], as f16 (packed two per word) or f32.
// cache: one layer's K or V, [ctx][kvHeads][headDim]; kv: [n][kvHeads][headDim]; pos0 from
// the step buffer. Each invocation writes one pair of elements (width is even).
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const bool KV_F16 = true;

layout(std430, binding = 0) readonly buffer KV { float kv[]; };
layout(std430, binding = 1) writeonly buffer Cache { uint cache[]; };
layout(std430, binding = 2) readonly buffer Step { uint pos0; };

layout(push_constant) uniform Push {
  uint n;
  uint width; // kvHeads * headDim
  uint ctx;
} pc;

void main()
{
  const uint p = gl_GlobalInvocationID.x; // pair index
  const uint t = gl_GlobalInvocationID.y;
  const uint pos = pos0 + t;
  if (2u * p >= pc.width || t >= pc.n || pos >= pc.ctx)
    return;
  const vec2 v = vec2(kv[t * pc.width + 2u * p], kv[t * pc.width + 2u * p + 1u]);
  if (KV_F16) {
    cache[(pos * pc.width) / 2u + p] = packHalf2x16(v);
  } else {
    cache[pos * pc.width + 2u * p] = floatBitsToUint(v.x);
    cache[pos * pc.width + 2u * p + 1u] = floatBitsToUint(v.y);
  }
}
