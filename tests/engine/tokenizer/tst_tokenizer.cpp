// Tokenizer behaviour on small synthetic vocabularies: merge order, byte fallback, special
// tokens, pre-tokenizer splits, malformed vocabularies, streaming decode. The comparison with
// llama.cpp on real models is tst_tokenizer_llamacpp.
#include "hearth/gguf.h"
#include "hearth/tokenizer.h"
#include "tokenizer/bpe.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/utf8.h"

#include <gtest/gtest.h>

#include <functional>

using namespace hearth;
using namespace hearth::tokenizer;

namespace {

const std::string k_space = "\xE2\x96\x81"; // U+2581

// SentencePiece: <unk> <s> </s>, 256 byte tokens (ids 3..258), then `pieces` from id 259.
Vocabulary spmVocab(std::vector<std::pair<std::string, float>> pieces)
{
  Vocabulary v;
  v.kind = VocabKind::SentencePiece;
  v.tokens = {"<unk>", "<s>", "</s>"};
  v.types = {TokenType::Unknown, TokenType::Control, TokenType::Control};
  v.scores = {0, 0, 0};
  for (int b = 0; b < 256; ++b) {
    v.tokens.push_back(fmt::format("<0x{:02X}>", b));
    v.types.push_back(TokenType::Byte);
    v.scores.push_back(0);
  }
  for (auto &[text, score] : pieces) {
    v.tokens.push_back(text);
    v.types.push_back(TokenType::Normal);
    v.scores.push_back(score);
  }
  v.bos = 1;
  v.eos = 2;
  v.unknown = 0;
  v.addSpacePrefix = false;
  return v;
}

TokenId byteId(uint8_t b) { return 3 + b; }

// Byte-level BPE: the 256 byte characters (id = byte), then `extra` from id 256.
Vocabulary bpeVocab(std::vector<std::string> extra, std::vector<std::string> merges, std::string pre = "gpt-2")
{
  Vocabulary v;
  v.kind = VocabKind::BytePairBpe;
  v.pre = std::move(pre);
  for (int b = 0; b < 256; ++b) {
    std::string s;
    utf8::append(s, byteToChar(static_cast<uint8_t>(b)));
    v.tokens.push_back(s);
  }
  for (auto &e : extra)
    v.tokens.push_back(e);
  v.merges = std::move(merges);
  return v;
}

Tokenizer make(Vocabulary v)
{
  auto tok = Tokenizer::create(std::move(v));
  if (!tok) {
    ADD_FAILURE() << tok.error().message;
    std::abort(); // every vocabulary built here is valid: a failure is a bug worth stopping on
  }
  return std::move(*tok);
}

std::vector<std::string> pieces(std::string_view pre, std::string_view text)
{
  auto spec = preTokenizerSpec(pre);
  if (!spec) {
    ADD_FAILURE() << spec.error().message;
    return {};
  }
  auto splitter = PreTokenizer::create(*spec);
  if (!splitter) {
    ADD_FAILURE() << splitter.error().message;
    return {};
  }
  const auto cps = utf8::decodeLenient(text);
  std::vector<std::string> out;
  for (const Piece p : splitter->split(cps)) {
    std::string s;
    for (size_t i = p.begin; i < p.end; ++i)
      utf8::append(s, cps[i]);
    out.push_back(s);
  }
  return out;
}

using Ids = std::vector<TokenId>;
using Strings = std::vector<std::string>;

} // namespace

TEST(Utf8, DecodesLikeLlamaCppAndNeverPastU10FFFF)
{
  EXPECT_EQ(utf8::decodeLenient("a\xC3\xA9"), (std::vector<char32_t>{'a', 0xE9}));
  EXPECT_EQ(utf8::decodeLenient("\xE2\x82"), (std::vector<char32_t>{0xFFFD, 0xFFFD}));
  EXPECT_EQ(utf8::decodeLenient("\xC0\x80"), (std::vector<char32_t>{0})); // overlong, kept
  EXPECT_EQ(utf8::decodeLenient("\xED\xA0\x80"), (std::vector<char32_t>{0xD800}));
  // llama.cpp aborts on this one; Hearth treats each byte as invalid.
  EXPECT_EQ(utf8::decodeLenient("\xF4\x90\x80\x80"), (std::vector<char32_t>(4, 0xFFFD)));
}

