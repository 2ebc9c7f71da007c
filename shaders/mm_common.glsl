// Shared by the matrix multiplications (matvec_*.comp, matmul_*.comp): bindings, push
// constants and the weight fetch that decodes blocks at any even byte offset.
//
// y[t][r] = Σ_c W[r][c] · x[t][c]   (fp32 accumulation)
//   binding 0  W     the rows [firstRow, firstRow + nRows) of the weight tensor, GGUF block
//                    layout, read as 16-byte words; row r starts at byte wOffset + r*rowBytes
//   binding 1  x     [nTokens][nCols] fp32, read as vec4 (nCols is a multiple of 32)
//   binding 2  bias  [yStride] fp32, read only when mode == MODE_BIAS (any buffer otherwise)
//   binding 3  y     [nTokens][yStride] fp32; this dispatch writes columns
//                    [yOffset, yOffset + nRows) of every token row
//
// Weights are never read byte by byte: llvmpipe (lavapipe) turns each storage-buffer load
// into a per-lane loop, so a 16-byte load costs about what a 1-byte load costs.
#extension GL_EXT_control_flow_attributes : require
#extension GL_KHR_shader_subgroup_ballot : require

// The subgroup size (specialization constant 2): 8 on lavapipe, 32 or 64 on GPUs.
layout(constant_id = 2) const uint SG = 8u;

#ifdef WEIGHTS_TEXEL
// Weights through a uniform texel buffer of 16-byte texels (KernelSpec::texels bit 0):
// lavapipe turns a texel fetch into one vector load where a storage-buffer load becomes a
// per-lane loop, several times the bandwidth.
layout(binding = 0) uniform usamplerBuffer wTexels;
#else
layout(std430, binding = 0) readonly buffer Weights { uvec4 wData[]; };
#endif
layout(std430, binding = 1) readonly buffer Activations { vec4 xData[]; };
layout(std430, binding = 2) readonly buffer Bias { float biasData[]; };
layout(std430, binding = 3) buffer Outputs { float yData[]; };

#define MODE_STORE 0u // y = W x
#define MODE_ADD 1u   // y += W x   (the residual connection)
#define MODE_BIAS 2u  // y = W x + bias

layout(push_constant) uniform Push {
  uint nRows;    // rows of W in this dispatch
  uint nCols;    // K, a multiple of the block size
  uint rowBytes; // bytes of one row of W
  uint wOffset;  // byte offset of the first row inside binding 0 (even)
  uint nTokens;
  uint yStride;  // floats per token row of y (all rows of W)
  uint yOffset;  // first row of this dispatch inside a token row of y
  uint mode;     // MODE_*
} pc;

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

// Signed bytes of a word as floats, low byte first.
vec4 i8x4(uint w)
{
  return vec4(ivec4(int(w << 24), int(w << 16), int(w << 8), int(w)) >> 24);
}
// Low nibbles of bytes 0..3 / high nibbles, as floats.
vec4 lowNibbles(uint w)
{
  return vec4(uvec4(w, w >> 8, w >> 16, w >> 24) & 15u);
}
vec4 highNibbles(uint w)
{
  return vec4(uvec4(w >> 4, w >> 12, w >> 20, w >> 28) & 15u);
}
float sum4(vec4 v)
{
  return (v.x + v.y) + (v.z + v.w);
}
