// The CPU matmul's driver (see matmul.h): activations prepared once per token in the
// kernel's format, then blocks of rows small enough to stay in L1, taken by the threads one
// at a time, meet the tokens four at a time.
#include "cpu/matmul.h"

#include "cpu/kernels.h"
#include "ops/quant.h"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cstdlib>
#include <cstring>

namespace hearth::cpu {
namespace {

bool cpuHasAvx2()
{
#if defined(__x86_64__) || defined(__i386__)
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
#else
  return false;
#endif
}

bool hasAvx512()
{
#if defined(__x86_64__) || defined(__i386__)
  return cpuHasAvx2() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512vnni");
#else
  return false;
#endif
}

kernels::RowsDot rowsKernel(TensorType type, Isa isa)
{
  switch (isa) {
  case Isa::Avx512: return kernels::avx512RowsKernel(type);
  case Isa::Avx2: return kernels::avx2RowsKernel(type);
  case Isa::Portable: break;
  }
  return nullptr;
}

kernels::RowDot rowKernel(TensorType type, Isa isa)
{
  switch (isa) {
  case Isa::Avx512:
    if (kernels::RowDot wide = kernels::avx512KQuantKernel(type))
      return wide;
    return kernels::avx512Kernel(type);
  case Isa::Avx2: return kernels::avx2Kernel(type);
  case Isa::Portable: break;
  }
  return kernels::portableKernel(type);
}

// Rows per cache block: about 16 KiB of weights, at least 1.
size_t rowBlock(size_t rowBytes) { return std::clamp<size_t>((16u << 10) / std::max<size_t>(rowBytes, 1), 1, 64); }

} // namespace

Isa detectIsa()
{
  static const Isa best = [] {
    Isa isa = hasAvx512() ? Isa::Avx512 : cpuHasAvx2() ? Isa::Avx2 : Isa::Portable;
    if (const char *cap = std::getenv("HEARTH_CPU_ISA")) {
      if (std::strcmp(cap, "portable") == 0)
        isa = Isa::Portable;
      else if (std::strcmp(cap, "avx2") == 0 && isa == Isa::Avx512)
        isa = Isa::Avx2;
    }
    return isa;
  }();
  return best;
}

std::vector<Isa> supportedIsas()
{
  std::vector<Isa> out{Isa::Portable};
  if (cpuHasAvx2())
    out.push_back(Isa::Avx2);
  if (hasAvx512())
    out.push_back(Isa::Avx512);
  return out;
}

const char *isaName(Isa isa)
{
  switch (isa) {
  case Isa::Avx512: return "AVX-512 VNNI";
  case Isa::Avx2: return "AVX2";
  case Isa::Portable: break;
  }
  return "portable";
}

void matmul(TensorType type, const void *w, size_t rows, size_t cols, const float *x, float *y,
            size_t n, ThreadPool &pool, Isa isa)
{
  const kernels::RowDot dot = rowKernel(type, isa);
  const size_t perCall =
      isa == Isa::Avx512 && kernels::avx512KQuantKernel(type) ? kernels::kMaxTokensWide : kernels::kMaxTokens;
  const kernels::RowsDot dotRows = n == 1 ? rowsKernel(type, isa) : nullptr; // decode: 4 rows a call
  assert(dot && "unsupported weight type");
  if (!dot || rows == 0 || n == 0)
    return;
  const kernels::Activations format = kernels::activationsFor(type);
  const size_t xStride = kernels::activationBytes(format, cols);
  const size_t blocks = format == kernels::Activations::Q8    ? cols / 32
                        : format == kernels::Activations::Q8K ? cols / 256
                                                              : cols;
  // Activations, reused across calls of this thread (no allocation per token).
  thread_local std::vector<std::byte> prepared;
  if (prepared.size() < n * xStride)
    prepared.resize(n * xStride);
  std::byte *xq = prepared.data();
  pool.parallelFor(n, [&](size_t begin, size_t end) {
    for (size_t t = begin; t < end; ++t)
      kernels::quantizeActivations(format, x + t * cols, cols, xq + t * xStride, isa);
  });

  // Rows in cache-sized blocks, about four per thread at least, handed out one at a time:
  // a thread the OS preempts (a busy machine) holds up one block, not a fixed share.
  const size_t stride = ops::rowBytes(type, cols);
  const auto *base = static_cast<const std::byte *>(w);
  const size_t block = std::min(rowBlock(stride), std::max<size_t>(1, rows / (4 * pool.size())));
  const size_t nBlocks = (rows + block - 1) / block;
  std::atomic<size_t> next{0};
  pool.parallelFor(std::min(pool.size(), nBlocks), [&](size_t, size_t) {
    float out[kernels::kMaxTokensWide];
    for (size_t rb; (rb = next.fetch_add(1, std::memory_order_relaxed)) < nBlocks;) {
      const size_t r0 = rb * block, r1 = std::min(rows, r0 + block);
      for (size_t t0 = 0; t0 < n; t0 += perCall) {
        const size_t tokens = std::min(perCall, n - t0);
        size_t r = r0;
        if (dotRows)
          for (; r + kernels::kRowsPerCall <= r1; r += kernels::kRowsPerCall)
            dotRows(base + r * stride, stride, xq, blocks, y + r);
        for (; r < r1; ++r) {
          dot(base + r * stride, xq + t0 * xStride, xStride, blocks, tokens, out);
          for (size_t t = 0; t < tokens; ++t)
            y[(t0 + t) * rows + r] = out[t];
        }
      }
    }
  });
}

} // namespace hearth::cpu
