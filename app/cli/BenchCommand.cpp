// hearth bench --model M [-p 512] [-n 128] [-d 0] [--reps 3] [--json] [--backend auto|vulkan|cpu] [--profile]
//
// Prompt processing (pp: N prompt tokens evaluated from an empty context) and text
// generation (tg: N tokens evaluated one at a time) in tokens per second, mean ± stdev over
// repetitions after one warm-up, like llama-bench. -d D: each run starts after D tokens
// already in the context (evaluated untimed), as deep in a conversation. --json prints
// llama-bench-style records.
#include "cli/Cli.h"

#include "hearth/backend.h"
#include "hearth/gguf.h"
#include "hearth/model.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace hearth::cli {
namespace {

struct BenchResult {
  std::string name; // "pp512" / "tg128"
  int nPrompt = 0;
  int nGen = 0;
  std::vector<double> samples; // tokens/s
  double mean() const { return std::accumulate(samples.begin(), samples.end(), 0.0) / double(samples.size()); }
  double stdev() const
  {
    if (samples.size() < 2)
      return 0;
    const double m = mean();
    double acc = 0;
    for (double s : samples)
      acc += (s - m) * (s - m);
    return std::sqrt(acc / double(samples.size() - 1));
  }
};

// Tokens/s of one run after `prefix` (untimed), or an error.
Result<double> runOnce(Model &model, const std::vector<int32_t> &prefix, const std::vector<int32_t> &tokens,
                       bool generation)
{
  if (auto s = model.truncate(0); !s)
    return std::unexpected(s.error());
  if (!prefix.empty())
    if (auto r = model.eval(prefix, 0); !r)
      return std::unexpected(r.error());
  const auto depth = uint32_t(prefix.size());
  const auto start = std::chrono::steady_clock::now();
  if (generation) {
    for (size_t i = 0; i < tokens.size(); ++i)
      if (auto r = model.eval(std::span(&tokens[i], 1), depth + uint32_t(i)); !r)
        return std::unexpected(r.error());
  } else if (auto r = model.eval(tokens, depth); !r) {
    return std::unexpected(r.error());
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return double(tokens.size()) / s;
}

std::string jsonEscape(const std::string &s)
{
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    if (static_cast<unsigned char>(c) < 0x20)
      continue;
    out += c;
  }
  return out;
}

} // namespace

int benchCommand(Args args)
{
  const auto path = option(args, "--model");
  if (!path) {
    printError("usage: hearth bench --model M [-p 512] [-n 128] [-d 0] [--reps 3] [--json] "
               "[--backend auto|vulkan|cpu] [--profile]");
    return 2;
  }
  const int nPrompt = std::stoi(option(args, "-p").value_or("512"));
  const int nGen = std::stoi(option(args, "-n").value_or("128"));
  const int depth = std::max(0, std::stoi(option(args, "-d").value_or("0")));
  const int reps = std::max(1, std::stoi(option(args, "--reps").value_or("3")));
  const bool json = flag(args, "--json");
  const std::string backend = option(args, "--backend").value_or("auto");

  LoadOptions options;
  options.backend = parseBackendName(backend).value_or(BackendKind::Auto);
  options.contextLength = uint32_t(depth + std::max(nPrompt, nGen) + 16);
  options.profile = flag(args, "--profile"); // Vulkan: time each op of the decode step
  auto model = loadModel(*path, options);
  if (!model) {
    printError(model.error().message);
    return 1;
  }
  const ModelConfig &config = (*model)->config();
  std::mt19937 rng(42);
  std::uniform_int_distribution<int32_t> pick(0, int32_t(config.nVocab) - 1);

  std::vector<int32_t> prefix(static_cast<size_t>(depth));
  for (auto &t : prefix)
    t = pick(rng);
  std::vector<BenchResult> results;
  for (auto [count, generation] : {std::pair{nPrompt, false}, std::pair{nGen, true}}) {
    if (count <= 0)
      continue;
    std::vector<int32_t> tokens(static_cast<size_t>(count));
    for (auto &t : tokens)
      t = pick(rng);
    std::string name = (generation ? "tg" : "pp") + std::to_string(count);
    if (depth > 0)
      name += " @ d" + std::to_string(depth);
    BenchResult r{name, generation ? 0 : count, generation ? count : 0, {}};
    for (int rep = -1; rep < reps; ++rep) { // rep -1: warm-up
      auto tps = runOnce(**model, prefix, tokens, generation);
      if (!tps) {
        printError(tps.error().message);
        return 1;
      }
      if (rep >= 0)
        r.samples.push_back(*tps);
    }
    results.push_back(std::move(r));
  }

  const std::string description = (*model)->backendDescription();
  const std::string modelName = std::filesystem::path(*path).filename().string();
  if (json) {
    std::printf("[\n");
    for (size_t i = 0; i < results.size(); ++i) {
      const auto &r = results[i];
      std::printf("  {\"model\": \"%s\", \"backend\": \"%s\", \"device\": \"%s\", \"n_prompt\": %d, \"n_gen\": %d, "
                  "\"n_depth\": %d, \"avg_ts\": %.6f, \"stddev_ts\": %.6f, \"samples_ts\": [",
                  jsonEscape(modelName).c_str(), (*model)->backendKind() == BackendKind::Vulkan ? "Vulkan" : "CPU",
                  jsonEscape(description).c_str(), r.nPrompt, r.nGen, depth, r.mean(), r.stdev());
      for (size_t j = 0; j < r.samples.size(); ++j)
        std::printf("%s%.6f", j ? ", " : "", r.samples[j]);
      std::printf("]}%s\n", i + 1 < results.size() ? "," : "");
    }
    std::printf("]\n");
    if (const std::string profile = (*model)->profileReport(); !profile.empty())
      std::fprintf(stderr, "%s", profile.c_str());
    return 0;
  }
  std::printf("model: %s (%s, %u layers, %u embd)\ndevice: %s\n", modelName.c_str(), config.architecture.c_str(),
              config.nLayer, config.nEmbd, description.c_str());
  std::printf("| %-14s | %16s |\n|----------------|------------------|\n", "test", "t/s");
  for (const auto &r : results)
    std::printf("| %-14s | %8.2f ± %5.2f |\n", r.name.c_str(), r.mean(), r.stdev());
  if (const std::string profile = (*model)->profileReport(); !profile.empty())
    std::printf("\n%s", profile.c_str());
  return 0;
}

} // namespace hearth::cli
