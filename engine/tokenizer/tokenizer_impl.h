// The state behind a Tokenizer (engine/tokenizer internal).
#pragma once

#include "bpe.h"
#include "hearth/tokenizer.h"
#include "pretokenizer.h"
#include "special.h"
#include "spm.h"
#include "vocab_index.h"

#include <optional>

namespace hearth::tokenizer {

struct Tokenizer::Impl {
  Vocabulary vocab; // merges cleared once the BPE model is built
  TokenMap byText;
  SpecialMatcher special;
  std::optional<PreTokenizer> pre;  // BytePairBpe only
  std::optional<BpeModel> bpe;      // BytePairBpe only
  std::optional<SpmModel> spm;      // SentencePiece only
  std::optional<TokenId> eot;
  std::vector<TokenId> endOfGeneration; // eos, eot and every token spelled like an end of turn
  bool addBos = false;
  bool addEos = false;
  bool addSpacePrefix = false;
  bool cleanSpaces = false;

  void encodeText(std::string_view text, std::vector<TokenId> &out) const; // BPE
  std::string piece(TokenId id, bool renderSpecial) const;
};

} // namespace hearth::tokenizer