TEST(PreTokenizer, SplitsAsTheModelFamiliesDo)
{
  EXPECT_EQ(pieces("gpt-2", "Hello  world's 123!!"),
            (Strings{"Hello", " ", " world", "'s", " 123", "!!"}));
  EXPECT_EQ(pieces("smollm", "abc 123"), (Strings{"abc", " ", "1", "2", "3"}));
  EXPECT_EQ(pieces("llama3", "1234567 I'M\n\n  x"), (Strings{"123", "456", "7", " I", "'M", "\n\n", " ", " x"}));
  EXPECT_EQ(pieces("qwen2", "x=12"), (Strings{"x", "=", "1", "2"}));
  EXPECT_EQ(pieces("default", "a+b=12345"), (Strings{"a", "+", "b", "=", "123", "45"}));
  // U+0085 (NEL) is white space to llama.cpp although PCRE2's \s leaves it out.
  EXPECT_EQ(pieces("gpt-2", "!\xC2\x85"), (Strings{"!", "\xC2\x85"}));
  // Surrogates (as llama.cpp decodes them) are neither letters nor space.
  EXPECT_EQ(pieces("gpt-2", "a\xED\xA0\x80"), (Strings{"a", "\xED\xA0\x80"}));
  EXPECT_FALSE(preTokenizerSpec("no-such-pre"));
  EXPECT_FALSE(preTokenizerSpec("gpt2")); // llama.cpp knows "gpt-2" only
}

TEST(PreTokenizer, LongRunsSplitCorrectly)
{
  const std::string spaces(200000, ' ');
  EXPECT_EQ(pieces("gpt-2", spaces + "x"), (Strings{std::string(199999, ' '), " x"}));
  const std::string as(100000, 'a'), bs(100000, 'b');
  EXPECT_EQ(pieces("llama3", as + " " + bs), (Strings{as, " " + bs}));
  EXPECT_EQ(pieces("qwen2", "x" + std::string(50000, '\n') + "y"), (Strings{"x", std::string(50000, '\n'), "y"}));
}

TEST(Bpe, MergesByRank)
{
  // ids: 256 "ll", 257 "lo"
  const Tokenizer llFirst = make(bpeVocab({"ll", "lo"}, {"l l", "l o"}));
  EXPECT_EQ(llFirst.encode("llo"), (Ids{256, 'o'}));
  const Tokenizer loFirst = make(bpeVocab({"ll", "lo"}, {"l o", "l l"}));
  EXPECT_EQ(loFirst.encode("llo"), (Ids{'l', 257}));
  // Equal candidates: the leftmost merges first.
  EXPECT_EQ(llFirst.encode("lll"), (Ids{256, 'l'}));
}

TEST(Bpe, WholeWordsAndSpaces)
{
  // Ġ is the byte character of ' '. ids: 256 he, 257 ll, 258 hell, 259 hello, 260 Ġw
  const Tokenizer tok = make(bpeVocab({"he", "ll", "hell", "hello", "\xC4\xA0w"},
                                      {"h e", "l l", "he ll", "hell o", "\xC4\xA0 w"}));
  EXPECT_EQ(tok.encode("hello"), (Ids{259}));
  EXPECT_EQ(tok.encode("hello wo"), (Ids{259, 260, 'o'}));
  EXPECT_EQ(tok.decode(tok.encode("hello wo")), "hello wo");
  EXPECT_EQ(tok.piece(260), " w");
}

TEST(Bpe, DecodeCleansSpacesWhereTheVocabularyAsks)
{
  const std::string text = "a , b ' c 's 't";
  const Tokenizer gpt2 = make(bpeVocab({}, {}, "gpt-2"));
  EXPECT_EQ(gpt2.decode(gpt2.encode(text)), "a, b'c's 't");
  EXPECT_EQ(gpt2.decode(gpt2.encode(text), {.cleanSpaces = false}), text);
  const Tokenizer smollm = make(bpeVocab({}, {}, "smollm"));
  EXPECT_EQ(smollm.decode(smollm.encode(text)), text);
}

TEST(Bpe, MergeResultOutsideTheVocabularyFallsBackToBytes)
{
  const Tokenizer tok = make(bpeVocab({}, {"x y"}));
  EXPECT_EQ(tok.encode("xy"), (Ids{'x', 'y'}));
}

TEST(Bpe, LongWordIsLinear)
{
  const Tokenizer tok = make(bpeVocab({"aa", "aaaa"}, {"a a", "aa aa"}));
  const auto ids = tok.encode(std::string(100000, 'a'));
  ASSERT_EQ(ids.size(), 25000u);
  EXPECT_EQ(ids.front(), 257);
  EXPECT_EQ(ids.back(), 257);
}

TEST(Bpe, InvalidUtf8BecomesReplacementCharacters)
{
  // U+FFFD is EF BF BD; without merges each byte is its own token.
  const Tokenizer tok = make(bpeVocab({}, {}));
  EXPECT_EQ(tok.encode("a\xFF"), (Ids{'a', 0xEF, 0xBF, 0xBD}));
  EXPECT_EQ(tok.encode("\xF4\x90\x80\x80").size(), 12u); // four invalid bytes, no crash
}

