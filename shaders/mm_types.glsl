// Weight types of the matrix multiplications: one of TYPE_F32, TYPE_F16, TYPE_BF16,
// TYPE_Q8_0, TYPE_Q4_0, TYPE_Q4_1, TYPE_Q4_K, TYPE_Q5_K, TYPE_Q6_K is defined by the .comp
// file that includes this (after mm_common.glsl). Block layouts are GGUF's (see
// engine/ops/quant.h). Each type provides:
//   QK, QB              elements and bytes of a block (32 elements for the float types)
//   QU, UV              units per block, vec4s of x per unit (a unit is what one step
//                       decodes: 32 or 64 elements)
//   NH, NW              16-byte words of a block's head / of a unit, as loaded
//   headWords(off, hw)  loads the head of the block at byte `off`: what its units share
//   makeHead(hw)        decodes it into a Head
//   unitWords(off, u, w)  loads unit u of the block at byte `off`
//   dotWords(h, w, u, xv) Σ over unit u of the block: w · x, with xv[i] = x vec4 unitX(u, i)
//   unitX(u, i)         vec4 index inside the block's x of vec4 i of unit u
// Loading and decoding are apart so that a subgroup can load the blocks of several rows
// once, one row per invocation, and broadcast the words (matmul.glsl).

#if defined(TYPE_F32)
const uint QK = 32u, QB = 128u, QU = 1u, UV = 8u, NH = 1u, NW = 8u;
struct Head { uint unused; };
void headWords(uint off, out uvec4 hw[NH]) { hw[0] = uvec4(0u); }
Head makeHead(uvec4 hw[NH]) { return Head(0u); }
uint unitX(uint u, uint i) { return i; }
void unitWords(uint off, uint u, out uvec4 w[NW])
{
  [[unroll]] for (uint i = 0u; i < 8u; ++i)
    w[i] = load16(off + 16u * i);
}
float dotWords(Head h, uvec4 w[NW], uint u, vec4 xv[UV])
{
  vec4 s = vec4(0.0);
  [[unroll]] for (uint i = 0u; i < 8u; ++i)
    s += uintBitsToFloat(w[i]) * xv[i];
  return sum4(s);
}

#elif defined(TYPE_F16) || defined(TYPE_BF16)
const uint QK = 32u, QB = 64u, QU = 1u, UV = 8u, NH = 1u, NW = 4u;
struct Head { uint unused; };
void headWords(uint off, out uvec4 hw[NH]) { hw[0] = uvec4(0u); }
Head makeHead(uvec4 hw[NH]) { return Head(0u); }
uint unitX(uint u, uint i) { return i; }
vec4 widen(uvec2 w)
{
#if defined(TYPE_F16)
  return vec4(unpackHalf2x16(w.x), unpackHalf2x16(w.y));
#else
  return uintBitsToFloat(uvec4(w.x << 16, w.x & 0xFFFF0000u, w.y << 16, w.y & 0xFFFF0000u));
#endif
}
void unitWords(uint off, uint u, out uvec4 w[NW])
{
  [[unroll]] for (uint i = 0u; i < 4u; ++i)
    w[i] = load16(off + 16u * i);
}
float dotWords(Head h, uvec4 w[NW], uint u, vec4 xv[UV])
{
  vec4 s = vec4(0.0);
  [[unroll]] for (uint i = 0u; i < 4u; ++i)
    s += widen(w[i].xy) * xv[2u * i] + widen(w[i].zw) * xv[2u * i + 1u];
  return sum4(s);
}

#elif defined(TYPE_Q8_0)
// d (half), qs[32] (int8): x = d * q
const uint QK = 32u, QB = 34u, QU = 1u, UV = 8u, NH = 1u, NW = 3u;
struct Head { uint unused; };
void headWords(uint off, out uvec4 hw[NH]) { hw[0] = uvec4(0u); }
Head makeHead(uvec4 hw[NH]) { return Head(0u); }
uint unitX(uint u, uint i) { return i; }
void unitWords(uint off, uint u, out uvec4 w[NW])
{
  // The 34 bytes lie in the 3 words from off's: bytes s .. s + 33 of them (s <= 14).
  const uint t = off >> 4, s = off & 15u;
  const uvec4 a = wWord(t), b = wWord(t + 1u), c = wWord(t + 2u);
  w[0] = window16(a, b, c, s);                           // d, qs[0..13]
  w[1] = window16(a, b, c, s + 16u);                     // qs[14..29]
  w[2] = uvec4(window2(a, b, c, s + 32u), 0u, 0u, 0u);   // qs[30..31]
}
float dotWords(Head h, uvec4 w[NW], uint u, vec4 xv[UV])
{
  const uvec4 a = w[0], b = w[1];
  const uint c = w[2].x;
  const float d = unpackHalf2x16(a.x).x;
  const uint q[8] = uint[8]((a.x >> 16) | (a.y << 16), (a.y >> 16) | (a.z << 16), (a.z >> 16) | (a.w << 16),
                            (a.w >> 16) | (b.x << 16), (b.x >> 16) | (b.y << 16), (b.y >> 16) | (b.z << 16),
                            (b.z >> 16) | (b.w << 16), (b.w >> 16) | (c << 16));
  vec4 s = vec4(0.0);
  [[unroll]] for (uint i = 0u; i < 8u; ++i)
    s += i8x4(q[i]) * xv[i];
  return d * sum4(s);
}

