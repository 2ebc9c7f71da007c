#include "models/model_config.h"

#include "ops/quant.h"

#include <filesystem>

namespace hearth::models {
namespace {

std::string fileName(const gguf::GgufFile &file)
{
  return std::filesystem::path(file.path()).filename().string();
}

// A key's value, or its error prefixed with "[model]".
template <class T> Result<T> tagged(Result<T> r)
{
  if (!r)
    return fail(r.error().code, "[model] {}", r.error().message);
  return r;
}

Status checkPositive(const gguf::GgufFile &file, std::string_view key, uint32_t v)
{
  if (v == 0)
    return fail(ErrorCode::Format, "[model] {}: '{}' is 0", fileName(file), key);
  return {};
}

} // namespace

bool isSupportedArchitecture(std::string_view architecture)
{
  return architecture == "llama" || architecture == "qwen2";
}

Result<ModelConfig> readModelConfig(const gguf::GgufFile &file)
{
  const std::string name = fileName(file);
  auto arch = tagged(file.getString("general.architecture"));
  if (!arch)
    return std::unexpected(arch.error());
  if (!isSupportedArchitecture(*arch))
    return fail(ErrorCode::Unsupported,
                "[model] {}: architecture '{}' is not supported (supported: llama, qwen2)", name,
                *arch);
  ModelConfig c;
  c.architecture = std::string(*arch);
  const std::string a = c.architecture + ".";
  if (auto n = file.getString("general.name"))
    c.name = std::string(*n);

  auto u32 = [&](const std::string &key, uint32_t &out) -> Status {
    auto v = tagged(file.getU32(key));
    if (!v)
      return std::unexpected(v.error());
    out = *v;
    return checkPositive(file, key, out);
  };
  for (auto [key, field] : {std::pair{"block_count", &c.nLayer}, {"embedding_length", &c.nEmbd},
                            {"feed_forward_length", &c.nFf}, {"attention.head_count", &c.nHead}})
    if (auto s = u32(a + key, *field); !s)
      return std::unexpected(s.error());

  auto kv = tagged(file.getU32Or(a + "attention.head_count_kv", c.nHead));
  auto ctx = tagged(file.getU32Or(a + "context_length", 4096));
  auto keyLen = tagged(file.getU32Or(a + "attention.key_length", c.nEmbd / c.nHead));
  auto base = tagged(file.getF32Or(a + "rope.freq_base", 10000.0f));
  auto eps = tagged(file.getF32Or(a + "attention.layer_norm_rms_epsilon", 1e-5f));
  for (const Error *e : {kv ? nullptr : &kv.error(), ctx ? nullptr : &ctx.error(),
                         keyLen ? nullptr : &keyLen.error(), base ? nullptr : &base.error(),
                         eps ? nullptr : &eps.error()})
    if (e)
      return std::unexpected(*e);
  c.nHeadKv = *kv;
  c.contextTrain = *ctx;
  c.headDim = *keyLen;
  c.ropeFreqBase = *base;
  c.rmsEps = *eps;
  auto valueLen = tagged(file.getU32Or(a + "attention.value_length", c.headDim));
  auto ropeDims = tagged(file.getU32Or(a + "rope.dimension_count", c.headDim));
  if (!valueLen)
    return std::unexpected(valueLen.error());
  if (!ropeDims)
    return std::unexpected(ropeDims.error());
  c.ropeDims = *ropeDims;

  if (c.nHeadKv == 0 || c.nHead % c.nHeadKv != 0)
    return fail(ErrorCode::Format, "[model] {}: {} query heads cannot share {} KV heads", name,
                c.nHead, c.nHeadKv);
  if (*valueLen != c.headDim)
    return fail(ErrorCode::Unsupported, "[model] {}: value length {} differs from key length {}",
                name, *valueLen, c.headDim);
  if (c.headDim == 0 || c.headDim % 2 != 0 || c.ropeDims % 2 != 0 || c.ropeDims > c.headDim)
    return fail(ErrorCode::Format, "[model] {}: head size {} with RoPE dimensions {} is invalid",
                name, c.headDim, c.ropeDims);
  if (!(c.ropeFreqBase > 0.0f) || !(c.rmsEps >= 0.0f))
    return fail(ErrorCode::Format, "[model] {}: RoPE base {} / RMS epsilon {} out of range", name,
                c.ropeFreqBase, c.rmsEps);
  if (auto scaling = file.getString(a + "rope.scaling.type"); scaling && *scaling != "none")
    return fail(ErrorCode::Unsupported, "[model] {}: RoPE scaling '{}' is not supported", name,
                *scaling);

  const auto *embd = file.findTensor("token_embd.weight");
  if (!embd || embd->nDims != 2)
    return fail(ErrorCode::Format, "[model] {}: tensor 'token_embd.weight' is missing or not 2-D",
                name);
  c.nVocab = static_cast<uint32_t>(embd->dims[1]);
  if (embd->dims[1] > UINT32_MAX || c.nVocab == 0)
    return fail(ErrorCode::Format, "[model] {}: vocabulary size {} is invalid", name,
                embd->dims[1]);
  c.tiedEmbeddings = file.findTensor("output.weight") == nullptr;
  c.ropeNeox = c.architecture == "qwen2";
  c.qkvBias = c.architecture == "qwen2";
  return c;
}

} // namespace hearth::models
