// fmaExact(a, b, c): a·b + c rounded once to float, as IEEE fusedMultiplyAdd (and x86's
// vfmadd) computes it. GLSL's fma() need not fuse, and on lavapipe (llvmpipe) it does not:
// it rounds the product, then the sum. Needs shaderFloat64.
//
// The product of two floats is exact in double; the sum is taken in double, its rounding
// error recovered exactly (TwoSum), and the double rounded to odd (a last bit of 1 marks an
// inexact value), which a final rounding to float turns into the correctly rounded sum.
#extension GL_ARB_gpu_shader_fp64 : enable

float fmaExact(float a, float b, float c)
{
  precise double p = double(a) * double(b);
  precise double dc = double(c);
  precise double s = p + dc;
  precise double bp = s - p;
  precise double err = (p - (s - bp)) + (dc - bp);
  if (err != 0.0LF) {
    uvec2 bits = unpackDouble2x32(s);
    if ((bits.x & 1u) == 0u) {
      // Even: the neighbour toward the exact value is the odd one.
      if ((err > 0.0LF) == (s > 0.0LF)) { // larger magnitude
        bits.x += 1u;
        bits.y += bits.x == 0u ? 1u : 0u;
      } else {
        bits.y -= bits.x == 0u ? 1u : 0u;
        bits.x -= 1u;
      }
      s = packDouble2x32(bits);
    }
  }
  return float(s);
}
