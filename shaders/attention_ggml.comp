#version 450
// Causal GQA attention computed exactly as llama.cpp's CPU backend computes it
// (ops::ref::ggml::attention, bit for bit). One workgroup per (query head, token):
//  1. scores, one key position per invocation: q (rounded to f16) · k in 16 fp32 lanes
//     (prefill with a head size multiple of 16) or in 64-element steps with a double tail
//     (otherwise), times scale; the max by a shared-memory reduction (order-free);
//  2. e = vexp(score − max) per position; the 16-position chunks tree-summed in float by
//     the invocations, the chunk sums accumulated in double, in order, by invocation 0;
//     inv = float(1 / sum); probabilities rounded to f16 (all in `scratch`);
//  3. o[d], one dimension per invocation: the V column · probabilities, in 16 lanes over
//     the length rounded up to 16 (prefill) or 4 × 16 lanes over the batch's length
//     rounded up to 64 (decode); positions past the batch read V as zero.
// q, out: [n][nHead][HEAD_DIM]; caches: [ctx][nHeadKv][HEAD_DIM], f16 (KV_F16) or f32
// (rounded to f16 on read); scratch: [n][nHead][maxKv]; step: pos0.
#extension GL_GOOGLE_include_directive : require

layout(local_size_x_id = 0) in; // a power of two, at most 64
layout(constant_id = 1) const uint HEAD_DIM = 64;
layout(constant_id = 2) const bool KV_F16 = true;
layout(constant_id = 3) const bool PREFILL = false;  // n >= 2
layout(constant_id = 4) const bool QK_LANES = false; // PREFILL and HEAD_DIM % 16 == 0

layout(std430, binding = 0) readonly buffer Q { float q[]; };
layout(std430, binding = 1) readonly buffer K { uint kc[]; };
layout(std430, binding = 2) readonly buffer V { uint vc[]; };
layout(std430, binding = 3) readonly buffer Step { uint pos0; };
layout(std430, binding = 4) coherent buffer Scratch { float w[]; };
layout(std430, binding = 5) writeonly buffer Out { float o[]; };

layout(push_constant) uniform Push {
  uint n;
  uint nHead;
  uint nHeadKv;
  uint maxKv; // scratch row length; positions at or past it are not read
  float scale;
} pc;

#include "attention_ggml.glsl"

shared float qh[HEAD_DIM];
shared float red[64]; // one per invocation (the op keeps workgroups within 64)
shared float invShared;
shared float part[64][64]; // [accumulator][dimension within a 64-wide chunk]

// Cache element i (f16, or f32 rounded to f16).
float loadKV(bool isK, uint i)
{
  if (KV_F16) {
    const uint word = isK ? kc[i >> 1] : vc[i >> 1];
    return halfBitsToFloat((i & 1u) != 0u ? word >> 16 : word & 0xFFFFu);
  }
  return roundHalf(uintBitsToFloat(isK ? kc[i] : vc[i]));
}

// Cache elements i .. i+3 of a row (i + 3 < the row's end): two words at a time when
// rows start on 4-element boundaries.
vec4 loadKV4(bool isK, uint i)
{
  if (HEAD_DIM % 4u != 0u)
    return vec4(loadKV(isK, i), loadKV(isK, i + 1u), loadKV(isK, i + 2u), loadKV(isK, i + 3u));
  if (KV_F16) {
    const uint w0 = isK ? kc[i >> 1] : vc[i >> 1];
    const uint w1 = isK ? kc[(i >> 1) + 1u] : vc[(i >> 1) + 1u];
    return vec4(unpackHalf2x16(w0), unpackHalf2x16(w1));
  }
  const uvec4 b = isK ? uvec4(kc[i], kc[i + 1u], kc[i + 2u], kc[i + 3u])
                      : uvec4(vc[i], vc[i + 1u], vc[i + 2u], vc[i + 3u]);
  return vec4(roundHalf(uintBitsToFloat(b.x)), roundHalf(uintBitsToFloat(b.y)), roundHalf(uintBitsToFloat(b.z)),
              roundHalf(uintBitsToFloat(b.w)));
}

// Four 16-lane accumulators combined as (0 + 2) + (1 + 3), then tree-summed.
float combineSteps(float acc[64])
{
  float a[16];
  for (uint j = 0u; j < 16u; ++j) {
    precise float s = (acc[j] + acc[32u + j]) + (acc[16u + j] + acc[48u + j]);
    a[j] = s;
  }
  return laneSum(a);
}

// q·k of the key row at element kBase.
float score(uint kBase)
{
  if (QK_LANES) {
    precise float acc[16];
    for (uint j = 0u; j < 16u; ++j)
      acc[j] = 0.0;
    for (uint l = 0u; l < HEAD_DIM; l += 16u)
      for (uint j = 0u; j < 16u; j += 4u) {
        const vec4 k = loadKV4(true, kBase + l + j);
        for (uint i = 0u; i < 4u; ++i)
          acc[j + i] += k[i] * qh[l + j + i];
      }
    return laneSum(acc);
  }
  const uint steps = HEAD_DIM / 64u * 64u;
  precise float acc[64];
  for (uint c = 0u; c < 64u; ++c)
    acc[c] = 0.0;
  for (uint l = 0u; l < steps; l += 64u)
    for (uint c = 0u; c < 64u; c += 4u) {
      const vec4 k = loadKV4(true, kBase + l + c);
      for (uint i = 0u; i < 4u; ++i)
        acc[c + i] += k[i] * qh[l + c + i];
    }
  precise double sum = double(combineSteps(acc));
  for (uint i = steps; i < HEAD_DIM; ++i) {
    precise float p = loadKV(true, kBase + i) * qh[i];
    sum += double(p);
  }
  return float(sum);
}

