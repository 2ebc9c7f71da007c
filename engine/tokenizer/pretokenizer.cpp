#include "pretokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 32
#include <pcre2.h>

#include <array>
#include <string>

namespace hearth::tokenizer {
namespace {

// The regexes, spelled as in the models' tokenizer.json files (case-insensitive groups
// spelled out, as llama.cpp does, so that 'ſ' does not fold to 's').
constexpr std::string_view k_gpt2 =
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
constexpr std::string_view k_llama3 =
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|"
    "\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
constexpr std::string_view k_qwen2 =
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|"
    "\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
constexpr std::string_view k_eachDigit = "\\p{N}";
constexpr std::string_view k_defaultPunct = "[\\p{P}\\$\\+<=>\\^~\\|]+";
constexpr std::string_view k_digitRuns = "\\p{N}+";
constexpr std::string_view k_threeDigits = "[0-9][0-9][0-9]";

// White space as llama.cpp's tables define it (Unicode White_Space, which includes U+0085;
// PCRE2's \s does not), spelled as the body of a character class.
constexpr std::string_view k_space =
    "\\t-\\r\\x{20}\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}"
    "\\x{205F}\\x{3000}";

// Replaces \s and \S by explicit classes of k_space; other escapes are copied.
Result<std::u32string> expandSpaceClasses(std::string_view regex)
{
  std::string out;
  bool inClass = false;
  for (size_t i = 0; i < regex.size(); ++i) {
    const char c = regex[i];
    if (c == '\\' && i + 1 < regex.size()) {
      const char e = regex[i + 1];
      ++i;
      if (e == 's')
        out += inClass ? std::string(k_space) : "[" + std::string(k_space) + "]";
      else if (e == 'S' && !inClass)
        out += "[^" + std::string(k_space) + "]";
      else if (e == 'S')
        return fail(ErrorCode::Internal, "[tokenizer] regex '{}': \\S inside a class", regex);
      else
        out += {c, e};
      continue;
    }
    if (c == '[' && !inClass)
      inClass = true;
    else if (c == ']' && inClass)
      inClass = false;
    out += c;
  }
  return std::u32string(out.begin(), out.end());
}

struct CodeDeleter {
  void operator()(pcre2_code *code) const { pcre2_code_free(code); }
};
struct MatchDataDeleter {
  void operator()(pcre2_match_data *data) const { pcre2_match_data_free(data); }
};
using CodePtr = std::unique_ptr<pcre2_code, CodeDeleter>;
using MatchDataPtr = std::unique_ptr<pcre2_match_data, MatchDataDeleter>;

// PCRE2 in UTF-32 mode refuses surrogates; llama.cpp classifies them as "other" (neither
// letter, number nor space), and so is U+E000, which stands in for them while matching.
char32_t matchable(char32_t cp)
{
  return (cp >= 0xD800 && cp <= 0xDFFF) ? 0xE000 : cp;
}

} // namespace

Result<PreTokenizerSpec> preTokenizerSpec(std::string_view name)
{
  const auto is = [&](std::initializer_list<std::string_view> names) {
    for (auto n : names)
      if (n == name)
        return true;
    return false;
  };
  // {regexes, ignoreMerges, addBos, cleanSpaces}, as llama.cpp sets them for each name.
  if (name.empty() || name == "default")
    return PreTokenizerSpec{{k_defaultPunct, k_gpt2, k_digitRuns, k_threeDigits}, false, false, true};
  if (is({"llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2"}))
    return PreTokenizerSpec{{k_llama3}, true, true, true};
  if (is({"qwen2", "deepseek-r1-qwen"}))
    return PreTokenizerSpec{{k_qwen2}, false, false, false};
  if (is({"gpt-2", "phi-2", "mpt", "olmo", "jina-es", "jina-de"}))
    return PreTokenizerSpec{{k_gpt2}, false, false, true};
  if (is({"smollm", "command-r"}))
    return PreTokenizerSpec{{k_eachDigit, k_gpt2}, false, false, false};
  if (is({"starcoder", "refact"}))
    return PreTokenizerSpec{{k_eachDigit, k_gpt2}, false, false, true};
  return fail(ErrorCode::Unsupported, "[tokenizer] unsupported pre-tokenizer '{}'", name);
}

struct PreTokenizer::Impl {
  std::vector<CodePtr> regexes;
  bool jit = false;
};

PreTokenizer::PreTokenizer(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
PreTokenizer::PreTokenizer(PreTokenizer &&) noexcept = default;
PreTokenizer &PreTokenizer::operator=(PreTokenizer &&) noexcept = default;
PreTokenizer::~PreTokenizer() = default;

Result<PreTokenizer> PreTokenizer::create(const PreTokenizerSpec &spec)
{
  auto impl = std::make_unique<Impl>();
  uint32_t jitAvailable = 0;
  pcre2_config(PCRE2_CONFIG_JIT, &jitAvailable);
  impl->jit = jitAvailable != 0;
  for (auto regex : spec.regexes) {
    auto pattern = expandSpaceClasses(regex);
    if (!pattern)
      return std::unexpected(pattern.error());
    int error = 0;
    PCRE2_SIZE offset = 0;
    CodePtr code(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern->data()), pattern->size(),
                               PCRE2_UTF | PCRE2_UCP, &error, &offset, nullptr));
    if (!code) {
      std::array<PCRE2_UCHAR, 256> message{};
      pcre2_get_error_message(error, message.data(), message.size());
      std::string text;
      for (auto ch : message) {
        if (ch == 0)
          break;
        text += static_cast<char>(ch < 0x80 ? ch : '?');
      }
      return fail(ErrorCode::Internal, "[tokenizer] regex '{}' at {}: {}", regex, offset, text);
    }
    if (impl->jit && pcre2_jit_compile(code.get(), PCRE2_JIT_COMPLETE) != 0)
      impl->jit = false;
    impl->regexes.push_back(std::move(code));
  }
  return PreTokenizer(std::move(impl));
}

