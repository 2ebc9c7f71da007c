// Internal: the parsed contents of a GGUF file, shared by the parser and GgufFile.
#pragma once

#include "gguf/mapped_file.h"
#include "hearth/gguf.h"

#include <string>
#include <unordered_map>
#include <vector>

namespace hearth::gguf {

inline constexpr uint32_t k_defaultAlignment = 32;
inline constexpr uint32_t k_maxDims = 4;
inline constexpr uint32_t k_maxArrayDepth = 8; // arrays of arrays of ... (bounds recursion)

struct GgufData {
  std::string name;                // file name used in error messages
  MappedFile mapping;              // set by open()
  std::vector<std::byte> owned;    // set by fromMemory()
  std::span<const std::byte> bytes; // the whole file; every view below points into it

  uint32_t version = 0;
  uint32_t alignment = k_defaultAlignment;
  uint64_t dataOffset = 0;
  std::vector<MetadataEntry> metadata;
  std::vector<TensorInfo> tensors;
  std::unordered_map<std::string_view, size_t> keyIndex;    // key -> metadata index
  std::unordered_map<std::string_view, size_t> tensorIndex; // name -> tensors index
};

// A key or tensor name from the file made safe for a one-line message: control bytes
// become \xNN and anything past 96 bytes is cut ("...").
std::string printable(std::string_view name);

// Parses and validates `data.bytes`, filling everything else.
Status parseGguf(GgufData &data);

} // namespace hearth::gguf
