// Byte-level BPE (GPT-2 style): each byte of a pre-tokenized piece becomes a printable
// character, then adjacent symbols merge in the order of tokenizer.ggml.merges.
#pragma once

#include "hearth/error.h"
#include "hearth/tokenizer.h"
#include "vocab_index.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace hearth::tokenizer {

// GPT-2's byte <-> printable character map.
char32_t byteToChar(uint8_t byte);
// The byte a character stands for, or -1 when it is not one of the 256.
int charToByte(char32_t cp);

class BpeModel {
public:
  // `merges` as in GGUF: "left right"; rank = index, the first of duplicates counts.
  static Result<BpeModel> build(const std::vector<std::string> &tokens, const TokenMap &byText,
                                const std::vector<std::string> &merges, bool ignoreMerges);

  // Appends the ids of one pre-tokenized piece (raw UTF-8 bytes).
  void encodePiece(std::string_view bytes, std::vector<TokenId> &out) const;

private:
  // A symbol is a token id, or (>= n_vocab) a string that appears only inside merges.
  struct Merge {
    uint32_t rank;
    int32_t result;
  };
  static uint64_t key(int32_t left, int32_t right)
  {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
  }
  void emit(int32_t symbol, std::vector<TokenId> &out) const;

  const TokenMap *m_byText = nullptr;
  int32_t m_vocabSize = 0;
  bool m_ignoreMerges = false;
  std::array<int32_t, 256> m_byteSymbol{};      // symbol of each byte's character, -1 if none
  std::vector<std::string> m_extraSymbols;       // spellings of symbols >= n_vocab
  std::unordered_map<uint64_t, Merge> m_merges;  // (left, right) -> rank, merged symbol
};

} // namespace hearth::tokenizer
