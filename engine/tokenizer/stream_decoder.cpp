#include "hearth/tokenizer.h"

#include "utf8.h"

namespace hearth::tokenizer {
namespace {

constexpr std::string_view k_replacement = "\xEF\xBF\xBD"; // U+FFFD

} // namespace

StreamDecoder::StreamDecoder(Tokenizer tokenizer, bool renderSpecial)
    : m_tokenizer(std::move(tokenizer)), m_renderSpecial(renderSpecial)
{
}

std::string StreamDecoder::push(TokenId id)
{
  return pushBytes(m_tokenizer.piece(id, m_renderSpecial));
}

std::string StreamDecoder::pushBytes(std::string_view bytes)
{
  m_pending.append(bytes);
  std::string out;
  std::string_view rest = m_pending;
  while (!rest.empty()) {
    const utf8::ValidPrefix valid = utf8::validPrefix(rest);
    out.append(rest.substr(0, valid.length));
    rest.remove_prefix(valid.length);
    if (rest.empty() || valid.incompleteTail)
      break; // whole, or the start of a character that later bytes may finish
    out.append(k_replacement); // a byte that no continuation can make valid
    rest.remove_prefix(1);
  }
  m_pending = std::string(rest);
  return out;
}

std::string StreamDecoder::flush()
{
  if (m_pending.empty())
    return {};
  m_pending.clear();
  return std::string(k_replacement);
}

} // namespace hearth::tokenizer