TEST(Bpe, MalformedMergeIsAnError)
{
  auto tok = Tokenizer::create(bpeVocab({}, {"ab"}));
  ASSERT_FALSE(tok);
  EXPECT_EQ(tok.error().code, ErrorCode::Format);
  EXPECT_NE(tok.error().message.find("merge 0 'ab'"), std::string::npos) << tok.error().message;
}

TEST(Spm, MergesByScore)
{
  const TokenId a = 259, b = 260, c = 261, ab = 262, bc = 263;
  auto abHigher = spmVocab({{"a", -1}, {"b", -1}, {"c", -1}, {"ab", -2}, {"bc", -3}});
  EXPECT_EQ(make(abHigher).encode("abc"), (Ids{ab, c}));
  auto bcHigher = spmVocab({{"a", -1}, {"b", -1}, {"c", -1}, {"ab", -3}, {"bc", -2}});
  EXPECT_EQ(make(bcHigher).encode("abc"), (Ids{a, bc}));
  EXPECT_EQ(make(bcHigher).encode("ba"), (Ids{b, a}));
}

TEST(Spm, SpacesAndPrefix)
{
  auto v = spmVocab({{k_space, -1}, {"a", -1}, {k_space + "a", -0.5f}});
  const TokenId sp = 259, a = 260, spA = 261;
  EXPECT_EQ(make(v).encode("a a"), (Ids{a, spA}));
  v.addSpacePrefix = true;
  const Tokenizer tok = make(v);
  EXPECT_EQ(tok.encode("a"), (Ids{spA}));
  EXPECT_EQ(tok.encode(" a"), (Ids{sp, spA}));
  EXPECT_EQ(tok.decode(tok.encode("a a")), "a a"); // the added prefix space is removed again
}

TEST(Spm, ByteFallback)
{
  const Tokenizer tok = make(spmVocab({{"a", -1}}));
  EXPECT_EQ(tok.encode("a\xC3\xA9"), (Ids{259, byteId(0xC3), byteId(0xA9)}));
  EXPECT_EQ(tok.encode("\xFF"), (Ids{byteId(0xFF)}));
  EXPECT_EQ(tok.decode(tok.encode("a\xC3\xA9")), "a\xC3\xA9");
}

TEST(Spm, MalformedByteTokenIsAnErrorNotAnIndex)
{
  for (const char *bad : {"<0x-1>", "<0xZZ>", "<0x1>", "<0x100>"}) {
    auto v = spmVocab({});
    v.tokens.push_back(bad);
    v.types.push_back(TokenType::Byte);
    v.scores.push_back(0);
    auto tok = Tokenizer::create(v);
    ASSERT_FALSE(tok) << bad;
    EXPECT_EQ(tok.error().code, ErrorCode::Format);
    EXPECT_NE(tok.error().message.find(bad), std::string::npos) << tok.error().message;
  }
}

TEST(Vocabulary, InconsistentMetadataIsAnError)
{
  auto v = spmVocab({});
  v.types.pop_back();
  EXPECT_FALSE(Tokenizer::create(v));
  v = spmVocab({});
  v.eos = 100000;
  auto tok = Tokenizer::create(v);
  ASSERT_FALSE(tok);
  EXPECT_NE(tok.error().message.find("eos token id 100000"), std::string::npos) << tok.error().message;
  EXPECT_FALSE(Tokenizer::create(Vocabulary{}));
  auto bpe = bpeVocab({}, {}, "no-such-pre");
  EXPECT_EQ(Tokenizer::create(bpe).error().code, ErrorCode::Unsupported);
}

TEST(Special, ControlTokensOnlyWhenAsked)
{
  auto v = spmVocab({{"x", -1}});
  v.addSpacePrefix = false;
  const Tokenizer tok = make(v);
  EXPECT_EQ(tok.encode("x</s>", {.parseSpecial = true}), (Ids{259, 2}));
  EXPECT_EQ(tok.encode("x</s>"), (Ids{259, byteId('<'), byteId('/'), byteId('s'), byteId('>')}));
  EXPECT_EQ(tok.encode("x", {.addSpecial = true}), (Ids{1, 259}));
  EXPECT_EQ(tok.decode(Ids{1, 259, 2}), "x");
  EXPECT_EQ(tok.decode(Ids{1, 259, 2}, {.renderSpecial = true}), "<s>x</s>");
  EXPECT_EQ(tok.decode(Ids{1, 259}, {.renderSpecial = true, .removeSpecial = true}), "x");
}

TEST(Special, LongestSpellingCarvedFirstAndUserDefinedAlways)
{
  // "bcd" (longer) is carved before "ab", even though "ab" starts first, as llama.cpp does.
  auto v = spmVocab({{"a", -1}, {"ab", -1}, {"bcd", -1}});
  v.types[260] = TokenType::UserDefined;
  v.types[261] = TokenType::UserDefined;
  const Tokenizer tok = make(v);
  EXPECT_EQ(tok.encode("abcd"), (Ids{259, 261}));
  EXPECT_EQ(tok.encode("abab"), (Ids{260, 260}));
}

