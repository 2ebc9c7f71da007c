// Finds special-token spellings in text before the model's tokenizer runs, exactly as
// llama.cpp's partition does: longest spellings first, each carving its leftmost
// non-overlapping occurrences out of the text that is still plain.
#pragma once

#include "hearth/tokenizer.h"

#include <string_view>
#include <vector>

namespace hearth::tokenizer {

struct Fragment {
  size_t begin = 0, end = 0; // bytes of the text, when token < 0
  TokenId token = -1;        // a special token, else plain text
};

class SpecialMatcher {
public:
  // Control, user-defined and unknown tokens are special; control and unknown ones are only
  // matched when the caller asks for special parsing.
  void build(const std::vector<std::string> &tokens, const std::vector<TokenType> &types);
  std::vector<Fragment> partition(std::string_view text, bool parseSpecial) const;

private:
  struct Node {
    std::vector<std::pair<unsigned char, int32_t>> children; // byte -> node
    int32_t rank = -1; // the special token ending here (index into m_specials)
  };
  struct Special {
    TokenId id;
    uint32_t length;
    bool alwaysMatched; // user-defined
  };
  int32_t child(int32_t node, unsigned char byte) const;

  std::vector<Special> m_specials; // by priority: longer first, then lower id
  std::vector<Node> m_trie;
};

} // namespace hearth::tokenizer
