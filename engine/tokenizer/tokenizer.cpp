#include "tokenizer_impl.h"

#include "utf8.h"

#include <algorithm>

namespace hearth::tokenizer {
namespace {

// Spellings llama.cpp takes for the end-of-turn token when the metadata names none, in the
// order Hearth prefers them.
constexpr std::string_view k_eotSpellings[] = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
    "<EOT>", "_<EOT>", "<｜end▁of▁sentence｜>", "<end_of_utterance>",
};

// Spellings that end a turn in some model family. llama.cpp treats tokens spelled so as
// control tokens (and end-of-generation) even when the vocabulary calls them normal, as
// Gemma 3's "</s>" is; Hearth does the same so that text spelling them tokenizes alike.
constexpr std::string_view k_endSpellings[] = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
    "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
    "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
    "<｜end▁of▁sentence｜>", "[e~[",
};

constexpr std::string_view k_spaceMark = "\xE2\x96\x81"; // U+2581, SentencePiece's space

// llama.cpp's detokenizer clean-up, three passes over the joined text; each looks at the
// characters as they were before that pass.
std::string cleanSpaces(std::string t)
{
  const auto pass = [&](auto &&visit) {
    std::string out;
    if (!t.empty())
      out += t[0];
    for (size_t i = 1; i < t.size(); ++i)
      visit(out, i);
    t = std::move(out);
  };
  // " ?" " !" " ." " ," lose the space.
  pass([&](std::string &out, size_t i) {
    const char x = t[i];
    if (t[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ','))
      out.pop_back();
    out += x;
  });
  // " ' " becomes "'".
  pass([&](std::string &out, size_t &i) {
    const char x = t[i];
    if (x == '\'' && i + 1 < t.size() && t[i - 1] == ' ' && t[i + 1] == ' ') {
      out.pop_back();
      t[++i] = '\0'; // skipped, and no longer a space for the next character
    }
    out += x;
  });
  // " 's" " 'm" " 're" " 've" lose the space (" 't" " 'd" " 'll" keep it).
  pass([&](std::string &out, size_t i) {
    const char x = t[i];
    if (t[i - 1] == ' ' && x == '\'' && i + 1 < t.size()) {
      const char x1 = t[i + 1];
      const char x2 = i + 2 < t.size() ? t[i + 2] : '\0';
      if (x1 == 's' || x1 == 'm' || ((x1 == 'r' || x1 == 'v') && x2 == 'e'))
        out.pop_back();
    }
    out += x;
  });
  return t;
}

Status checkId(const Vocabulary &vocab, const std::optional<TokenId> &id, std::string_view what)
{
  if (id && (*id < 0 || static_cast<size_t>(*id) >= vocab.tokens.size()))
    return fail(ErrorCode::Format, "[tokenizer] {} token id {} is out of range (vocabulary of {})",
                what, *id, vocab.tokens.size());
  return {};
}

Status normalize(Vocabulary &vocab)
{
  const size_t n = vocab.tokens.size();
  if (n == 0)
    return fail(ErrorCode::Format, "[tokenizer] the vocabulary has no tokens");
  if (n > static_cast<size_t>(INT32_MAX))
    return fail(ErrorCode::Format, "[tokenizer] vocabulary of {} tokens is too large", n);
  if (!vocab.types.empty() && vocab.types.size() != n)
    return fail(ErrorCode::Format, "[tokenizer] {} token types for {} tokens", vocab.types.size(), n);
  if (!vocab.scores.empty() && vocab.scores.size() != n)
    return fail(ErrorCode::Format, "[tokenizer] {} token scores for {} tokens", vocab.scores.size(), n);
  if (vocab.types.empty())
    vocab.types.assign(n, TokenType::Normal);
  for (auto &t : vocab.types)
    if (static_cast<int32_t>(t) < 0 || static_cast<int32_t>(t) > 6)
      t = TokenType::Undefined;
  for (size_t i = 0; i < n; ++i) {
    if (vocab.tokens[i].empty())
      vocab.tokens[i] = "[EMPTY_" + std::to_string(i) + "]"; // as llama.cpp names them
    if (std::ranges::find(k_endSpellings, vocab.tokens[i]) != std::end(k_endSpellings))
      vocab.types[i] = TokenType::Control;
  }
  if (vocab.kind == VocabKind::SentencePiece) {
    // llama.cpp's defaults for SentencePiece vocabularies, where they exist.
    const auto orDefault = [&](std::optional<TokenId> &id, TokenId fallback) {
      if (!id && static_cast<size_t>(fallback) < n)
        id = fallback;
    };
    orDefault(vocab.bos, 1);
    orDefault(vocab.eos, 2);
    orDefault(vocab.unknown, 0);
  }
  for (auto [id, what] : {std::pair{&vocab.bos, "bos"}, {&vocab.eos, "eos"}, {&vocab.eot, "eot"},
                          {&vocab.unknown, "unknown"}, {&vocab.padding, "padding"}})
    if (auto ok = checkId(vocab, *id, what); !ok)
      return ok;
  return {};
}

} // namespace

