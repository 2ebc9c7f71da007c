// The Vulkan backend against the reference backend (plain C++ forward on the CPU): logits
// at every position by NMSE, and prefill chunking / decode resubmission consistency.
#include "models/reference_model.h"
#include "models/synthetic.h"
#include "models/vulkan_model.h"
#include "op_test.h"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace hearth;

namespace {

std::filesystem::path demoModel()
{
  const char *path = std::getenv("HEARTH_DEMO_MODEL");
  EXPECT_TRUE(path && std::filesystem::exists(path)) << "demo model missing";
  return path ? path : "";
}

std::vector<int32_t> someTokens(size_t n, uint32_t vocab, uint32_t seed)
{
  std::vector<int32_t> t(n);
  uint32_t s = seed;
  for (auto &x : t) {
    s = s * 1664525u + 1013904223u;
    x = int32_t((s >> 8) % vocab);
  }
  return t;
}

// Logits of every position: in one eval (chunked by the model) or token by token.
std::vector<float> allLogits(Model &m, std::span<const int32_t> tokens, bool oneByOne)
{
  EXPECT_TRUE(m.truncate(0));
  const size_t vocab = m.config().nVocab;
  std::vector<float> out;
  if (!oneByOne) {
    auto l = m.eval(tokens, 0, true);
    EXPECT_TRUE(l.has_value()) << l.error().message;
    if (l)
      out.assign(l->begin(), l->end());
    return out;
  }
  for (size_t i = 0; i < tokens.size(); ++i) {
    auto l = m.eval(tokens.subspan(i, 1), uint32_t(i));
    EXPECT_TRUE(l.has_value()) << l.error().message;
    if (!l)
      return {};
    EXPECT_EQ(l->size(), vocab);
    out.insert(out.end(), l->begin(), l->end());
  }
  return out;
}

void expectPerPosition(const std::vector<float> &ref, const std::vector<float> &got, size_t vocab, double maxNmse,
                       const std::string &what)
{
  ASSERT_EQ(ref.size(), got.size()) << what;
  double worst = 0;
  for (size_t p = 0; p * vocab < ref.size(); ++p) {
    const std::span<const float> a(ref.data() + p * vocab, vocab), b(got.data() + p * vocab, vocab);
    worst = std::max(worst, test::nmse(a, b));
    EXPECT_TRUE(test::matches(a, b, maxNmse, what + " position " + std::to_string(p)));
  }
  std::printf("%s: worst NMSE over %zu positions %.3g\n", what.c_str(), ref.size() / vocab, worst);
}

} // namespace

TEST(VulkanModelDemo, MatchesTheReferenceBackend)
{
  LoadOptions options;
  options.contextLength = 256;
  auto ref = models::loadReferenceModel(demoModel(), options);
  ASSERT_TRUE(ref) << ref.error().message;
  auto vkm = models::loadVulkanModel(demoModel(), options, {.prefillChunk = 5});
  ASSERT_TRUE(vkm) << vkm.error().message;
  const auto tokens = someTokens(12, (*vkm)->config().nVocab, 1);
  const auto expected = allLogits(**ref, tokens, false);
  const size_t vocab = (*vkm)->config().nVocab;
  expectPerPosition(expected, allLogits(**vkm, tokens, false), vocab, 5e-4, "demo prefill");
  expectPerPosition(expected, allLogits(**vkm, tokens, true), vocab, 5e-4, "demo decode");
}

namespace {

struct SyntheticCase {
  const char *name;
  const char *architecture;
  TensorType matrices;
  TensorType embedding;
  bool tied;
  uint32_t nHeadKv;
};

void PrintTo(const SyntheticCase &c, std::ostream *os)
{
  *os << c.name;
}

std::filesystem::path writeModel(const SyntheticCase &c)
{
  models::SyntheticSpec spec;
  spec.architecture = c.architecture;
  spec.nLayer = 2;
  spec.nEmbd = 256;
  spec.nHead = 4;
  spec.nHeadKv = c.nHeadKv;
  spec.nFf = 512;
  spec.nVocab = 1024;
  spec.contextLength = 256;
  spec.tiedEmbeddings = c.tied;
  spec.embeddingType = c.embedding;
  spec.outputType = c.matrices;
  spec.attentionType = c.matrices;
  spec.feedForwardType = c.matrices;
  spec.seed = 7;
  const char *dir = std::getenv("HEARTH_DATA_DIR");
  const auto path = std::filesystem::path(dir ? dir : "/tmp") / (std::string(c.name) + ".gguf");
  std::filesystem::create_directories(path.parent_path());
  auto s = models::writeSyntheticModel(path, spec);
  EXPECT_TRUE(s) << s.error().message;
  return path;
}

class VulkanSynthetic : public ::testing::TestWithParam<SyntheticCase> {};

} // namespace

