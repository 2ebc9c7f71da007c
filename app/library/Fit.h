// Will a model fit this machine? Memory a model needs at a chosen context length,
// compared with the device's memory budget (the engine's device report provides the
// budget; here it is a plain number so the computation is testable).
//
//   need = weights (the GGUF file size) + KV cache + working buffers
//   KV cache (f16) = 2 (K and V) * layers * context * kv_heads * head_dim * 2 bytes
//
// Verdict: "fits" when need <= 80 % of the budget, "tight" up to 100 %, "won't fit"
// beyond; "unknown" when there is no budget yet.
#pragma once

#include <cstdint>

namespace hearth::library {

struct ModelShape {
  uint32_t layers = 0;   // block_count
  uint32_t kvHeads = 0;  // attention.head_count_kv
  uint32_t headDim = 0;  // attention.key_length (embedding_length / head_count)
};

// Stored nowhere; QML sees the numbers through CatalogModel's fit role.
enum class FitVerdict { Unknown = 0, Fits = 1, Tight = 2, WontFit = 3 };

uint64_t kvCacheBytes(const ModelShape &shape, uint64_t contextLength);
// Scratch and activation buffers: 5 % of the weights plus 64 MiB.
uint64_t workingBytes(uint64_t weightBytes);
uint64_t memoryNeeded(uint64_t weightBytes, const ModelShape &shape, uint64_t contextLength);
FitVerdict fitVerdict(uint64_t needBytes, uint64_t budgetBytes);
const char *fitVerdictName(FitVerdict verdict); // "fits", "tight", "won't fit", "unknown"

} // namespace hearth::library