std::vector<Piece> PreTokenizer::split(std::span<const char32_t> cps) const
{
  std::u32string subject(cps.size(), U'\0');
  for (size_t i = 0; i < cps.size(); ++i)
    subject[i] = matchable(cps[i]);

  std::vector<Piece> pieces;
  if (!cps.empty())
    pieces.push_back({0, cps.size()});
  std::vector<Piece> next;
  for (const auto &code : m_impl->regexes) {
    MatchDataPtr data(pcre2_match_data_create_from_pattern(code.get(), nullptr));
    next.clear();
    next.reserve(pieces.size() * 2);
    for (const Piece piece : pieces) {
      // Each piece is matched on its own: lookaheads do not see past its end.
      const auto *begin = reinterpret_cast<PCRE2_SPTR>(subject.data() + piece.begin);
      const size_t length = piece.end - piece.begin;
      size_t at = 0;   // where the next search starts, relative to the piece
      size_t done = 0; // end of the last piece emitted
      while (at < length) {
        const int rc = m_impl->jit
                           ? pcre2_jit_match(code.get(), begin, length, at, PCRE2_NO_UTF_CHECK, data.get(), nullptr)
                           : pcre2_match(code.get(), begin, length, at, PCRE2_NO_UTF_CHECK, data.get(), nullptr);
        if (rc < 0)
          break; // no further match (or a matching limit): the rest is one piece
        const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(data.get());
        const size_t from = ov[0], to = ov[1];
        if (from > done)
          next.push_back({piece.begin + done, piece.begin + from});
        if (to > from) {
          next.push_back({piece.begin + from, piece.begin + to});
          done = to;
          at = to;
        } else {
          at = from + 1; // an empty match: none of these regexes has one, but never loop
        }
      }
      if (done < length)
        next.push_back({piece.begin + done, piece.end});
    }
    pieces.swap(next);
  }
  return pieces;
}

} // namespace hearth::tokenizer
