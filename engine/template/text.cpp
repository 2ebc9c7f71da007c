#include "template/text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fmt/format.h>

namespace hearth::tmpl::text {

char32_t decode(std::string_view s, std::size_t &i)
{
  auto c = static_cast<unsigned char>(s[i]);
  int extra = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
  if (extra <= 0 || i + static_cast<std::size_t>(extra) >= s.size()) {
    ++i;
    return c; // ASCII, or an invalid/truncated byte that stands for itself
  }
  char32_t cp = c & (0x3f >> extra);
  for (int k = 1; k <= extra; ++k) {
    auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xc0) != 0x80) {
      ++i;
      return c;
    }
    cp = (cp << 6) | (cc & 0x3f);
  }
  i += extra + 1;
  return cp;
}

void append(std::string &out, char32_t cp)
{
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xc0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += char(0xe0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3f));
    out += char(0x80 | (cp & 0x3f));
  } else {
    out += char(0xf0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3f));
    out += char(0x80 | ((cp >> 6) & 0x3f));
    out += char(0x80 | (cp & 0x3f));
  }
}

std::vector<std::size_t> codePointOffsets(std::string_view s)
{
  std::vector<std::size_t> offsets;
  offsets.reserve(s.size() + 1);
  for (std::size_t i = 0; i < s.size();) {
    offsets.push_back(i);
    decode(s, i);
  }
  offsets.push_back(s.size());
  return offsets;
}

std::size_t codePointCount(std::string_view s)
{
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++n)
    decode(s, i);
  return n;
}

bool isSpace(char32_t cp)
{
  if (cp == ' ' || (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x1f))
    return true;
  switch (cp) {
  case 0x85: case 0xa0: case 0x1680: case 0x2028: case 0x2029: case 0x202f: case 0x205f:
  case 0x3000:
    return true;
  default:
    return cp >= 0x2000 && cp <= 0x200a;
  }
}

std::string_view strip(std::string_view s, bool left, bool right)
{
  std::size_t begin = 0, end = s.size();
  if (left) {
    while (begin < end) {
      std::size_t i = begin;
      if (!isSpace(decode(s, i)))
        break;
      begin = i;
    }
  }
  if (right) {
    while (end > begin) {
      std::size_t start = end - 1;
      while (start > begin && (static_cast<unsigned char>(s[start]) & 0xc0) == 0x80)
        --start;
      std::size_t i = start;
      if (!isSpace(decode(s, i)) || i != end)
        break;
      end = start;
    }
  }
  return s.substr(begin, end - begin);
}

std::string strip(std::string_view s, std::string_view chars, bool left, bool right)
{
  std::vector<char32_t> set;
  for (std::size_t i = 0; i < chars.size();)
    set.push_back(decode(chars, i));
  auto inSet = [&](char32_t cp) { return std::find(set.begin(), set.end(), cp) != set.end(); };
  auto offsets = codePointOffsets(s);
  std::size_t first = 0, last = offsets.size() - 1; // code point indices [first, last)
  auto at = [&](std::size_t k) {
    std::size_t i = offsets[k];
    return decode(s, i);
  };
  while (left && first < last && inSet(at(first)))
    ++first;
  while (right && last > first && inSet(at(last - 1)))
    --last;
  return std::string(s.substr(offsets[first], offsets[last] - offsets[first]));
}

namespace {
char32_t upperOf(char32_t c)
{
  if ((c >= 'a' && c <= 'z') || (c >= 0xe0 && c <= 0xfe && c != 0xf7))
    return c - 32;
  return c;
}
char32_t lowerOf(char32_t c)
{
  if ((c >= 'A' && c <= 'Z') || (c >= 0xc0 && c <= 0xde && c != 0xd7))
    return c + 32;
  return c;
}
bool isAlpha(char32_t c)
{
  return upperOf(c) != c || lowerOf(c) != c || c == 0xdf;
}
template <class F> std::string mapChars(std::string_view s, F f)
{
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();)
    append(out, f(decode(s, i)));
  return out;
}
} // namespace

std::string upper(std::string_view s) { return mapChars(s, upperOf); }
std::string lower(std::string_view s) { return mapChars(s, lowerOf); }

std::string capitalize(std::string_view s)
{
  bool first = true;
  return mapChars(s, [&](char32_t c) {
    char32_t r = first ? upperOf(c) : lowerOf(c);
    first = false;
    return r;
  });
}

std::string title(std::string_view s)
{
  bool previousCased = false;
  return mapChars(s, [&](char32_t c) {
    char32_t r = previousCased ? lowerOf(c) : upperOf(c);
    previousCased = isAlpha(c);
    return r;
  });
}

std::string pythonFloat(double v)
{
  if (std::isnan(v))
    return "nan";
  if (std::isinf(v))
    return v < 0 ? "-inf" : "inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  auto e = sci.find('e');
  int exponent = std::stoi(sci.substr(e + 1));
  std::string mantissa = sci.substr(0, e);
  bool negative = mantissa[0] == '-';
  if (negative)
    mantissa.erase(0, 1);
  std::string digits;
  for (char c : mantissa)
    if (c != '.')
      digits += c;
  std::string out = negative ? "-" : "";
  if (exponent < -4 || exponent >= 16) {
    out += digits.substr(0, 1);
    if (digits.size() > 1)
      out += "." + digits.substr(1);
    out += fmt::format("e{}{:02d}", exponent < 0 ? '-' : '+', std::abs(exponent));
    return out;
  }
  if (exponent < 0) {
    out += "0." + std::string(std::size_t(-exponent - 1), '0') + digits;
    return out;
  }
  std::size_t intDigits = std::size_t(exponent) + 1;
  if (digits.size() <= intDigits)
    return out + digits + std::string(intDigits - digits.size(), '0') + ".0";
  return out + digits.substr(0, intDigits) + "." + digits.substr(intDigits);
}

std::string pythonRepr(std::string_view s)
{
  char quote = (s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos) ? '"' : '\'';
  std::string out(1, quote);
  for (std::size_t i = 0; i < s.size();) {
    char32_t c = decode(s, i);
    if (c == '\\' || c == char32_t(quote)) {
      out += '\\';
      out += char(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || (c >= 0x7f && c <= 0xa0) || c == 0xad) {
      out += fmt::format("\\x{:02x}", unsigned(c));
    } else if ((c >= 0x2000 && c <= 0x200f) || (c >= 0x2028 && c <= 0x202f) ||
               (c >= 0x205f && c <= 0x206f) || c == 0x3000 || c == 0xfeff) {
      out += fmt::format("\\u{:04x}", unsigned(c));
    } else {
      append(out, c);
    }
  }
  out += quote;
  return out;
}

void jsonQuote(std::string &out, std::string_view s)
{
  out += '"';
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    case '\b': out += "\\b"; break;
    case '\f': out += "\\f"; break;
    default:
      if (c < 0x20)
        out += fmt::format("\\u{:04x}", unsigned(c));
      else
        out += ch;
    }
  }
  out += '"';
}

} // namespace hearth::tmpl::text
