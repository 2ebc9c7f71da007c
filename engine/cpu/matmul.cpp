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

// Rows [first, last) as stored, through the row kernel: y[t · yStride + r] for t < n, up
// to perCall tokens a call.
void rowKernelRange(kernels::RowDot dot, size_t perCall, const std::byte *base, size_t stride, size_t first,
                    size_t last, size_t blocks, const std::byte *xq, size_t xStride, size_t n, float *y,
                    size_t yStride)
{
  float out[kernels::kMaxTokensWide];
  for (size_t t0 = 0; t0 < n; t0 += perCall) {
    const size_t tokens = std::min(perCall, n - t0);
    for (size_t r = first; r < last; ++r) {
      dot(base + r * stride, xq + t0 * xStride, xStride, blocks, tokens, out);
      for (size_t t = 0; t < tokens; ++t)
        y[(t0 + t) * yStride + r] = out[t];
    }
  }
}

// Batches of Q8_0/Q4_0/Q4_1 on AMX: groups of 16 rows, handed out one at a time; the last
// rows - rows % 16 go through the row kernel (the same bits).
void amxMatmul(TensorType type, const std::byte *base, size_t stride, size_t rows, size_t blocks,
               const std::byte *xq, size_t xStride, float *y, size_t n, kernels::RowDot dot, ThreadPool &pool,
               bool packed)
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
        kernels::amxRowGroup(type, base + 16 * g * stride, stride, blocks, xq, xStride, n, y + 16 * g, rows, scratch,
                             packed);
        continue;
      }
      rowKernelRange(dot, kernels::kMaxTokens, base, stride, 16 * groups, rows, blocks, xq, xStride, n, y, rows);
    }
    if (tiles)
      kernels::amxEnd();
  });
}

kernels::PackedDot packedKernel(TensorType type, Isa isa)
{
  switch (isa) {
  case Isa::Amx:
  case Isa::Avx512: return kernels::avx512PackedKernel(type);
  case Isa::Avx2: return kernels::avx2PackedKernel(type);
  case Isa::Portable: break;
  }
  return nullptr;
}

// Weights in the 16-row packed layout without AMX tiles: a few groups handed out at
// a time, each multiplied by up to 4 tokens a call; the last rows % 16 (as stored) through
// the row kernel.
void packedMatmul(TensorType type, const std::byte *base, size_t stride, size_t rows, size_t blocks,
                  const std::byte *xq, size_t xStride, const int32_t *xOffset, float *y, size_t n,
                  kernels::RowDot dot, ThreadPool &pool, Isa isa)
{
  const kernels::PackedDot kernel = packedKernel(type, isa);
  const size_t groups = rows / kernels::kPackRows, tail = rows % kernels::kPackRows;
  const size_t perItem = std::clamp<size_t>(groups / (8 * pool.size()), 1, 4);
  const size_t groupItems = (groups + perItem - 1) / perItem, items = groupItems + (tail != 0);
  std::atomic<size_t> next{0};
  pool.parallelFor(std::min(pool.size(), items), [&](size_t, size_t) {
    for (size_t item; (item = next.fetch_add(1, std::memory_order_relaxed)) < items;) {
      if (item < groupItems) {
        for (size_t g = item * perItem; g < std::min(groups, (item + 1) * perItem); ++g)
          for (size_t t0 = 0; t0 < n; t0 += kernels::kPackedTokens)
            kernel(base + g * kernels::kPackRows * stride, blocks, xq + t0 * xStride, xStride, xOffset + t0 * blocks,
                   std::min(kernels::kPackedTokens, n - t0), y + t0 * rows + g * kernels::kPackRows, rows);
        continue;
      }
      rowKernelRange(dot, kernels::kMaxTokens, base, stride, rows - tail, rows, blocks, xq, xStride, n, y, rows);
    }
  });
}

} // namespace

bool packs16(TensorType type, Isa isa) { return packedKernel(type, isa) != nullptr; }

