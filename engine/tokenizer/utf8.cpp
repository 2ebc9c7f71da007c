#include "utf8.h"

namespace hearth::tokenizer::utf8 {
namespace {

bool isContinuation(uint8_t b)
{
  return (b & 0xC0) == 0x80;
}

// One lenient decoding step at `pos`; returns false (and leaves pos) on an invalid sequence.
bool decodeOne(std::string_view text, size_t &pos, char32_t &cp)
{
  const auto at = [&](size_t i) { return static_cast<uint8_t>(text[pos + i]); };
  const size_t left = text.size() - pos;
  const uint8_t lead = at(0);
  if (lead < 0x80) {
    cp = lead;
    pos += 1;
    return true;
  }
  size_t n = 0;
  if ((lead & 0xE0) == 0xC0)
    n = 2;
  else if ((lead & 0xF0) == 0xE0)
    n = 3;
  else if ((lead & 0xF8) == 0xF0)
    n = 4;
  if (n == 0 || left < n)
    return false;
  for (size_t i = 1; i < n; ++i)
    if (!isContinuation(at(i)))
      return false;
  char32_t value = lead & (0xFF >> (n + 1));
  for (size_t i = 1; i < n; ++i)
    value = (value << 6) | (at(i) & 0x3F);
  if (value > 0x10FFFF)
    return false;
  cp = value;
  pos += n;
  return true;
}

} // namespace

std::vector<char32_t> decodeLenient(std::string_view text)
{
  std::vector<char32_t> out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    char32_t cp = 0;
    if (decodeOne(text, pos, cp)) {
      out.push_back(cp);
    } else {
      out.push_back(0xFFFD);
      ++pos;
    }
  }
  return out;
}

void append(std::string &out, char32_t cp)
{
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

ValidPrefix validPrefix(std::string_view bytes)
{
  // Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
  size_t pos = 0;
  while (pos < bytes.size()) {
    const auto b0 = static_cast<uint8_t>(bytes[pos]);
    size_t n = 0;
    uint8_t lo = 0x80, hi = 0xBF; // allowed range of the second byte
    if (b0 < 0x80) {
      ++pos;
      continue;
    } else if (b0 >= 0xC2 && b0 <= 0xDF) {
      n = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      n = 3;
      if (b0 == 0xE0)
        lo = 0xA0;
      else if (b0 == 0xED)
        hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      n = 4;
      if (b0 == 0xF0)
        lo = 0x90;
      else if (b0 == 0xF4)
        hi = 0x8F;
    } else {
      return {pos, false};
    }
    size_t i = 1;
    for (; i < n && pos + i < bytes.size(); ++i) {
      const auto b = static_cast<uint8_t>(bytes[pos + i]);
      const bool ok = i == 1 ? (b >= lo && b <= hi) : isContinuation(b);
      if (!ok)
        return {pos, false};
    }
    if (i < n)
      return {pos, true}; // ran out of bytes inside a so-far valid character
    pos += n;
  }
  return {pos, false};
}

} // namespace hearth::tokenizer::utf8
