#version 450
// Causal attention with grouped-query heads for a prefill batch, flash-attention style.
// Workgroup (tile, h): BR query tokens [tile·BR, tile·BR + BR) of query head h against the
// KV cache of head h / (nHead / nHeadKv), in tiles of BC keys staged in shared memory,
// with an online softmax and fp32 accumulation. Keys past the tile's last query position
// are never read; each row masks the keys after its own position.
// Invocation i (of 4·BR) works on row r = i / 4 and quarter k = i % 4: the scores of keys
// k, k+4, … of a KV tile and the output vec4s k, k+4, … of the row. No subgroup
// operations: only shared memory and barriers, so any subgroup size works.
// q, out: [n][nHead][HEAD_DIM]; caches: [ctx][nHeadKv][HEAD_DIM] f16 pairs (KV_F16) or
// f32, holding positions [0, pos0 + n).
layout(local_size_x = 64) in; // = 4 · BR
layout(constant_id = 0) const uint HEAD_DIM = 64; // multiple of 16
layout(constant_id = 1) const uint BC = 32;       // keys per tile, multiple of 4
layout(constant_id = 2) const bool KV_F16 = true;
layout(constant_id = 3) const bool ROUND_Q = false; // queries rounded to f16 (llama.cpp's CPU path)

const uint BR = 16u;
const uint D4 = HEAD_DIM / 4u;   // vec4s per row
const uint OWN = D4 / 4u;        // output vec4s per invocation
const uint KEYS = BC / 4u;       // scores per invocation per tile

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

shared vec4 Qs[BR * D4];
shared vec4 Ks[BC * D4];
shared vec4 Vs[BC * D4];
shared float Ps[BR * BC];
shared float rowMax[64];
shared float rowSum[64];

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
  const uint i = gl_LocalInvocationID.x;
  const uint r = i / 4u, k = i % 4u;
  const uint h = gl_WorkGroupID.y;
  const uint kvh = h / (pc.nHead / pc.nHeadKv);
  const uint t0 = gl_WorkGroupID.x * BR;
  const uint t = t0 + r;
  const bool rowValid = t < pc.n;
  const uint p0 = pos0;
  const uint lastKey = p0 + t;                         // row t attends keys [0, lastKey]
  const uint kvEnd = p0 + min(pc.n, t0 + BR);          // keys any row of the tile needs

  for (uint e = i; e < BR * D4; e += 64u) {
    const uint tr = t0 + e / D4;
    vec4 v = vec4(0.0);
    if (tr < pc.n) {
      v = q[(tr * pc.nHead + h) * D4 + e % D4];
      if (ROUND_Q)
        v = vec4(unpackHalf2x16(packHalf2x16(v.xy)), unpackHalf2x16(packHalf2x16(v.zw)));
    }
    Qs[e] = v;
  }

  vec4 o[OWN];
  for (uint j = 0u; j < OWN; ++j)
    o[j] = vec4(0.0);
  float m = -1.0 / 0.0, l = 0.0;
  float s[KEYS];

  for (uint j0 = 0u; j0 < kvEnd; j0 += BC) {
    for (uint e = i; e < BC * D4; e += 64u) {
      const uint p = j0 + e / D4;
      const bool inside = p < kvEnd;
      const uint base4 = (p * pc.nHeadKv + kvh) * D4 + e % D4;
      Ks[e] = inside ? loadKV(true, base4) : vec4(0.0);
      Vs[e] = inside ? loadKV(false, base4) : vec4(0.0);
    }
    barrier();

    // scores of keys k, k+4, … of this tile; the row's tile maximum
    float localMax = -1.0 / 0.0;
    for (uint j = 0u; j < KEYS; ++j) {
      const uint c = k + 4u * j;
      s[j] = -1.0 / 0.0;
      if (rowValid && j0 + c <= lastKey) {
        float acc = 0.0;
        for (uint d = 0u; d < D4; ++d)
          acc += dot(Qs[r * D4 + d], Ks[c * D4 + d]);
        s[j] = acc * pc.scale;
      }
      localMax = max(localMax, s[j]);
    }
    rowMax[i] = localMax;
    barrier();
    const float tileMax = max(max(rowMax[4u * r], rowMax[4u * r + 1u]), max(rowMax[4u * r + 2u], rowMax[4u * r + 3u]));
    const float mNew = max(m, tileMax);
    const bool none = isinf(mNew) && mNew < 0.0; // nothing attended yet (or a padding row)
    const float corr = none ? 1.0 : exp(m - mNew);
    float localSum = 0.0;
    for (uint j = 0u; j < KEYS; ++j) {
      const float p = none || isinf(s[j]) ? 0.0 : exp(s[j] - mNew);
      Ps[r * BC + k + 4u * j] = p;
      localSum += p;
    }
    rowSum[i] = localSum;
    barrier();
    l = l * corr + ((rowSum[4u * r] + rowSum[4u * r + 1u]) + (rowSum[4u * r + 2u] + rowSum[4u * r + 3u]));
    m = mNew;
    for (uint j = 0u; j < OWN; ++j)
      o[j] *= corr;
    for (uint c = 0u; c < BC; ++c) {
      const float p = Ps[r * BC + c];
      for (uint j = 0u; j < OWN; ++j)
        o[j] += p * Vs[c * D4 + k + 4u * j];
    }
    barrier();
  }

  if (rowValid) {
    const float inv = l > 0.0 ? 1.0 / l : 0.0;
    for (uint j = 0u; j < OWN; ++j)
      o4[(t * pc.nHead + h) * D4 + k + 4u * j] = o[j] * inv;
  }
}
