#version 450
// SwiGLU as llama.cpp's CPU backend computes it (ops::ref::ggml::swiglu):
// out = g / (1 + e) · up with e = exp(−g) by the CPU backend's vector polynomial (vexp
// below, fused multiply-adds and a power-of-two scaling) for the elements of a row's full
// 16-element chunks. The rest of a row (rowLength not a multiple of 16) takes the scalar
// libm exp there; here GLSL's exp, which may differ in the last bit.
// gate, up, out: [count]; out may be gate or up.
#include "ggml_fma.glsl"

layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer Gate { float gate[]; };
layout(std430, binding = 1) readonly buffer Up { float up[]; };
layout(std430, binding = 2) writeonly buffer Out { float outv[]; };

layout(push_constant) uniform Push {
  uint count;
  uint rowLength;
} pc;

float vexp(float x)
{
  // exp(x) = 2^n · p(b), n = round(x · log2 e), b = x − n · ln 2 in two parts.
  const float shifter = 12582912.0; // 0x1.8p23
  precise float z = fmaExact(x, uintBitsToFloat(0x3FB8AA3Bu), shifter); // log2 e = 0x1.715476p+0
  precise float n = z - shifter;
  precise float b0 = fmaExact(-n, uintBitsToFloat(0x3F317200u), x);    // 0x1.62e4p-1
  precise float b = fmaExact(-n, uintBitsToFloat(0x35BFBE8Eu), b0);    // 0x1.7f7d1cp-20
  if (abs(n) > 192.0)
    return n <= 0.0 ? 0.0 : uintBitsToFloat(0x7F800000u);
  precise float u = b * b;
  precise float p3 = fmaExact(uintBitsToFloat(0x3C072010u), b, uintBitsToFloat(0x3D2B9F17u)); // 0x1.0e402p-7, 0x1.573e2ep-5
  precise float p1 = fmaExact(uintBitsToFloat(0x3E2AAF33u), b, uintBitsToFloat(0x3EFFFEDBu)); // 0x1.555e66p-3, 0x1.fffdb6p-2
  precise float p0 = fmaExact(uintBitsToFloat(0x3F7FFFF6u), b, 1.0);                        // 0x1.ffffecp-1
  precise float j = fmaExact(fmaExact(p3, u, p1), u, p0);
  return ldexp(j, int(n));
}

void main()
{
  const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  if (i >= pc.count)
    return;
  const float g = gate[i];
  const uint vectorized = pc.rowLength / 16u * 16u;
  precise float e = i % pc.rowLength < vectorized ? vexp(0.0 - g) : exp(-g);
  precise float s = 1.0 + e;
  precise float v = g / s * up[i];
  outv[i] = v;
}
