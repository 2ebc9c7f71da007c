// Lookup of token ids by spelling, shared by the tokenizer models.
#pragma once

#include "hearth/tokenizer.h"

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace hearth::tokenizer {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Spelling -> id; when two tokens share a spelling the later id wins, as in llama.cpp.
using TokenMap = std::unordered_map<std::string, TokenId, StringHash, std::equal_to<>>;

inline std::optional<TokenId> lookup(const TokenMap &map, std::string_view text)
{
  const auto it = map.find(text);
  if (it == map.end())
    return std::nullopt;
  return it->second;
}

} // namespace hearth::tokenizer
