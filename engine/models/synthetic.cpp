#include "models/synthetic.h"

#include "ops/quant.h"

#include <cmath>
#include <vector>

namespace hearth::models {
namespace {

// splitmix64: fast, seeded, identical on every platform.
class Random {
public:
  explicit Random(uint64_t seed) : m_state(seed) {}
  uint64_t next()
  {
    uint64_t z = (m_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  float uniform() { return float(next() >> 40) * (1.0f / 16777216.0f); } // [0, 1)
  // Approximately standard normal (Irwin-Hall of 4 uniforms, unit variance).
  float normal() { return (uniform() + uniform() + uniform() + uniform() - 2.0f) * 1.7320508f; }

private:
  uint64_t m_state;
};

// GPT-2's byte-level alphabet: byte b is spelled by this code point.
uint32_t byteCodePoint(int b)
{
  if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF))
    return uint32_t(b);
  int n = 0; // the others map to 256, 257, ... in byte order
  for (int c = 0; c < b; ++c)
    if (!((c >= '!' && c <= '~') || (c >= 0xA1 && c <= 0xAC) || (c >= 0xAE && c <= 0xFF)))
      ++n;
  return 256u + uint32_t(n);
}

std::string utf8(uint32_t cp)
{
  std::string s;
  if (cp < 0x80) {
    s += char(cp);
  } else if (cp < 0x800) {
    s += char(0xC0 | (cp >> 6));
    s += char(0x80 | (cp & 0x3F));
  } else {
    s += char(0xE0 | (cp >> 12));
    s += char(0x80 | ((cp >> 6) & 0x3F));
    s += char(0x80 | (cp & 0x3F));
  }
  return s;
}

// Byte-level BPE vocabulary of exactly nVocab tokens: the 256 bytes, merges of lowercase
// letter pairs ("t h" -> "th"), then reserved control tokens, with the three ChatML
// specials at the end.
void addVocabulary(gguf::GgufWriter &w, const SyntheticSpec &spec)
{
  std::vector<std::string> tokens, merges;
  std::vector<int32_t> types;
  for (int b = 0; b < 256; ++b) {
    tokens.push_back(utf8(byteCodePoint(b)));
    types.push_back(1); // normal
  }
  const uint32_t specials = 3;
  for (char a = 'a'; a <= 'z' && tokens.size() + specials < spec.nVocab; ++a)
    for (char b = 'a'; b <= 'z' && tokens.size() + specials < spec.nVocab; ++b) {
      tokens.push_back(std::string{a, b});
      types.push_back(1);
      merges.push_back(std::string{a, ' ', b});
    }
  for (uint32_t i = 0; tokens.size() + specials < spec.nVocab; ++i) {
    tokens.push_back("<|reserved_" + std::to_string(i) + "|>");
    types.push_back(3); // control
  }
  const int32_t endOfText = int32_t(tokens.size());
  for (const char *s : {"<|endoftext|>", "<|im_start|>", "<|im_end|>"}) {
    tokens.push_back(s);
    types.push_back(3);
  }
  w.setString("tokenizer.ggml.model", "gpt2");
  w.setString("tokenizer.ggml.pre", spec.architecture == "qwen2" ? "qwen2" : "smollm");
  w.setStringArray("tokenizer.ggml.tokens", tokens);
  w.setI32Array("tokenizer.ggml.token_type", types);
  w.setStringArray("tokenizer.ggml.merges", merges);
  w.setU32("tokenizer.ggml.bos_token_id", uint32_t(endOfText + 1));
  w.setU32("tokenizer.ggml.eos_token_id", uint32_t(endOfText + 2));
  w.setU32("tokenizer.ggml.padding_token_id", uint32_t(endOfText));
  w.setBool("tokenizer.ggml.add_bos_token", false);
  w.setString("tokenizer.chat_template",
              "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + "
              "message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt "
              "%}{{ '<|im_start|>assistant\\n' }}{% endif %}");
}

// rows × cols random values of standard deviation `scale` (plus `offset`), quantized.
Status addMatrix(gguf::GgufWriter &w, Random &rng, const std::string &name, TensorType type,
                 size_t rows, size_t cols, float scale, float offset = 0.0f)
{
  if (cols % tensorTypeInfo(type).blockElements != 0)
    return fail(ErrorCode::InvalidArgument,
                "[synthetic] tensor '{}': rows of {} are not whole {} blocks", name, cols,
                tensorTypeName(type));
  const size_t stride = ops::rowBytes(type, cols);
  std::vector<std::byte> data(rows * stride);
  std::vector<float> row(cols);
  for (size_t r = 0; r < rows; ++r) {
    for (float &v : row)
      v = offset + scale * rng.normal();
    ops::quantizeRow(type, row.data(), data.data() + r * stride, cols);
  }
  std::vector<uint64_t> dims = rows == 1 ? std::vector<uint64_t>{cols} : std::vector<uint64_t>{cols, rows};
  return w.addTensor(name, type, std::move(dims), std::move(data));
}

Status checkSpec(const SyntheticSpec &s)
{
  if (s.architecture != "llama" && s.architecture != "qwen2")
    return fail(ErrorCode::InvalidArgument, "[synthetic] architecture '{}' (llama or qwen2)", s.architecture);
  if (s.nLayer == 0 || s.nEmbd == 0 || s.nHead == 0 || s.nHeadKv == 0 || s.nFf == 0 ||
      s.nHead % s.nHeadKv != 0)
    return fail(ErrorCode::InvalidArgument, "[synthetic] invalid dimensions");
  if (s.nVocab < 259)
    return fail(ErrorCode::InvalidArgument, "[synthetic] vocabulary of {} is below 259", s.nVocab);
  for (TensorType t : {s.embeddingType, s.outputType, s.attentionType, s.feedForwardType})
    if (!ops::isSupportedType(t))
      return fail(ErrorCode::InvalidArgument, "[synthetic] type {} is not supported", tensorTypeName(t));
  return {};
}

} // namespace

Result<gguf::GgufWriter> buildSyntheticModel(const SyntheticSpec &s)
{
  if (auto ok = checkSpec(s); !ok)
    return std::unexpected(ok.error());
  const uint32_t headDim = s.headDim ? s.headDim : s.nEmbd / s.nHead;
  const size_t qDim = size_t(s.nHead) * headDim, kvDim = size_t(s.nHeadKv) * headDim;
  const std::string a = s.architecture + ".";
  gguf::GgufWriter w;
  w.setString("general.architecture", s.architecture);
  w.setString("general.name", "synthetic-" + s.architecture);
  w.setU32(a + "block_count", s.nLayer);
  w.setU32(a + "context_length", s.contextLength);
  w.setU32(a + "embedding_length", s.nEmbd);
  w.setU32(a + "feed_forward_length", s.nFf);
  w.setU32(a + "attention.head_count", s.nHead);
  w.setU32(a + "attention.head_count_kv", s.nHeadKv);
  w.setU32(a + "attention.key_length", headDim);
  w.setU32(a + "attention.value_length", headDim);
  w.setU32(a + "rope.dimension_count", headDim);
  w.setF32(a + "rope.freq_base", s.ropeFreqBase);
  w.setF32(a + "attention.layer_norm_rms_epsilon", s.rmsEps);
  w.setU32(a + "vocab_size", s.nVocab);
  addVocabulary(w, s);

  Random rng(s.seed);
  const float inScale = 1.0f / std::sqrt(float(s.nEmbd));
  std::vector<Status> added;
  added.push_back(addMatrix(w, rng, "token_embd.weight", s.embeddingType, s.nVocab, s.nEmbd, 1.0f));
  added.push_back(addMatrix(w, rng, "output_norm.weight", TensorType::F32, 1, s.nEmbd, 0.1f, 1.0f));
  if (!s.tiedEmbeddings)
    added.push_back(addMatrix(w, rng, "output.weight", s.outputType, s.nVocab, s.nEmbd, inScale));
  for (uint32_t i = 0; i < s.nLayer; ++i) {
    const std::string p = "blk." + std::to_string(i) + ".";
    added.push_back(addMatrix(w, rng, p + "attn_norm.weight", TensorType::F32, 1, s.nEmbd, 0.1f, 1.0f));
    added.push_back(addMatrix(w, rng, p + "attn_q.weight", s.attentionType, qDim, s.nEmbd, inScale));
    added.push_back(addMatrix(w, rng, p + "attn_k.weight", s.attentionType, kvDim, s.nEmbd, inScale));
    added.push_back(addMatrix(w, rng, p + "attn_v.weight", s.attentionType, kvDim, s.nEmbd, inScale));
    if (s.architecture == "qwen2") {
      added.push_back(addMatrix(w, rng, p + "attn_q.bias", TensorType::F32, 1, qDim, 0.1f));
      added.push_back(addMatrix(w, rng, p + "attn_k.bias", TensorType::F32, 1, kvDim, 0.1f));
      added.push_back(addMatrix(w, rng, p + "attn_v.bias", TensorType::F32, 1, kvDim, 0.1f));
    }
    added.push_back(addMatrix(w, rng, p + "attn_output.weight", s.attentionType, s.nEmbd, qDim,
                              1.0f / std::sqrt(float(qDim))));
    added.push_back(addMatrix(w, rng, p + "ffn_norm.weight", TensorType::F32, 1, s.nEmbd, 0.1f, 1.0f));
    added.push_back(addMatrix(w, rng, p + "ffn_gate.weight", s.feedForwardType, s.nFf, s.nEmbd, inScale));
    added.push_back(addMatrix(w, rng, p + "ffn_up.weight", s.feedForwardType, s.nFf, s.nEmbd, inScale));
    added.push_back(addMatrix(w, rng, p + "ffn_down.weight", s.feedForwardType, s.nEmbd, s.nFf,
                              1.0f / std::sqrt(float(s.nFf))));
  }
  for (const Status &st : added)
    if (!st)
      return std::unexpected(st.error());
  return w;
}

Status writeSyntheticModel(const std::filesystem::path &path, const SyntheticSpec &spec)
{
  auto w = buildSyntheticModel(spec);
  if (!w)
    return std::unexpected(w.error());
  return w->write(path);
}

SyntheticSpec qwen2HalfBillionSpec(TensorType matrixType, uint64_t seed)
{
  SyntheticSpec s;
  s.architecture = "qwen2";
  s.nLayer = 24;
  s.nEmbd = 1024; // Qwen2.5-0.5B has 896, which K-quant rows (256-blocks) cannot hold
  s.nHead = 16;
  s.nHeadKv = 2;
  s.nFf = 4864;
  s.nVocab = 151936;
  s.contextLength = 32768;
  s.ropeFreqBase = 1000000.0f;
  s.rmsEps = 1e-6f;
  s.tiedEmbeddings = true;
  s.embeddingType = TensorType::Q8_0;
  s.attentionType = matrixType;
  s.feedForwardType = matrixType;
  s.seed = seed;
  return s;
}

} // namespace hearth::models
