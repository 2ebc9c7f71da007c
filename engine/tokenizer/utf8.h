// UTF-8 helpers shared by the tokenizers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hearth::tokenizer::utf8 {

// Decodes like llama.cpp does before pre-tokenizing: a lead byte must be followed by the
// right number of continuation bytes, else that one byte becomes U+FFFD and decoding goes
// on at the next byte. Overlong forms and surrogates decode to their (odd) code points, as
// llama.cpp's do; a 4-byte form above U+10FFFF (which makes llama.cpp abort) is treated as
// invalid.
std::vector<char32_t> decodeLenient(std::string_view text);

// Appends the shortest UTF-8 form of `cp` (any value up to U+10FFFF, surrogates included).
void append(std::string &out, char32_t cp);

// Bytes in the sequence a lead byte starts, by its high bits alone (1 for a continuation
// byte): the rule SentencePiece symbol splitting and BPE symbol splitting use.
inline size_t sequenceLength(uint8_t lead)
{
  static constexpr uint8_t k_lengths[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
  return k_lengths[lead >> 4];
}

// Length of the longest prefix of `bytes` made of complete, valid UTF-8 characters, and
// whether what follows it is the start of a character that more bytes could complete.
struct ValidPrefix {
  size_t length = 0;
  bool incompleteTail = false; // bytes[length..] is a valid but unfinished character
};
ValidPrefix validPrefix(std::string_view bytes);

} // namespace hearth::tokenizer::utf8
