// Internal: the AVX2/FMA/F16C kernels behind cpu/ops.h. Call them only when
// cpuHasAvx2() (ops.h's hasAvx2() decides); each handles any length (scalar tails).
#pragma once

#include <cstddef>
#include <cstdint>

namespace hearth::cpu::simd {

bool cpuHasAvx2(); // AVX2, FMA and F16C

// out[i] = gate[i] / (1 + vexp(−gate[i])) · up[i] with llama.cpp's vector exp
// (ops::ref::ggml::vexp) for every element (out may alias gate).
void swigluVexp(const float *gate, const float *up, float *out, size_t count);
// x[0, len) = softmax(x) in place.
void softmaxRow(float *x, size_t len);
// dst[i] = half(src[i]), round to nearest even.
void toHalf(const float *src, uint16_t *dst, size_t count);
// dst[i] = src[i], rounded through f16 when `round`.
void roundedCopy(const float *src, float *dst, size_t count, bool round);

// One (token, head) of attention in ops::ref::Rounding::Ggml's order (see cpu/ops.h):
// scores[p] = qh·k[p] · scale for p < len, softmax, weights rounded to f16 when
// `roundWeights`, out = Σ_p w[p] · v[p]; `prefill` picks the batched reduction order.
// k, v: the head's first element at position 0, rows `stride` halves apart. Scratch:
// scores [len rounded up to 16], lanes [64][headDim].
void attend(const float *qh, const uint16_t *k, const uint16_t *v, size_t stride, size_t len, size_t headDim,
            float scale, bool roundWeights, bool prefill, float *scores, float *lanes, float *out);

// Prefill's attend() for `count` queries sharing a kv head (GQA), headDim % 16 == 0: each
// K row is read once for up to kAttendGroup of them; every query's result has
// attend()'s bits. Scratch per query: scores [len rounded up to 16], lanes [16][headDim].
inline constexpr size_t kAttendGroup = 4;
// wide: with AVX-512 (the same bits; only where the CPU has AVX512F).
void attendGroup(const float *const *qh, size_t count, const uint16_t *k, const uint16_t *v, size_t stride,
                 size_t len, size_t headDim, float scale, bool roundWeights, bool wide, float *const *scores,
                 float *const *lanes, float *const *out);

} // namespace hearth::cpu::simd
