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
  case Isa::Amx:
  case Isa::Avx512: return kernels::avx512RowsKernel(type);
  case Isa::Avx2: return kernels::avx2RowsKernel(type);
  case Isa::Portable: break;
  }
  return nullptr;
}

kernels::RowDot rowKernel(TensorType type, Isa isa)
{
  switch (isa) {
  case Isa::Amx:
  case Isa::Avx512:
    if (kernels::RowDot wide = kernels::avx512KQuantKernel(type))
      return wide;
    return kernels::avx512Kernel(type);
  case Isa::Avx2: return kernels::avx2Kernel(type);
  case Isa::Portable: break;
  }
  return kernels::portableKernel(type);
}

// Batches from this many tokens run on AMX tiles (16 tokens a tile; fewer pay for 16).
constexpr size_t kAmxMinTokens = 8;

// Rows per cache block: about 16 KiB of weights, at least 1.
size_t rowBlock(size_t rowBytes) { return std::clamp<size_t>((16u << 10) / std::max<size_t>(rowBytes, 1), 1, 64); }

// Batches of Q8_0/Q4_0/Q4_1 on AMX: groups of 16 rows, handed out one at a time; the last
// rows - rows % 16 go through the row kernel (the same bits).
void amxMatmul(TensorType type, const std::byte *base, size_t stride, size_t rows, size_t blocks,
               const std::byte *xq, size_t xStride, float *y, size_t n, kernels::RowDot dot, ThreadPool &pool)
{
  const size_t groups = rows / 16, items = groups + (rows % 16 != 0);
  std::atomic<size_t> next{0};
  pool.parallelFor(std::min(pool.size(), items), [&](size_t, size_t) {
    thread_local kernels::AmxScratch scratch;
    bool tiles = false;
    for (size_t g; (g = next.fetch_add(1, std::memory_order_relaxed)) < items;) {
      if (g < groups) {
        if (!tiles)
          kernels::amxBegin();
        tiles = true;
        kernels::amxRowGroup(type, base + 16 * g * stride, stride, blocks, xq, xStride, n, y + 16 * g, rows, scratch);
        continue;
      }
      float out[kernels::kMaxTokens];
      for (size_t t0 = 0; t0 < n; t0 += kernels::kMaxTokens) {
        const size_t tokens = std::min(kernels::kMaxTokens, n - t0);
        for (size_t r = 16 * groups; r < rows; ++r) {
          dot(base + r * stride, xq + t0 * xStride, xStride, blocks, tokens, out);
          for (size_t t = 0; t < tokens; ++t)
            y[(t0 + t) * rows + r] = out[t];
        }
      }
    }
    if (tiles)
      kernels::amxEnd();
  });
}

} // namespace

Isa detectIsa()
{
  static const Isa best = [] {
    Isa isa = hasAvx512() ? (kernels::amxUsable() ? Isa::Amx : Isa::Avx512) : cpuHasAvx2() ? Isa::Avx2 : Isa::Portable;
    if (const char *cap = std::getenv("HEARTH_CPU_ISA")) {
      if (std::strcmp(cap, "portable") == 0)
        isa = Isa::Portable;
      else if (std::strcmp(cap, "avx2") == 0 && isa >= Isa::Avx512)
        isa = Isa::Avx2;
      else if (std::strcmp(cap, "avx512") == 0 && isa == Isa::Amx)
        isa = Isa::Avx512;
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
  if (hasAvx512() && kernels::amxUsable())
    out.push_back(Isa::Amx);
  return out;
}

const char *isaName(Isa isa)
{
  switch (isa) {
  case Isa::Amx: return "AVX-512 VNNI + AMX";
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
      isa >= Isa::Avx512 && kernels::avx512KQuantKernel(type) ? kernels::kMaxTokensWide : kernels::kMaxTokens;
  const kernels::RowsDot dotRows = n == 1 ? rowsKernel(type, isa) : nullptr; // decode: 4 rows a call
  const kernels::RowsDot dotRows16 = n == 1 && isa >= Isa::Avx512 ? kernels::avx512Rows16Kernel(type) : nullptr;
  assert(dot && "unsupported weight type");
  if (!dot || rows == 0 || n == 0)
    return;
  const kernels::Activations format = kernels::activationsFor(type);
  const size_t xStride = kernels::activationBytes(format, cols);
  const size_t blocks = format == kernels::Activations::Q8    ? cols / 32
                        : format == kernels::Activations::Q8K ? cols / 256
                                                              : cols;
  const bool amx =
      isa == Isa::Amx && n >= kAmxMinTokens && rows >= 16 && kernels::amxHandles(type) && kernels::amxUsable();
  // Activations, reused across calls of this thread (no allocation per token); AMX reads
  // whole tiles of 16 tokens.
  thread_local std::vector<std::byte> prepared;
  const size_t padded = amx ? (n + 15) / 16 * 16 : n;
  if (prepared.size() < padded * xStride)
    prepared.resize(padded * xStride);
  std::byte *xq = prepared.data();
  pool.parallelFor(n, [&](size_t begin, size_t end) {
    for (size_t t = begin; t < end; ++t)
      kernels::quantizeActivations(format, x + t * cols, cols, xq + t * xStride, isa);
  });

  // Rows in cache-sized blocks, about four per thread at least, handed out one at a time:
  // a thread the OS preempts (a busy machine) holds up one block, not a fixed share.
  const size_t stride = ops::rowBytes(type, cols);
  const auto *base = static_cast<const std::byte *>(w);
  if (amx)
    return amxMatmul(type, base, stride, rows, blocks, xq, xStride, y, n, dot, pool);
  size_t block = std::min(rowBlock(stride), std::max<size_t>(1, rows / (4 * pool.size())));
  if (dotRows16) // whole 16-row calls
    block = (block + kernels::kRows16 - 1) / kernels::kRows16 * kernels::kRows16;
  const size_t nBlocks = (rows + block - 1) / block;
  std::atomic<size_t> next{0};
  pool.parallelFor(std::min(pool.size(), nBlocks), [&](size_t, size_t) {
    float out[kernels::kMaxTokensWide];
    for (size_t rb; (rb = next.fetch_add(1, std::memory_order_relaxed)) < nBlocks;) {
      const size_t r0 = rb * block, r1 = std::min(rows, r0 + block);
      for (size_t t0 = 0; t0 < n; t0 += perCall) {
        const size_t tokens = std::min(perCall, n - t0);
        size_t r = r0;
        if (dotRows16)
          for (; r + kernels::kRows16 <= r1; r += kernels::kRows16)
            dotRows16(base + r * stride, stride, xq, blocks, y + r);
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
