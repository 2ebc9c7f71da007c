// Binding 0 of the matrix multiplications: weights in GGUF block layout read as 16-byte
// words, never byte by byte (llvmpipe turns each storage-buffer load into a per-lane loop,
// so a 16-byte load costs about what a 1-byte load costs), and the pieces that cut blocks at
// any even byte offset out of those words. Included by mm_common.glsl and matvec_ggml.comp.

#ifdef WEIGHTS_TEXEL
// Weights through a uniform texel buffer of 16-byte texels (KernelSpec::texels bit 0):
// lavapipe turns a texel fetch into one vector load where a storage-buffer load becomes a
// per-lane loop, several times the bandwidth.
layout(binding = 0) uniform usamplerBuffer wTexels;
#else
layout(std430, binding = 0) readonly buffer Weights { uvec4 wData[]; };
#endif

// The 16-byte word t of binding 0.
uvec4 wWord(uint t)
{
#ifdef WEIGHTS_TEXEL
  return texelFetch(wTexels, int(t));
#else
  return wData[t];
#endif
}

// Word k (0..7) of the 32 bytes a:b.
uint pickWord(uvec4 a, uvec4 b, uint k)
{
  const uvec4 v = k < 4u ? a : b;
  const uint j = k & 3u;
  return j == 0u ? v.x : (j == 1u ? v.y : (j == 2u ? v.z : v.w));
}

// The 16 bytes at byte offset `off` (even) of binding 0, as 4 little-endian words.
uvec4 load16(uint off)
{
  const uint t = off >> 4;
  const uvec4 a = wWord(t);
  const uint s = off & 15u;
  if (s == 0u)
    return a;
  const uvec4 b = wWord(t + 1u);
  const uint ws = s >> 2;
  uvec4 r = uvec4(pickWord(a, b, ws), pickWord(a, b, ws + 1u), pickWord(a, b, ws + 2u), pickWord(a, b, ws + 3u));
  if ((s & 2u) != 0u) {
    const uint nx = pickWord(a, b, ws + 4u); // ws <= 3, so at most word 7
    r = (r >> 16) | (uvec4(r.yzw, nx) << 16);
  }
  return r;
}

// Word i (0..11) of the 48 bytes a:b:c.
uint pick12(uvec4 a, uvec4 b, uvec4 c, uint i)
{
  const uvec4 v = i < 4u ? a : (i < 8u ? b : c);
  const uint j = i & 3u;
  return j == 0u ? v.x : (j == 1u ? v.y : (j == 2u ? v.z : v.w));
}

// The 16 bytes at byte s (even, at most 30) of the 48 bytes a:b:c, without branches.
// A block that straddles 16-byte words is read as the 2 or 3 whole words that hold it
// and cut out of them: each word fetched once (load16 per piece fetches shared words twice).
uvec4 window16(uvec4 a, uvec4 b, uvec4 c, uint s)
{
  const uint q = s >> 2;
  const uvec4 r = uvec4(pick12(a, b, c, q), pick12(a, b, c, q + 1u), pick12(a, b, c, q + 2u), pick12(a, b, c, q + 3u));
  const uvec4 n = uvec4(r.yzw, pick12(a, b, c, min(q + 4u, 11u)));
  return (s & 2u) != 0u ? (r >> 16) | (n << 16) : r;
}

// The 2 bytes at byte s (even, at most 46) of a:b:c, in the low half.
uint window2(uvec4 a, uvec4 b, uvec4 c, uint s)
{
  return (pick12(a, b, c, s >> 2) >> ((s & 2u) * 8u)) & 0xFFFFu;
}

// The 4 bytes at byte offset `off` (even); they must all belong to the tensor.
uint load4(uint off)
{
  const uvec4 a = wWord(off >> 4);
  const uint ws = (off >> 2) & 3u;
  const uint lo = ws == 0u ? a.x : (ws == 1u ? a.y : (ws == 2u ? a.z : a.w));
  if ((off & 2u) == 0u)
    return lo;
  uint hi;
  if (ws == 3u)
    hi = wWord((off >> 4) + 1u).x;
  else
    hi = ws == 0u ? a.y : (ws == 1u ? a.z : a.w);
  return (lo >> 16) | (hi << 16);
}

// The 2 bytes at byte offset `off` (even), in the low half. Never touches the next word, so
// reading a block's last 2 bytes stays inside the tensor.
uint load2(uint off)
{
  const uvec4 a = wWord(off >> 4);
  const uint ws = (off >> 2) & 3u;
  const uint w = ws == 0u ? a.x : (ws == 1u ? a.y : (ws == 2u ? a.z : a.w));
  return (w >> ((off & 2u) * 8u)) & 0xFFFFu;
}