Tokenizer::Tokenizer(std::shared_ptr<const Impl> impl) : m_impl(std::move(impl)) {}

Result<Tokenizer> Tokenizer::create(Vocabulary vocab)
{
  if (auto ok = normalize(vocab); !ok)
    return std::unexpected(ok.error());
  auto impl = std::make_shared<Impl>();
  impl->vocab = std::move(vocab);
  Vocabulary &v = impl->vocab;
  impl->byText.reserve(v.tokens.size());
  for (size_t i = 0; i < v.tokens.size(); ++i)
    impl->byText.insert_or_assign(v.tokens[i], static_cast<TokenId>(i));
  impl->special.build(v.tokens, v.types);

  if (v.kind == VocabKind::BytePairBpe) {
    auto spec = preTokenizerSpec(v.pre);
    if (!spec)
      return std::unexpected(spec.error());
    auto pre = PreTokenizer::create(*spec);
    if (!pre)
      return std::unexpected(pre.error());
    impl->pre.emplace(std::move(*pre));
    auto bpe = BpeModel::build(v.tokens, impl->byText, v.merges, spec->ignoreMerges);
    if (!bpe)
      return std::unexpected(bpe.error());
    impl->bpe.emplace(std::move(*bpe));
    v.merges = {};
    impl->addBos = v.addBos.value_or(spec->addBos);
    impl->addEos = v.addEos.value_or(false);
    impl->addSpacePrefix = v.addSpacePrefix.value_or(false);
    impl->cleanSpaces = spec->cleanSpaces;
  } else {
    auto spm = SpmModel::build(v, impl->byText);
    if (!spm)
      return std::unexpected(spm.error());
    impl->spm.emplace(*spm);
    impl->addBos = v.addBos.value_or(true);
    impl->addEos = v.addEos.value_or(false);
    impl->addSpacePrefix = v.addSpacePrefix.value_or(true);
  }
  if (impl->addBos && !v.bos)
    return fail(ErrorCode::Format, "[tokenizer] add_bos_token is set but there is no bos token");
  if (impl->addEos && !v.eos)
    return fail(ErrorCode::Format, "[tokenizer] add_eos_token is set but there is no eos token");

  impl->eot = v.eot;
  for (size_t i = 0; !impl->eot && i < std::size(k_eotSpellings); ++i)
    impl->eot = lookup(impl->byText, k_eotSpellings[i]);
  for (auto spelling : k_endSpellings)
    if (auto id = lookup(impl->byText, spelling))
      impl->endOfGeneration.push_back(*id);
  for (auto id : {v.eos, impl->eot})
    if (id)
      impl->endOfGeneration.push_back(*id);
  return Tokenizer(std::move(impl));
}

void Tokenizer::Impl::encodeText(std::string_view text, std::vector<TokenId> &out) const
{
  const std::vector<char32_t> cps = utf8::decodeLenient(text);
  std::string bytes;
  for (const Piece piece : pre->split(cps)) {
    bytes.clear();
    for (size_t i = piece.begin; i < piece.end; ++i)
      utf8::append(bytes, cps[i]);
    bpe->encodePiece(bytes, out);
  }
}

std::vector<TokenId> Tokenizer::encode(std::string_view text, EncodeOptions options) const
{
  const Impl &impl = *m_impl;
  std::vector<TokenId> out;
  if (options.addSpecial && impl.addBos)
    out.push_back(*impl.vocab.bos);
  bool afterSpecial = true; // SentencePiece: a space prefix goes before the first text
  for (const Fragment &f : impl.special.partition(text, options.parseSpecial)) {
    if (f.token >= 0) {
      out.push_back(f.token);
      afterSpecial = true;
      continue;
    }
    const std::string_view part = text.substr(f.begin, f.end - f.begin);
    if (impl.bpe) {
      impl.encodeText(part, out);
      continue;
    }
    std::string escaped;
    escaped.reserve(part.size() + 8);
    if (impl.addSpacePrefix && afterSpecial)
      escaped += k_spaceMark;
    for (char c : part) {
      if (c == ' ')
        escaped += k_spaceMark;
      else
        escaped += c;
    }
    impl.spm->encode(escaped, out);
    afterSpecial = false;
  }
  if (options.addSpecial && impl.addEos)
    out.push_back(*impl.vocab.eos);
  return out;
}

