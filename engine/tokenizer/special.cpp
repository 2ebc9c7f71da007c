#include "special.h"

#include <algorithm>
#include <map>

namespace hearth::tokenizer {

int32_t SpecialMatcher::child(int32_t node, unsigned char byte) const
{
  for (const auto &[b, next] : m_trie[node].children)
    if (b == byte)
      return next;
  return -1;
}

void SpecialMatcher::build(const std::vector<std::string> &tokens, const std::vector<TokenType> &types)
{
  m_specials.clear();
  m_trie.assign(1, Node{});
  for (size_t id = 0; id < types.size() && id < tokens.size(); ++id) {
    const TokenType t = types[id];
    if ((t == TokenType::Control || t == TokenType::UserDefined || t == TokenType::Unknown) &&
        !tokens[id].empty())
      m_specials.push_back({static_cast<TokenId>(id), static_cast<uint32_t>(tokens[id].size()),
                            t == TokenType::UserDefined});
  }
  std::stable_sort(m_specials.begin(), m_specials.end(),
                   [](const Special &a, const Special &b) { return a.length > b.length; });
  for (size_t rank = 0; rank < m_specials.size(); ++rank) {
    int32_t node = 0;
    for (unsigned char byte : tokens[m_specials[rank].id]) {
      int32_t next = child(node, byte);
      if (next < 0) {
        next = static_cast<int32_t>(m_trie.size());
        m_trie[node].children.emplace_back(byte, next);
        m_trie.emplace_back();
      }
      node = next;
    }
    if (m_trie[node].rank < 0)
      m_trie[node].rank = static_cast<int32_t>(rank); // duplicates: the first in priority
  }
}

std::vector<Fragment> SpecialMatcher::partition(std::string_view text, bool parseSpecial) const
{
  // Every occurrence of every special spelling: (priority, start), found left to right.
  std::vector<std::pair<uint32_t, uint32_t>> found;
  for (size_t pos = 0; pos < text.size(); ++pos) {
    int32_t node = 0;
    for (size_t i = pos; i < text.size(); ++i) {
      node = child(node, static_cast<unsigned char>(text[i]));
      if (node < 0)
        break;
      const int32_t rank = m_trie[node].rank;
      if (rank >= 0 && (parseSpecial || m_specials[rank].alwaysMatched))
        found.emplace_back(static_cast<uint32_t>(rank), static_cast<uint32_t>(pos));
    }
  }
  if (found.empty())
    return {Fragment{0, text.size(), -1}};
  std::stable_sort(found.begin(), found.end(), [](const auto &a, const auto &b) { return a.first < b.first; });

  // Carve in priority order: an occurrence counts if it lies wholly in text not yet carved
  // and after the previous occurrence of the same spelling.
  std::map<size_t, std::pair<size_t, TokenId>> carved; // begin -> (end, token)
  size_t lastEnd = 0;
  for (size_t k = 0; k < found.size(); ++k) {
    const auto [rank, begin] = found[k];
    if (k == 0 || found[k - 1].first != rank)
      lastEnd = 0;
    const size_t end = begin + m_specials[rank].length;
    if (begin < lastEnd)
      continue;
    auto after = carved.lower_bound(begin);
    if (after != carved.end() && after->first < end)
      continue;
    if (after != carved.begin() && std::prev(after)->second.first > begin)
      continue;
    carved.emplace(begin, std::make_pair(end, m_specials[rank].id));
    lastEnd = end;
  }

  std::vector<Fragment> fragments;
  size_t at = 0;
  for (const auto &[begin, value] : carved) {
    if (begin > at)
      fragments.push_back({at, begin, -1});
    fragments.push_back({begin, value.first, value.second});
    at = value.first;
  }
  if (at < text.size())
    fragments.push_back({at, text.size(), -1});
  return fragments;
}

} // namespace hearth::tokenizer
