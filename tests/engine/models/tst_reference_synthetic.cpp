// The reference backend on synthetic models against llama.cpp: qwen2 (QKV biases, NeoX
// RoPE, GQA 4, tied output, Q4_K/Q6_K) and llama (Q5_K, Q4_0, F16 embeddings, BF16
// output), which the demo model does not cover. The models are rebuilt here with the
// spec hearth-synth was given (tests/fixtures/llamacpp/make_synthetic_fixture.mjs) and
// must be byte-identical to the files llama.cpp evaluated.
#include "agreement.h"
#include "models/reference_model.h"
#include "models/synthetic.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>

using namespace hearth;

namespace {

std::string fnv1a64(const std::vector<std::byte> &bytes)
{
  uint64_t h = 0xcbf29ce484222325ull;
  for (std::byte b : bytes) {
    h ^= uint64_t(b);
    h *= 0x100000001b3ull;
  }
  return fmt::format("{:016x}", h);
}

void checkSynthetic(const std::string &name, const models::SyntheticSpec &spec, float maxDiff)
{
  const char *fixtures = std::getenv("HEARTH_FIXTURES");
  const char *data = std::getenv("HEARTH_DATA_DIR");
  ASSERT_TRUE(fixtures && data);
  const auto fixturePath = std::filesystem::path(fixtures) / "llamacpp" / ("synthetic-" + name + ".json");
  std::ifstream in(fixturePath);
  ASSERT_TRUE(in) << fixturePath;
  const auto json = nlohmann::json::parse(in);

  auto writer = models::buildSyntheticModel(spec);
  ASSERT_TRUE(writer) << writer.error().message;
  const auto bytes = writer->bytes();
  ASSERT_EQ(bytes.size(), json.at("modelBytes").get<size_t>()) << "synthetic model changed: regenerate the fixture";
  ASSERT_EQ(fnv1a64(bytes), json.at("modelFnv1a64").get<std::string>()) << "synthetic model changed: regenerate the fixture";
  std::filesystem::create_directories(data);
  const auto modelPath = std::filesystem::path(data) / ("synthetic-" + name + ".gguf");
  ASSERT_TRUE(writer->write(modelPath));

  const auto fixture = test::loadLlamaCppFixture(fixturePath);
  ASSERT_EQ(fixture.prompts.size(), 1u);
  LoadOptions options;
  options.contextLength = 128;
  for (auto rounding : {ops::ref::Rounding::Exact, ops::ref::Rounding::Ggml}) {
    auto model = models::loadReferenceModel(modelPath, options, rounding);
    ASSERT_TRUE(model) << model.error().message;
    test::AgreementReport report;
    report.prompts.push_back(test::checkPrompt(**model, fixture.prompts[0]));
    const bool exact = rounding == ops::ref::Rounding::Exact;
    report.print("synthetic " + name + (exact ? " (exact)" : " (ggml rounding)") + " vs llama.cpp");
    // maxDiff is ~5x what llama.cpp's own rounding gives; the other RoPE style moves
    // logits ~25x as far (qwen2: 21.8 vs 0.78; llama: 1.29 vs 0.035) and flips top-1s.
    EXPECT_LE(report.maxLogitDiff(), maxDiff);
    EXPECT_GE(report.top1Rate(), 0.9);
  }
}

} // namespace

TEST(ReferenceSynthetic, Qwen2AgreesWithLlamaCpp)
{
  models::SyntheticSpec s;
  s.architecture = "qwen2";
  s.nHead = 8;
  s.nHeadKv = 2;
  s.attentionType = TensorType::Q4_K;
  s.feedForwardType = TensorType::Q6_K;
  s.ropeFreqBase = 1000000.0f;
  s.rmsEps = 1e-6f;
  s.tiedEmbeddings = true; // logits ~150: tied embeddings of std 1
  checkSynthetic("qwen2", s, 4.0f);
}

TEST(ReferenceSynthetic, LlamaAgreesWithLlamaCpp)
{
  models::SyntheticSpec s;
  s.attentionType = TensorType::Q5_K;
  s.feedForwardType = TensorType::Q4_0;
  s.embeddingType = TensorType::F16;
  s.outputType = TensorType::BF16;
  checkSynthetic("llama", s, 0.2f);
}
