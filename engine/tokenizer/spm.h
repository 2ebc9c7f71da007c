// SentencePiece-style BPE (Llama 2, Gemma): UTF-8 characters merge pairwise, the pair whose
// merged spelling is the token with the highest score first; what no token spells falls back
// to <0xNN> byte tokens.
#pragma once

#include "hearth/error.h"
#include "hearth/tokenizer.h"
#include "vocab_index.h"

#include <array>
#include <string_view>
#include <vector>

namespace hearth::tokenizer {

// The byte a token spelled exactly "<0xNN>" (two hex digits) stands for, else -1.
int parseByteToken(std::string_view text);

class SpmModel {
public:
  // Every Byte-type token must be spelled <0xNN>; each byte's fallback token is <0xNN>, else
  // the one-byte token, else the unknown token.
  static Result<SpmModel> build(const Vocabulary &vocab, const TokenMap &byText);

  // Appends the ids of `text`, whose spaces are already escaped to U+2581.
  void encode(std::string_view text, std::vector<TokenId> &out) const;

private:
  const TokenMap *m_byText = nullptr;
  const std::vector<float> *m_scores = nullptr; // empty: all 0
  std::array<TokenId, 256> m_byteToken{};        // -1: no fallback for that byte
};

} // namespace hearth::tokenizer
