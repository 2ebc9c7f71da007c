// readVocabulary and Tokenizer::fromGguf: the tokenizer.ggml.* keys of a GGUF file.
#include "hearth/gguf.h"
#include "hearth/tokenizer.h"

namespace hearth::tokenizer {
namespace {

using gguf::GgufFile;
using gguf::ValueType;

Result<std::optional<TokenId>> optionalId(const GgufFile &file, std::string_view key)
{
  if (!file.has(key))
    return std::optional<TokenId>{};
  auto id = file.getU32(key);
  if (!id)
    return std::unexpected(id.error());
  if (*id > static_cast<uint32_t>(INT32_MAX))
    return fail(ErrorCode::Format, "[tokenizer] {}: {}: token id {} is out of range", file.path(), key, *id);
  return std::optional<TokenId>(static_cast<TokenId>(*id));
}

Result<std::optional<bool>> optionalBool(const GgufFile &file, std::string_view key)
{
  if (!file.has(key))
    return std::optional<bool>{};
  auto value = file.getBool(key);
  if (!value)
    return std::unexpected(value.error());
  return std::optional<bool>(*value);
}

Result<std::vector<std::string>> strings(const GgufFile &file, std::string_view key)
{
  auto array = file.getArray(key, ValueType::String);
  if (!array)
    return std::unexpected(array.error());
  return std::vector<std::string>((*array)->strings.begin(), (*array)->strings.end());
}

Status readNumbers(const GgufFile &file, Vocabulary &v)
{
  if (file.has("tokenizer.ggml.token_type")) {
    auto types = file.getArray("tokenizer.ggml.token_type", ValueType::Int32);
    if (!types)
      return std::unexpected(types.error());
    v.types.reserve((*types)->ints.size());
    for (int64_t t : (*types)->ints)
      v.types.push_back(static_cast<TokenType>(t));
  }
  if (file.has("tokenizer.ggml.scores")) {
    auto scores = file.getArray("tokenizer.ggml.scores", ValueType::Float32);
    if (!scores)
      return std::unexpected(scores.error());
    v.scores.assign((*scores)->floats.begin(), (*scores)->floats.end());
  }
  struct IdKey {
    std::optional<TokenId> *field;
    std::string_view key;
  };
  for (auto [field, key] : {IdKey{&v.bos, "tokenizer.ggml.bos_token_id"}, {&v.eos, "tokenizer.ggml.eos_token_id"},
                            {&v.eot, "tokenizer.ggml.eot_token_id"}, {&v.unknown, "tokenizer.ggml.unknown_token_id"},
                            {&v.padding, "tokenizer.ggml.padding_token_id"}}) {
    auto id = optionalId(file, key);
    if (!id)
      return std::unexpected(id.error());
    *field = *id;
  }
  struct BoolKey {
    std::optional<bool> *field;
    std::string_view key;
  };
  for (auto [field, key] : {BoolKey{&v.addBos, "tokenizer.ggml.add_bos_token"},
                            {&v.addEos, "tokenizer.ggml.add_eos_token"},
                            {&v.addSpacePrefix, "tokenizer.ggml.add_space_prefix"}}) {
    auto value = optionalBool(file, key);
    if (!value)
      return std::unexpected(value.error());
    *field = *value;
  }
  return {};
}

} // namespace

Result<Vocabulary> readVocabulary(const GgufFile &file)
{
  auto model = file.getString("tokenizer.ggml.model");
  if (!model)
    return std::unexpected(model.error());
  Vocabulary v;
  if (*model == "gpt2")
    v.kind = VocabKind::BytePairBpe;
  else if (*model == "llama")
    v.kind = VocabKind::SentencePiece;
  else
    return fail(ErrorCode::Unsupported, "[tokenizer] {}: tokenizer.ggml.model '{}' is not supported", file.path(),
                *model);
  if (file.has("tokenizer.ggml.pre")) {
    auto pre = file.getString("tokenizer.ggml.pre");
    if (!pre)
      return std::unexpected(pre.error());
    v.pre = std::string(*pre);
  }
  auto tokens = strings(file, "tokenizer.ggml.tokens");
  if (!tokens)
    return std::unexpected(tokens.error());
  v.tokens = std::move(*tokens);
  if (v.kind == VocabKind::BytePairBpe) {
    auto merges = strings(file, "tokenizer.ggml.merges");
    if (!merges)
      return std::unexpected(merges.error());
    v.merges = std::move(*merges);
  }
  if (auto ok = readNumbers(file, v); !ok)
    return std::unexpected(ok.error());
  return v;
}

Result<Tokenizer> Tokenizer::fromGguf(const GgufFile &file)
{
  auto v = readVocabulary(file);
  if (!v)
    return std::unexpected(v.error());
  auto tokenizer = create(std::move(*v));
  if (!tokenizer)
    return fail(tokenizer.error().code, "{} ({})", tokenizer.error().message, file.path());
  return tokenizer;
}

} // namespace hearth::tokenizer
