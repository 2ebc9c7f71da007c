#include "models/reference_model.h"

#include "models/model_config.h"
#include "ops/cpu_ref.h"
#include "ops/quant.h"

#include <algorithm>
#include <vector>

namespace hearth::models {
namespace {

std::vector<float> dequantized(const WeightRef &w)
{
  std::vector<float> v(w.rows * w.cols);
  if (w)
    ops::dequantizeRow(w.type, w.data, v.data(), v.size());
  return v;
}

class ReferenceModel final : public Model {
public:
  ReferenceModel(gguf::GgufFile file, ModelConfig config, ModelWeights weights, uint32_t ctx,
                 ops::ref::Rounding rounding)
      : m_file(std::move(file)), m_config(std::move(config)), m_w(std::move(weights)), m_ctx(ctx),
        m_rounding(rounding)
  {
    const size_t kvWidth = size_t(m_config.nHeadKv) * m_config.headDim;
    m_layers.resize(m_config.nLayer);
    for (uint32_t i = 0; i < m_config.nLayer; ++i) {
      const LayerWeights &l = m_w.layers[i];
      Layer &L = m_layers[i];
      L.attnNorm = dequantized(l.attnNorm);
      L.ffnNorm = dequantized(l.ffnNorm);
      L.bq = dequantized(l.bq);
      L.bk = dequantized(l.bk);
      L.bv = dequantized(l.bv);
      L.k.assign(size_t(m_ctx) * kvWidth, 0);
      L.v.assign(size_t(m_ctx) * kvWidth, 0);
    }
    m_outputNorm = dequantized(m_w.outputNorm);
    if (m_w.ropeFreqs)
      m_ropeFreqs = dequantized(m_w.ropeFreqs);
  }

  const ModelConfig &config() const override { return m_config; }
  uint32_t contextLength() const override { return m_ctx; }
  uint32_t kvLength() const override { return m_kvLen; }
  std::string backendDescription() const override { return "Reference · plain C++ on the CPU"; }
  BackendKind backendKind() const override { return BackendKind::Reference; }

  Status truncate(uint32_t length) override
  {
    if (length > m_kvLen)
      return fail(ErrorCode::InvalidArgument, "[reference] truncate to {} past KV length {}",
                  length, m_kvLen);
    m_kvLen = length;
    return {};
  }

  Result<std::span<const float>> eval(std::span<const int32_t> tokens, uint32_t position,
                                      bool allLogits) override
  {
    if (tokens.empty())
      return fail(ErrorCode::InvalidArgument, "[reference] eval of no tokens");
    if (position != m_kvLen)
      return fail(ErrorCode::InvalidArgument,
                  "[reference] eval at position {} but the KV cache holds {} tokens", position,
                  m_kvLen);
    if (tokens.size() > m_ctx - position)
      return fail(ErrorCode::InvalidArgument, "[reference] {} tokens at position {} exceed the context of {}",
                  tokens.size(), position, m_ctx);
    for (int32_t t : tokens)
      if (t < 0 || uint32_t(t) >= m_config.nVocab)
        return fail(ErrorCode::InvalidArgument, "[reference] token id {} outside the vocabulary of {}",
                    t, m_config.nVocab);
    forward(tokens, position, allLogits);
    m_kvLen = position + uint32_t(tokens.size());
    return std::span<const float>(m_logits);
  }

private:
  struct Layer {
    std::vector<float> attnNorm, ffnNorm; // [nEmbd]
    std::vector<float> bq, bk, bv;        // [nHead·headDim], [nHeadKv·headDim] ×2 (or empty)
    std::vector<uint16_t> k, v;           // [ctx][nHeadKv][headDim] f16
  };

  // Activations of one batch of n tokens.
  struct Scratch {
    std::vector<float> x, h;       // [n][nEmbd] residual stream, normed input
    std::vector<float> q, att;     // [n][nHead·headDim]
    std::vector<float> k, v;       // [n][nHeadKv·headDim]
    std::vector<float> gate, up;   // [n][nFf]
  };

  // y[n][rows] = x[n][cols] · Wᵀ
  void matmul(const WeightRef &w, const float *x, float *y, size_t n) const
  {
    ops::ref::matmul(w.type, w.data, w.rows, w.cols, x, y, n, m_rounding);
  }

