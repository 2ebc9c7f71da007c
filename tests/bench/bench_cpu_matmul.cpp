// Micro-benchmark of the CPU backend's matmul (not a test): for every weight type and the
// matrix shapes of the demo model (SmolLM2-135M: 576 wide, 1536 feed-forward) and of a
// 0.5B qwen2 (896 wide, 4864 feed-forward; 1024 for the K-quants, whose rows need
// multiples of 256), GB/s of weights read and GFLOP/s at n = 1 (decode) and n = 512
// (prompt processing).
//
//   build-x/tests/bench/bench_cpu_matmul [--threads T] [--type Q4_K] [--isa portable|avx2|avx512|amx]
//                                        [--tokens 512] [--seconds 0.3] [--shape 896x4864] [--copies 1]
//                                        [--packed]
//
// --copies K keeps K copies of each matrix and reads the next one on each call: with K
// copies larger than the caches, decode's weights stream from memory as in a model.
// --packed: Q8_0/Q4_0/Q4_1 in the 16-row packed layout (AVX-512), as the CPU model keeps them.
// Each figure is the best of three timings of as many calls as fit in --seconds, by the
// wall clock and by the process's CPU time (all threads; "per CPU s": on a loaded machine
// steadier than the wall clock, and with --threads 1 a single core's throughput). The
// machine's load average is printed first: on a shared machine the figures move with it.
#include "cpu/matmul.h"
#include "cpu/thread_pool.h"
#include "ops/quant.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <random>
#include <string>
#include <vector>

using namespace hearth;

namespace {

const char *arg(int argc, char **argv, const char *name)
{
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0)
      return argv[i + 1];
  return nullptr;
}

struct Shape {
  const char *model;
  size_t rows, cols;
};

struct Timing {
  double wall = 1e30, cpu = 1e30; // seconds per call
};

// Best of three runs of as many calls as fit in `budget` seconds.
template <typename F>
Timing timeIt(F &&call, double budget)
{
  using clock = std::chrono::steady_clock;
  call(); // warm-up (activation buffers, caches)
  const auto t0 = clock::now();
  call();
  const double once = std::chrono::duration<double>(clock::now() - t0).count();
  const int reps = std::max(1, int(budget / 3 / std::max(once, 1e-7)));
  Timing best;
  for (int attempt = 0; attempt < 3; ++attempt) {
    const std::clock_t c0 = std::clock();
    const auto start = clock::now();
    for (int i = 0; i < reps; ++i)
      call();
    best.wall = std::min(best.wall, std::chrono::duration<double>(clock::now() - start).count() / reps);
    best.cpu = std::min(best.cpu, double(std::clock() - c0) / CLOCKS_PER_SEC / reps);
  }
  return best;
}

} // namespace

