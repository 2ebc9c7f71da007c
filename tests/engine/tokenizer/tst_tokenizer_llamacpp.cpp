// Hearth's tokenizers against llama.cpp on real models: every string of the fixtures made by
// tests/fixtures/tokenizer/make_fixture.mjs (node-llama-cpp 3.22.1) must give the same ids.
//   SmolLM2-135M-Instruct (byte-level BPE, smollm pre-tokenizer): HEARTH_DEMO_MODEL
//   Gemma 3 270M (SentencePiece): HEARTH_GEMMA_MODEL (packaging/fetch-gemma-model.sh)
//   The demo model's vocabulary under the gpt2, llama3, qwen2 and default pre-tokenizers
//   (vocabulary-only GGUF files from make_vocab_variants.py, tokenized by llama.cpp).
#include "hearth/gguf.h"
#include "hearth/tokenizer.h"
#include "tokenizer/utf8.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

using namespace hearth;
using namespace hearth::tokenizer;
using nlohmann::json;

namespace {

std::string env(const char *name)
{
  const char *v = std::getenv(name);
  return v ? v : "";
}

json loadFixture(const std::string &name)
{
  const std::string path = env("HEARTH_FIXTURES") + "/tokenizer/" + name;
  std::ifstream in(path);
  if (!in)
    return json();
  return json::parse(in, nullptr, false);
}

std::string show(std::string_view text)
{
  std::string out;
  for (unsigned char c : text) {
    if (c >= 0x20 && c < 0x7F && c != '\\')
      out += static_cast<char>(c);
    else
      out += fmt::format("\\x{:02x}", c);
  }
  return out;
}

std::string showIds(const std::vector<TokenId> &ids)
{
  return fmt::format("[{}]", fmt::join(ids, ", "));
}

struct Model {
  std::optional<Tokenizer> tokenizer;
  json fixture;
};

// Loads the model's tokenizer and its fixture; fails the test (never skips) when either
// is missing, naming what provides it.
Model load(const std::string &modelPath, const std::string &fixtureName, const char *provider)
{
  Model m;
  if (modelPath.empty() || !std::filesystem::exists(modelPath)) {
    ADD_FAILURE() << "model '" << modelPath << "' is missing; " << provider << " fetches it";
    return m;
  }
  auto file = gguf::GgufFile::open(modelPath);
  if (!file) {
    ADD_FAILURE() << file.error().message;
    return m;
  }
  auto tok = Tokenizer::fromGguf(*file);
  if (!tok) {
    ADD_FAILURE() << tok.error().message;
    return m;
  }
  m.tokenizer = std::move(*tok);
  m.fixture = loadFixture(fixtureName);
  if (!m.fixture.is_object())
    ADD_FAILURE() << "fixture " << fixtureName << " is missing or not JSON";
  return m;
}

std::vector<TokenId> ids(const json &array)
{
  return array.get<std::vector<TokenId>>();
}

std::string bytesOf(const json &array)
{
  std::string out;
  for (int b : array)
    out += static_cast<char>(b);
  return out;
}

// Compares every case of one fixture section; returns the number that matched.
size_t compare(const Tokenizer &tok, const json &cases, EncodeOptions options, const char *section)
{
  size_t matched = 0;
  for (const json &c : cases) {
    const std::string text = c.contains("bytes") ? bytesOf(c["bytes"]) : c["text"].get<std::string>();
    EncodeOptions o = options;
    if (c.contains("parseSpecial"))
      o.parseSpecial = c["parseSpecial"].get<bool>();
    const auto expected = ids(c["ids"]);
    const auto got = tok.encode(text, o);
    if (got == expected)
      ++matched;
    else
      ADD_FAILURE() << section << " \"" << show(text) << "\"\n  llama.cpp: " << showIds(expected)
                    << "\n  hearth:    " << showIds(got);
  }
  return matched;
}

void checkModel(const Model &m, size_t minPlain)
{
  const Tokenizer &tok = *m.tokenizer;
  const json &f = m.fixture;
  EXPECT_EQ(tok.size(), f["vocabSize"].get<size_t>());
  EXPECT_EQ(tok.bos(), f["bos"].get<TokenId>());
  EXPECT_EQ(tok.eos(), f["eos"].get<TokenId>());
  ASSERT_GE(f["plain"].size(), minPlain);

  const size_t plain = compare(tok, f["plain"], {}, "plain");
  const size_t special = compare(tok, f["special"], {.parseSpecial = true}, "special");
  const size_t added = compare(tok, f["addSpecial"], {.addSpecial = true}, "addSpecial");
  const size_t invalid = compare(tok, f["invalidUtf8"], {}, "invalid UTF-8");
  EXPECT_EQ(plain, f["plain"].size());
  EXPECT_EQ(special, f["special"].size());
  EXPECT_EQ(added, f["addSpecial"].size());
  EXPECT_EQ(invalid, f["invalidUtf8"].size());
  std::printf("%s: identical ids for %zu/%zu plain, %zu/%zu special, %zu/%zu add-special, %zu/%zu invalid UTF-8\n",
              f["model"].get<std::string>().c_str(), plain, f["plain"].size(), special, f["special"].size(), added,
              f["addSpecial"].size(), invalid, f["invalidUtf8"].size());
}

// Decoding llama.cpp's ids gives llama.cpp's text; the streaming decoder, token by token,
// gives the same pieces joined (without the clean-up of spaces some vocabularies ask for).
void checkDecode(const Model &m, const char *section, bool renderSpecial)
{
  const Tokenizer &tok = *m.tokenizer;
  for (const json &c : m.fixture[section]) {
    const auto expectedIds = ids(c["ids"]);
    const std::string decoded = c["decoded"].get<std::string>();
    EXPECT_EQ(tok.decode(expectedIds, {.renderSpecial = renderSpecial}), decoded)
        << section << " \"" << show(c["text"].get<std::string>()) << "\"";
    StreamDecoder stream(tok, renderSpecial);
    std::string streamed;
    for (TokenId id : expectedIds) {
      const std::string part = stream.push(id);
      streamed += part;
      EXPECT_LE(stream.pendingBytes(), 3u);
    }
    streamed += stream.flush();
    EXPECT_EQ(streamed, tok.decode(expectedIds, {.renderSpecial = renderSpecial, .cleanSpaces = false}))
        << "streamed " << section << " \"" << show(c["text"].get<std::string>()) << "\"";
  }
}

// Random byte strings, mostly pieces of UTF-8 characters of every length, some bytes that
// never occur in UTF-8; a fixed seed so a failure repeats.
std::vector<std::string> randomStrings(size_t count)
{
  std::mt19937 rng(20261129);
  const std::vector<std::string> alphabet = {"a", "Z", " ", "  ", "\n", "\t", "7", "'", ".", "<|im_end|>", "</s>",
                                             "\xC3\xA9", "\xE6\x97\xA5", "\xF0\x9F\x98\x80", "\xE2\x80\x8D",
                                             "\xFF", "\x80", "\xC3", "\xED\xA0\x80", "\xF4\x90\x80\x80"};
  std::vector<std::string> out;
  for (size_t i = 0; i < count; ++i) {
    std::string s;
    const size_t parts = rng() % 24;
    for (size_t k = 0; k < parts; ++k)
      s += alphabet[rng() % alphabet.size()];
    out.push_back(s);
  }
  return out;
}

class SmolLm2 : public ::testing::Test {
protected:
  static void SetUpTestSuite()
  {
    s_model = new Model(load(env("HEARTH_DEMO_MODEL"), "smollm2-135m-instruct.json", "packaging/fetch-demo-model.sh"));
  }
  static void TearDownTestSuite() { delete s_model; }
  static Model *s_model;
};
Model *SmolLm2::s_model = nullptr;

class Gemma3 : public SmolLm2 {
protected:
  static void SetUpTestSuite()
  {
    s_model = new Model(load(env("HEARTH_GEMMA_MODEL"), "gemma3-270m.json", "packaging/fetch-gemma-model.sh"));
  }
};

} // namespace

