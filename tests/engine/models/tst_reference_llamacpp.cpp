// The reference backend on the demo model (SmolLM2-135M-Instruct Q4_1) against llama.cpp's
// logits and greedy continuations (tests/fixtures/llamacpp/smollm2-135m-instruct-q4_1.json).
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
  const auto rounding = std::getenv("HEARTH_AGREEMENT_EXACT") ? ops::ref::Rounding::Exact : ops::ref::Rounding::Ggml;
  auto model = models::loadReferenceModel(modelPath, options, rounding);
  ASSERT_TRUE(model) << model.error().message;

  test::AgreementReport report;
  const auto start = std::chrono::steady_clock::now();
  const char *only = std::getenv("HEARTH_AGREEMENT_PROMPT"); // one prompt, for debugging
  for (const auto &prompt : fixture.prompts)
    if (!only || prompt.name == only)
      report.prompts.push_back(test::checkPrompt(**model, prompt));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  report.print("reference vs llama.cpp (CPU)");
  std::printf("(%.1f s)\n", seconds);

  EXPECT_GE(report.top1Rate(), 0.99);
  EXPECT_GE(report.greedyIdentical(), 9u);
}
