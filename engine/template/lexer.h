// Template lexing in two stages, as Jinja does it with trim_blocks and
// lstrip_blocks on: the source is split into text, {{ expression }} and
// {% statement %} segments (comments dropped, raw blocks turned into text,
// whitespace control applied), then each tag's inside is split into tokens.
#pragma once

#include "hearth/error.h"
#include "hearth/template_value.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hearth::tmpl {

struct Segment {
  enum class Kind { Text, Expression, Statement };
  Kind kind;
  std::uint32_t offset; // where the tag's inside (or the text) starts in the source
  std::string text;
  std::uint32_t tagOffset = 0; // where the tag ({{ or {%) starts
};

// Jinja's source normalization: \r\n and \r become \n, one trailing newline is dropped.
std::string normalizeSource(std::string_view source);

Result<std::vector<Segment>> splitSegments(const std::string &source);

struct Token {
  enum class Kind { Name, String, Integer, Float, Operator, End };
  Kind kind;
  std::uint32_t offset;
  std::string text; // name, operator, or decoded string
  Value value;      // numbers
};

// Tokens of one tag's inside, ending with an End token.
Result<std::vector<Token>> tokenize(const std::string &source, const Segment &segment);

} // namespace hearth::tmpl
