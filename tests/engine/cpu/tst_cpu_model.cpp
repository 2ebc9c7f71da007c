// The native CPU backend's model against the reference backend (plain C++ forward): logits
// at every position of synthetic models in every quant family, llama and qwen2, GQA 1/2/4;
// prefill in one batch vs in slices vs token by token; truncate and KV reuse; the demo
// model; input errors and the memory budget refusal; load progress and cancellation.
#include "cpu/cpu_model.h"
#include "cpu/matmul.h"
#include "cpu_test_util.h"
#include "models/reference_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <string_view>

using namespace hearth;
using test::allLogits;
using test::expectPerPosition;
using test::someTokens;

namespace {

struct SyntheticCase {
  const char *name;
  const char *architecture;
  TensorType matrices;
  TensorType embedding;
  bool tied;
  uint32_t nHeadKv;
};

void PrintTo(const SyntheticCase &c, std::ostream *os) { *os << c.name; }

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
  spec.seed = 11;
  const auto path = test::dataDir() / (std::string(c.name) + ".gguf");
  auto s = models::writeSyntheticModel(path, spec);
  EXPECT_TRUE(s) << s.error().message;
  return path;
}

Result<std::unique_ptr<Model>> cpuModel(const std::filesystem::path &path, uint32_t ctx, uint32_t batch,
                                        size_t threads = 2)
{
  LoadOptions options;
  options.contextLength = ctx;
  return cpu::loadCpuModel(path, options, {.threads = threads, .batch = batch});
}

class CpuSynthetic : public ::testing::TestWithParam<SyntheticCase> {};

} // namespace

// Logits at every position of a 100-token sequence, prefilled in slices of 32 tokens
// (attention across slices, the cache reused), against the reference with the same
// activation rounding (Ggml: Q8 blocks before each product, as llama.cpp's CPU backend),
// and within a looser bound of exact math (Q8_K's 256-blocks cost most).
TEST_P(CpuSynthetic, LogitsMatchTheReferenceAtEveryPosition)
{
  const auto path = writeModel(GetParam());
  LoadOptions options;
  options.contextLength = 128;
  auto ref = models::loadReferenceModel(path, options, ops::ref::Rounding::Ggml);
  ASSERT_TRUE(ref) << ref.error().message;
  auto exact = models::loadReferenceModel(path, options);
  ASSERT_TRUE(exact) << exact.error().message;
  auto cpum = cpuModel(path, 128, 32);
  ASSERT_TRUE(cpum) << cpum.error().message;
  EXPECT_EQ((*cpum)->backendKind(), BackendKind::Cpu);
  const auto tokens = someTokens(100, 1024, 3);
  const auto got = allLogits(**cpum, tokens, false);
  expectPerPosition(allLogits(**ref, tokens, false), got, 1024, 5e-4, std::string(GetParam().name) + " vs Ggml");
  expectPerPosition(allLogits(**exact, tokens, false), got, 1024, 2e-3, std::string(GetParam().name) + " vs exact");
}

INSTANTIATE_TEST_SUITE_P(
    Models, CpuSynthetic,
    ::testing::Values(SyntheticCase{"llama_q8_0", "llama", TensorType::Q8_0, TensorType::Q8_0, false, 2},
                      SyntheticCase{"llama_q4_1_tied", "llama", TensorType::Q4_1, TensorType::Q4_1, true, 1},
                      SyntheticCase{"llama_q6_k", "llama", TensorType::Q6_K, TensorType::Q4_0, false, 4},
                      SyntheticCase{"llama_f16", "llama", TensorType::F16, TensorType::BF16, false, 2},
                      SyntheticCase{"qwen2_q4_k", "qwen2", TensorType::Q4_K, TensorType::Q8_0, true, 2},
                      SyntheticCase{"qwen2_q5_k", "qwen2", TensorType::Q5_K, TensorType::F32, false, 1},
                      SyntheticCase{"qwen2_q4_0", "qwen2", TensorType::Q4_0, TensorType::Q6_K, false, 4},
                      SyntheticCase{"qwen2_q4_1", "qwen2", TensorType::Q4_1, TensorType::Q8_0, false, 2}),
    [](const auto &info) { return std::string(info.param.name); });