TEST_F(SmolLm2, VocabularyFacts)
{
  ASSERT_TRUE(s_model->tokenizer);
  const Tokenizer &tok = *s_model->tokenizer;
  EXPECT_EQ(tok.kind(), VocabKind::BytePairBpe);
  EXPECT_EQ(tok.pre(), "smollm");
  EXPECT_FALSE(tok.addBos());
  EXPECT_EQ(tok.find("<|im_end|>"), 2);
  EXPECT_EQ(tok.type(2), TokenType::Control);
  EXPECT_EQ(tok.eot(), 2);
  EXPECT_TRUE(tok.isEndOfGeneration(2));
  EXPECT_FALSE(tok.isEndOfGeneration(19556));
}

TEST_F(SmolLm2, IdsIdenticalToLlamaCpp)
{
  ASSERT_TRUE(s_model->tokenizer);
  checkModel(*s_model, 300);
}

TEST_F(SmolLm2, DecodeAndStreamMatchLlamaCpp)
{
  ASSERT_TRUE(s_model->tokenizer);
  checkDecode(*s_model, "plain", false);
  checkDecode(*s_model, "special", true);
}

TEST_F(SmolLm2, RoundTripsEveryValidString)
{
  ASSERT_TRUE(s_model->tokenizer);
  const Tokenizer &tok = *s_model->tokenizer;
  for (const json &c : s_model->fixture["plain"]) {
    const std::string text = c["text"].get<std::string>();
    EXPECT_EQ(tok.decode(tok.encode(text)), text) << show(text);
  }
}

