// Text helpers with Python string semantics: strings are UTF-8 here, but
// len(), indexing, slicing and whitespace follow code points as in Python.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hearth::tmpl::text {

// Byte offset of every code point start, plus s.size() at the end. Invalid bytes
// count as one code point each.
std::vector<std::size_t> codePointOffsets(std::string_view s);
std::size_t codePointCount(std::string_view s);

// Decodes the code point at s[i] (advancing i); invalid bytes decode as themselves.
char32_t decode(std::string_view s, std::size_t &i);
void append(std::string &out, char32_t cp);

// Python str.isspace() for one code point.
bool isSpace(char32_t cp);
// Python str.strip()/lstrip()/rstrip(); with `chars` the set of code points to strip.
std::string_view strip(std::string_view s, bool left, bool right);
std::string strip(std::string_view s, std::string_view chars, bool left, bool right);

// ASCII-and-Latin-1 case mapping (enough for role names and titles).
std::string upper(std::string_view s);
std::string lower(std::string_view s);
std::string capitalize(std::string_view s);
std::string title(std::string_view s);

// Python repr(float): shortest round-trip digits, "1.0", "1e+16", "inf", "nan".
std::string pythonFloat(double v);
// Python repr(str): single quotes unless the text has ' and no ".
std::string pythonRepr(std::string_view s);
// JSON string literal as Python's json.dumps(ensure_ascii=False) writes it.
void jsonQuote(std::string &out, std::string_view s);

} // namespace hearth::tmpl::text