// One batch and slices of 7 give the same logits; token by token too up to the activation
// quantization's steps (a single token's attention sums in another order, as llama.cpp's
// does, and a last-bit difference that crosses a Q8 step moves a position by NMSE ~1e-4);
// a truncated cache is reusable; bad input is an error.
TEST(CpuModel, BatchSlicesDecodeAndTruncateAgree)
{
  const auto path = writeModel({"qwen2_decode", "qwen2", TensorType::Q4_K, TensorType::Q8_0, false, 2});
  auto whole = cpuModel(path, 64, 64);
  auto sliced = cpuModel(path, 64, 7, 3);
  ASSERT_TRUE(whole) << whole.error().message;
  ASSERT_TRUE(sliced) << sliced.error().message;
  const auto tokens = someTokens(40, 1024, 5);
  const auto batch = allLogits(**whole, tokens, false);
  expectPerPosition(batch, allLogits(**sliced, tokens, false), 1024, 1e-6, "slices of 7 vs one batch");
  expectPerPosition(batch, allLogits(**whole, tokens, true), 1024, 1e-3, "token by token vs one batch");

  // Keep 25 positions, evaluate the rest again: the same logits.
  Model &m = **whole;
  ASSERT_TRUE(m.truncate(25));
  EXPECT_EQ(m.kvLength(), 25u);
  auto again = m.eval(std::span(tokens).subspan(25), 25, true);
  ASSERT_TRUE(again) << again.error().message;
  const std::vector<float> tail(batch.begin() + 25 * 1024, batch.end());
  expectPerPosition(tail, std::vector<float>(again->begin(), again->end()), 1024, 1e-6, "after truncate");
  // Last-token logits only: the last row of the full set.
  ASSERT_TRUE(m.truncate(10));
  auto last = m.eval(std::span(tokens).subspan(10), 10);
  ASSERT_TRUE(last) << last.error().message;
  ASSERT_EQ(last->size(), 1024u);
  EXPECT_TRUE(test::matches(std::vector<float>(batch.end() - 1024, batch.end()), std::vector<float>(last->begin(), last->end()),
                            1e-6, "last logits"));

  // Wrong position, token out of range, past the context, truncate past the end.
  EXPECT_FALSE(m.eval(std::span(tokens).subspan(0, 1), 3));
  const int32_t bad = 5000;
  EXPECT_FALSE(m.eval(std::span(&bad, 1), m.kvLength()));
  EXPECT_FALSE(m.eval(someTokens(30, 1024, 1), m.kvLength()));
  EXPECT_FALSE(m.eval({}, m.kvLength()));
  EXPECT_FALSE(m.truncate(m.kvLength() + 1));
}

// The CPU backend computes the reference's Ggml rounding (llama.cpp's CPU arithmetic) bit
// for bit on the demo model (Q4_1, Q8_0): the same logits, a batch (in slices of 5) against
// the reference's batch and token by token against the reference token by token (a single
// token's attention sums in another order). A wrong op or order gives NMSE > 1e-6.
TEST(CpuModel, DemoModelMatchesTheReference)
{
  LoadOptions options;
  options.contextLength = 64;
  auto ref = models::loadReferenceModel(test::demoModel(), options, ops::ref::Rounding::Ggml);
  ASSERT_TRUE(ref) << ref.error().message;
  auto cpum = cpu::loadCpuModel(test::demoModel(), options, {.batch = 5});
  ASSERT_TRUE(cpum) << cpum.error().message;
  std::printf("backend: %s\n", (*cpum)->backendDescription().c_str());
  EXPECT_NE((*cpum)->backendDescription().find("CPU · "), std::string::npos);
  const auto tokens = someTokens(12, (*cpum)->config().nVocab, 1);
  const size_t vocab = (*cpum)->config().nVocab;
  expectPerPosition(allLogits(**ref, tokens, false), allLogits(**cpum, tokens, false), vocab, 0.0, "demo prefill");
  expectPerPosition(allLogits(**ref, tokens, true), allLogits(**cpum, tokens, true), vocab, 0.0, "demo decode");
}

// A budget below what the model needs is refused before allocating, naming both sizes.
TEST(CpuModel, RefusesAModelLargerThanTheMemoryBudget)
{
  LoadOptions options;
  options.contextLength = 1024;
  auto m = cpu::loadCpuModel(test::demoModel(), options, {.memoryBudget = 50ull << 20});
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, ErrorCode::OutOfMemory);
  EXPECT_NE(m.error().message.find("needs"), std::string::npos) << m.error().message;
  EXPECT_NE(m.error().message.find("50 MiB are available"), std::string::npos) << m.error().message;
  EXPECT_TRUE(cpu::loadCpuModel(test::demoModel(), options, {.memoryBudget = 400ull << 20}));
}

// Loading reports rising progress up to 1 and, where the weights are packed (AVX2 or
// better, unless HEARTH_CPU_PACK=0), a cancel set during packing stops the load with
// Cancelled, not a model.
TEST(CpuModel, LoadingReportsProgressAndCanBeCancelledWhilePacking)
{
  LoadOptions options;
  options.contextLength = 64;
  std::vector<float> seen;
  options.progress = [&](float f) { seen.push_back(f); };
  ASSERT_TRUE(cpu::loadCpuModel(test::demoModel(), options));
  ASSERT_FALSE(seen.empty());
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_GE(seen.front(), 0.0f);
  EXPECT_EQ(seen.back(), 1.0f);

  std::atomic<bool> cancel{false};
  options.cancel = &cancel;
  options.progress = [&](float) { cancel = true; }; // the first report cancels
  auto m = cpu::loadCpuModel(test::demoModel(), options);
  const bool packed = seen.size() > 1; // reports before the final 1: packing ran
  const char *pack = std::getenv("HEARTH_CPU_PACK");
  EXPECT_EQ(packed, cpu::packs16(TensorType::Q4_1, cpu::detectIsa()) && !(pack && std::string_view(pack) == "0"));
  if (packed) {
    std::printf("packed on %s: cancelled during packing\n", cpu::isaName(cpu::detectIsa()));
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().code, ErrorCode::Cancelled);
    EXPECT_NE(m.error().message.find("cancelled"), std::string::npos) << m.error().message;
  } else {
    EXPECT_TRUE(m) << "nothing packed (this CPU, or HEARTH_CPU_PACK=0): the load completes";
  }
}
