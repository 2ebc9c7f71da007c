// Reading a model's hyperparameters and weights table from its GGUF file.
//
//   auto file = gguf::GgufFile::open(path);
//   auto config = models::readModelConfig(*file);          // refuses unknown architectures
//   auto weights = models::readModelWeights(*file, *config); // shapes and types checked
//
// Supported: llama (SmolLM2, Llama 3.x, Mistral) and qwen2 (Qwen2.5, R1-Distill-Qwen).
#pragma once

#include "hearth/error.h"
#include "hearth/gguf.h"
#include "hearth/model.h"

#include <cstddef>
#include <string_view>
#include <vector>

namespace hearth::models {

// Architectures this engine runs ("llama", "qwen2").
bool isSupportedArchitecture(std::string_view architecture);

// Hyperparameters from metadata ("<arch>.block_count", ...). Errors name the file and the
// key or value at fault; an unsupported architecture, RoPE scaling or tensor layout is
// ErrorCode::Unsupported.
Result<ModelConfig> readModelConfig(const gguf::GgufFile &file);

// One weight tensor inside the mapped file: a matrix of `rows` rows of `cols` elements
// (GGUF's ne1 × ne0), or a vector (rows == 1).
struct WeightRef {
  std::string_view name;
  TensorType type = TensorType::F32;
  size_t rows = 0;
  size_t cols = 0;
  const std::byte *data = nullptr; // rows · rowBytes(type, cols) bytes
  explicit operator bool() const { return data != nullptr; }
};

struct LayerWeights {
  WeightRef attnNorm; // [nEmbd]
  WeightRef wq;       // [nHead·headDim][nEmbd]
  WeightRef wk;       // [nHeadKv·headDim][nEmbd]
  WeightRef wv;       // [nHeadKv·headDim][nEmbd]
  WeightRef bq;       // [nHead·headDim]    (qkvBias only)
  WeightRef bk;       // [nHeadKv·headDim]  (qkvBias only)
  WeightRef bv;       // [nHeadKv·headDim]  (qkvBias only)
  WeightRef wo;       // [nEmbd][nHead·headDim]
  WeightRef ffnNorm;  // [nEmbd]
  WeightRef gate;     // [nFf][nEmbd]
  WeightRef up;       // [nFf][nEmbd]
  WeightRef down;     // [nEmbd][nFf]
};

struct ModelWeights {
  WeightRef tokenEmbd;  // [nVocab][nEmbd]
  WeightRef outputNorm; // [nEmbd]
  WeightRef output;     // [nVocab][nEmbd]; token_embd itself when tiedEmbeddings
  WeightRef ropeFreqs;  // [ropeDims/2] optional (Llama 3.x frequency factors)
  std::vector<LayerWeights> layers; // [nLayer]
};

// Looks up every tensor the architecture needs, checking presence, shape and type.
Result<ModelWeights> readModelWeights(const gguf::GgufFile &file, const ModelConfig &config);

} // namespace hearth::models
