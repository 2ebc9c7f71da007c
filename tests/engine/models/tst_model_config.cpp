// Model config and weights table from GGUF metadata, refusals of what Hearth does not run,
// synthetic models, and the reference backend's KV-cache bookkeeping.
#include "models/model_config.h"
#include "models/reference_model.h"
#include "models/synthetic.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>

using namespace hearth;
using namespace hearth::models;

namespace {

Result<gguf::GgufFile> openSpec(const SyntheticSpec &spec)
{
  auto w = buildSyntheticModel(spec);
  if (!w)
    return std::unexpected(w.error());
  const auto bytes = w->bytes();
  return gguf::GgufFile::fromMemory(bytes, "synthetic.gguf");
}

std::filesystem::path dataDir()
{
  const char *d = std::getenv("HEARTH_DATA_DIR");
  std::filesystem::path p = d ? d : std::filesystem::temp_directory_path() / "hearth-models-test";
  std::filesystem::create_directories(p);
  return p;
}

SyntheticSpec qwen2Spec()
{
  SyntheticSpec s;
  s.architecture = "qwen2";
  s.nHead = 8;
  s.nHeadKv = 2; // GQA 4
  s.ropeFreqBase = 1000000.0f;
  s.rmsEps = 1e-6f;
  s.tiedEmbeddings = true;
  s.attentionType = TensorType::Q4_K;
  s.feedForwardType = TensorType::Q6_K;
  return s;
}

} // namespace

TEST(ModelConfig, ReadsLlamaHyperparameters)
{
  SyntheticSpec spec;
  spec.nLayer = 3;
  spec.outputType = TensorType::Q6_K;
  auto file = openSpec(spec);
  ASSERT_TRUE(file) << file.error().message;
  auto c = readModelConfig(*file);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->architecture, "llama");
  EXPECT_EQ(c->nLayer, 3u);
  EXPECT_EQ(c->nEmbd, 256u);
  EXPECT_EQ(c->nHead, 4u);
  EXPECT_EQ(c->nHeadKv, 2u);
  EXPECT_EQ(c->headDim, 64u);
  EXPECT_EQ(c->ropeDims, 64u);
  EXPECT_EQ(c->nFf, 512u);
  EXPECT_EQ(c->nVocab, 1024u);
  EXPECT_FALSE(c->ropeNeox);
  EXPECT_FALSE(c->qkvBias);
  EXPECT_FALSE(c->tiedEmbeddings);
  auto w = readModelWeights(*file, *c);
  ASSERT_TRUE(w) << w.error().message;
  ASSERT_EQ(w->layers.size(), 3u);
  EXPECT_EQ(w->output.type, TensorType::Q6_K);
  EXPECT_EQ(w->layers[2].wk.rows, 128u);
  EXPECT_EQ(w->layers[2].down.cols, 512u);
  EXPECT_FALSE(w->layers[0].bq);
}

TEST(ModelConfig, ReadsQwen2WithBiasesNeoxAndTiedOutput)
{
  auto file = openSpec(qwen2Spec());
  ASSERT_TRUE(file) << file.error().message;
  auto c = readModelConfig(*file);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_TRUE(c->ropeNeox);
  EXPECT_TRUE(c->qkvBias);
  EXPECT_TRUE(c->tiedEmbeddings);
  EXPECT_EQ(c->ropeFreqBase, 1000000.0f);
  EXPECT_FLOAT_EQ(c->rmsEps, 1e-6f);
  EXPECT_EQ(c->headDim, 32u);
  auto w = readModelWeights(*file, *c);
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(w->output.data, w->tokenEmbd.data);
  EXPECT_EQ(w->layers[1].bk.cols, 64u);
  EXPECT_EQ(w->layers[1].gate.type, TensorType::Q6_K);
}

TEST(ModelConfig, RefusesAnUnsupportedArchitectureByName)
{
  auto w = buildSyntheticModel(SyntheticSpec{});
  ASSERT_TRUE(w);
  w->setString("general.architecture", "mamba");
  const auto bytes = w->bytes();
  auto file = gguf::GgufFile::fromMemory(bytes, "m.gguf");
  ASSERT_TRUE(file) << file.error().message;
  auto c = readModelConfig(*file);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::Unsupported);
  EXPECT_NE(c.error().message.find("'mamba'"), std::string::npos) << c.error().message;
}

