// hearth generate --model M --prompt TEXT [--max-tokens N] [--temperature T] [--seed S]
//                 [--device D] [--backend auto|vulkan|cpu|reference] [--context N]
// Runs the engine headless: the completion streams to stdout as it is generated, timing
// goes to stderr. Temperature 0 (the default) decodes greedily.
#include "cli/Cli.h"

#include "hearth/backend.h"
#include "hearth/gguf.h"
#include "hearth/model.h"
#include "hearth/sampler.h"
#include "hearth/tokenizer.h"

#include <chrono>
#include <cstdio>

namespace hearth::cli {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start)
{
  return std::chrono::duration<double>(Clock::now() - start).count();
}

template <class T> bool parseNumber(Args args, std::string_view name, T &value)
{
  const auto text = option(args, name);
  if (!text)
    return true;
  try {
    if constexpr (std::is_floating_point_v<T>)
      value = T(std::stod(*text));
    else
      value = T(std::stoull(*text));
  } catch (...) {
    printError(fmt::format("{} expects a number, got '{}'", name, *text));
    return false;
  }
  return true;
}

} // namespace

int generateCommand(Args args)
{
  const auto modelPath = option(args, "--model");
  const auto prompt = option(args, "--prompt");
  if (!modelPath || !prompt) {
    printError("usage: hearth generate --model MODEL.gguf --prompt TEXT [--max-tokens N] [--temperature T] "
               "[--seed S] [--device D] [--backend auto|vulkan|cpu|reference] [--context N]");
    return 2;
  }
  uint32_t maxTokens = 128, contextLength = 4096;
  float temperature = 0.0f;
  uint64_t seed = 0;
  if (!parseNumber(args, "--max-tokens", maxTokens) || !parseNumber(args, "--temperature", temperature) ||
      !parseNumber(args, "--seed", seed) || !parseNumber(args, "--context", contextLength))
    return 2;
  LoadOptions options;
  options.device = option(args, "--device").value_or("");
  options.contextLength = contextLength;
  if (auto b = option(args, "--backend")) {
    auto kind = parseBackendName(*b);
    if (!kind) {
      printError(fmt::format("unknown backend '{}' (auto, vulkan, cpu, reference)", *b));
      return 2;
    }
    options.backend = *kind;
  }

  auto file = gguf::GgufFile::open(*modelPath);
  if (!file) {
    printError(file.error().message);
    return 1;
  }
  auto tokenizer = tokenizer::Tokenizer::fromGguf(*file);
  if (!tokenizer) {
    printError(tokenizer.error().message);
    return 1;
  }
  const auto promptTokens = tokenizer->encode(*prompt, {.addSpecial = true});
  const auto loadStart = Clock::now();
  auto model = loadModel(*modelPath, options);
  if (!model) {
    printError(model.error().message);
    return 1;
  }
  const double loadSeconds = secondsSince(loadStart);
  if (promptTokens.empty() || promptTokens.size() + maxTokens > (*model)->contextLength()) {
    printError(fmt::format("prompt of {} tokens + {} new tokens does not fit the context of {}", promptTokens.size(),
                           maxTokens, (*model)->contextLength()));
    return 1;
  }

  runtime::Sampler sampler({.temperature = temperature, .seed = seed});
  sampler.reset(promptTokens);
  tokenizer::StreamDecoder decoder(*tokenizer);
  const auto promptStart = Clock::now();
  auto logits = (*model)->eval(promptTokens, 0);
  const double promptSeconds = secondsSince(promptStart);
  const auto genStart = Clock::now();
  uint32_t generated = 0;
  while (logits && generated < maxTokens) {
    const int32_t next = sampler.sample(*logits);
    if (tokenizer->isEndOfGeneration(next))
      break;
    ++generated;
    const std::string text = decoder.push(next);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    if (generated < maxTokens)
      logits = (*model)->eval(std::span(&next, 1), (*model)->kvLength());
  }
  const std::string tail = decoder.flush();
  std::fwrite(tail.data(), 1, tail.size(), stdout);
  std::fputc('\n', stdout);
  if (!logits) {
    printError(logits.error().message);
    return 1;
  }
  const double genSeconds = secondsSince(genStart);
  std::fprintf(stderr, "%s\nload %.2f s · prompt %zu tokens in %.2f s (%.1f tok/s) · generated %u tokens in %.2f s "
               "(%.2f tok/s)\n",
               (*model)->backendDescription().c_str(), loadSeconds, promptTokens.size(), promptSeconds,
               promptTokens.size() / std::max(promptSeconds, 1e-9), generated, genSeconds,
               generated / std::max(genSeconds, 1e-9));
  return 0;
}

} // namespace hearth::cli