TEST(StreamDecoder, EmitsCharactersOnlyWhenWhole)
{
  const Tokenizer tok = make(bpeVocab({}, {}));
  const std::string text = "\xE6\x97\xA5\xF0\x9F\x98\x80!"; // 日😀!
  StreamDecoder stream(tok);
  std::vector<std::string> parts;
  for (unsigned char byte : text)
    parts.push_back(stream.push(byte)); // one token per byte
  EXPECT_EQ(parts, (Strings{"", "", "\xE6\x97\xA5", "", "", "", "\xF0\x9F\x98\x80", "!"}));
  EXPECT_EQ(stream.flush(), "");
}

TEST(StreamDecoder, InvalidBytesBecomeReplacementCharacters)
{
  const Tokenizer tok = make(bpeVocab({}, {}));
  const std::string fffd = "\xEF\xBF\xBD";
  StreamDecoder stream(tok);
  EXPECT_EQ(stream.push(0xFF), fffd);
  EXPECT_EQ(stream.push(0xE6), "");
  EXPECT_EQ(stream.push('A'), fffd + "A"); // a lead byte that was never finished
  EXPECT_EQ(stream.push(0xE6), "");
  EXPECT_EQ(stream.push(0x97), "");
  EXPECT_EQ(stream.flush(), fffd);
  EXPECT_EQ(stream.pushBytes("\xED\xA0\x80"), fffd + fffd + fffd); // a surrogate is not UTF-8
  EXPECT_EQ(stream.pushBytes("ok"), "ok");
}

namespace {

// A GGUF file in memory with a small SentencePiece vocabulary (built with GgufWriter).
Result<Tokenizer> fromWriter(const std::function<void(gguf::GgufWriter &)> &edit)
{
  gguf::GgufWriter w;
  const Vocabulary v = spmVocab({{"a", -1}, {"b", -1}, {"ab", -0.5f}});
  w.setString("tokenizer.ggml.model", "llama");
  w.setStringArray("tokenizer.ggml.tokens", v.tokens);
  w.setF32Array("tokenizer.ggml.scores", v.scores);
  std::vector<int32_t> types;
  for (auto t : v.types)
    types.push_back(static_cast<int32_t>(t));
  w.setI32Array("tokenizer.ggml.token_type", types);
  w.setU32("tokenizer.ggml.bos_token_id", 1);
  w.setU32("tokenizer.ggml.eos_token_id", 2);
  w.setBool("tokenizer.ggml.add_space_prefix", false);
  edit(w);
  const auto bytes = w.bytes();
  auto file = gguf::GgufFile::fromMemory(bytes, "vocab.gguf");
  EXPECT_TRUE(file) << file.error().message;
  return Tokenizer::fromGguf(*file);
}

} // namespace

TEST(FromGguf, ReadsTheTokenizerKeys)
{
  auto tok = fromWriter([](gguf::GgufWriter &) {});
  ASSERT_TRUE(tok) << tok.error().message;
  EXPECT_EQ(tok->kind(), VocabKind::SentencePiece);
  EXPECT_EQ(tok->encode("ab", {.addSpecial = true}), (Ids{1, 261}));
  EXPECT_EQ(tok->eos(), 2);
}

TEST(FromGguf, ErrorsNameTheKey)
{
  auto model = fromWriter([](gguf::GgufWriter &w) { w.setString("tokenizer.ggml.model", "bert"); });
  ASSERT_FALSE(model);
  EXPECT_EQ(model.error().code, ErrorCode::Unsupported);
  EXPECT_NE(model.error().message.find("bert"), std::string::npos);

  auto types = fromWriter([](gguf::GgufWriter &w) { w.setF32Array("tokenizer.ggml.token_type", {1.0f}); });
  ASSERT_FALSE(types);
  EXPECT_NE(types.error().message.find("tokenizer.ggml.token_type"), std::string::npos) << types.error().message;

  auto badByte = fromWriter([](gguf::GgufWriter &w) {
    Vocabulary v = spmVocab({{"a", -1}, {"b", -1}, {"ab", -0.5f}});
    v.tokens[3] = "<0x-1>"; // a byte-type token
    w.setStringArray("tokenizer.ggml.tokens", v.tokens);
  });
  ASSERT_FALSE(badByte);
  EXPECT_NE(badByte.error().message.find("<0x-1>"), std::string::npos) << badByte.error().message;
  EXPECT_NE(badByte.error().message.find("vocab.gguf"), std::string::npos) << badByte.error().message;
}
