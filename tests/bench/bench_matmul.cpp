// Micro-benchmark of the matrix multiplications on the chosen Vulkan device (not a test):
// for every weight type, the matrix × vector kernel's throughput in GB/s of weights read
// (decode) and the tiled kernel's GFLOP/s (prefill).
//
//   build-x/tests/bench/bench_matmul [--rows R] [--cols C] [--tokens N] [--reps K] [--type Q4_K]
//
// Each figure is the best of three submissions of K back-to-back dispatches (wall clock,
// submit to fence). On a CPU device (lavapipe) the process's CPU time is shown too
// ("per CPU second"): on a loaded machine it is steadier than the wall clock.
// HEARTH_DEVICE picks the device as for the engine.
#include "ops/matmul.h"
#include "ops/quant.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <vector>

using namespace hearth;

namespace {

struct Options {
  uint32_t rows = 2048;
  uint32_t cols = 2048;
  uint32_t tokens = 128;
  uint32_t reps = 10;
  std::string type;
};

const char *arg(int argc, char **argv, const char *name)
{
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0)
      return argv[i + 1];
  return nullptr;
}

struct Timing {
  double wall = -1; // seconds per dispatch
  double cpu = -1;  // CPU seconds per dispatch (all threads of the process)
};

// Best of three submissions of `reps` dispatches.
Timing timeIt(vk::Context &ctx, const ops::Matrix &w, vk::BufferView x, vk::BufferView y, uint32_t n,
              ops::MatmulKernel kernel, uint32_t reps)
{
  auto rec = vk::Recorder::create(ctx);
  if (!rec)
    return {};
  Timing best{1e30, 1e30};
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (!rec->begin())
      return {};
    for (uint32_t i = 0; i < reps; ++i)
      if (auto s = ops::recordMatmulWith({kernel}, *rec, w, x, y, n); !s) {
        std::fprintf(stderr, "%s\n", s.error().message.c_str());
        return {};
      }
    const std::clock_t c0 = std::clock();
    const auto t0 = std::chrono::steady_clock::now();
    if (auto s = rec->submitAndWait(); !s) {
      std::fprintf(stderr, "%s\n", s.error().message.c_str());
      return {};
    }
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best.wall = std::min(best.wall, dt / reps);
    best.cpu = std::min(best.cpu, double(std::clock() - c0) / CLOCKS_PER_SEC / reps);
  }
  return best;
}

} // namespace

int main(int argc, char **argv)
{
  Options o;
  if (auto v = arg(argc, argv, "--rows")) o.rows = uint32_t(std::atoi(v));
  if (auto v = arg(argc, argv, "--cols")) o.cols = uint32_t(std::atoi(v));
  if (auto v = arg(argc, argv, "--tokens")) o.tokens = uint32_t(std::atoi(v));
  if (auto v = arg(argc, argv, "--reps")) o.reps = uint32_t(std::atoi(v));
  if (auto v = arg(argc, argv, "--type")) o.type = v;

  auto ctx = vk::Context::create({});
  if (!ctx) {
    std::fprintf(stderr, "%s\n", ctx.error().message.c_str());
    return 1;
  }
  std::printf("device: %s (subgroup %u)\nmatrix %u x %u, prefill %u tokens, %u dispatches per timing\n",
              (*ctx)->info().name.c_str(), (*ctx)->info().subgroupSize, o.rows, o.cols, o.tokens, o.reps);
  const bool cpu = (*ctx)->info().type == DeviceType::Cpu;
  std::printf("%-6s %8s %12s %14s", "type", "MB", "matvec GB/s", "tiled GFLOP/s");
  std::printf(cpu ? "   | per CPU second: %12s %14s\n" : "\n", "matvec GB/s", "tiled GFLOP/s");

  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> values(size_t(o.rows) * o.cols);
  for (auto &v : values)
    v = dist(rng);
  std::vector<float> xs(size_t(o.tokens) * o.cols);
  for (auto &v : xs)
    v = dist(rng);

  auto x = vk::Buffer::create(**ctx, xs.size() * 4, vk::Memory::Device, "x");
  auto y = vk::Buffer::create(**ctx, size_t(o.tokens) * o.rows * 4, vk::Memory::Device, "y");
  if (!x || !y || !x->uploadSpan(std::span<const float>(xs)))
    return 1;

  for (TensorType type : {TensorType::F32, TensorType::F16, TensorType::BF16, TensorType::Q8_0, TensorType::Q4_0,
                          TensorType::Q4_1, TensorType::Q4_K, TensorType::Q5_K, TensorType::Q6_K}) {
    if (!o.type.empty() && tensorTypeFromName(o.type) != type)
      continue;
    if (o.cols % tensorTypeInfo(type).blockElements != 0)
      continue;
    const size_t rowBytes = ops::rowBytes(type, o.cols);
    std::vector<std::byte> bytes((rowBytes * o.rows + 15) / 16 * 16);
    for (uint32_t r = 0; r < o.rows; ++r)
      ops::quantizeRow(type, values.data() + size_t(r) * o.cols, bytes.data() + r * rowBytes, o.cols);
    auto wb = vk::Buffer::create(**ctx, bytes.size(), vk::Memory::Device, "weights");
    if (!wb || !wb->upload(bytes))
      return 1;
    const ops::Matrix w{type, o.rows, o.cols, &*wb, 0};
    const Timing tv = timeIt(**ctx, w, x->view(0, size_t(o.cols) * 4), y->view(0, size_t(o.rows) * 4), 1,
                             ops::MatmulKernel::Matvec, o.reps);
    const Timing tm = timeIt(**ctx, w, x->view(), y->view(), o.tokens, ops::MatmulKernel::Tiled,
                             std::max(1u, o.reps / 4));
    const double mb = double(rowBytes) * o.rows / 1e6;
    const double flop = 2.0 * o.rows * o.cols * o.tokens;
    std::printf("%-6s %8.2f %12.2f %14.2f", std::string(tensorTypeName(type)).c_str(), mb, mb / 1e3 / tv.wall,
                flop / tm.wall / 1e9);
    if (cpu)
      std::printf("   |                 %12.2f %14.2f", mb / 1e3 / tv.cpu, flop / tm.cpu / 1e9);
    std::printf("\n");
    std::fflush(stdout);
  }
  return 0;
}
