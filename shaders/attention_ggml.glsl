// Float arithmetic of llama.cpp's CPU backend, as ops::ref::ggml (engine/ops/cpu_ref_ggml.cpp)
// writes it, for shaders that must reproduce it bit for bit: f16 conversions in integer
// arithmetic (no dependence on the device's half conversions or denormal handling), the
// 16-lane tree sum and the polynomial exp. Every result variable is `precise`, so nothing is
// contracted or reassociated; fmaExact() appears exactly where the reference fuses. No
// [[unroll]]: spirv-opt's unrolled copies lose their NoContraction decorations, and Mesa
// then reassociates the sums (seen on lavapipe as scores a few ulps off).

// f16 bits -> float, exact (f16 subnormals are normal floats); selects, no branches.
float halfBitsToFloat(uint h)
{
  const uint em = h & 0x7FFFu;
  uint bits = (em << 13) + (112u << 23);       // normal: exponent rebiased
  bits = em >= 0x7C00u ? bits + (112u << 23) : bits; // infinity, NaN
  precise float sub = float(em) * uintBitsToFloat(0x33800000u); // em · 2^-24, exact
  bits = em < 0x400u ? floatBitsToUint(sub) : bits;
  return uintBitsToFloat(bits | ((h & 0x8000u) << 16));
}

// float -> f16 bits, round to nearest even, as ops::floatToHalf (quiet NaNs, overflow to inf).
uint floatToHalfBits(float f)
{
  const uint x = floatBitsToUint(f);
  const uint sign = (x >> 16) & 0x8000u;
  const uint ax = x & 0x7FFFFFFFu;
  if (ax > 0x7F800000u)
    return sign | 0x7E00u | ((ax >> 13) & 0x3FFu);
  if (ax >= 0x47800000u)
    return sign | 0x7C00u;
  if (ax >= 0x38800000u) {
    uint r = ax - (112u << 23);
    r += 0x0FFFu + ((r >> 13) & 1u);
    return sign | (r >> 13);
  }
  // A subnormal half: the value in units of 2^-24, rounded to nearest even.
  const uint e = ax >> 23;
  if (e < 102u) // below 2^-25
    return sign;
  const uint m = (ax & 0x7FFFFFu) | 0x800000u;
  const uint s = 126u - e; // 14 .. 24
  uint units = m >> s;
  const uint rem = m & ((1u << s) - 1u), halfway = 1u << (s - 1u);
  if (rem > halfway || (rem == halfway && (units & 1u) != 0u))
    units += 1u;
  return sign | units;
}

float roundHalf(float f) { return halfBitsToFloat(floatToHalfBits(f)); }

// The 16 lanes of a 512-bit vector summed as its horizontal add does: halves, quarters, pairs.
float laneSum(float v[16])
{
  precise float h[8];
  precise float q[4];
  for (uint i = 0u; i < 8u; ++i)
    h[i] = v[i] + v[i + 8u];
  for (uint i = 0u; i < 4u; ++i)
    q[i] = h[i] + h[i + 4u];
  precise float r = (q[0] + q[2]) + (q[1] + q[3]);
  return r;
}

// a · b + c rounded once, as a fused multiply-add: GLSL's fma() may round twice (Vulkan
// gives it the precision of a multiply then an add, and lavapipe does exactly that).
// a · b is exact in double; the double sum s and its exact error (two-sum) give the sum
// rounded to odd, which then rounds to float correctly (53 >= 24 + 2 bits).
float fmaExact(float a, float b, float c)
{
  precise double p = double(a) * double(b);
  precise double s = p + double(c);
  precise double bv = s - p;
  precise double err = (p - (s - bv)) + (double(c) - bv);
  uvec2 bits = unpackDouble2x32(s);
  if (err != 0.0 && (bits.x & 1u) == 0u) {
    if ((err > 0.0) == (s > 0.0)) { // one ulp away from zero (no carry: the low word is even)
      bits.x += 1u;
    } else { // one ulp toward zero
      if (bits.x == 0u)
        bits.y -= 1u;
      bits.x -= 1u;
    }
    s = packDouble2x32(bits);
  }
  return float(s);
}

// x · 2^e for |e| <= 192 with one rounding, as ldexp: two exact power-of-two factors.
float scaleByPow2(float x, int e)
{
  const int e1 = e / 2;
  const int e2 = e - e1;
  precise float r = x * uintBitsToFloat(uint(e1 + 127) << 23);
  precise float r2 = r * uintBitsToFloat(uint(e2 + 127) << 23);
  return r2;
}

// exp(x) = 2^n · p(b), n = round(x · log2 e), b = x − n · ln 2 in two parts (ggml::vexp).
float vexp(float x)
{
  const float shifter = uintBitsToFloat(0x4B400000u); // 1.5 · 2^23
  precise float z = fmaExact(x, uintBitsToFloat(0x3FB8AA3Bu), shifter);
  precise float n = z - shifter;
  precise float b = fmaExact(-n, uintBitsToFloat(0x35BFBE8Eu), fmaExact(-n, uintBitsToFloat(0x3F317200u), x));
  if (abs(n) > 192.0)
    return n <= 0.0 ? 0.0 : uintBitsToFloat(0x7F800000u);
  precise float u = b * b;
  precise float j = fmaExact(fmaExact(fmaExact(uintBitsToFloat(0x3C072010u), b, uintBitsToFloat(0x3D2B9F17u)), u,
                            fmaExact(uintBitsToFloat(0x3E2AAF33u), b, uintBitsToFloat(0x3EFFFEDBu))),
                        u, fmaExact(uintBitsToFloat(0x3F7FFFF6u), b, 1.0));
  return scaleByPow2(j, int(n));
}
