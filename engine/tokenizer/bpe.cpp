#include "bpe.h"

#include "utf8.h"

#include <algorithm>

namespace hearth::tokenizer {
namespace {

bool printable(int b)
{
  return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

// Printable bytes stand for themselves; the others take U+0100, U+0101, ... in byte order.
constexpr auto k_byteChars = [] {
  std::array<char32_t, 256> chars{};
  char32_t next = 0x100;
  for (int b = 0; b < 256; ++b) {
    const bool keep = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    chars[b] = keep ? static_cast<char32_t>(b) : next++;
  }
  return chars;
}();

struct Symbol {
  int32_t id;   // symbol id, or k_dead once merged into its left neighbour
  int32_t prev; // index of the previous live symbol, -1 at the start
  int32_t next; // index of the next live symbol, -1 at the end
};
constexpr int32_t k_dead = -2;
constexpr int32_t k_none = -1; // a byte whose character is in no token

struct Candidate {
  uint32_t rank;
  int32_t left, right;         // symbol indices
  int32_t leftId, rightId;     // their ids when queued; stale if either changed since
  int32_t result;
};
struct Later {
  // Lowest rank first; among equal ranks the leftmost, as llama.cpp does.
  bool operator()(const Candidate &a, const Candidate &b) const
  {
    return a.rank > b.rank || (a.rank == b.rank && a.left > b.left);
  }
};

} // namespace

char32_t byteToChar(uint8_t byte)
{
  return k_byteChars[byte];
}

int charToByte(char32_t cp)
{
  if (cp < 0x100 && printable(static_cast<int>(cp)))
    return static_cast<int>(cp);
  if (cp >= 0x100 && cp < 0x100 + 68) {
    for (int b = 0; b < 256; ++b)
      if (k_byteChars[b] == cp)
        return b;
  }
  return -1;
}

Result<BpeModel> BpeModel::build(const std::vector<std::string> &tokens, const TokenMap &byText,
                                 const std::vector<std::string> &merges, bool ignoreMerges)
{
  BpeModel model;
  model.m_byText = &byText;
  model.m_vocabSize = static_cast<int32_t>(tokens.size());
  model.m_ignoreMerges = ignoreMerges;

  std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>> extra;
  const auto symbolOf = [&](std::string_view text) -> int32_t {
    if (auto id = lookup(byText, text))
      return *id;
    if (auto it = extra.find(text); it != extra.end())
      return it->second;
    const auto id = static_cast<int32_t>(tokens.size() + model.m_extraSymbols.size());
    model.m_extraSymbols.emplace_back(text);
    extra.emplace(std::string(text), id);
    return id;
  };

  model.m_merges.reserve(merges.size());
  for (size_t i = 0; i < merges.size(); ++i) {
    const std::string &merge = merges[i];
    const size_t space = merge.size() > 1 ? merge.find(' ', 1) : std::string::npos;
    if (space == std::string::npos)
      return fail(ErrorCode::Format, "[tokenizer] merge {} '{}' is not of the form 'left right'", i, merge);
    const std::string_view left = std::string_view(merge).substr(0, space);
    const std::string_view right = std::string_view(merge).substr(space + 1);
    const int32_t l = symbolOf(left);
    const int32_t r = symbolOf(right);
    const int32_t result = symbolOf(std::string(left) + std::string(right));
    model.m_merges.emplace(key(l, r), Merge{static_cast<uint32_t>(i), result});
  }

  for (int b = 0; b < 256; ++b) {
    std::string text;
    utf8::append(text, k_byteChars[b]);
    if (auto id = lookup(byText, text))
      model.m_byteSymbol[b] = *id;
    else if (auto it = extra.find(text); it != extra.end())
      model.m_byteSymbol[b] = it->second;
    else
      model.m_byteSymbol[b] = k_none;
  }
  return model;
}

void BpeModel::emit(int32_t symbol, std::vector<TokenId> &out) const
{
  if (symbol < 0)
    return; // a byte no token spells: llama.cpp drops it too
  if (symbol < m_vocabSize) {
    out.push_back(symbol);
    return;
  }
  // A merge result that is not a token: its bytes, one token each where one exists.
  for (char c : m_extraSymbols[symbol - m_vocabSize])
    if (auto id = lookup(*m_byText, std::string_view(&c, 1)))
      out.push_back(*id);
}

void BpeModel::encodePiece(std::string_view bytes, std::vector<TokenId> &out) const
{
  if (bytes.empty())
    return;
  if (m_ignoreMerges) {
    std::string mapped;
    for (char c : bytes)
      utf8::append(mapped, k_byteChars[static_cast<uint8_t>(c)]);
    if (auto id = lookup(*m_byText, mapped)) {
      out.push_back(*id);
      return;
    }
  }

  const auto n = static_cast<int32_t>(bytes.size());
  if (n == 1) {
    emit(m_byteSymbol[static_cast<uint8_t>(bytes[0])], out);
    return;
  }
  // Scratch space reused across the pieces a thread encodes; trimmed after a huge piece.
  thread_local std::vector<Symbol> symbols;
  thread_local std::vector<Candidate> heap;
  symbols.resize(bytes.size());
  heap.clear();
  for (int32_t i = 0; i < n; ++i)
    symbols[i] = {m_byteSymbol[static_cast<uint8_t>(bytes[i])], i - 1, i + 1 < n ? i + 1 : -1};

  const auto consider = [&](int32_t left, int32_t right) {
    if (left < 0 || right < 0)
      return;
    const int32_t l = symbols[left].id, r = symbols[right].id;
    if (l < 0 || r < 0)
      return;
    const auto it = m_merges.find(key(l, r));
    if (it == m_merges.end())
      return;
    heap.push_back({it->second.rank, left, right, l, r, it->second.result});
    std::push_heap(heap.begin(), heap.end(), Later{});
  };
  for (int32_t i = 0; i + 1 < n; ++i)
    consider(i, i + 1);

  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), Later{});
    const Candidate c = heap.back();
    heap.pop_back();
    Symbol &left = symbols[c.left];
    Symbol &right = symbols[c.right];
    if (left.id != c.leftId || right.id != c.rightId)
      continue; // one side changed since this pair was queued
    left.id = c.result;
    right.id = k_dead;
    left.next = right.next;
    if (right.next >= 0)
      symbols[right.next].prev = c.left;
    consider(left.prev, c.left);
    consider(c.left, left.next);
  }

  for (int32_t i = 0; i >= 0; i = symbols[i].next)
    emit(symbols[i].id, out);
  constexpr size_t k_keep = 1 << 16;
  if (symbols.capacity() > k_keep) {
    symbols = {};
    heap = {};
  }
}

} // namespace hearth::tokenizer
