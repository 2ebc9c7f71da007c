#version 450
// Causal attention with grouped-query heads for a prefill batch, flash-attention style.
// Workgroup (tile, h): BR query tokens [tile·BR, tile·BR + BR) of query head h against the
// KV cache of head h / (nHead / nHeadKv), in tiles of BC keys staged in shared memory,
// with an online softmax (once per key tile) and fp32 accumulation. Keys past the tile's
// last query position are never read; each row masks the keys after its own position.
// Invocation r owns query row r: its query and output stay in registers, and every
// invocation reads the same shared key at the same time (broadcast reads, which CPU
// implementations such as lavapipe vectorize across rows). No subgroup operations: only
// shared memory and barriers, so any subgroup size works.
// q, out: [n][nHead][HEAD_DIM]; caches: [ctx][nHeadKv][HEAD_DIM] f16 pairs (KV_F16) or
// f32, holding positions [0, pos0 + n).
layout(local_size_x_id = 0) in;                   // BR query rows per workgroup
layout(constant_id = 0) const uint BR = 16;
layout(constant_id = 1) const uint HEAD_DIM = 64; // multiple of 4
layout(constant_id = 2) const uint BC = 32;       // keys per tile
layout(constant_id = 3) const bool KV_F16 = true;
layout(constant_id = 4) const bool ROUND_Q = false; // queries rounded to f16 (llama.cpp's CPU path)

const uint D4 = HEAD_DIM / 4u; // vec4s per row

layout(std430, binding = 0) readonly buffer Q { vec4 q[]; };
layout(std430, binding = 1) readonly buffer K { uint kc[]; };
layout(std430, binding = 2) readonly buffer V { uint vc[]; };
layout(std430, binding = 3) readonly buffer Step { uint pos0; };
layout(std430, binding = 4) writeonly buffer Out { vec4 o4[]; };

layout(push_constant) uniform Push {
  uint n;
  uint nHead;
  uint nHeadKv;
  float scale;
} pc;

shared vec4 Ks[BC * D4];
shared vec4 Vs[BC * D4];

vec4 loadKV(bool isK, uint base4) // base4: index of a vec4 in the cache
{
  if (KV_F16) {
    const uint w0 = isK ? kc[2u * base4] : vc[2u * base4];
    const uint w1 = isK ? kc[2u * base4 + 1u] : vc[2u * base4 + 1u];
    return vec4(unpackHalf2x16(w0), unpackHalf2x16(w1));
  }
  const uint i = 4u * base4;
  if (isK)
    return uintBitsToFloat(uvec4(kc[i], kc[i + 1u], kc[i + 2u], kc[i + 3u]));
  return uintBitsToFloat(uvec4(vc[i], vc[i + 1u], vc[i + 2u], vc[i + 3u]));
}

void main()
{
  const uint r = gl_LocalInvocationID.x;
  const uint h = gl_WorkGroupID.y;
  const uint kvh = h / (pc.nHead / pc.nHeadKv);
  const uint t0 = gl_WorkGroupID.x * BR;
  const uint t = t0 + r;
  const bool rowValid = t < pc.n;
  const uint p0 = pos0;
  const uint lastKey = p0 + t;                // row t attends keys [0, lastKey]
  const uint kvEnd = p0 + min(pc.n, t0 + BR); // keys any row of the tile needs

  vec4 qv[D4], o[D4];
  for (uint d = 0u; d < D4; ++d) {
    qv[d] = rowValid ? q[(t * pc.nHead + h) * D4 + d] : vec4(0.0);
    if (ROUND_Q)
      qv[d] = vec4(unpackHalf2x16(packHalf2x16(qv[d].xy)), unpackHalf2x16(packHalf2x16(qv[d].zw)));
    o[d] = vec4(0.0);
  }
  float m = -1.0 / 0.0, l = 0.0;
  float s[BC];

  for (uint j0 = 0u; j0 < kvEnd; j0 += BC) {
    for (uint e = r; e < BC * D4; e += BR) {
      const uint p = j0 + e / D4;
      const bool inside = p < kvEnd;
      const uint base4 = (p * pc.nHeadKv + kvh) * D4 + e % D4;
      Ks[e] = inside ? loadKV(true, base4) : vec4(0.0);
      Vs[e] = inside ? loadKV(false, base4) : vec4(0.0);
    }
    barrier();

    // This row's keys of the tile: [j0, min(j0 + BC, lastKey + 1)).
    const uint count = rowValid && lastKey >= j0 ? min(BC, lastKey + 1u - j0) : 0u;
    float tileMax = -1.0 / 0.0;
    for (uint c = 0u; c < count; ++c) {
      float acc = 0.0;
      for (uint d = 0u; d < D4; ++d)
        acc += dot(qv[d], Ks[c * D4 + d]);
      s[c] = acc * pc.scale;
      tileMax = max(tileMax, s[c]);
    }
    if (count > 0u) {
      const float mNew = max(m, tileMax);
      const float corr = exp(m - mNew); // 0 on the first tile (m = -inf)
      l *= corr;
      for (uint d = 0u; d < D4; ++d)
        o[d] *= corr;
      for (uint c = 0u; c < count; ++c) {
        const float p = exp(s[c] - mNew);
        l += p;
        for (uint d = 0u; d < D4; ++d)
          o[d] += p * Vs[c * D4 + d];
      }
      m = mNew;
    }
    barrier();
  }

  if (rowValid) {
    const float inv = l > 0.0 ? 1.0 / l : 0.0;
    for (uint d = 0u; d < D4; ++d)
      o4[(t * pc.nHead + h) * D4 + d] = o[d] * inv;
  }
}
