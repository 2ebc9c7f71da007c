// The x86 row kernels (kernels_x86.inc) compiled for AVX-512 with VNNI: the 32-block
// integer dot products use dpbusd, and the compiler has 32 vector registers. Called only
// when the CPU has AVX512F/BW/VL and AVX512-VNNI (matmul.cpp checks).
#include "cpu/kernels.h"

#include "ops/quant.h"

#include <cmath>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq,avx512vnni")

#define HEARTH_KERNEL_NS avx512
#define HEARTH_VNNI 1
#include "cpu/kernels_x86.inc"

namespace hearth::cpu::kernels {
RowDot avx512Kernel(TensorType type) { return avx512::kernelFor(type); }
RowsDot avx512RowsKernel(TensorType type) { return avx512::rowsKernelFor(type); }
} // namespace hearth::cpu::kernels

#pragma GCC pop_options

#else

namespace hearth::cpu::kernels {
RowDot avx512Kernel(TensorType) { return nullptr; }
RowsDot avx512RowsKernel(TensorType) { return nullptr; }
} // namespace hearth::cpu::kernels

#endif
