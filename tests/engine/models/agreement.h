// Agreement of a Hearth model with llama.cpp's reference fixture
// (tests/fixtures/llamacpp/, made by make_fixture.mjs). Shared by every backend's
// real-model test:
//
//   auto fixture = loadLlamaCppFixture(fixturesDir / "llamacpp/smollm2-135m-instruct-q4_1.json");
//   for (const auto &p : fixture.prompts) report.add(checkPrompt(*model, p));
//   report.print(); EXPECT_GE(report.top1Rate(), 0.99);
#pragma once

#include "hearth/model.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace hearth::test {

struct LlamaCppPrompt {
  std::string name;
  std::vector<int32_t> tokens;                // llama.cpp's tokenization of the prompt
  std::vector<std::vector<int32_t>> topIds;   // [position][10], best first
  std::vector<std::vector<float>> topLogits;  // [position][10]
  std::vector<int32_t> greedy;                // llama.cpp's greedy continuation
};

struct LlamaCppFixture {
  std::string model;
  std::vector<LlamaCppPrompt> prompts;
};

// Empty prompts (and a test failure) when the file is missing or malformed.
LlamaCppFixture loadLlamaCppFixture(const std::filesystem::path &path);

struct PromptAgreement {
  std::string name;
  size_t positions = 0;      // prompt positions compared
  size_t top1Agree = 0;      // positions whose argmax equals llama.cpp's top-1
  float maxLogitDiff = 0.0f; // max |ours − llama.cpp| over llama.cpp's top-10 at every position
  size_t greedyLength = 0;   // tokens of llama.cpp's continuation
  size_t greedyMatched = 0;  // leading continuation tokens that greedy decoding reproduces
  bool greedyIdentical() const { return greedyMatched == greedyLength; }
};

// Evaluates the prompt in one batch from an empty KV cache (every position's logits), then
// the continuation. Greedy decoding is deterministic, so the continuation is identical
// exactly when the argmax at each continuation step equals llama.cpp's next token.
// decodeContinuation: feed the continuation one token at a time, as llama.cpp produced it
// (a backend whose arithmetic depends on the batch size then matches it); otherwise in the
// same batch as the prompt (faster on backends that pay per submission). Fails the test on
// an engine error.
PromptAgreement checkPrompt(Model &model, const LlamaCppPrompt &prompt, bool decodeContinuation = false);

struct AgreementReport {
  std::vector<PromptAgreement> prompts;
  size_t positions() const;
  double top1Rate() const;
  float maxLogitDiff() const;
  size_t greedyIdentical() const;
  void print(const std::string &title) const; // one line per prompt and a summary
};

} // namespace hearth::test