TEST_F(Gemma3, VocabularyFacts)
{
  ASSERT_TRUE(s_model->tokenizer);
  const Tokenizer &tok = *s_model->tokenizer;
  EXPECT_EQ(tok.kind(), VocabKind::SentencePiece);
  EXPECT_TRUE(tok.addBos());
  EXPECT_FALSE(tok.addSpacePrefix());
  EXPECT_EQ(tok.type(107), TokenType::UserDefined); // "\n"
  EXPECT_EQ(tok.type(212), TokenType::Control);     // "</s>", made control as llama.cpp does
  EXPECT_EQ(tok.eot(), 106);                        // <end_of_turn>
}

TEST_F(Gemma3, IdsIdenticalToLlamaCpp)
{
  ASSERT_TRUE(s_model->tokenizer);
  checkModel(*s_model, 100);
}

TEST_F(Gemma3, DecodeAndStreamMatchLlamaCpp)
{
  ASSERT_TRUE(s_model->tokenizer);
  checkDecode(*s_model, "plain", false);
  checkDecode(*s_model, "special", true);
}

TEST_F(SmolLm2, OtherPreTokenizersOnTheSameVocabularyMatchLlamaCpp)
{
  ASSERT_TRUE(s_model->tokenizer);
  auto file = gguf::GgufFile::open(env("HEARTH_DEMO_MODEL"));
  ASSERT_TRUE(file);
  for (const char *pre : {"gpt-2", "llama3", "qwen2", "default"}) {
    SCOPED_TRACE(pre);
    auto vocab = readVocabulary(*file);
    ASSERT_TRUE(vocab) << vocab.error().message;
    vocab->pre = pre;
    auto tok = Tokenizer::create(std::move(*vocab));
    ASSERT_TRUE(tok) << tok.error().message;
    Model variant{std::move(*tok), loadFixture(fmt::format("smollm2-vocab-{}.json", pre))};
    ASSERT_TRUE(variant.fixture.is_object()) << pre;
    checkModel(variant, 300);
    checkDecode(variant, "plain", false);
  }
}

// Byte-level BPE loses nothing but invalid UTF-8, which llama.cpp turns into U+FFFD first.
TEST_F(SmolLm2, RandomBytesRoundTripThroughTheReplacementCharacter)
{
  ASSERT_TRUE(s_model->tokenizer);
  const Tokenizer &tok = *s_model->tokenizer;
  for (const std::string &s : randomStrings(2000)) {
    // What is left after the lenient decoding (invalid bytes -> U+FFFD, the rest kept, even
    // surrogates), which tst_tokenizer checks against llama.cpp's rules.
    std::string expected;
    for (char32_t cp : utf8::decodeLenient(s))
      utf8::append(expected, cp);
    const std::string got = tok.decode(tok.encode(s), {.renderSpecial = true});
    if (got != expected)
      ADD_FAILURE() << "\"" << show(s) << "\" decodes to \"" << show(got) << "\"";
  }
}

// SentencePiece keeps every character of valid UTF-8 (byte fallback for the rare ones).
// Invalid UTF-8 only has to come out as ids in range: a stray lead byte swallows the next
// bytes into one symbol, so "\xFF " keeps its escaped space as bytes, in llama.cpp too.
TEST_F(Gemma3, RandomStringsRoundTrip)
{
  ASSERT_TRUE(s_model->tokenizer);
  const Tokenizer &tok = *s_model->tokenizer;
  size_t valid = 0;
  for (const std::string &s : randomStrings(2000)) {
    for (bool special : {false, true}) {
      const auto ids = tok.encode(s, {.parseSpecial = special});
      for (TokenId id : ids)
        ASSERT_LT(static_cast<size_t>(id), tok.size());
      if (utf8::validPrefix(s).length != s.size())
        continue;
      ++valid;
      const std::string got = tok.decode(ids, {.renderSpecial = true});
      if (got != s)
        ADD_FAILURE() << "\"" << show(s) << "\" decodes to \"" << show(got) << "\"";
    }
  }
  EXPECT_GT(valid, 200u);
}