int main(int argc, char **argv)
{
  size_t threads = cpu::ThreadPool::defaultThreads(), tokens = 512, copies = 1;
  double seconds = 0.3;
  std::string only;
  cpu::Isa isa = cpu::detectIsa();
  std::vector<Shape> shapes = {
      {"demo", 576, 576},  {"demo", 1536, 576},  {"demo", 576, 1536},   {"0.5B", 896, 896},
      {"0.5B", 4864, 896}, {"0.5B", 896, 4864},  {"0.5B", 1024, 1024},  {"0.5B", 4864, 1024},
      {"0.5B", 1024, 4864},
  };
  if (auto v = arg(argc, argv, "--threads")) threads = size_t(std::atoi(v));
  bool packedLayout = false;
  for (int i = 1; i < argc; ++i)
    packedLayout = packedLayout || std::strcmp(argv[i], "--packed") == 0;
  if (auto v = arg(argc, argv, "--copies")) copies = std::max(1, std::atoi(v));
  if (auto v = arg(argc, argv, "--tokens")) tokens = size_t(std::atoi(v));
  if (auto v = arg(argc, argv, "--seconds")) seconds = std::atof(v);
  if (auto v = arg(argc, argv, "--type")) only = v;
  if (auto v = arg(argc, argv, "--isa"))
    isa = std::strcmp(v, "portable") == 0 ? cpu::Isa::Portable
          : std::strcmp(v, "avx2") == 0   ? cpu::Isa::Avx2
          : std::strcmp(v, "amx") == 0    ? cpu::Isa::Amx
                                          : cpu::Isa::Avx512;
  if (auto v = arg(argc, argv, "--shape")) {
    size_t r = 0, c = 0;
    if (std::sscanf(v, "%zux%zu", &r, &c) != 2) {
      std::fprintf(stderr, "--shape ROWSxCOLS\n");
      return 2;
    }
    shapes = {{"custom", r, c}};
  }
  const auto supported = cpu::supportedIsas();
  if (std::find(supported.begin(), supported.end(), isa) == supported.end()) {
    std::fprintf(stderr, "this CPU lacks %s\n", cpu::isaName(isa));
    return 2;
  }

  std::string load;
  std::getline(std::ifstream("/proc/loadavg"), load);
  std::printf("CPU matmul: %s, %zu threads, n=1 and n=%zu, load average %s\n", cpu::isaName(isa), threads, tokens,
              load.c_str());
  std::printf("%-6s %-6s %13s %6s | %8s %8s %11s | per CPU s: %8s %11s\n", "type", "model", "rows x cols", "MB",
              "n=1 GB/s", "GFLOP/s", "n=N GFLOP/s", "n=1 GB/s", "n=N GFLOP/s");
  cpu::ThreadPool pool(threads);
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (TensorType type : {TensorType::Q4_0, TensorType::Q4_1, TensorType::Q8_0, TensorType::Q4_K, TensorType::Q5_K,
                          TensorType::Q6_K, TensorType::F16, TensorType::BF16, TensorType::F32}) {
    if (!only.empty() && tensorTypeFromName(only) != type)
      continue;
    for (const Shape &s : shapes) {
      if (s.cols % tensorTypeInfo(type).blockElements != 0)
        continue;
      std::vector<float> values(s.rows * s.cols);
      for (auto &v : values)
        v = dist(rng);
      const size_t rowBytes = ops::rowBytes(type, s.cols);
      const size_t matrixBytes = rowBytes * s.rows;
      std::vector<std::byte> w(matrixBytes * copies);
      for (size_t r = 0; r < s.rows; ++r)
        ops::quantizeRow(type, values.data() + r * s.cols, w.data() + r * rowBytes, s.cols);
      const bool packed = packedLayout && cpu::packs16(type, isa);
      if (packed) {
        std::vector<std::byte> rowsAsStored(w.begin(), w.begin() + matrixBytes);
        cpu::packRows16(type, rowsAsStored.data(), s.rows, s.cols, w.data(), pool);
      }
      for (size_t k = 1; k < copies; ++k)
        std::memcpy(w.data() + k * matrixBytes, w.data(), matrixBytes);
      const cpu::Layout layout = packed ? cpu::Layout::Packed16 : cpu::Layout::Rows;
      size_t next = 0; // the copy the next call reads
      auto weights = [&] { return w.data() + (next++ % copies) * matrixBytes; };
      std::vector<float> x(tokens * s.cols), y(tokens * s.rows);
      for (auto &v : x)
        v = dist(rng);
      const Timing one = timeIt(
          [&] { cpu::matmul(type, weights(), s.rows, s.cols, x.data(), y.data(), 1, pool, isa, layout); },
          seconds);
      const Timing many = timeIt(
          [&] { cpu::matmul(type, weights(), s.rows, s.cols, x.data(), y.data(), tokens, pool, isa, layout); },
          seconds);
      const double mb = double(matrixBytes) / 1e6, flop = 2.0 * double(s.rows) * double(s.cols);
      std::printf("%-6s %-6s %5zu x %-5zu %6.2f | %8.2f %8.2f %11.2f |            %8.2f %11.2f\n",
                  std::string(tensorTypeName(type)).c_str(), s.model, s.rows, s.cols, mb, mb / 1e3 / one.wall,
                  flop / one.wall / 1e9, flop * double(tokens) / many.wall / 1e9, mb / 1e3 / one.cpu,
                  flop * double(tokens) / many.cpu / 1e9);
      std::fflush(stdout);
    }
  }
  return 0;
}
