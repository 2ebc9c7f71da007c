#version 450
// Causal attention with grouped-query heads over the KV cache, split over the KV length.
// Workgroup (x, kvHead, split): each invocation owns one query row (token t, head h of
// this KV head's group) and runs an online softmax over its split of keys [0, pos0+t];
// it writes the partial (o[headDim], max m, sum l) that attention_combine.comp merges.
// K/V rows are the same for every invocation of a workgroup (broadcast loads).
// q: [n][nHead][HEAD_DIM]; caches: [ctx][nHeadKv][HEAD_DIM] f16 pairs (KV_F16) or f32;
// part: [nSplits][n * nHead][HEAD_DIM + 2].
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint HEAD_DIM = 64; // multiple of 4
layout(constant_id = 2) const bool KV_F16 = true;
layout(constant_id = 3) const bool ROUND_Q = false; // queries rounded to f16 (llama.cpp's CPU path)

layout(std430, binding = 0) readonly buffer Q { vec4 q[]; };
layout(std430, binding = 1) readonly buffer K { uint kc[]; };
layout(std430, binding = 2) readonly buffer V { uint vc[]; };
layout(std430, binding = 3) readonly buffer Step { uint pos0; };
layout(std430, binding = 4) writeonly buffer Part { float part[]; };

layout(push_constant) uniform Push {
  uint n;
  uint nHead;
  uint nHeadKv;
  uint nSplits;
  float scale;
} pc;

const uint D4 = HEAD_DIM / 4u;

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
  const uint kvh = gl_WorkGroupID.y;
  const uint split = gl_WorkGroupID.z;
  const uint group = pc.nHead / pc.nHeadKv;
  const uint lr = gl_GlobalInvocationID.x;
  if (lr >= pc.n * group)
    return;
  const uint t = lr / group;
  const uint h = kvh * group + lr % group;
  const uint rows = pc.n * pc.nHead;
  const uint row = t * pc.nHead + h;
  const uint kvLen = pos0 + pc.n;
  const uint splitLen = (kvLen + pc.nSplits - 1u) / pc.nSplits;
  const uint s0 = split * splitLen;
  const uint s1 = min(s0 + splitLen, pos0 + t + 1u);

  vec4 qv[D4];
  vec4 o[D4];
  for (uint d = 0u; d < D4; ++d) {
    qv[d] = q[row * D4 + d];
    if (ROUND_Q)
      qv[d] = vec4(unpackHalf2x16(packHalf2x16(qv[d].xy)), unpackHalf2x16(packHalf2x16(qv[d].zw)));
    o[d] = vec4(0.0);
  }
  float m = -1.0 / 0.0;
  float l = 0.0;
  for (uint j = s0; j < s1; ++j) {
    const uint base4 = (j * pc.nHeadKv + kvh) * D4;
    float s = 0.0;
    for (uint d = 0u; d < D4; ++d)
      s += dot(qv[d], loadKV(true, base4 + d));
    s *= pc.scale;
    const float mn = max(m, s);
    const float corr = exp(m - mn);
    const float p = exp(s - mn);
    l = l * corr + p;
    for (uint d = 0u; d < D4; ++d)
      o[d] = o[d] * corr + p * loadKV(false, base4 + d);
    m = mn;
  }
  const uint out0 = (split * rows + row) * (HEAD_DIM + 2u);
  for (uint d = 0u; d < D4; ++d) {
    part[out0 + 4u * d] = o[d].x;
    part[out0 + 4u * d + 1u] = o[d].y;
    part[out0 + 4u * d + 2u] = o[d].z;
    part[out0 + 4u * d + 3u] = o[d].w;
  }
  part[out0 + HEAD_DIM] = m;
  part[out0 + HEAD_DIM + 1u] = l;
}
