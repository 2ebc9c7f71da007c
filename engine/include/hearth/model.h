// A loaded language model that evaluates tokens, whatever backend runs it.
//
// The runtime drives every backend (Vulkan, native CPU, the plain reference) through
// this interface: evaluate a batch of tokens at the end of the KV cache, read logits,
// truncate the cache to reuse a common prefix.
//
//   LoadOptions opts;                 // backend Auto: a real GPU -> Vulkan, else CPU
//   auto model = loadModel("SmolLM2-135M-Instruct.Q4_1.gguf", opts);
//   if (!model) { report(model.error().message); return; }
//   auto logits = (*model)->eval(promptTokens, /*position=*/0);   // [n_vocab]
#pragma once

#include "hearth/error.h"
#include "hearth/tensor_type.h"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>

namespace hearth {

// Hyperparameters read from GGUF metadata.
struct ModelConfig {
  std::string architecture; // "llama", "qwen2"
  std::string name;
  uint32_t nLayer = 0;
  uint32_t nEmbd = 0;
  uint32_t nHead = 0;
  uint32_t nHeadKv = 0;
  uint32_t headDim = 0;    // nEmbd / nHead unless the file says otherwise
  uint32_t nFf = 0;
  uint32_t nVocab = 0;
  uint32_t contextTrain = 0; // context length the model was trained with
  uint32_t ropeDims = 0;
  float ropeFreqBase = 10000.0f;
  bool ropeNeox = false;     // qwen2: NeoX-style (halves) rotation; llama: interleaved pairs
  float rmsEps = 1e-5f;
  bool tiedEmbeddings = false; // output projection shares token_embd.weight
  bool qkvBias = false;
};

enum class BackendKind { Auto, Vulkan, Cpu, Reference };

struct LoadOptions {
  BackendKind backend = BackendKind::Auto;
  std::string device;          // Vulkan device index or name substring ("" = best)
  uint32_t contextLength = 4096; // KV cache size in tokens (clamped to the model's)
  std::function<void(float)> progress;     // 0..1 while loading
  const std::atomic<bool> *cancel = nullptr; // set to stop loading
  bool profile = false; // time every op of the decode step (Vulkan: timestamp queries)
};

class Model {
public:
  virtual ~Model() = default;

  virtual const ModelConfig &config() const = 0;
  virtual uint32_t contextLength() const = 0; // KV cache capacity in tokens

  // Evaluates `tokens` at positions [position, position + n). The KV cache must hold
  // exactly `position` tokens (call truncate() first to reuse a prefix). Returns the
  // logits of the last token ([nVocab]) or, with allLogits, of every token
  // ([n][nVocab]); the span stays valid until the next call.
  virtual Result<std::span<const float>> eval(std::span<const int32_t> tokens, uint32_t position,
                                              bool allLogits = false) = 0;

  virtual uint32_t kvLength() const = 0;
  virtual Status truncate(uint32_t length) = 0; // keep positions [0, length)

  // "Vulkan · llvmpipe (LLVM 15.0.6, 256 bits)" / "CPU · 2 threads, AVX2"
  virtual std::string backendDescription() const = 0;
  virtual BackendKind backendKind() const = 0;

  // With LoadOptions::profile: what one decode step costs (dispatches, submits, time per
  // op, bytes of weights read), averaged over the decode steps run so far. "" otherwise.
  virtual std::string profileReport() const { return {}; }
};

// Reads the GGUF file, checks architecture and tensor types, refuses a model that
// does not fit the device's memory budget (before allocating), uploads the weights.
Result<std::unique_ptr<Model>> loadModel(const std::filesystem::path &path, const LoadOptions &options);

} // namespace hearth
