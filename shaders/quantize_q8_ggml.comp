#version 450
// Activations quantized to 8-bit 32-blocks exactly as llama.cpp's CPU backend quantizes a
// row before a product with Q4_0, Q4_1 or Q8_0 weights (ops::ref::ggml, Q8_0 / Q8_1):
//   amax = max |x|, d = amax / 127, q = round-to-even(x · (127 / amax)) (0 when amax = 0),
//   block scale half(d), block sum half(d · Σq).
// x: [count] fp32 (rows of a multiple of 32). xq: [count / 32] blocks of 3 uvec4: the 32
// int8 quants packed 4 per word, low byte first (words 0..7), then half(d) and half(d·Σq)
// as fp32 bits (words 8, 9); words 10, 11 unused. One invocation per block.
layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer XQ { uvec4 xq[]; };

layout(push_constant) uniform Push {
  uint blocks; // count / 32
} pc;

float roundHalf(float v) { return unpackHalf2x16(packHalf2x16(vec2(v, 0.0))).x; }

void main()
{
  const uint b = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  if (b >= pc.blocks)
    return;
  const uint x0 = b * 32u;
  float amax = 0.0;
  for (uint j = 0u; j < 32u; ++j)
    amax = max(amax, abs(x[x0 + j]));
  precise float d = amax / 127.0;
  precise float id = amax != 0.0 ? 127.0 / amax : 0.0;
  int sum = 0;
  uint words[8];
  for (uint w = 0u; w < 8u; ++w) {
    uint packed = 0u;
    for (uint k = 0u; k < 4u; ++k) {
      precise float scaled = x[x0 + 4u * w + k] * id;
      const int q = int(roundEven(scaled));
      sum += q;
      packed |= (uint(q) & 0xFFu) << (8u * k);
    }
    words[w] = packed;
  }
  precise float ds = d * float(sum);
  xq[3u * b] = uvec4(words[0], words[1], words[2], words[3]);
  xq[3u * b + 1u] = uvec4(words[4], words[5], words[6], words[7]);
  xq[3u * b + 2u] = uvec4(floatBitsToUint(roundHalf(d)), floatBitsToUint(roundHalf(ds)), 0u, 0u);
}