std::string Tokenizer::Impl::piece(TokenId id, bool renderSpecial) const
{
  if (id < 0 || static_cast<size_t>(id) >= vocab.tokens.size())
    return {};
  const std::string &text = vocab.tokens[id];
  switch (vocab.types[id]) {
  case TokenType::Control:
  case TokenType::Unknown:
    return renderSpecial ? text : std::string();
  case TokenType::UserDefined:
    return text;
  case TokenType::Byte: {
    const int byte = parseByteToken(text);
    return byte < 0 ? std::string() : std::string(1, static_cast<char>(byte));
  }
  case TokenType::Normal:
    break;
  case TokenType::Unused:
  case TokenType::Undefined:
    return {};
  }
  std::string out;
  if (spm) {
    for (size_t i = 0; i < text.size();) {
      if (std::string_view(text).substr(i).starts_with(k_spaceMark)) {
        out += ' ';
        i += k_spaceMark.size();
      } else {
        out += text[i++];
      }
    }
    return out;
  }
  // Byte-level BPE: each character stands for one byte; any other character is kept.
  for (char32_t cp : utf8::decodeLenient(text)) {
    const int byte = charToByte(cp);
    if (byte >= 0)
      out += static_cast<char>(byte);
    else
      utf8::append(out, cp);
  }
  return out;
}

std::string Tokenizer::piece(TokenId id, bool renderSpecial) const
{
  return m_impl->piece(id, renderSpecial);
}

std::string Tokenizer::decode(std::span<const TokenId> ids, DecodeOptions options) const
{
  const Impl &impl = *m_impl;
  bool removeSpace = impl.addSpacePrefix; // the space prefix encode added
  if (options.removeSpecial && impl.addBos && !ids.empty() && ids.front() == *impl.vocab.bos) {
    removeSpace = false;
    ids = ids.subspan(1);
  }
  if (options.removeSpecial && impl.addEos && !ids.empty() && ids.back() == *impl.vocab.eos)
    ids = ids.first(ids.size() - 1);
  std::string out;
  for (TokenId id : ids) {
    std::string p = impl.piece(id, options.renderSpecial);
    if (removeSpace && !p.empty() && p.front() == ' ')
      p.erase(0, 1);
    removeSpace = false;
    out += p;
  }
  return options.cleanSpaces && impl.cleanSpaces ? cleanSpaces(std::move(out)) : out;
}

size_t Tokenizer::size() const { return m_impl->vocab.tokens.size(); }

const std::string &Tokenizer::text(TokenId id) const
{
  static const std::string empty;
  if (id < 0 || static_cast<size_t>(id) >= m_impl->vocab.tokens.size())
    return empty;
  return m_impl->vocab.tokens[id];
}

TokenType Tokenizer::type(TokenId id) const
{
  if (id < 0 || static_cast<size_t>(id) >= m_impl->vocab.types.size())
    return TokenType::Undefined;
  return m_impl->vocab.types[id];
}

std::optional<TokenId> Tokenizer::find(std::string_view spelling) const
{
  return lookup(m_impl->byText, spelling);
}

VocabKind Tokenizer::kind() const { return m_impl->vocab.kind; }
const std::string &Tokenizer::pre() const { return m_impl->vocab.pre; }
std::optional<TokenId> Tokenizer::bos() const { return m_impl->vocab.bos; }
std::optional<TokenId> Tokenizer::eos() const { return m_impl->vocab.eos; }
std::optional<TokenId> Tokenizer::eot() const { return m_impl->eot; }
std::optional<TokenId> Tokenizer::unknown() const { return m_impl->vocab.unknown; }
std::optional<TokenId> Tokenizer::padding() const { return m_impl->vocab.padding; }
bool Tokenizer::addBos() const { return m_impl->addBos; }
bool Tokenizer::addEos() const { return m_impl->addEos; }
bool Tokenizer::addSpacePrefix() const { return m_impl->addSpacePrefix; }

bool Tokenizer::isEndOfGeneration(TokenId id) const
{
  return std::ranges::find(m_impl->endOfGeneration, id) != m_impl->endOfGeneration.end();
}

} // namespace hearth::tokenizer
