// The reference backend on the demo model (SmolLM2-135M-Instruct Q4_1) against llama.cpp's
// logits and greedy continuations (tests/fixtures/llamacpp/smollm2-135m-instruct-q4_1.json).
//
// What agreement is possible: this model's logits move by up to ~1 with the rounding of
// activations. llama.cpp against itself (CPU, flash attention on vs off) agrees on the
// top-1 token at 96.9% of the 545 positions, max |logit diff| 1.10, and only 3 of the 10
// greedy continuations stay identical. The reference with ggml-style rounding measured
// 97.98% top-1, max diff 1.51, 2/10 identical continuations, every first continuation
// token identical (all ten prompts); with exact math, see the commit notes. So the test
// asserts top-1 ≥ 96% and the first greedy token, and prints the rest.
//
// The reference is slow (~0.1 s of CPU per token): the test runs every fifth prompt (2 of
// 10: a chat and a plain-text prompt, 61 positions, ~190 tokens, ~20 s of CPU); HEARTH_AGREEMENT_ALL=1 runs all ten, HEARTH_AGREEMENT_PROMPT=name
// one, HEARTH_AGREEMENT_EXACT=1 uses exact math, HEARTH_AGREEMENT_VERBOSE=1 prints every
// position.
#include "agreement.h"
#include "models/reference_model.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

using namespace hearth;

TEST(ReferenceModel, AgreesWithLlamaCppOnTheDemoModel)
{
  const char *modelPath = std::getenv("HEARTH_DEMO_MODEL");
  const char *fixtures = std::getenv("HEARTH_FIXTURES");
  ASSERT_TRUE(modelPath && fixtures) << "HEARTH_DEMO_MODEL and HEARTH_FIXTURES must be set";
  ASSERT_TRUE(std::filesystem::exists(modelPath))
      << "demo model missing at " << modelPath << " (packaging/fetch-demo-model.sh fetches it)";
  const auto fixture = test::loadLlamaCppFixture(std::filesystem::path(fixtures) / "llamacpp" /
                                                 "smollm2-135m-instruct-q4_1.json");
  ASSERT_EQ(fixture.prompts.size(), 10u);

  LoadOptions options;
  options.backend = BackendKind::Reference;
  options.contextLength = 512;
  const bool exact = std::getenv("HEARTH_AGREEMENT_EXACT") != nullptr;
  auto model = models::loadReferenceModel(modelPath, options,
                                          exact ? ops::ref::Rounding::Exact : ops::ref::Rounding::Ggml);
  ASSERT_TRUE(model) << model.error().message;

  const bool all = std::getenv("HEARTH_AGREEMENT_ALL") != nullptr;
  const char *only = std::getenv("HEARTH_AGREEMENT_PROMPT");
  test::AgreementReport report;
  const auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < fixture.prompts.size(); ++i) {
    const auto &prompt = fixture.prompts[i];
    if (only ? prompt.name == only : (all || i % 5 == 0))
      report.prompts.push_back(test::checkPrompt(**model, prompt));
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  report.print(std::string("reference (") + (exact ? "exact" : "ggml rounding") + ") vs llama.cpp (CPU)");
  std::printf("(%zu prompts in %.1f s)\n", report.prompts.size(), seconds);

  EXPECT_GE(report.top1Rate(), 0.96);
  for (const auto &p : report.prompts)
    EXPECT_GE(p.greedyMatched, 1u) << p.name << ": first greedy token differs";
}