// Vulkan logits vs the reference forward at every position of a 100-token sequence,
// prefilled in chunks of 32 (so attention spans chunks and the cache is reused).
TEST_P(VulkanSynthetic, LogitsMatchTheReferenceAtEveryPosition)
{
  const auto path = writeModel(GetParam());
  LoadOptions options;
  options.contextLength = 128;
  auto ref = models::loadReferenceModel(path, options);
  ASSERT_TRUE(ref) << ref.error().message;
  auto vkm = models::loadVulkanModel(path, options, {.prefillChunk = 32});
  ASSERT_TRUE(vkm) << vkm.error().message;
  const auto tokens = someTokens(100, 1024, 3);
  const auto expected = allLogits(**ref, tokens, false);
  expectPerPosition(expected, allLogits(**vkm, tokens, false), 1024, 5e-4, GetParam().name);
}

INSTANTIATE_TEST_SUITE_P(
    Models, VulkanSynthetic,
    ::testing::Values(SyntheticCase{"llama_q8_0", "llama", TensorType::Q8_0, TensorType::Q8_0, false, 2},
                      SyntheticCase{"llama_q4_1_tied", "llama", TensorType::Q4_1, TensorType::Q4_1, true, 1},
                      SyntheticCase{"llama_q6_k", "llama", TensorType::Q6_K, TensorType::Q4_0, false, 4},
                      SyntheticCase{"llama_f16", "llama", TensorType::F16, TensorType::BF16, false, 2},
                      SyntheticCase{"qwen2_q4_k", "qwen2", TensorType::Q4_K, TensorType::Q8_0, true, 2},
                      SyntheticCase{"qwen2_q5_k", "qwen2", TensorType::Q5_K, TensorType::F32, false, 1},
                      SyntheticCase{"qwen2_q4_0", "qwen2", TensorType::Q4_0, TensorType::Q6_K, false, 4}),
    [](const auto &info) { return std::string(info.param.name); });

// Decode resubmits one recorded step per token; it must agree with prefill, and a
// truncated cache must be reusable. Weights split into small bindings on the way.
TEST(VulkanSyntheticDecode, DecodeTruncateAndSplitBindings)
{
  const auto path = writeModel({"qwen2_decode", "qwen2", TensorType::Q8_0, TensorType::Q8_0, false, 2});
  setenv("HEARTH_MAX_BINDING", "65536", 1); // token_embd (278 KB) becomes 5 ranges
  LoadOptions options;
  options.contextLength = 64;
  auto vkm = models::loadVulkanModel(path, options, {.prefillChunk = 7});
  unsetenv("HEARTH_MAX_BINDING");
  ASSERT_TRUE(vkm) << vkm.error().message;
  auto ref = models::loadReferenceModel(path, options);
  ASSERT_TRUE(ref) << ref.error().message;
  const auto tokens = someTokens(40, 1024, 5);
  const auto expected = allLogits(**ref, tokens, false);
  expectPerPosition(expected, allLogits(**vkm, tokens, true), 1024, 5e-4, "decode");
  // Keep the first 25 positions, evaluate the rest again: same logits.
  ASSERT_TRUE((*vkm)->truncate(25));
  auto again = (*vkm)->eval(std::span(tokens).subspan(25), 25, true);
  ASSERT_TRUE(again) << again.error().message;
  const std::vector<float> tail(expected.begin() + 25 * 1024, expected.end());
  expectPerPosition(tail, std::vector<float>(again->begin(), again->end()), 1024, 5e-4, "after truncate");
  // Wrong position, token out of range, past the context: errors, not crashes.
  EXPECT_FALSE((*vkm)->eval(std::span(tokens).subspan(0, 1), 3));
  const int32_t bad = 5000;
  EXPECT_FALSE((*vkm)->eval(std::span(&bad, 1), (*vkm)->kvLength()));
  EXPECT_FALSE((*vkm)->eval(someTokens(30, 1024, 1), (*vkm)->kvLength()));
}

