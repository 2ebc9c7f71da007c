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

layout(local_size_x_id = 0) in; // a power of two
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
shared float red[gl_WorkGroupSize.x];
shared float invShared;

float loadK(uint i)
{
  if (KV_F16) {
    const uint word = kc[i >> 1];
    return halfBitsToFloat((i & 1u) != 0u ? word >> 16 : word & 0xFFFFu);
  }
  return roundHalf(uintBitsToFloat(kc[i]));
}

float loadV(uint i)
{
  if (KV_F16) {
    const uint word = vc[i >> 1];
    return halfBitsToFloat((i & 1u) != 0u ? word >> 16 : word & 0xFFFFu);
  }
  return roundHalf(uintBitsToFloat(vc[i]));
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
      for (uint j = 0u; j < 16u; ++j)
        acc[j] += loadK(kBase + l + j) * qh[l + j];
    return laneSum(acc);
  }
  const uint steps = HEAD_DIM / 64u * 64u;
  precise float acc[64];
  for (uint c = 0u; c < 64u; ++c)
    acc[c] = 0.0;
  for (uint i = 0u; i < steps; i += 64u)
    for (uint c = 0u; c < 64u; ++c)
      acc[c] += loadK(kBase + i + c) * qh[i + c];
  precise double sum = double(combineSteps(acc));
  for (uint i = steps; i < HEAD_DIM; ++i) {
    precise float p = loadK(kBase + i) * qh[i];
    sum += double(p);
  }
  return float(sum);
}

// o[d] = Σ_p V[p][d] · prob[p] over probabilities at w[base ...], len of them nonzero.
float outputDim(uint d, uint kvh, uint base, uint len, uint total)
{
  const uint lanes = PREFILL ? 16u : 64u;
  const uint padded = PREFILL ? (len + 15u) / 16u * 16u : (total + 63u) / 64u * 64u;
  precise float acc[64];
  for (uint c = 0u; c < 64u; ++c)
    acc[c] = 0.0;
  for (uint l = 0u; l < padded; l += lanes)
    for (uint c = 0u; c < lanes; ++c) {
      const uint p = l + c;
      const float v = p < total ? loadV((p * pc.nHeadKv + kvh) * HEAD_DIM + d) : 0.0;
      const float prob = p < len ? w[base + p] : 0.0;
      acc[c] += v * prob;
    }
  if (PREFILL) {
    float a[16];
    for (uint j = 0u; j < 16u; ++j)
      a[j] = acc[j];
    return laneSum(a);
  }
  return combineSteps(acc);
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
  for (uint d = lid; d < HEAD_DIM; d += WG)
    o[row * HEAD_DIM + d] = outputDim(d, kvh, base, len, total);
}
