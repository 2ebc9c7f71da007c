#include "template/lexer.h"

#include "template/ast.h"
#include "template/text.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace hearth::tmpl {

std::string describeOffset(const std::string &source, std::uint32_t offset)
{
  std::size_t line = 1, lineStart = 0;
  for (std::size_t i = 0; i < offset && i < source.size(); ++i)
    if (source[i] == '\n') {
      ++line;
      lineStart = i + 1;
    }
  std::size_t column = 1 + text::codePointCount(std::string_view(source).substr(
                               lineStart, std::min<std::size_t>(offset, source.size()) - lineStart));
  return fmt::format("line {}, column {}", line, column);
}

std::string normalizeSource(std::string_view source)
{
  std::string out;
  out.reserve(source.size());
  for (std::size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      out += '\n';
      if (i + 1 < source.size() && source[i + 1] == '\n')
        ++i;
    } else {
      out += source[i];
    }
  }
  if (!out.empty() && out.back() == '\n')
    out.pop_back();
  return out;
}

namespace {

std::unexpected<Error> syntaxError(const std::string &source, std::size_t offset, std::string_view what)
{
  return fail(ErrorCode::Format, "{}: {}", describeOffset(source, std::uint32_t(offset)), what);
}

// Skips Python \s* (Unicode whitespace) from pos.
std::size_t skipSpace(const std::string &s, std::size_t pos)
{
  while (pos < s.size()) {
    std::size_t i = pos;
    if (!text::isSpace(text::decode(s, i)))
      break;
    pos = i;
  }
  return pos;
}

bool allSpace(std::string_view s)
{
  for (std::size_t i = 0; i < s.size();)
    if (!text::isSpace(text::decode(s, i)))
      return false;
  return !s.empty();
}

// Whitespace control on the text before a tag: '-' strips all trailing whitespace;
// otherwise (lstrip_blocks) an indentation-only last line before a statement or
// comment tag is dropped.
void stripBeforeTag(std::string &text, char sign, bool statementOrComment, bool lineStarting)
{
  if (sign == '-') {
    text.resize(text::strip(text, false, true).size());
    return;
  }
  if (sign == '+' || !statementOrComment)
    return;
  std::size_t lineStart = text.rfind('\n');
  lineStart = lineStart == std::string::npos ? 0 : lineStart + 1;
  if ((lineStart > 0 || lineStarting) && allSpace(std::string_view(text).substr(lineStart)))
    text.resize(lineStart);
}

struct TagEnd {
  std::size_t innerEnd; // end of the tag's inside
  std::size_t after;    // first byte after the tag (and the whitespace it eats)
};

// Finds the end of a {{ }} or {% %} tag, skipping string literals and requiring
// balanced brackets, as Jinja's lexer does.
Result<TagEnd> findTagEnd(const std::string &s, std::size_t pos, char closer, std::size_t tagStart)
{
  int depth = 0;
  while (pos < s.size()) {
    char c = s[pos];
    if (c == '\'' || c == '"') {
      std::size_t i = pos + 1;
      while (i < s.size() && s[i] != c)
        i += s[i] == '\\' ? 2 : 1;
      if (i >= s.size())
        return syntaxError(s, pos, "unterminated string literal");
      pos = i + 1;
      continue;
    }
    if (depth == 0) {
      bool dash = c == '-' || (c == '+' && closer == '%');
      if (dash && pos + 2 < s.size() && s[pos + 1] == closer && s[pos + 2] == '}') {
        std::size_t after = pos + 3;
        return TagEnd{pos, c == '-' ? skipSpace(s, after) : after};
      }
      if (c == closer && pos + 1 < s.size() && s[pos + 1] == '}') {
        std::size_t after = pos + 2;
        if (closer == '%' && after < s.size() && s[after] == '\n')
          ++after; // trim_blocks
        return TagEnd{pos, after};
      }
    }
    if (c == '(' || c == '[' || c == '{')
      ++depth;
    else if ((c == ')' || c == ']' || c == '}') && depth > 0)
      --depth;
    ++pos;
  }
  return syntaxError(s, tagStart, closer == '%' ? "unclosed statement tag '{%'" : "unclosed expression tag '{{'");
}

bool isIdent(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Matches `{%[-+]?\s*WORD\s*` at pos; returns the position after it or npos.
std::size_t matchTagWord(const std::string &s, std::size_t pos, std::string_view word)
{
  if (s.compare(pos, 2, "{%") != 0)
    return std::string::npos;
  pos += 2;
  if (pos < s.size() && (s[pos] == '-' || s[pos] == '+'))
    ++pos;
  pos = skipSpace(s, pos);
  if (s.compare(pos, word.size(), word) != 0 ||
      (pos + word.size() < s.size() && isIdent(s[pos + word.size()])))
    return std::string::npos;
  return skipSpace(s, pos + word.size());
}

// {% raw %} ... {% endraw %}: returns the text and the position after endraw.
Result<std::size_t> lexRaw(const std::string &s, std::size_t afterWord, std::size_t tagStart,
                           std::vector<Segment> &out)
{
  std::size_t pos = afterWord;
  if (s.compare(pos, 3, "-%}") == 0)
    pos = skipSpace(s, pos + 3);
  else if (s.compare(pos, 2, "%}") == 0)
    pos += 2;
  else
    return syntaxError(s, tagStart, "malformed raw tag");
  bool lineStarting = pos > 0 && s[pos - 1] == '\n';
  for (std::size_t search = pos;; ++search) {
    search = s.find("{%", search);
    if (search == std::string::npos)
      return syntaxError(s, tagStart, "missing {% endraw %}");
    std::size_t afterEnd = matchTagWord(s, search, "endraw");
    if (afterEnd == std::string::npos)
      continue;
    char sign = (s[search + 2] == '-' || s[search + 2] == '+') ? s[search + 2] : 0;
    std::string body = s.substr(pos, search - pos);
    stripBeforeTag(body, sign, true, lineStarting);
    if (!body.empty())
      out.push_back({Segment::Kind::Text, std::uint32_t(pos), std::move(body)});
    if (s.compare(afterEnd, 3, "-%}") == 0)
      return skipSpace(s, afterEnd + 3);
    if (s.compare(afterEnd, 3, "+%}") == 0)
      return afterEnd + 3;
    if (s.compare(afterEnd, 2, "%}") == 0)
      return afterEnd + 2 + (s.compare(afterEnd + 2, 1, "\n") == 0 ? 1 : 0);
    return syntaxError(s, search, "malformed endraw tag");
  }
}

} // namespace

Result<std::vector<Segment>> splitSegments(const std::string &s)
{
  std::vector<Segment> out;
  std::size_t pos = 0;
  bool lineStarting = true;
  while (pos < s.size()) {
    std::size_t start = pos;
    for (;; ++start) {
      start = s.find('{', start);
      if (start == std::string::npos || start + 1 >= s.size())
        break;
      char k = s[start + 1];
      if (k == '{' || k == '%' || k == '#')
        break;
    }
    if (start == std::string::npos || start + 1 >= s.size()) {
      out.push_back({Segment::Kind::Text, std::uint32_t(pos), s.substr(pos)});
      break;
    }
    char kind = s[start + 1];
    char sign = start + 2 < s.size() && (s[start + 2] == '-' || s[start + 2] == '+') ? s[start + 2] : 0;
    std::string text = s.substr(pos, start - pos);
    stripBeforeTag(text, sign, kind != '{', lineStarting);
    if (!text.empty())
      out.push_back({Segment::Kind::Text, std::uint32_t(pos), std::move(text)});
    std::size_t inner = start + 2 + (sign ? 1 : 0);
    std::size_t after;
    if (kind == '#') {
      std::size_t end = s.find("#}", inner);
      if (end == std::string::npos)
        return syntaxError(s, start, "missing end of comment tag '#}'");
      after = end + 2;
      if (end > inner && s[end - 1] == '-')
        after = skipSpace(s, after);
      else if (!(end > inner && s[end - 1] == '+') && after < s.size() && s[after] == '\n')
        ++after;
    } else if (std::size_t rawWord = kind == '%' ? matchTagWord(s, start, "raw") : std::string::npos;
               rawWord != std::string::npos) {
      auto r = lexRaw(s, rawWord, start, out);
      if (!r)
        return std::unexpected(r.error());
      after = *r;
    } else {
      auto end = findTagEnd(s, inner, kind == '{' ? '}' : '%', start);
      if (!end)
        return std::unexpected(end.error());
      out.push_back({kind == '{' ? Segment::Kind::Expression : Segment::Kind::Statement,
                     std::uint32_t(inner), s.substr(inner, end->innerEnd - inner), std::uint32_t(start)});
      after = end->after;
    }
    lineStarting = after > 0 && s[after - 1] == '\n';
    pos = after;
  }
  return out;
}

namespace {

// Python's unicode-escape decoding of a string literal's inside.
std::string decodeEscapes(std::string_view raw)
{
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c != '\\' || i + 1 >= raw.size()) {
      out += c;
      continue;
    }
    char e = raw[++i];
    auto hex = [&](std::size_t digits) -> bool {
      if (i + digits >= raw.size())
        return false;
      std::string h(raw.substr(i + 1, digits));
      char *end = nullptr;
      unsigned long v = std::strtoul(h.c_str(), &end, 16);
      if (h.size() != digits || *end)
        return false;
      text::append(out, char32_t(v));
      i += digits;
      return true;
    };
    switch (e) {
    case 'n': out += '\n'; break;
    case 't': out += '\t'; break;
    case 'r': out += '\r'; break;
    case '\\': out += '\\'; break;
    case '\'': out += '\''; break;
    case '"': out += '"'; break;
    case 'a': out += '\a'; break;
    case 'b': out += '\b'; break;
    case 'f': out += '\f'; break;
    case 'v': out += '\v'; break;
    case '\n': break; // line continuation
    case 'x': if (!hex(2)) out += "\\x"; break;
    case 'u': if (!hex(4)) out += "\\u"; break;
    case 'U': if (!hex(8)) out += "\\U"; break;
    default:
      if (e >= '0' && e <= '7') {
        unsigned v = 0;
        std::size_t n = 0;
        for (; n < 3 && i < raw.size() && raw[i] >= '0' && raw[i] <= '7'; ++n, ++i)
          v = v * 8 + unsigned(raw[i] - '0');
        --i;
        text::append(out, char32_t(v));
      } else {
        out += '\\';
        out += e;
      }
    }
  }
  return out;
}

} // namespace

