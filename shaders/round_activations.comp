#version 450
// Rounds activations as llama.cpp's CPU backend does before a product with quantized
// weights (ops::ref::roundActivations): MODE 1 Q8_0/Q8_1 32-blocks, 2 Q8_K 256-blocks,
// 3 f16, 4 bf16. For Q8_1 (Q4_1 weights) it also writes each block's sum correction
// half(d·Σq) − half(d)·Σq, which the weights' block minimums multiply.
// x, xr: [n][cols]; corr: [n][cols / 32]. One invocation per block (per element for 3, 4).
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint MODE = 1;

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer XR { float xr[]; };
layout(std430, binding = 2) writeonly buffer Corr { float corr[]; };

layout(push_constant) uniform Push {
  uint count;    // n * cols
  uint withCorr; // write corr (Q4_1 weights)
} pc;

float roundHalf(float v) { return unpackHalf2x16(packHalf2x16(vec2(v, 0.0))).x; }

void main()
{
  const uint g = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  if (MODE == 3u || MODE == 4u) {
    if (g >= pc.count)
      return;
    if (MODE == 3u) {
      xr[g] = roundHalf(x[g]);
    } else {
      const uint bits = floatBitsToUint(x[g]);
      xr[g] = uintBitsToFloat(((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16) << 16);
    }
    return;
  }
  const uint size = MODE == 2u ? 256u : 32u;
  const uint b0 = g * size;
  if (b0 >= pc.count)
    return;
  float amax = 0.0;
  float mx = 0.0;
  for (uint j = 0u; j < size; ++j) {
    const float a = abs(x[b0 + j]);
    if (a > amax) {
      amax = a;
      mx = x[b0 + j];
    }
  }
  if (MODE == 2u) {
    precise float iscale = amax != 0.0 ? -127.0 / mx : 0.0;
    precise float d = amax != 0.0 ? 1.0 / iscale : 0.0;
    for (uint j = 0u; j < size; ++j) {
      precise float q = min(127.0, roundEven(iscale * x[b0 + j]));
      precise float v = d * q;
      xr[b0 + j] = v;
    }
    return;
  }
  precise float id = amax != 0.0 ? 127.0 / amax : 0.0;
  precise float d = amax / 127.0;
  const float dh = roundHalf(d);
  float sum = 0.0;
  for (uint j = 0u; j < size; ++j) {
    precise float q = roundEven(x[b0 + j] * id);
    precise float v = dh * q;
    xr[b0 + j] = v;
    sum += q;
  }
  if (pc.withCorr != 0u) {
    precise float ds = d * sum;
    precise float c = roundHalf(ds) - dh * sum;
    corr[g] = c;
  }
}
