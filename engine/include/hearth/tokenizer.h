// Tokenizers: text to token ids and back, built from a model's GGUF metadata.
//
// Two kinds of vocabulary, chosen by `tokenizer.ggml.model`:
//   "gpt2"  byte-level BPE: the text is split by the pre-tokenizer regexes named by
//           `tokenizer.ggml.pre` (gpt2, llama3, qwen2, smollm, ...), each piece is mapped
//           byte by byte to printable characters and merged by `tokenizer.ggml.merges` rank.
//   "llama" SentencePiece-style BPE (Llama 2, Gemma): spaces become U+2581, pieces merge by
//           score, characters missing from the vocabulary fall back to `<0xNN>` byte tokens.
// Ids are identical to llama.cpp's for the same GGUF file (tests/engine/tokenizer checks this
// on real models). Text that spells a control token (`<|im_end|>`) stays plain text unless
// the caller asks for special parsing; invalid UTF-8 is tokenized, never rejected.
//
//   auto file = hearth::gguf::GgufFile::open("model.gguf");
//   auto tok = hearth::tokenizer::Tokenizer::fromGguf(*file);   // Result<Tokenizer>
//   std::vector<TokenId> ids = tok->encode("Hello!", {.addSpecial = true});
//   hearth::tokenizer::StreamDecoder out(*tok);
//   for (TokenId id : generated) print(out.push(id));           // whole UTF-8 characters only
//   print(out.flush());
//
// A Tokenizer is immutable once built and cheap to copy (shared state); encode and decode may
// run on several threads at once.
#pragma once

#include "hearth/error.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hearth::gguf {
class GgufFile;
}

namespace hearth::tokenizer {

using TokenId = int32_t;

// GGUF `tokenizer.ggml.token_type` values; on-disk ids, never renumber.
enum class TokenType : int32_t {
  Undefined = 0,
  Normal = 1,
  Unknown = 2,
  Control = 3,     // <|im_end|>, <bos>: matched in text only with parseSpecial
  UserDefined = 4, // always matched in text before the model runs (Gemma's "\n\n", tabs)
  Unused = 5,
  Byte = 6,        // <0xNN>, SentencePiece byte fallback
};

enum class VocabKind {
  BytePairBpe,    // "gpt2"
  SentencePiece,  // "llama"
};

// Everything a tokenizer is built from, as plain data (what GGUF's tokenizer.ggml.* holds).
struct Vocabulary {
  VocabKind kind = VocabKind::BytePairBpe;
  std::string pre = "default";        // pre-tokenizer name (BytePairBpe only)
  std::vector<std::string> tokens;    // [n_vocab] token spellings
  std::vector<TokenType> types;       // [n_vocab], or empty: all Normal
  std::vector<float> scores;          // [n_vocab], or empty: all 0 (SentencePiece merge order)
  std::vector<std::string> merges;    // BytePairBpe: "left right", rank = index
  std::optional<TokenId> bos, eos, eot, unknown, padding;
  // nullopt: llama.cpp's default for the kind (SentencePiece: BOS on, EOS off, space prefix on;
  // BPE: all off, except BOS on for the llama3 pre-tokenizer).
  std::optional<bool> addBos, addEos, addSpacePrefix;
};

// The tokenizer.ggml.* keys of a GGUF file as a Vocabulary; errors name the file and key.
Result<Vocabulary> readVocabulary(const gguf::GgufFile &file);

struct EncodeOptions {
  bool addSpecial = false;   // add BOS/EOS where the vocabulary asks for them
  bool parseSpecial = false; // control-token spellings in the text become their ids
};

struct DecodeOptions {
  bool renderSpecial = false; // control tokens as their spelling (else they render as nothing)
  bool removeSpecial = false; // drop a leading BOS / trailing EOS that addSpecial would add
  // llama.cpp's clean-up of the joined text for the vocabularies that ask for it (gpt-2,
  // llama3, default): no space before . , ! ? nor before 's 'm 're 've, " ' " becomes "'".
  bool cleanSpaces = true;
};

class Tokenizer {
public:
  // Validates the vocabulary: sizes of types/scores, special ids in range, merges of the
  // form "a b", byte tokens spelled <0xNN>. Errors name the field and the value.
  static Result<Tokenizer> create(Vocabulary vocab);
  // Reads tokenizer.ggml.* from a GGUF file (readVocabulary) and creates the tokenizer.
  static Result<Tokenizer> fromGguf(const gguf::GgufFile &file);

  std::vector<TokenId> encode(std::string_view text, EncodeOptions options = {}) const;

  // The bytes a token stands for (may be part of a UTF-8 character). Out-of-range ids,
  // unused tokens and (unless renderSpecial) control tokens give "".
  std::string piece(TokenId id, bool renderSpecial = false) const;
  // Concatenated pieces, as llama.cpp's llama_detokenize; may contain invalid UTF-8 when
  // the ids cut a character.
  std::string decode(std::span<const TokenId> ids, DecodeOptions options = {}) const;

  size_t size() const;                         // n_vocab
  const std::string &text(TokenId id) const;   // the vocabulary spelling; "" if out of range
  TokenType type(TokenId id) const;            // Undefined if out of range
  std::optional<TokenId> find(std::string_view spelling) const;

  VocabKind kind() const;
  const std::string &pre() const;
  std::optional<TokenId> bos() const;
  std::optional<TokenId> eos() const;
  std::optional<TokenId> eot() const; // from metadata, else found by spelling (<|im_end|>, ...)
  std::optional<TokenId> unknown() const;
  std::optional<TokenId> padding() const;
  bool addBos() const;
  bool addEos() const;
  bool addSpacePrefix() const;
  bool isEndOfGeneration(TokenId id) const; // eos, eot, or spelled like an end of turn

  struct Impl;

private:
  explicit Tokenizer(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> m_impl;
};

// Turns a stream of generated ids into text that is always valid UTF-8: bytes of a character
// split across tokens are held back until the character is whole. Bytes that can never form
// a character come out as U+FFFD. Pieces are joined as they are (no cleanSpaces).
class StreamDecoder {
public:
  explicit StreamDecoder(Tokenizer tokenizer, bool renderSpecial = false);

  std::string push(TokenId id);          // the text completed by this token (maybe "")
  std::string pushBytes(std::string_view bytes);
  std::string flush();                   // end of stream: an unfinished character as U+FFFD
  size_t pendingBytes() const { return m_pending.size(); }

private:
  Tokenizer m_tokenizer;
  bool m_renderSpecial;
  std::string m_pending; // at most 3 bytes: the start of an unfinished character
};

} // namespace hearth::tokenizer