Result<std::vector<Token>> tokenize(const std::string &source, const Segment &segment)
{
  const std::string &s = segment.text;
  std::vector<Token> tokens;
  std::size_t i = 0;
  auto at = [&](std::size_t k) { return std::uint32_t(segment.offset + k); };
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
      continue;
    }
    std::size_t start = i;
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      while (i < s.size() && isIdent(s[i]))
        ++i;
      tokens.push_back({Token::Kind::Name, at(start), s.substr(start, i - start), {}});
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      bool afterDot = !tokens.empty() && tokens.back().kind == Token::Kind::Operator && tokens.back().text == ".";
      std::string digits;
      auto eatDigits = [&] {
        while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || (s[i] == '_' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])))))
          if (s[i++] != '_')
            digits += s[i - 1];
      };
      eatDigits();
      bool isFloat = false;
      if (!afterDot && i + 1 < s.size() && s[i] == '.' && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
        digits += s[i++];
        eatDigits();
        isFloat = true;
      }
      if (!afterDot && i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        std::size_t save = i;
        std::string saveDigits = digits;
        digits += s[i++];
        if (i < s.size() && (s[i] == '+' || s[i] == '-'))
          digits += s[i++];
        if (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
          eatDigits();
          isFloat = true;
        } else {
          i = save;
          digits = saveDigits;
        }
      }
      Token t{isFloat ? Token::Kind::Float : Token::Kind::Integer, at(start), digits, {}};
      if (isFloat) {
        t.value = Value(std::strtod(digits.c_str(), nullptr));
      } else {
        errno = 0;
        long long v = std::strtoll(digits.c_str(), nullptr, 10);
        if (errno == ERANGE)
          return fail(ErrorCode::Unsupported, "{}: integer literal {} is too large",
                      describeOffset(source, at(start)), digits);
        t.value = Value(std::int64_t(v));
      }
      tokens.push_back(std::move(t));
    } else if (c == '\'' || c == '"') {
      std::size_t j = i + 1;
      while (j < s.size() && s[j] != c)
        j += s[j] == '\\' ? 2 : 1;
      if (j >= s.size())
        return syntaxError(source, at(start), "unterminated string literal");
      tokens.push_back({Token::Kind::String, at(start), decodeEscapes(std::string_view(s).substr(i + 1, j - i - 1)), {}});
      i = j + 1;
    } else {
      static constexpr std::string_view twoChar[] = {"//", "**", "==", "!=", "<=", ">="};
      std::string op(1, c);
      for (auto two : twoChar)
        if (s.compare(i, 2, two) == 0)
          op = std::string(two);
      if (op.size() == 1 && std::string_view("+-*/%~<>()[]{},.:|=").find(c) == std::string_view::npos)
        return syntaxError(source, at(start), fmt::format("unexpected character '{}'", c));
      i += op.size();
      tokens.push_back({Token::Kind::Operator, at(start), std::move(op), {}});
    }
  }
  tokens.push_back({Token::Kind::End, at(s.size()), "", {}});
  return tokens;
}

} // namespace hearth::tmpl