void packRows16(TensorType type, const void *w, size_t rows, size_t cols, void *dst, ThreadPool &pool)
{
  // Each block's fields, 2- or 4-byte units at a time: unit k of row r goes to
  // to + 16·unit·k + unit·r of the group's block (kernels.h).
  struct Field {
    size_t from, unit, units, to;
  };
  std::vector<Field> fields;
  switch (type) {
  case TensorType::Q8_0: fields = {{0, 2, 1, 0}, {2, 4, 8, 32}}; break;
  case TensorType::Q4_0: fields = {{0, 2, 1, 0}, {2, 4, 4, 32}}; break;
  case TensorType::Q4_1: fields = {{0, 2, 1, 0}, {2, 2, 1, 32}, {4, 4, 4, 64}}; break;
  case TensorType::Q4_K: fields = {{0, 2, 1, 0}, {2, 2, 1, 32}, {4, 4, 3, 64}, {16, 4, 32, 256}}; break;
  case TensorType::Q5_K:
    fields = {{0, 2, 1, 0}, {2, 2, 1, 32}, {4, 4, 3, 64}, {48, 4, 32, 256}, {16, 4, 8, 2304}};
    break;
  case TensorType::Q6_K: fields = {{208, 2, 1, 0}, {192, 4, 4, 32}, {0, 4, 32, 288}, {128, 4, 16, 2336}}; break;
  default: assert(!"packRows16: not a packable type"); return;
  }
  const size_t blockElements = tensorTypeInfo(type).blockElements;
  const size_t blockBytes = ops::rowBytes(type, blockElements), stride = ops::rowBytes(type, cols);
  const size_t nb = cols / blockElements, groups = rows / kernels::kPackRows;
  const auto *src = static_cast<const uint8_t *>(w);
  auto *out = static_cast<uint8_t *>(dst);
  pool.parallelFor(groups, [&](size_t begin, size_t end) {
    for (size_t g = begin; g < end; ++g)
      for (size_t i = 0; i < nb; ++i) {
        uint8_t *o = out + g * kernels::kPackRows * stride + i * kernels::kPackRows * blockBytes;
        for (size_t r = 0; r < kernels::kPackRows; ++r) {
          const uint8_t *b = src + (g * kernels::kPackRows + r) * stride + i * blockBytes;
          for (const Field &f : fields)
            for (size_t k = 0; k < f.units; ++k) {
              uint8_t *to = o + f.to + kernels::kPackRows * f.unit * k + f.unit * r;
              if (f.unit == 4)
                std::memcpy(to, b + f.from + 4 * k, 4);
              else
                std::memcpy(to, b + f.from + 2 * k, 2);
            }
        }
      }
  });
  const size_t packedBytes = groups * kernels::kPackRows * stride;
  std::memcpy(out + packedBytes, src + packedBytes, rows * stride - packedBytes);
}

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
            size_t n, ThreadPool &pool, Isa isa, Layout layout)
{
  const bool packed = layout == Layout::Packed16;
  assert(!packed || packs16(type, isa));
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
  thread_local std::vector<int32_t> offsets; // packed Q8_0/Q4_0: [n][blocks] level offset · Σ levels
  const size_t padded = amx ? (n + 15) / 16 * 16 : n;
  if (prepared.size() < padded * xStride)
    prepared.resize(padded * xStride);
  const int offset = !packed ? 0 : type == TensorType::Q8_0 ? 128 : type == TensorType::Q4_0 ? 8 : 0;
  if (offset && offsets.size() < n * blocks)
    offsets.resize(n * blocks);
  std::byte *xq = prepared.data();
  int32_t *xOffset = offsets.data(); // (thread_local: the workers write through the pointer)
  pool.parallelFor(n, [&](size_t begin, size_t end) {
    for (size_t t = begin; t < end; ++t) {
      kernels::quantizeActivations(format, x + t * cols, cols, xq + t * xStride, isa);
      const auto *a = reinterpret_cast<const kernels::Q8Block *>(xq + t * xStride);
      for (size_t i = 0; offset && i < blocks; ++i) {
        int32_t sum = 0;
        for (int8_t q : a[i].q)
          sum += q;
        xOffset[t * blocks + i] = offset * sum;
      }
    }
  });

  // Rows in cache-sized blocks, about four per thread at least, handed out one at a time:
  // a thread the OS preempts (a busy machine) holds up one block, not a fixed share.
  const size_t stride = ops::rowBytes(type, cols);
  const auto *base = static_cast<const std::byte *>(w);
  if (amx)
    return amxMatmul(type, base, stride, rows, blocks, xq, xStride, y, n, dot, pool, packed);
  if (packed)
    return packedMatmul(type, base, stride, rows, blocks, xq, xStride, xOffset, y, n, dot, pool, isa);
  size_t block = std::min(rowBlock(stride), std::max<size_t>(1, rows / (4 * pool.size())));
  if (dotRows16) // whole 16-row calls
    block = (block + kernels::kRows16 - 1) / kernels::kRows16 * kernels::kRows16;
  const size_t nBlocks = (rows + block - 1) / block;
  std::atomic<size_t> next{0};
  pool.parallelFor(std::min(pool.size(), nBlocks), [&](size_t, size_t) {
    for (size_t rb; (rb = next.fetch_add(1, std::memory_order_relaxed)) < nBlocks;) {
      const size_t r0 = rb * block, r1 = std::min(rows, r0 + block);
      size_t r = r0; // decode's 16- and 4-row kernels (n = 1) first, then one row at a time
      if (dotRows16)
        for (; r + kernels::kRows16 <= r1; r += kernels::kRows16)
          dotRows16(base + r * stride, stride, xq, blocks, y + r);
      if (dotRows)
        for (; r + kernels::kRowsPerCall <= r1; r += kernels::kRowsPerCall)
          dotRows(base + r * stride, stride, xq, blocks, y + r);
      rowKernelRange(dot, perCall, base, stride, r, r1, blocks, xq, xStride, n, y, rows);
    }
  });
}

} // namespace hearth::cpu