// LoadOptions::profile: the decode step's report counts its dispatches, the weights it
// reads and the time of each op; without the option there is no report.
TEST(VulkanSyntheticDecode, ProfileReportsTheDecodeStep)
{
  const auto path = writeModel({"llama_profile", "llama", TensorType::Q8_0, TensorType::Q8_0, false, 2});
  LoadOptions options;
  options.contextLength = 32;
  auto plain = models::loadVulkanModel(path, options);
  ASSERT_TRUE(plain) << plain.error().message;
  options.profile = true;
  auto vkm = models::loadVulkanModel(path, options);
  ASSERT_TRUE(vkm) << vkm.error().message;
  const auto tokens = someTokens(6, 1024, 3);
  ASSERT_TRUE((*vkm)->eval(std::span(tokens).subspan(0, 2), 0)); // prefill: not a decode step
  EXPECT_EQ((*vkm)->profileReport(), "");
  for (uint32_t i = 2; i < tokens.size(); ++i) {
    ASSERT_TRUE((*vkm)->eval(std::span(tokens).subspan(i, 1), i));
    ASSERT_TRUE((*plain)->eval(std::span(tokens).subspan(i - 2, 1), i - 2));
  }
  const std::string report = (*vkm)->profileReport();
  std::printf("%s", report.c_str());
  EXPECT_NE(report.find("(4 steps, GPU timestamps)"), std::string::npos) << report;
  EXPECT_NE(report.find("1 submit per token"), std::string::npos) << report;
  EXPECT_NE(report.find("rms_norm"), std::string::npos) << report;
  EXPECT_NE(report.find("MB of weights read per token"), std::string::npos) << report;
  EXPECT_EQ((*plain)->profileReport(), "");
}

// With ggmlRounding the Vulkan forward computes the reference's Ggml arithmetic: bit for bit
// where every matrix has an exact kernel (Q4_0/Q4_1/Q8_0), in a batch and token by token.
// K-quant matrices take rounded activations with ordinary fp32 sums: there rounding to Q8
// steps turns last-bit differences (summation order) into whole steps now and then.
TEST(VulkanSyntheticGgml, TracksTheReferenceGgmlRounding)
{
  for (const SyntheticCase c : {SyntheticCase{"ggml_llama_q4_1", "llama", TensorType::Q4_1, TensorType::Q8_0, true, 1},
                                SyntheticCase{"ggml_qwen2_q4_k", "qwen2", TensorType::Q4_K, TensorType::Q8_0, false, 2}}) {
    const auto path = writeModel(c);
    LoadOptions options;
    options.contextLength = 64;
    auto ref = models::loadReferenceModel(path, options, ops::ref::Rounding::Ggml);
    ASSERT_TRUE(ref) << ref.error().message;
    auto exact = models::loadReferenceModel(path, options);
    ASSERT_TRUE(exact) << exact.error().message;
    auto vkm = models::loadVulkanModel(path, options, {.prefillChunk = 16, .ggmlRounding = true});
    ASSERT_TRUE(vkm) << vkm.error().message;
    const auto tokens = someTokens(40, 1024, 9);
    const auto expected = allLogits(**ref, tokens, false);
    const auto got = allLogits(**vkm, tokens, false);
    expectPerPosition(expected, got, 1024, 1e-3, c.name);
    if (c.matrices == TensorType::Q4_1) {
      EXPECT_TRUE(expected == got) << c.name << ": a batch's logits differ from the Ggml reference's bits";
      EXPECT_TRUE(allLogits(**ref, tokens, true) == allLogits(**vkm, tokens, true))
          << c.name << ": token-by-token logits differ from the Ggml reference's bits";
    }
    // On random weights the Q8 steps amplify last-bit differences about as much as the
    // rounding itself moves the logits, so this is a bound, not a closeness ranking.
    const auto exactLogits = allLogits(**exact, tokens, false);
    std::printf("%s: NMSE to the Ggml reference %.3g, to the exact one %.3g\n", c.name, test::nmse(expected, got),
                test::nmse(exactLogits, got));
  }
}