#elif defined(TYPE_Q4_0)
// d (half), qs[16]: x[j] = d * ((qs[j] & 15) - 8), x[j + 16] = d * ((qs[j] >> 4) - 8)
const uint QK = 32u, QB = 18u, QU = 1u, UV = 8u, NH = 1u, NW = 2u;
struct Head { uint unused; };
void headWords(uint off, out uvec4 hw[NH]) { hw[0] = uvec4(0u); }
Head makeHead(uvec4 hw[NH]) { return Head(0u); }
uint unitX(uint u, uint i) { return i; }
void unitWords(uint off, uint u, out uvec4 w[NW])
{
  // The 18 bytes lie in the 2 words from off's (s <= 14).
  const uint t = off >> 4, s = off & 15u;
  const uvec4 a = wWord(t), b = wWord(t + 1u);
  w[0] = window16(a, b, b, s);                         // d, qs[0..13]
  w[1] = uvec4(window2(a, b, b, s + 16u), 0u, 0u, 0u); // qs[14..15]
}
float dotWords(Head h, uvec4 w[NW], uint u, vec4 xv[UV])
{
  const uvec4 a = w[0];
  const uint c = w[1].x;
  const float d = unpackHalf2x16(a.x).x;
  const uint q[4] = uint[4]((a.x >> 16) | (a.y << 16), (a.y >> 16) | (a.z << 16), (a.z >> 16) | (a.w << 16),
                            (a.w >> 16) | (c << 16));
  vec4 s = vec4(0.0), sx = vec4(0.0);
  [[unroll]] for (uint i = 0u; i < 4u; ++i) {
    s += lowNibbles(q[i]) * xv[i] + highNibbles(q[i]) * xv[i + 4u];
    sx += xv[i] + xv[i + 4u];
  }
  return d * (sum4(s) - 8.0 * sum4(sx));
}

#elif defined(TYPE_Q4_1)
// d (half), m (half), qs[16]: x[j] = d * (qs[j] & 15) + m, x[j + 16] = d * (qs[j] >> 4) + m
const uint QK = 32u, QB = 20u, QU = 1u, UV = 8u, NH = 1u, NW = 2u;
struct Head { uint unused; };
void headWords(uint off, out uvec4 hw[NH]) { hw[0] = uvec4(0u); }
Head makeHead(uvec4 hw[NH]) { return Head(0u); }
uint unitX(uint u, uint i) { return i; }
void unitWords(uint off, uint u, out uvec4 w[NW])
{
  // The 20 bytes lie in the 2 words from off's, a third only when s = 14 (a matrix at an
  // offset that is no multiple of 4).
  const uint t = off >> 4, s = off & 15u;
  const uvec4 a = wWord(t), b = wWord(t + 1u), c = s > 12u ? wWord(t + 2u) : b;
  w[0] = window16(a, b, c, s);                           // d, m, qs[0..11]
  w[1] = uvec4(window16(a, b, c, s + 16u).x, 0u, 0u, 0u); // qs[12..15]
}
float dotWords(Head h, uvec4 w[NW], uint u, vec4 xv[UV])
{
  const uvec4 a = w[0];
  const uint c = w[1].x;
  const vec2 dm = unpackHalf2x16(a.x);
  const uint q[4] = uint[4](a.y, a.z, a.w, c);
  vec4 s = vec4(0.0), sx = vec4(0.0);
  [[unroll]] for (uint i = 0u; i < 4u; ++i) {
    s += lowNibbles(q[i]) * xv[i] + highNibbles(q[i]) * xv[i + 4u];
    sx += xv[i] + xv[i + 4u];
  }
  return dm.x * sum4(s) + dm.y * sum4(sx);
}

