#version 450
// y[t][r] = Σ_c W[r][c] · x[t][c] for Q8_0, Q4_0 and Q4_1 weights with the activations
// quantized to 8-bit blocks (quantize_q8_ggml.comp), computed exactly as llama.cpp's CPU
// backend does (ops::ref::ggml::matmul): per 32-block the integer dot product
// isum = Σ wq·xq, then in block order c = fma(float(isum), dw·dx, c), and for Q4_1
// c = fma(mw, sx, c) with sx the activation block's half(d·Σq).
// fma: one rounding (fmaExact, ggml_fma.glsl; GLSL's fma() does not fuse on lavapipe).
//
//   binding 0  W   rows [0, nRows) of the dispatch, GGUF blocks, read as 16-byte words
//                  (a storage buffer, or with WEIGHTS_TEXEL a uniform texel buffer);
//                  row r starts at byte wOffset + r·rowBytes (even)
//   binding 1  xq  [nTokens][nCols / 32] blocks of 3 uvec4 (see quantize_q8_ggml.comp)
//   binding 2  bias [yStride] fp32 (mode 2 only)
//   binding 3  y   [nTokens][yStride] fp32: columns [yOffset, yOffset + nRows)
// One invocation owns R rows (base, base + WG, …) and T tokens, and walks the blocks in
// order, so each output is one serial chain of fused multiply-adds.
#extension GL_EXT_control_flow_attributes : require
#include "ggml_fma.glsl"

layout(local_size_x_id = 0) in;             // WG
layout(constant_id = 1) const uint R = 4u;   // rows per invocation
layout(constant_id = 2) const uint TYPE = 0u; // 0 Q8_0, 1 Q4_0, 2 Q4_1
layout(constant_id = 3) const uint T = 1u;   // tokens per invocation

#include "weight_words.glsl" // binding 0, wWord, load16/4/2, pickWord
layout(std430, binding = 1) readonly buffer XQ { uvec4 xq[]; };
layout(std430, binding = 2) readonly buffer Bias { float biasData[]; };
layout(std430, binding = 3) buffer Outputs { float yData[]; };

layout(push_constant) uniform Push {
  uint nRows;
  uint nCols;
  uint rowBytes;
  uint wOffset;
  uint nTokens;
  uint yStride;
  uint yOffset;
  uint mode; // 0 store, 1 add, 2 bias
} pc;

ivec4 signedBytes(uint w) { return ivec4(int(w << 24), int(w << 16), int(w << 8), int(w)) >> 24; }
ivec4 lowNibbles(uint w) { return ivec4(uvec4(w, w >> 8, w >> 16, w >> 24) & 15u); }
ivec4 highNibbles(uint w) { return ivec4(uvec4(w >> 4, w >> 12, w >> 20, w >> 28) & 15u); }
// Words k of two 16-byte halves shifted down by 2 bytes: bytes 2.. of a:b:c.
uint shifted(uvec4 a, uvec4 b, uint c, uint k)
{
  const uint lo = pickWord(a, b, k);
  const uint hi = k == 7u ? c : pickWord(a, b, k + 1u);
  return (lo >> 16) | (hi << 16);
}

// Block `b` of a weight row at byte `row`: its 32 quants in x's order (wi[k] pairs with the
// activation word k: elements 4k..4k+3), scale and (Q4_1) minimum.
void decodeBlock(uint row, uint b, out ivec4 wi[8], out float dw, out float mw)
{
  mw = 0.0;
  if (TYPE == 0u) { // Q8_0: d, qs[32]
    const uint off = row + b * 34u;
    const uvec4 a = load16(off), c = load16(off + 16u);
    const uint e = load2(off + 32u);
    dw = unpackHalf2x16(a.x).x;
    [[unroll]] for (uint k = 0u; k < 8u; ++k)
      wi[k] = signedBytes(shifted(a, c, e, k));
  } else if (TYPE == 1u) { // Q4_0: d, qs[16]; element j = low nibble of qs[j] − 8, j + 16 high
    const uint off = row + b * 18u;
    const uvec4 a = load16(off);
    const uint e = load2(off + 16u);
    dw = unpackHalf2x16(a.x).x;
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
      const uint q = shifted(a, uvec4(e, 0u, 0u, 0u), 0u, k);
      wi[k] = lowNibbles(q) - 8;
      wi[k + 4u] = highNibbles(q) - 8;
    }
  } else { // Q4_1: d, m, qs[16]
    const uint off = row + b * 20u;
    const uvec4 a = load16(off);
    const uint e = load4(off + 16u);
    const vec2 dm = unpackHalf2x16(a.x);
    dw = dm.x;
    mw = dm.y;
    const uint q[4] = uint[4](a.y, a.z, a.w, e);
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
      wi[k] = lowNibbles(q[k]);
      wi[k + 4u] = highNibbles(q[k]);
    }
  }
}

void main()
{
  const uint wg = gl_WorkGroupSize.x;
  const uint base = gl_WorkGroupID.x * wg * R + gl_LocalInvocationID.x;
  const uint t0 = gl_WorkGroupID.y * T;
  const uint nb = pc.nCols / 32u;
  uint rowAt[R];
  [[unroll]] for (uint r = 0u; r < R; ++r)
    rowAt[r] = pc.wOffset + min(base + r * wg, pc.nRows - 1u) * pc.rowBytes;

  float acc[T * R];
  [[unroll]] for (uint i = 0u; i < T * R; ++i)
    acc[i] = 0.0;
  for (uint b = 0u; b < nb; ++b) {
    ivec4 wi[R * 8u];
    float dw[R], mw[R];
    [[unroll]] for (uint r = 0u; r < R; ++r) {
      ivec4 blk[8];
      decodeBlock(rowAt[r], b, blk, dw[r], mw[r]);
      [[unroll]] for (uint k = 0u; k < 8u; ++k)
        wi[r * 8u + k] = blk[k];
    }
    [[unroll]] for (uint t = 0u; t < T; ++t) {
      if (t0 + t >= pc.nTokens)
        break;
      const uint xb = 3u * ((t0 + t) * nb + b);
      const uvec4 x0 = xq[xb], x1 = xq[xb + 1u], x2 = xq[xb + 2u];
      ivec4 xi[8];
      [[unroll]] for (uint k = 0u; k < 8u; ++k)
        xi[k] = signedBytes(pickWord(x0, x1, k));
      const float dx = uintBitsToFloat(x2.x), sx = uintBitsToFloat(x2.y);
      [[unroll]] for (uint r = 0u; r < R; ++r) {
        ivec4 p = ivec4(0);
        [[unroll]] for (uint k = 0u; k < 8u; ++k)
          p += wi[r * 8u + k] * xi[k];
        const int isum = (p.x + p.y) + (p.z + p.w);
        precise float scale = dw[r] * dx;
        precise float c = fmaExact(float(isum), scale, acc[t * R + r]);
        if (TYPE == 2u)
          c = fmaExact(mw[r], sx, c);
        acc[t * R + r] = c;
      }
    }
  }
  [[unroll]] for (uint t = 0u; t < T; ++t) {
    if (t0 + t >= pc.nTokens)
      break;
    [[unroll]] for (uint r = 0u; r < R; ++r) {
      const uint row = base + r * wg;
      if (row < pc.nRows) {
        const uint at = (t0 + t) * pc.yStride + pc.yOffset + row;
        precise float v = acc[t * R + r];
        if (pc.mode == 1u)
          v = yData[at] + v;
        else if (pc.mode == 2u)
          v = v + biasData[pc.yOffset + row];
        yData[at] = v;
      }
    }
  }
}