TEST(ModelConfig, RefusesAnUnsupportedTensorTypeByName)
{
  // Q4_0 and IQ4_NL blocks have the same size: retag one tensor as IQ4_NL in place.
  SyntheticSpec spec;
  spec.attentionType = TensorType::Q4_0;
  auto w = buildSyntheticModel(spec);
  ASSERT_TRUE(w);
  auto bytes = w->bytes();
  const std::string name = "blk.1.attn_v.weight";
  auto it = std::search(bytes.begin(), bytes.end(), reinterpret_cast<const std::byte *>(name.data()),
                        reinterpret_cast<const std::byte *>(name.data() + name.size()));
  ASSERT_NE(it, bytes.end());
  const size_t typeAt = size_t(it - bytes.begin()) + name.size() + 4 + 2 * 8; // n_dims, 2 dims
  uint32_t type;
  std::memcpy(&type, &bytes[typeAt], 4);
  ASSERT_EQ(type, uint32_t(TensorType::Q4_0));
  type = uint32_t(TensorType::IQ4_NL);
  std::memcpy(&bytes[typeAt], &type, 4);
  auto file = gguf::GgufFile::fromMemory(bytes, "t.gguf");
  ASSERT_TRUE(file) << file.error().message;
  auto c = readModelConfig(*file);
  ASSERT_TRUE(c);
  auto weights = readModelWeights(*file, *c);
  ASSERT_FALSE(weights);
  EXPECT_EQ(weights.error().code, ErrorCode::Unsupported);
  EXPECT_NE(weights.error().message.find("IQ4_NL"), std::string::npos) << weights.error().message;
  EXPECT_NE(weights.error().message.find(name), std::string::npos) << weights.error().message;
}

TEST(ModelConfig, RefusesAWrongShapeNamingTheTensor)
{
  auto w = buildSyntheticModel(SyntheticSpec{});
  ASSERT_TRUE(w);
  w->setU32("llama.feed_forward_length", 768); // tensors hold 512
  const auto bytes = w->bytes();
  auto file = gguf::GgufFile::fromMemory(bytes, "s.gguf");
  ASSERT_TRUE(file);
  auto c = readModelConfig(*file);
  ASSERT_TRUE(c);
  auto weights = readModelWeights(*file, *c);
  ASSERT_FALSE(weights);
  EXPECT_NE(weights.error().message.find("blk.0.ffn_gate.weight"), std::string::npos)
      << weights.error().message;
}

TEST(Synthetic, SameSeedSameBytesOtherSeedOtherBytes)
{
  auto a = buildSyntheticModel(SyntheticSpec{});
  auto b = buildSyntheticModel(SyntheticSpec{});
  SyntheticSpec other;
  other.seed = 2;
  auto c = buildSyntheticModel(other);
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->bytes(), b->bytes());
  EXPECT_NE(a->bytes(), c->bytes());
  SyntheticSpec bad;
  bad.nEmbd = 320; // not a multiple of 256: K-quant rows impossible
  bad.attentionType = TensorType::Q4_K;
  auto d = buildSyntheticModel(bad);
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message.find("Q4_K"), std::string::npos) << d.error().message;
}

// Incremental decoding, truncation and batch evaluation must all see the same cache.
TEST(ReferenceModel, IncrementalAndBatchEvaluationAgree)
{
  const auto path = dataDir() / "ref-qwen2.gguf";
  ASSERT_TRUE(writeSyntheticModel(path, qwen2Spec()));
  LoadOptions options;
  options.contextLength = 64;
  auto loaded = loadReferenceModel(path, options);
  ASSERT_TRUE(loaded) << loaded.error().message;
  Model &m = **loaded;
  EXPECT_EQ(m.contextLength(), 64u);
  EXPECT_EQ(m.backendKind(), BackendKind::Reference);
  const std::vector<int32_t> tokens = {5, 300, 17, 1023, 42, 42, 999, 0, 256, 77};
  const size_t nv = m.config().nVocab;

  auto batch = m.eval(tokens, 0, true);
  ASSERT_TRUE(batch) << batch.error().message;
  const std::vector<float> all(batch->begin(), batch->end());
  ASSERT_EQ(all.size(), tokens.size() * nv);
  EXPECT_EQ(m.kvLength(), tokens.size());
  for (float v : all)
    ASSERT_TRUE(std::isfinite(v));

  ASSERT_TRUE(m.truncate(0));
  for (size_t i = 0; i < tokens.size(); ++i) {
    auto one = m.eval(std::span(tokens).subspan(i, 1), uint32_t(i));
    ASSERT_TRUE(one) << one.error().message;
    ASSERT_EQ(one->size(), nv);
    for (size_t v = 0; v < nv; ++v)
      ASSERT_EQ((*one)[v], all[i * nv + v]) << "token " << i << " logit " << v;
  }
  ASSERT_TRUE(m.truncate(4)); // reuse a prefix
  auto tail = m.eval(std::span(tokens).subspan(4), 4);
  ASSERT_TRUE(tail);
  EXPECT_EQ(std::vector<float>(tail->begin(), tail->end()),
            std::vector<float>(all.end() - nv, all.end()));

  // Input errors are values, and leave the cache as it was.
  EXPECT_FALSE(m.eval(tokens, 3));                        // cache holds 10
  EXPECT_FALSE(m.eval(std::vector<int32_t>{1024}, 10));   // outside the vocabulary
  EXPECT_FALSE(m.eval(std::vector<int32_t>(60, 1), 10));  // past the context
  EXPECT_FALSE(m.truncate(11));
  EXPECT_EQ(m.kvLength(), 10u);
}