#elif defined(TYPE_Q4_K) || defined(TYPE_Q5_K)
// d, dmin (half), scales[12] (6-bit scale and min of 8 sub-blocks of 32), [Q5_K: qh[32]],
// qs[128]: x = d * sc * q - dmin * m. Unit u = sub-blocks 2u (low nibbles of qs[32u..])
// and 2u + 1 (high nibbles).
#if defined(TYPE_Q4_K)
const uint QK = 256u, QB = 144u, QU = 4u, UV = 16u, NH = 1u, NW = 2u;
const uint QS_AT = 16u;
struct Head { uvec4 hd; };
void headWords(uint off, out uvec4 hw[NH]) { hw[0] = load16(off); }
Head makeHead(uvec4 hw[NH]) { return Head(hw[0]); }
#else
const uint QK = 256u, QB = 176u, QU = 4u, UV = 16u, NH = 3u, NW = 2u;
const uint QS_AT = 48u;
struct Head { uvec4 hd; uvec4 qh0; uvec4 qh1; };
void headWords(uint off, out uvec4 hw[NH])
{
  hw[0] = load16(off);
  hw[1] = load16(off + 16u);
  hw[2] = load16(off + 32u);
}
Head makeHead(uvec4 hw[NH]) { return Head(hw[0], hw[1], hw[2]); }
#endif
uint unitX(uint u, uint i) { return 16u * u + i; }
uint scaleByte(uvec4 hd, uint k) // scales[k], k < 12
{
  const uint w = k < 4u ? hd.y : (k < 8u ? hd.z : hd.w);
  return (w >> (8u * (k & 3u))) & 0xFFu;
}
// 6-bit scale and min of sub-block j
uvec2 scaleMin(uvec4 hd, uint j)
{
  if (j < 4u)
    return uvec2(scaleByte(hd, j) & 63u, scaleByte(hd, j + 4u) & 63u);
  const uint b = scaleByte(hd, j + 4u);
  return uvec2((b & 15u) | ((scaleByte(hd, j - 4u) >> 6) << 4), (b >> 4) | ((scaleByte(hd, j) >> 6) << 4));
}
void unitWords(uint off, uint u, out uvec4 w[NW])
{
  w[0] = load16(off + QS_AT + 32u * u);
  w[1] = load16(off + QS_AT + 32u * u + 16u);
}
float dotWords(Head h, uvec4 w[NW], uint u, vec4 xv[UV])
{
  const uvec4 a = w[0], b = w[1];
  const uint q[8] = uint[8](a.x, a.y, a.z, a.w, b.x, b.y, b.z, b.w);
  vec4 lo = vec4(0.0), hi = vec4(0.0), slo = vec4(0.0), shi = vec4(0.0);
#if defined(TYPE_Q5_K)
  const uint qh[8] = uint[8](h.qh0.x, h.qh0.y, h.qh0.z, h.qh0.w, h.qh1.x, h.qh1.y, h.qh1.z, h.qh1.w);
#endif
  [[unroll]] for (uint i = 0u; i < 8u; ++i) {
    vec4 ql = lowNibbles(q[i]), qhi = highNibbles(q[i]);
#if defined(TYPE_Q5_K)
    const uint sh = 2u * u;
    ql += 16.0 * vec4(uvec4(qh[i] >> sh, qh[i] >> (sh + 8u), qh[i] >> (sh + 16u), qh[i] >> (sh + 24u)) & 1u);
    qhi += 16.0 * vec4(uvec4(qh[i] >> (sh + 1u), qh[i] >> (sh + 9u), qh[i] >> (sh + 17u), qh[i] >> (sh + 25u)) & 1u);
#endif
    lo += ql * xv[i];
    hi += qhi * xv[i + 8u];
    slo += xv[i];
    shi += xv[i + 8u];
  }
  const vec2 dd = unpackHalf2x16(h.hd.x);
  const uvec2 sm0 = scaleMin(h.hd, 2u * u), sm1 = scaleMin(h.hd, 2u * u + 1u);
  return dd.x * (float(sm0.x) * sum4(lo) + float(sm1.x) * sum4(hi)) -
         dd.y * (float(sm0.y) * sum4(slo) + float(sm1.y) * sum4(shi));
}

