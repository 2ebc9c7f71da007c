#include "spm.h"

#include "utf8.h"

#include <fmt/format.h>
#include <queue>

namespace hearth::tokenizer {
namespace {

int hexDigit(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

struct Symbol {
  uint32_t start; // byte offset in the text
  uint32_t size;  // bytes; 0 once merged into its left neighbour
  int32_t prev, next;
};

struct Candidate {
  float score;
  int32_t left, right;
  uint32_t size; // left.size + right.size when queued; stale if either changed since
};
struct Later {
  // Highest score first; among equal scores the leftmost, as llama.cpp does.
  bool operator()(const Candidate &a, const Candidate &b) const
  {
    return a.score < b.score || (a.score == b.score && a.left > b.left);
  }
};

} // namespace

int parseByteToken(std::string_view text)
{
  if (text.size() != 6 || !text.starts_with("<0x") || text[5] != '>')
    return -1;
  const int hi = hexDigit(text[3]), lo = hexDigit(text[4]);
  if (hi < 0 || lo < 0)
    return -1;
  return hi * 16 + lo;
}

Result<SpmModel> SpmModel::build(const Vocabulary &vocab, const TokenMap &byText)
{
  SpmModel model;
  model.m_byText = &byText;
  model.m_scores = &vocab.scores;
  model.m_byteToken.fill(-1);
  for (size_t id = 0; id < vocab.types.size(); ++id) {
    if (vocab.types[id] != TokenType::Byte)
      continue;
    const int byte = parseByteToken(vocab.tokens[id]);
    if (byte < 0)
      return fail(ErrorCode::Format, "[tokenizer] token {} '{}' has type byte but is not spelled <0xNN>",
                  id, vocab.tokens[id]);
    if (model.m_byteToken[byte] < 0)
      model.m_byteToken[byte] = static_cast<TokenId>(id);
  }
  for (int b = 0; b < 256; ++b) {
    // llama.cpp looks the byte up by its upper-case spelling first.
    if (auto id = lookup(byText, fmt::format("<0x{:02X}>", b)))
      model.m_byteToken[b] = *id;
    else if (model.m_byteToken[b] >= 0)
      continue;
    else if (auto one = lookup(byText, std::string(1, static_cast<char>(b))))
      model.m_byteToken[b] = *one;
    else if (vocab.unknown)
      model.m_byteToken[b] = *vocab.unknown;
  }
  return model;
}

void SpmModel::encode(std::string_view text, std::vector<TokenId> &out) const
{
  if (text.empty())
    return;
  // Symbols are UTF-8 characters by their lead byte (no validation, as in llama.cpp).
  std::vector<Symbol> symbols;
  symbols.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    const size_t len = std::min(utf8::sequenceLength(static_cast<uint8_t>(text[pos])), text.size() - pos);
    const auto index = static_cast<int32_t>(symbols.size());
    symbols.push_back({static_cast<uint32_t>(pos), static_cast<uint32_t>(len), index - 1,
                       pos + len < text.size() ? index + 1 : -1});
    pos += len;
  }

  std::priority_queue<Candidate, std::vector<Candidate>, Later> queue;
  const auto consider = [&](int32_t left, int32_t right) {
    if (left < 0 || right < 0)
      return;
    // Live neighbours are contiguous in the text, so the pair's spelling is one slice.
    const uint32_t size = symbols[left].size + symbols[right].size;
    const auto id = lookup(*m_byText, text.substr(symbols[left].start, size));
    if (!id)
      return;
    const float score = m_scores->empty() ? 0.0f : (*m_scores)[*id];
    queue.push({score, left, right, size});
  };
  for (int32_t i = 0; i + 1 < static_cast<int32_t>(symbols.size()); ++i)
    consider(i, i + 1);

  while (!queue.empty()) {
    const Candidate c = queue.top();
    queue.pop();
    Symbol &left = symbols[c.left];
    Symbol &right = symbols[c.right];
    if (left.size == 0 || right.size == 0 || left.size + right.size != c.size)
      continue;
    left.size += right.size;
    right.size = 0;
    left.next = right.next;
    if (right.next >= 0)
      symbols[right.next].prev = c.left;
    consider(left.prev, c.left);
    consider(c.left, left.next);
  }

  for (int32_t i = 0; i >= 0; i = symbols[i].next) {
    const std::string_view piece = text.substr(symbols[i].start, symbols[i].size);
    if (auto id = lookup(*m_byText, piece)) {
      out.push_back(*id);
      continue;
    }
    for (char c : piece) {
      const TokenId id = m_byteToken[static_cast<uint8_t>(c)];
      if (id >= 0)
        out.push_back(id);
    }
  }
}

} // namespace hearth::tokenizer
