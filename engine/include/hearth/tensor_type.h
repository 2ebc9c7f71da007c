// Tensor element types as GGUF stores them (ggml's numbering) and their block layout.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace hearth {

// Values are GGUF's on-disk type ids: never renumber.
enum class TensorType : uint32_t {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
  Q8_1 = 9,
  Q2_K = 10,
  Q3_K = 11,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  Q8_K = 15,
  IQ2_XXS = 16,
  IQ2_XS = 17,
  IQ3_XXS = 18,
  IQ1_S = 19,
  IQ4_NL = 20,
  IQ3_S = 21,
  IQ2_S = 22,
  IQ4_XS = 23,
  I8 = 24,
  I16 = 25,
  I32 = 26,
  I64 = 27,
  F64 = 28,
  IQ1_M = 29,
  BF16 = 30,
  TQ1_0 = 34,
  TQ2_0 = 35,
};

struct TensorTypeInfo {
  TensorType type;
  std::string_view name;   // "Q4_K"
  uint32_t blockElements;  // elements per block (1 for plain types)
  uint32_t blockBytes;     // bytes per block
  bool computeSupported;   // Hearth's engine can run matmuls over it
};

// nullopt for an id GGUF does not define (or that was retired).
std::optional<TensorTypeInfo> tensorTypeInfo(uint32_t id);
TensorTypeInfo tensorTypeInfo(TensorType type);
std::string_view tensorTypeName(TensorType type);
// Parses "q4_k" / "Q4_K" (case-insensitive).
std::optional<TensorType> tensorTypeFromName(std::string_view name);

// Bytes for `elements` of `type`; nullopt if elements is not a multiple of the block
// size or the product overflows.
std::optional<uint64_t> tensorBytes(TensorType type, uint64_t elements);

} // namespace hearth
