// Byte-level BPE pre-tokenizers: the regex splits that llama.cpp applies before merging,
// one list of regexes per `tokenizer.ggml.pre` name, run by PCRE2 (UTF-32, JIT when built in).
#pragma once

#include "hearth/error.h"

#include <cstddef>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace hearth::tokenizer {

struct PreTokenizerSpec {
  std::vector<std::string_view> regexes; // applied in order, each to the pieces of the last
  bool ignoreMerges = false;             // a piece that is a whole token skips merging
  bool addBos = false;                   // the default of add_bos_token for this family
  bool cleanSpaces = true;               // decode drops spaces before . , ! ? and some 's
};

// The spec for a `tokenizer.ggml.pre` name; an error names an unknown one.
Result<PreTokenizerSpec> preTokenizerSpec(std::string_view name);

// A piece of the input: code points [begin, end).
struct Piece {
  size_t begin = 0;
  size_t end = 0;
};

class PreTokenizer {
public:
  static Result<PreTokenizer> create(const PreTokenizerSpec &spec);
  PreTokenizer(PreTokenizer &&) noexcept;
  PreTokenizer &operator=(PreTokenizer &&) noexcept;
  ~PreTokenizer();

  // Splits `cps` (code points) into pieces covering all of it: every regex match and every
  // stretch between matches is a piece, as llama.cpp's splitter does.
  std::vector<Piece> split(std::span<const char32_t> cps) const;

private:
  struct Impl;
  explicit PreTokenizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

} // namespace hearth::tokenizer
