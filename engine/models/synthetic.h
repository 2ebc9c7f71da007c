// Random-weight models written as GGUF files, for tests and benchmarks.
//
// A synthetic model has the exact tensor layout and metadata of a real llama or qwen2
// model (seeded random weights, chosen dimensions and quant types) and a small valid
// byte-level BPE vocabulary, so that Hearth and llama.cpp both load it.
//
//   models::SyntheticSpec spec;                 // a tiny llama
//   spec.architecture = "qwen2";
//   spec.matrixType = TensorType::Q4_K;
//   if (auto s = models::writeSyntheticModel(dir / "tiny.gguf", spec); !s) report(s.error());
#pragma once

#include "hearth/error.h"
#include "hearth/gguf.h"
#include "hearth/tensor_type.h"

#include <cstdint>
#include <filesystem>
#include <string>

namespace hearth::models {

struct SyntheticSpec {
  std::string architecture = "llama"; // "llama" or "qwen2" (QKV biases, NeoX RoPE)
  uint32_t nLayer = 2;
  uint32_t nEmbd = 256;
  uint32_t nHead = 4;
  uint32_t nHeadKv = 2;
  uint32_t headDim = 0; // 0: nEmbd / nHead
  uint32_t nFf = 512;
  uint32_t nVocab = 1024; // at least 259 (bytes and three special tokens)
  uint32_t contextLength = 2048;
  float ropeFreqBase = 10000.0f;
  float rmsEps = 1e-5f;
  bool tiedEmbeddings = false;
  // Quant type per tensor class (norms and biases are always F32). Row lengths must be
  // multiples of the chosen types' block sizes (256 for the K-quants).
  TensorType embeddingType = TensorType::Q8_0; // token_embd
  TensorType outputType = TensorType::Q8_0;    // output (unless tied)
  TensorType attentionType = TensorType::Q8_0; // attn_q/k/v/output
  TensorType feedForwardType = TensorType::Q8_0; // ffn_gate/up/down
  uint64_t seed = 1;
};

// Builds the whole file in memory: metadata, vocabulary, tensors.
Result<gguf::GgufWriter> buildSyntheticModel(const SyntheticSpec &spec);

// buildSyntheticModel() then GgufWriter::write() (temporary file + rename).
Status writeSyntheticModel(const std::filesystem::path &path, const SyntheticSpec &spec);

// A qwen2-shaped model of ~0.57B parameters (Qwen2.5-0.5B's layers, vocabulary and heads
// of 64, with nEmbd 1024 instead of 896 so that every row holds whole K-quant blocks),
// `matrixType` for attention and feed-forward weights, Q8_0 embeddings, tied output.
SyntheticSpec qwen2HalfBillionSpec(TensorType matrixType, uint64_t seed = 1);

} // namespace hearth::models
