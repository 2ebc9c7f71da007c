// Element-wise decoding of GGUF weight rows, bit-exact with engine/ops/quant.cpp.
//
// Include after defining DQ_BUF as the name of a `uint` array holding the tensor bytes
// (std430 `uint data[]`), e.g.
//   layout(std430, binding = 1) readonly buffer Table { uint table[]; };
//   #define DQ_BUF table
//   #include "dequant.glsl"
//   float v = dq_element(TYPE, rowByteOffset, i);   // element i of the row at that offset
//
// Bytes are extracted from 32-bit words (never 8-bit loads); `precise` keeps the
// multiply-add order of the CPU reference (no fused multiply-add).
#ifndef HEARTH_DEQUANT_GLSL
#define HEARTH_DEQUANT_GLSL

// GGUF type ids (hearth::TensorType)
#define DQ_F32 0u
#define DQ_F16 1u
#define DQ_Q4_0 2u
#define DQ_Q4_1 3u
#define DQ_Q8_0 8u
#define DQ_Q4_K 12u
#define DQ_Q5_K 13u
#define DQ_Q6_K 14u
#define DQ_BF16 30u

uint dq_byte(uint off) { return (DQ_BUF[off >> 2] >> ((off & 3u) * 8u)) & 0xFFu; }
// 16-bit value at an even byte offset.
uint dq_u16(uint off) { return (DQ_BUF[off >> 2] >> ((off & 2u) * 8u)) & 0xFFFFu; }
float dq_half(uint off) { return unpackHalf2x16(dq_u16(off)).x; }
int dq_i8(uint off) { return int(dq_byte(off) << 24) >> 24; }

// Q4_K / Q5_K: 6-bit scale and min of sub-block j (0..7); `sc` is the byte offset of scales[12].
uvec2 dq_scale_min_k4(uint sc, uint j)
{
  if (j < 4u)
    return uvec2(dq_byte(sc + j) & 63u, dq_byte(sc + j + 4u) & 63u);
  return uvec2((dq_byte(sc + j + 4u) & 0xFu) | ((dq_byte(sc + j - 4u) >> 6) << 4),
               (dq_byte(sc + j + 4u) >> 4) | ((dq_byte(sc + j) >> 6) << 4));
}

float dq_element(uint type, uint row, uint i)
{
  if (type == DQ_F32)
    return uintBitsToFloat(DQ_BUF[(row >> 2) + i]);
  if (type == DQ_F16)
    return dq_half(row + 2u * i);
  if (type == DQ_BF16)
    return uintBitsToFloat(dq_u16(row + 2u * i) << 16);
  if (type == DQ_Q8_0) {
    const uint b = row + (i >> 5) * 34u;
    precise float v = dq_half(b) * float(dq_i8(b + 2u + (i & 31u)));
    return v;
  }
  if (type == DQ_Q4_0) {
    const uint b = row + (i >> 5) * 18u;
    const uint j = i & 31u;
    const uint q = j < 16u ? (dq_byte(b + 2u + j) & 15u) : (dq_byte(b + 2u + j - 16u) >> 4);
    precise float v = float(int(q) - 8) * dq_half(b);
    return v;
  }
  if (type == DQ_Q4_1) {
    const uint b = row + (i >> 5) * 20u;
    const uint j = i & 31u;
    const uint q = j < 16u ? (dq_byte(b + 4u + j) & 15u) : (dq_byte(b + 4u + j - 16u) >> 4);
    precise float v = float(q) * dq_half(b) + dq_half(b + 2u);
    return v;
  }
  if (type == DQ_Q4_K || type == DQ_Q5_K) {
    const bool five = type == DQ_Q5_K;
    const uint b = row + (i >> 8) * (five ? 176u : 144u);
    const uint e = i & 255u;
    const uint j = e >> 5; // sub-block
    const uint l = e & 31u;
    const uvec2 sm = dq_scale_min_k4(b + 4u, j);
    const uint qsOff = b + (five ? 48u : 16u) + 32u * (j >> 1) + l;
    uint q = (dq_byte(qsOff) >> (4u * (j & 1u))) & 15u;
    if (five)
      q += ((dq_byte(b + 16u + l) >> j) & 1u) << 4;
    precise float d1 = dq_half(b) * float(sm.x);
    precise float m1 = dq_half(b + 2u) * float(sm.y);
    precise float v = d1 * float(q) - m1;
    return v;
  }
  if (type == DQ_Q6_K) {
    const uint b = row + (i >> 8) * 210u;
    const uint e = i & 255u;
    const uint half128 = e >> 7;
    const uint r = e & 127u;
    const uint quarter = r >> 5;
    const uint l = r & 31u;
    const uint ql = b + 64u * half128;
    const uint qh = b + 128u + 32u * half128;
    const uint sc = b + 192u + 8u * half128;
    const uint lo = (quarter & 1u) == 0u ? dq_byte(ql + l) : dq_byte(ql + l + 32u);
    const uint low4 = quarter < 2u ? (lo & 15u) : (lo >> 4);
    const uint high2 = (dq_byte(qh + l) >> (2u * quarter)) & 3u;
    const int q = int(low4 | (high2 << 4)) - 32;
    precise float ds = dq_half(b + 208u) * float(dq_i8(sc + l / 16u + 2u * quarter));
    precise float v = ds * float(q);
    return v;
  }
  return 0.0;
}

#endif