#elif defined(TYPE_Q6_K)
// ql[128], qh[64], scales[16] (int8), d (half): 16 sub-blocks of 16, x = d * sc * (q - 32)
// with q = 4 bits of ql | 2 bits of qh << 4. Half h (128 elements) uses ql[64h..64h+63],
// qh[32h..32h+31]; element 128h + 32g + l (g < 4, l < 32) takes nibble g>>1 of
// ql[64h + 32(g&1) + l], bits 2g..2g+1 of qh[32h + l], scale sc[8h + 2g + l/16].
// Unit u = half u>>1, l in [16(u&1), 16(u&1) + 16), all four g.
const uint QK = 256u, QB = 210u, QU = 4u, UV = 16u, NH = 2u, NW = 3u;
struct Head { uvec4 sc; float d; };
void headWords(uint off, out uvec4 hw[NH])
{
  hw[0] = load16(off + 192u);
  hw[1] = uvec4(load2(off + 208u), 0u, 0u, 0u);
}
Head makeHead(uvec4 hw[NH]) { return Head(hw[0], unpackHalf2x16(hw[1].x).x); }
uint unitX(uint u, uint i) { return 32u * (u >> 1) + 8u * (i >> 2) + 4u * (u & 1u) + (i & 3u); }
float scaleAt(uvec4 sc, uint k) // signed scales[k]
{
  const uint w = k < 4u ? sc.x : (k < 8u ? sc.y : (k < 12u ? sc.z : sc.w));
  return float(int(w << (24u - 8u * (k & 3u))) >> 24);
}
void unitWords(uint off, uint u, out uvec4 w[NW])
{
  const uint hf = u >> 1, l0 = 16u * (u & 1u);
  w[0] = load16(off + 64u * hf + l0);        // ql for g = 0, 2
  w[1] = load16(off + 64u * hf + 32u + l0);  // ql for g = 1, 3
  w[2] = load16(off + 128u + 32u * hf + l0); // qh
}
float dotWords(Head h, uvec4 w[NW], uint u, vec4 xv[UV])
{
  const uint hf = u >> 1;
  const uvec4 a = w[0], b = w[1], c = w[2];
  const uint qa[4] = uint[4](a.x, a.y, a.z, a.w);
  const uint qb[4] = uint[4](b.x, b.y, b.z, b.w);
  const uint qc[4] = uint[4](c.x, c.y, c.z, c.w);
  vec4 s0 = vec4(0.0), s1 = vec4(0.0), s2 = vec4(0.0), s3 = vec4(0.0), sx0 = vec4(0.0), sx1 = vec4(0.0),
       sx2 = vec4(0.0), sx3 = vec4(0.0);
  [[unroll]] for (uint i = 0u; i < 4u; ++i) {
    const uint hb = qc[i];
    const vec4 h0 = vec4(uvec4(hb, hb >> 8, hb >> 16, hb >> 24) & 3u);
    const vec4 h1 = vec4(uvec4(hb >> 2, hb >> 10, hb >> 18, hb >> 26) & 3u);
    const vec4 h2 = vec4(uvec4(hb >> 4, hb >> 12, hb >> 20, hb >> 28) & 3u);
    const vec4 h3 = vec4(uvec4(hb >> 6, hb >> 14, hb >> 22, hb >> 30) & 3u);
    s0 += (lowNibbles(qa[i]) + 16.0 * h0) * xv[i];
    s1 += (lowNibbles(qb[i]) + 16.0 * h1) * xv[4u + i];
    s2 += (highNibbles(qa[i]) + 16.0 * h2) * xv[8u + i];
    s3 += (highNibbles(qb[i]) + 16.0 * h3) * xv[12u + i];
    sx0 += xv[i];
    sx1 += xv[4u + i];
    sx2 += xv[8u + i];
    sx3 += xv[12u + i];
  }
  const uint k = 8u * hf + (u & 1u);
  return h.d * (scaleAt(h.sc, k) * (sum4(s0) - 32.0 * sum4(sx0)) + scaleAt(h.sc, k + 2u) * (sum4(s1) - 32.0 * sum4(sx1)) +
                scaleAt(h.sc, k + 4u) * (sum4(s2) - 32.0 * sum4(sx2)) + scaleAt(h.sc, k + 6u) * (sum4(s3) - 32.0 * sum4(sx3)));
}

#else
#error "define one TYPE_* before including mm_types.glsl"
#endif

Head loadHead(uint off)
{
  uvec4 hw[NH];
  headWords(off, hw);
  return makeHead(hw);
}
float dotUnit(Head h, uint off, uint u, vec4 xv[UV])
{
  uvec4 w[NW];
  unitWords(off, u, w);
  return dotWords(h, w, u, xv);
}
