// The weights table: every tensor an architecture needs, checked for shape and type.
#include "models/model_config.h"

#include "ops/quant.h"

#include <filesystem>

namespace hearth::models {
namespace {

class Lookup {
public:
  explicit Lookup(const gguf::GgufFile &file)
      : m_file(file), m_name(std::filesystem::path(file.path()).filename().string())
  {
  }

  // A 2-D tensor of `rows` rows × `cols` columns, or (rows == 0) a vector of `cols`.
  Result<WeightRef> get(const std::string &tensor, size_t rows, size_t cols, bool optional = false)
  {
    const gguf::TensorInfo *t = m_file.findTensor(tensor);
    if (!t) {
      if (optional)
        return WeightRef{};
      return fail(ErrorCode::Format, "[model] {}: tensor '{}' is missing", m_name, tensor);
    }
    if (!ops::isSupportedType(t->type))
      return fail(ErrorCode::Unsupported,
                  "[model] {}: tensor '{}' has type {}, which Hearth does not support", m_name,
                  tensor, tensorTypeName(t->type));
    const bool vector = rows == 0;
    const size_t wantDims = vector ? 1 : 2;
    const bool shapeOk = t->nDims == wantDims && t->dims[0] == cols &&
                         (vector || t->dims[1] == rows);
    if (!shapeOk)
      return fail(ErrorCode::Format, "[model] {}: tensor '{}' has shape [{}, {}] ({} dims), expected [{}, {}]",
                  m_name, tensor, t->dims[0], t->dims[1], t->nDims, cols, vector ? 1 : rows);
    const size_t blockElems = tensorTypeInfo(t->type).blockElements;
    if (cols % blockElems != 0)
      return fail(ErrorCode::Format, "[model] {}: tensor '{}' rows of {} are not whole {} blocks",
                  m_name, tensor, cols, tensorTypeName(t->type));
    const size_t nRows = vector ? 1 : rows;
    if (t->data.size() != nRows * ops::rowBytes(t->type, cols))
      return fail(ErrorCode::Format, "[model] {}: tensor '{}' holds {} bytes, expected {}", m_name,
                  tensor, t->data.size(), nRows * ops::rowBytes(t->type, cols));
    return WeightRef{t->name, t->type, nRows, cols, t->data.data()};
  }

private:
  const gguf::GgufFile &m_file;
  std::string m_name;
};

} // namespace

Result<ModelWeights> readModelWeights(const gguf::GgufFile &file, const ModelConfig &c)
{
  Lookup lookup(file);
  ModelWeights w;
  const size_t qDim = size_t(c.nHead) * c.headDim, kvDim = size_t(c.nHeadKv) * c.headDim;
  // Assigns lookup.get(...) to `field`, returning the error from this function.
#define HEARTH_WEIGHT(field, ...)                                                                  \
  do {                                                                                             \
    auto r = lookup.get(__VA_ARGS__);                                                              \
    if (!r)                                                                                        \
      return std::unexpected(r.error());                                                           \
    field = *r;                                                                                    \
  } while (0)

  HEARTH_WEIGHT(w.tokenEmbd, "token_embd.weight", c.nVocab, c.nEmbd);
  HEARTH_WEIGHT(w.outputNorm, "output_norm.weight", 0, c.nEmbd);
  if (c.tiedEmbeddings)
    w.output = w.tokenEmbd;
  else
    HEARTH_WEIGHT(w.output, "output.weight", c.nVocab, c.nEmbd);
  HEARTH_WEIGHT(w.ropeFreqs, "rope_freqs.weight", 0, c.ropeDims / 2, true);
  if (w.ropeFreqs && w.ropeFreqs.type != TensorType::F32)
    return fail(ErrorCode::Unsupported, "[model] tensor 'rope_freqs.weight' must be F32");

  w.layers.resize(c.nLayer);
  for (uint32_t i = 0; i < c.nLayer; ++i) {
    LayerWeights &l = w.layers[i];
    const std::string p = "blk." + std::to_string(i) + ".";
    HEARTH_WEIGHT(l.attnNorm, p + "attn_norm.weight", 0, c.nEmbd);
    HEARTH_WEIGHT(l.wq, p + "attn_q.weight", qDim, c.nEmbd);
    HEARTH_WEIGHT(l.wk, p + "attn_k.weight", kvDim, c.nEmbd);
    HEARTH_WEIGHT(l.wv, p + "attn_v.weight", kvDim, c.nEmbd);
    if (c.qkvBias) {
      HEARTH_WEIGHT(l.bq, p + "attn_q.bias", 0, qDim);
      HEARTH_WEIGHT(l.bk, p + "attn_k.bias", 0, kvDim);
      HEARTH_WEIGHT(l.bv, p + "attn_v.bias", 0, kvDim);
    }
    HEARTH_WEIGHT(l.wo, p + "attn_output.weight", c.nEmbd, qDim);
    HEARTH_WEIGHT(l.ffnNorm, p + "ffn_norm.weight", 0, c.nEmbd);
    HEARTH_WEIGHT(l.gate, p + "ffn_gate.weight", c.nFf, c.nEmbd);
    HEARTH_WEIGHT(l.up, p + "ffn_up.weight", c.nFf, c.nEmbd);
    HEARTH_WEIGHT(l.down, p + "ffn_down.weight", c.nEmbd, c.nFf);
  }
#undef HEARTH_WEIGHT
  return w;
}

} // namespace hearth::models