// The output row in 64-dimension chunks. Accumulator c of dimension d (c < LANES) sums
// V[p][d] · prob[p] over the positions p ≡ c (mod LANES) in order; an invocation runs 16
// dimensions of one accumulator, and the accumulators are then tree-summed per dimension.
// Positions at or past len have probability 0; past total, V reads as 0.
void outputRow(uint row, uint kvh, uint base, uint len, uint total)
{
  const uint LANES = PREFILL ? 16u : 64u;
  const uint padded = PREFILL ? (len + 15u) / 16u * 16u : (total + 63u) / 64u * 64u;
  for (uint d0 = 0u; d0 < HEAD_DIM; d0 += 64u) {
    for (uint item = gl_LocalInvocationID.x; item < LANES * 4u; item += gl_WorkGroupSize.x) {
      const uint c = item / 4u, ds = (item % 4u) * 16u, d = d0 + ds;
      precise vec4 acc[4] = vec4[4](vec4(0.0), vec4(0.0), vec4(0.0), vec4(0.0));
      if (HEAD_DIM % 4u == 0u && d + 15u < HEAD_DIM) {
        for (uint p = c; p < padded; p += LANES) {
          const float prob = p < len ? w[base + p] : 0.0;
          const uint i0 = (p * pc.nHeadKv + kvh) * HEAD_DIM + d;
          for (uint k = 0u; k < 4u; ++k)
            acc[k] += (p < total ? loadKV4(false, i0 + 4u * k) : vec4(0.0)) * prob;
        }
      } else if (d < HEAD_DIM) {
        for (uint p = c; p < padded; p += LANES) {
          const float prob = p < len ? w[base + p] : 0.0;
          for (uint i = 0u; i < 16u; ++i) {
            const bool inside = p < total && d + i < HEAD_DIM;
            acc[i / 4u][i % 4u] += (inside ? loadKV(false, (p * pc.nHeadKv + kvh) * HEAD_DIM + d + i) : 0.0) * prob;
          }
        }
      }
      for (uint i = 0u; i < 16u; ++i)
        part[c][ds + i] = acc[i / 4u][i % 4u];
    }
    barrier();
    for (uint dd = gl_LocalInvocationID.x; dd < 64u && d0 + dd < HEAD_DIM; dd += gl_WorkGroupSize.x) {
      float r;
      if (PREFILL) {
        float a[16];
        for (uint j = 0u; j < 16u; ++j)
          a[j] = part[j][dd];
        r = laneSum(a);
      } else {
        float a[64];
        for (uint c = 0u; c < 64u; ++c)
          a[c] = part[c][dd];
        r = combineSteps(a);
      }
      o[row * HEAD_DIM + d0 + dd] = r;
    }
    barrier();
  }
}

void main()
{
  const uint WG = gl_WorkGroupSize.x;
  const uint lid = gl_LocalInvocationID.x;
  const uint h = gl_WorkGroupID.x;
  const uint t = gl_WorkGroupID.y;
  const uint kvh = h / (pc.nHead / pc.nHeadKv);
  const uint total = min(pos0 + pc.n, pc.maxKv);
  const uint len = min(pos0 + t + 1u, pc.maxKv);
  const uint row = t * pc.nHead + h;
  const uint base = row * pc.maxKv;

  for (uint d = lid; d < HEAD_DIM; d += WG)
    qh[d] = roundHalf(q[row * HEAD_DIM + d]);
  barrier();

  // 1. Scores and their max.
  float m = uintBitsToFloat(0xFF800000u);
  for (uint p = lid; p < len; p += WG) {
    precise float s = score((p * pc.nHeadKv + kvh) * HEAD_DIM) * pc.scale;
    w[base + p] = s;
    m = m < s ? s : m;
  }
  red[lid] = m;
  barrier();
  for (uint stride = WG / 2u; stride > 0u; stride >>= 1) {
    if (lid < stride)
      red[lid] = red[lid] < red[lid + stride] ? red[lid + stride] : red[lid];
    barrier();
  }
  const float mx = red[0];

  // 2. Exponentials (each invocation its own positions), chunk sums, the double total.
  for (uint p = lid; p < len; p += WG) {
    precise float x = w[base + p] - mx;
    w[base + p] = vexp(x);
  }
  memoryBarrierBuffer();
  barrier();
  const uint chunks = (len + 15u) / 16u;
  precise double sum = 0.0;
  for (uint c0 = 0u; c0 < chunks; c0 += WG) {
    const uint c = c0 + lid;
    if (c < chunks) {
      float v[16];
      for (uint j = 0u; j < 16u; ++j)
        v[j] = c * 16u + j < len ? w[base + c * 16u + j] : 0.0;
      red[lid] = laneSum(v);
    }
    barrier();
    if (lid == 0u)
      for (uint i = 0u; i < min(WG, chunks - c0); ++i)
        sum += double(red[i]);
    barrier();
  }
  if (lid == 0u)
    invShared = float(1.0lf / sum);
  barrier();
  const float inv = invShared;
  for (uint p = lid; p < len; p += WG) {
    precise float pr = w[base + p] * inv;
    w[base + p] = roundHalf(pr);
  }
  memoryBarrierBuffer();
  barrier();

  // 3. The output row.
  outputRow(row, kvh, base, len, total);
}