  void attentionBlock(uint32_t il, Scratch &s, size_t n, uint32_t pos0)
  {
    const ModelConfig &c = m_config;
    const LayerWeights &w = m_w.layers[il];
    Layer &L = m_layers[il];
    const size_t qDim = size_t(c.nHead) * c.headDim, kvDim = size_t(c.nHeadKv) * c.headDim;
    const float *freqs = m_ropeFreqs.empty() ? nullptr : m_ropeFreqs.data();

    ops::ref::rmsNorm(s.x.data(), L.attnNorm.data(), s.h.data(), n, c.nEmbd, c.rmsEps, m_rounding);
    matmul(w.wq, s.h.data(), s.q.data(), n);
    matmul(w.wk, s.h.data(), s.k.data(), n);
    matmul(w.wv, s.h.data(), s.v.data(), n);
    if (c.qkvBias) {
      ops::ref::addBias(s.q.data(), L.bq.data(), n, qDim);
      ops::ref::addBias(s.k.data(), L.bk.data(), n, kvDim);
      ops::ref::addBias(s.v.data(), L.bv.data(), n, kvDim);
    }
    ops::ref::rope(s.q.data(), n, c.nHead, c.headDim, pos0, c.ropeDims, c.ropeFreqBase, c.ropeNeox, freqs, m_rounding);
    ops::ref::rope(s.k.data(), n, c.nHeadKv, c.headDim, pos0, c.ropeDims, c.ropeFreqBase, c.ropeNeox, freqs, m_rounding);
    ops::ref::kvWrite(L.k.data(), s.k.data(), n, pos0, c.nHeadKv, c.headDim);
    ops::ref::kvWrite(L.v.data(), s.v.data(), n, pos0, c.nHeadKv, c.headDim);
    ops::ref::attention(s.q.data(), L.k.data(), L.v.data(), s.att.data(), n, pos0, c.nHead,
                        c.nHeadKv, c.headDim, m_rounding);
    matmul(w.wo, s.att.data(), s.h.data(), n);
    ops::ref::add(s.x.data(), s.h.data(), n * c.nEmbd);
  }

  void feedForwardBlock(uint32_t il, Scratch &s, size_t n)
  {
    const ModelConfig &c = m_config;
    const LayerWeights &w = m_w.layers[il];
    ops::ref::rmsNorm(s.x.data(), m_layers[il].ffnNorm.data(), s.h.data(), n, c.nEmbd, c.rmsEps, m_rounding);
    matmul(w.gate, s.h.data(), s.gate.data(), n);
    matmul(w.up, s.h.data(), s.up.data(), n);
    ops::ref::swiglu(s.gate.data(), s.up.data(), s.gate.data(), n * c.nFf, m_rounding, c.nFf);
    matmul(w.down, s.gate.data(), s.h.data(), n);
    ops::ref::add(s.x.data(), s.h.data(), n * c.nEmbd);
  }

  void forward(std::span<const int32_t> tokens, uint32_t pos0, bool allLogits)
  {
    const ModelConfig &c = m_config;
    const size_t n = tokens.size();
    const size_t qDim = size_t(c.nHead) * c.headDim, kvDim = size_t(c.nHeadKv) * c.headDim;
    Scratch s;
    s.x.resize(n * c.nEmbd);
    s.h.resize(n * c.nEmbd);
    s.q.resize(n * qDim);
    s.att.resize(n * qDim);
    s.k.resize(n * kvDim);
    s.v.resize(n * kvDim);
    s.gate.resize(n * c.nFf);
    s.up.resize(n * c.nFf);

    ops::ref::embedding(m_w.tokenEmbd.type, m_w.tokenEmbd.data, c.nEmbd, tokens.data(), n, s.x.data());
    for (uint32_t il = 0; il < c.nLayer; ++il) {
      attentionBlock(il, s, n, pos0);
      feedForwardBlock(il, s, n);
    }
    // Final norm and logits: of every token, or only of the last one.
    const size_t first = allLogits ? 0 : n - 1, count = n - first;
    ops::ref::rmsNorm(s.x.data() + first * c.nEmbd, m_outputNorm.data(), s.h.data(), count, c.nEmbd,
                      c.rmsEps, m_rounding);
    m_logits.resize(count * c.nVocab);
    matmul(m_w.output, s.h.data(), m_logits.data(), count);
  }

  gguf::GgufFile m_file; // the mapping the weights point into
  ModelConfig m_config;
  ModelWeights m_w;
  uint32_t m_ctx;
  ops::ref::Rounding m_rounding;
  uint32_t m_kvLen = 0;
  std::vector<Layer> m_layers;       // [nLayer]
  std::vector<float> m_outputNorm;   // [nEmbd]
  std::vector<float> m_ropeFreqs;    // [ropeDims/2] or empty
  std::vector<float> m_logits;       // [1 or n][nVocab]
};

} // namespace

Result<std::unique_ptr<Model>> loadReferenceModel(const std::filesystem::path &path,
                                                  const LoadOptions &options,
                                                  ops::ref::Rounding rounding)
{
  auto file = gguf::GgufFile::open(path);
  if (!file)
    return std::unexpected(file.error());
  auto config = readModelConfig(*file);
  if (!config)
    return std::unexpected(config.error());
  auto weights = readModelWeights(*file, *config);
  if (!weights)
    return std::unexpected(weights.error());
  const uint32_t ctx = std::max<uint32_t>(1, std::min(options.contextLength, config->contextTrain));
  if (options.progress)
    options.progress(1.0f);
  return std::make_unique<ReferenceModel>(std::move(*file), std::move(*config), std::move(*weights), ctx,
                                          rounding);
}

} // namespace hearth::models
