// The Vulkan backend's forward pass: llama and qwen2, top to bottom over small named steps.
#include "models/vulkan_model.h"

#include "models/model_config.h"
#include "models/vulkan_weights.h"
#include "ops/ggml_ops.h"
#include "ops/matmul.h"
#include "ops/ops.h"
#include "ops/quant.h"
#include "vk/context.h"
#include "vk/kernel.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>

namespace hearth::models {
namespace {

using vk::BufferView;

// How the forward pass rounds (VulkanOptions::ggmlRounding).
enum class Arithmetic {
  Fast,     // fp32 activations
  Rounding, // activations rounded as llama.cpp's CPU backend rounds them, fp32 sums
  Exact,    // llama.cpp's CPU arithmetic bit for bit (ops/ggml_ops.h, ops::attentionGgml)
};

// Activations for up to `batch` tokens, the KV cache and the step parameters.
struct Activations {
  vk::Buffer x;       // [batch][nEmbd]  the residual stream
  vk::Buffer h;       // [batch][nEmbd]  normed input of a block / its output
  vk::Buffer q;       // [batch][nHead·headDim]
  vk::Buffer k;       // [batch][nHeadKv·headDim]
  vk::Buffer v;       // [batch][nHeadKv·headDim]
  vk::Buffer att;     // [batch][nHead·headDim]
  vk::Buffer gate;    // [batch][nFf]
  vk::Buffer up;      // [batch][nFf]
  vk::Buffer scratch; // attention partials
  vk::Buffer tokens;  // [batch] int32, host-visible
  vk::Buffer step;    // uint32 pos0, host-visible
  vk::Buffer logits;  // [batch][nVocab] f32, host-visible
  vk::Buffer xr;      // [batch][max(nEmbd, nFf, nHead·headDim)] rounded matmul input (ggmlRounding)
  vk::Buffer corr;    // [batch][max cols / 32] Q8_1 block-sum corrections (ggmlRounding)
  vk::Buffer xq;      // [batch][max cols / 32] Q8 blocks of a matmul input (Arithmetic::Exact)
  std::vector<vk::Buffer> kCache; // [nLayer] of [ctx][nHeadKv·headDim] (f16 or f32)
  std::vector<vk::Buffer> vCache; // [nLayer] of [ctx][nHeadKv·headDim]
};

class VulkanModel final : public Model {
public:
  VulkanModel(std::unique_ptr<vk::Context> ctx, ModelConfig config, uint32_t contextLength, uint32_t batch,
              Arithmetic arithmetic, bool kvF16)
      : m_ctx(std::move(ctx)), m_config(std::move(config)), m_contextLength(contextLength), m_batch(batch),
        m_kvF16(kvF16), m_arith(arithmetic), m_ggml(arithmetic != Arithmetic::Fast)
  {
  }
  ~VulkanModel() override
  {
    // Recordings and buffers go before the context that made them.
    (void)m_decode.wait();
    (void)m_prefill.wait();
  }

  Status init(const ModelWeights &weights, const LoadOptions &options);

  const ModelConfig &config() const override { return m_config; }
  uint32_t contextLength() const override { return m_contextLength; }
  uint32_t kvLength() const override { return m_kvLen; }
  BackendKind backendKind() const override { return BackendKind::Vulkan; }
  std::string backendDescription() const override
  {
    return fmt::format("Vulkan · {}{}{}", m_ctx->info().name, m_kvF16 ? "" : " (fp32)",
                       m_arith == Arithmetic::Exact      ? " · ggml-exact arithmetic"
                       : m_arith == Arithmetic::Rounding ? " · ggml rounding"
                                                         : "");
  }
  Status truncate(uint32_t length) override
  {
    if (length > m_kvLen)
      return fail(ErrorCode::InvalidArgument, "[vulkan] truncate to {} past KV length {}", length, m_kvLen);
    m_kvLen = length; // later writes overwrite the dropped positions
    return {};
  }
  Result<std::span<const float>> eval(std::span<const int32_t> tokens, uint32_t position, bool allLogits) override;
  std::string profileReport() const override;

private:
  // --- the forward pass, recorded into `rec` for n tokens starting at step.pos0 ---
  Status forward(vk::Recorder &rec, uint32_t n, bool allLogits);
  Status embed(vk::Recorder &rec, uint32_t n);
  Status attentionBlock(vk::Recorder &rec, uint32_t layer, uint32_t n);
  Status feedForward(vk::Recorder &rec, uint32_t layer, uint32_t n);
  Status outputLogits(vk::Recorder &rec, uint32_t n, bool allLogits);
  // y = rmsnorm(x) · w over rows of nEmbd
  Status rmsNorm(vk::Recorder &rec, BufferView x, BufferView w, BufferView y, uint32_t n)
  {
    const ModelConfig &c = m_config;
    return exact() ? ops::rmsNormGgml(rec, x, w, y, n, c.nEmbd, c.rmsEps)
                   : ops::rmsNorm(rec, x, w, y, n, c.nEmbd, c.rmsEps);
  }

  enum class Out { Store, Add, Bias };
  // y (= | += | = bias +) W x. `xRounded`: x was just rounded for a weight of the same
  // rounding class (q, k, v share their input).
  Status matmul(vk::Recorder &rec, const ops::DeviceWeight &w, BufferView x, BufferView y, uint32_t n,
                Out out = Out::Store, BufferView bias = {}, bool xRounded = false);
  Status buildMins(const ModelWeights &weights);
  // Whether a matmul with `b` may reuse the rounded input just made for one with `a`.
  bool sameRounding(const ops::DeviceWeight &a, const ops::DeviceWeight &b) const
  {
    const auto cls = [&](const ops::DeviceWeight &w) {
      return m_arith == Arithmetic::Exact && ops::hasGgmlMatmul(w.type) ? -1 : int(ops::activationRounding(w.type));
    };
    return cls(a) == cls(b);
  }
  bool exact() const { return m_arith == Arithmetic::Exact; }
  // Rows [0, n) of an activation buffer whose rows hold `width` floats.
  static BufferView rows(const vk::Buffer &b, uint32_t n, uint32_t width, uint32_t first = 0)
  {
    return b.view(uint64_t(first) * width * 4, uint64_t(n) * width * 4);
  }
  Status runChunk(std::span<const int32_t> tokens, uint32_t position, bool allLogits);

  std::unique_ptr<vk::Context> m_ctx;
  ModelConfig m_config;
  uint32_t m_contextLength = 0;
  uint32_t m_batch = 0; // tokens per prefill chunk
  bool m_kvF16 = true;
  // Prefill batches attend with the split-KV kernel that decode uses; HEARTH_PREFILL_ATTENTION
  // =tiled selects the query/KV tiles of ops::attentionPrefill instead. On lavapipe the tiles
  // measured ~10% slower over pp512 of the demo model (46 s of CPU vs 41 s), so they are not
  // the default until a GPU measurement says otherwise.
  bool m_tiledPrefill = [] {
    const char *v = std::getenv("HEARTH_PREFILL_ATTENTION");
    return v && std::strcmp(v, "tiled") == 0;
  }();
  Arithmetic m_arith = Arithmetic::Fast;
  bool m_ggml = false; // llama.cpp-style activation rounding (Rounding or Exact)
  uint32_t m_kvLen = 0;
  VulkanWeights m_w;
  vk::Buffer m_ropeTable; // [contextLength][ropeDims/2] (cos, sin)
  Activations m_a;
  vk::Recorder m_decode;  // one token, recorded once, resubmitted
  vk::Recorder m_prefill; // re-recorded per chunk
  uint64_t m_decodeWeightBytes = 0; // weight bytes the decode step's matmuls read
  std::vector<float> m_allLogits;
  // Q4_1 weights' block minimums, [rows][cols/32] f32, for the Q8_1 sum correction.
  std::map<const ops::DeviceWeight *, ops::DeviceWeight> m_mins;
};

// ---------------------------------------------------------------- forward

Status VulkanModel::forward(vk::Recorder &rec, uint32_t n, bool allLogits)
{
  HEARTH_TRY(embed(rec, n));
  for (uint32_t layer = 0; layer < m_config.nLayer; ++layer) {
    HEARTH_TRY(attentionBlock(rec, layer, n));
    HEARTH_TRY(feedForward(rec, layer, n));
  }
  return outputLogits(rec, n, allLogits);
}

Status VulkanModel::embed(vk::Recorder &rec, uint32_t n)
{
  return ops::embedding(rec, m_a.tokens.view(0, uint64_t(n) * 4), m_w.tokenEmbd, rows(m_a.x, n, m_config.nEmbd), n);
}

Status VulkanModel::attentionBlock(vk::Recorder &rec, uint32_t layer, uint32_t n)
{
  const ModelConfig &c = m_config;
  const VulkanLayer &L = m_w.layers[layer];
  const uint32_t qWidth = c.nHead * c.headDim, kvWidth = c.nHeadKv * c.headDim;
  const BufferView x = rows(m_a.x, n, c.nEmbd), h = rows(m_a.h, n, c.nEmbd);
  const BufferView q = rows(m_a.q, n, qWidth), k = rows(m_a.k, n, kvWidth), v = rows(m_a.v, n, kvWidth);
  const BufferView step = m_a.step.view(0, 16);

  // h = rmsnorm(x) * attn_norm
  HEARTH_TRY(rmsNorm(rec, x, L.attnNorm.view(), h, n));
  // q, k, v = Wq h (+ bq), Wk h (+ bk), Wv h (+ bv)
  const Out bias = c.qkvBias ? Out::Bias : Out::Store;
  HEARTH_TRY(matmul(rec, L.wq, h, q, n, bias, c.qkvBias ? L.bq.view() : BufferView{}));
  HEARTH_TRY(matmul(rec, L.wk, h, k, n, bias, c.qkvBias ? L.bk.view() : BufferView{}, sameRounding(L.wq, L.wk)));
  HEARTH_TRY(matmul(rec, L.wv, h, v, n, bias, c.qkvBias ? L.bv.view() : BufferView{}, sameRounding(L.wk, L.wv)));
  // rotate q and k by their positions
  const ops::RopeShape ropeQ{n, c.nHead, c.headDim, c.ropeDims, c.ropeNeox, m_contextLength};
  ops::RopeShape ropeK = ropeQ;
  ropeK.heads = c.nHeadKv;
  const auto rope = exact() ? ops::ropeGgml : ops::rope;
  HEARTH_TRY(rope(rec, q, m_ropeTable.view(), step, ropeQ));
  HEARTH_TRY(rope(rec, k, m_ropeTable.view(), step, ropeK));
  // append k, v to the cache at positions pos0 .. pos0 + n - 1
  const BufferView kCache = m_a.kCache[layer].view(), vCache = m_a.vCache[layer].view();
  HEARTH_TRY(ops::kvWrite(rec, k, kCache, step, n, kvWidth, m_contextLength, m_kvF16));
  HEARTH_TRY(ops::kvWrite(rec, v, vCache, step, n, kvWidth, m_contextLength, m_kvF16));
  // att = causal GQA attention of q over the cache
  const ops::AttentionShape shape{n, c.nHead, c.nHeadKv, c.headDim, ops::attentionSplits(m_contextLength),
                                  m_kvF16, m_ggml};
  const BufferView att = rows(m_a.att, n, qWidth);
  if (exact())
    HEARTH_TRY(ops::attentionGgml(rec, q, kCache, vCache, step,
                                  m_a.scratch.view(0, ops::attentionGgmlScratchBytes(shape, m_contextLength)), att,
                                  shape, m_contextLength));
  else if (m_tiledPrefill && ops::attentionPrefillSupported(shape))
    HEARTH_TRY(ops::attentionPrefill(rec, q, kCache, vCache, step, att, shape));
  else
    HEARTH_TRY(ops::attention(rec, q, kCache, vCache, step, m_a.scratch.view(0, ops::attentionScratchBytes(shape)),
                              att, shape));
  // x += Wo att
  return matmul(rec, L.wo, att, x, n, Out::Add);
}

Status VulkanModel::feedForward(vk::Recorder &rec, uint32_t layer, uint32_t n)
{
  const ModelConfig &c = m_config;
  const VulkanLayer &L = m_w.layers[layer];
  const BufferView x = rows(m_a.x, n, c.nEmbd), h = rows(m_a.h, n, c.nEmbd);
  const BufferView gate = rows(m_a.gate, n, c.nFf), up = rows(m_a.up, n, c.nFf);

  // h = rmsnorm(x) * ffn_norm
  HEARTH_TRY(rmsNorm(rec, x, L.ffnNorm.view(), h, n));
  // gate = silu(Wgate h) * (Wup h)
  HEARTH_TRY(matmul(rec, L.gate, h, gate, n));
  HEARTH_TRY(matmul(rec, L.up, h, up, n, Out::Store, {}, sameRounding(L.gate, L.up)));
  if (exact())
    HEARTH_TRY(ops::swigluGgml(rec, gate, up, gate, n * c.nFf, c.nFf));
  else
    HEARTH_TRY(ops::swiglu(rec, gate, up, gate, n * c.nFf));
  // x += Wdown gate
  return matmul(rec, L.down, gate, x, n, Out::Add);
}

Status VulkanModel::outputLogits(vk::Recorder &rec, uint32_t n, bool allLogits)
{
  const ModelConfig &c = m_config;
  // Only the last token's logits unless every position's are wanted.
  const uint32_t first = allLogits ? 0 : n - 1, count = n - first;
  const BufferView x = rows(m_a.x, count, c.nEmbd, first), h = rows(m_a.h, count, c.nEmbd);
  HEARTH_TRY(rmsNorm(rec, x, m_w.outputNorm.view(), h, count));
  return matmul(rec, m_w.outputMatrix(), h, rows(m_a.logits, count, c.nVocab), count);
}

Status VulkanModel::matmul(vk::Recorder &rec, const ops::DeviceWeight &w, BufferView x, BufferView y, uint32_t n,
                           Out out, BufferView bias, bool xRounded)
{
  if (&rec == &m_decode) // recorded once: each weight matrix the decode step reads
    m_decodeWeightBytes += uint64_t(w.rows) * w.rowBytes;
  const ops::MatmulOutput mode = out == Out::Add    ? ops::MatmulOutput::Add
                                 : out == Out::Bias ? ops::MatmulOutput::Bias
                                                    : ops::MatmulOutput::Store;
  if (exact() && ops::hasGgmlMatmul(w.type)) {
    // x -> Q8 blocks, then the integer block dots chained in order
    const BufferView xq = m_a.xq.view(0, ops::q8GgmlBytes(n, w.cols));
    if (!xRounded)
      HEARTH_TRY(ops::quantizeQ8Ggml(rec, x, xq, n, w.cols));
    return ops::matmulGgml(rec, w, xq, y, n, mode, bias);
  }
  const ops::ActivationRounding rounding = m_ggml ? ops::activationRounding(w.type) : ops::ActivationRounding::None;
  if (rounding == ops::ActivationRounding::None)
    return ops::recordMatmul(rec, w, x, y, n, mode, bias);
  // x -> xr rounded as llama.cpp's CPU backend would quantize it
  const BufferView xr = rows(m_a.xr, n, w.cols);
  const BufferView corr = m_a.corr.view(0, std::max<uint64_t>(16, uint64_t(n) * (w.cols / 32) * 4));
  if (!xRounded)
    HEARTH_TRY(ops::roundActivations(rec, x, xr, corr, n, w.cols, rounding));
  HEARTH_TRY(ops::recordMatmul(rec, w, xr, y, n, mode, bias));
  if (rounding != ops::ActivationRounding::Q8_1)
    return {};
  // y += mins · corr: what Q8_1's rounded block sums add through Q4_1's block minimums
  return ops::recordMatmul(rec, m_mins.at(&w), corr, y, n, ops::MatmulOutput::Add);
}

Status VulkanModel::buildMins(const ModelWeights &weights)
{
  auto add = [&](const ops::DeviceWeight &dw, const WeightRef &ref) -> Status {
    if (ref.type != TensorType::Q4_1)
      return {};
    const size_t blocks = ref.cols / 32, stride = ops::rowBytes(ref.type, ref.cols);
    std::vector<float> mins(ref.rows * blocks);
    for (size_t r = 0; r < ref.rows; ++r)
      for (size_t b = 0; b < blocks; ++b) {
        ops::BlockQ4_1 block;
        std::memcpy(&block, ref.data + r * stride + b * sizeof(block), sizeof(block));
        mins[r * blocks + b] = ops::halfToFloat(block.m);
      }
    auto up = ops::uploadWeight(*m_ctx, std::string(ref.name) + " mins", TensorType::F32, uint32_t(ref.rows),
                                uint32_t(blocks), std::as_bytes(std::span(mins)));
    if (!up)
      return std::unexpected(up.error());
    m_mins.emplace(&dw, std::move(*up));
    return {};
  };
  for (size_t i = 0; i < weights.layers.size(); ++i) {
    const LayerWeights &l = weights.layers[i];
    const VulkanLayer &L = m_w.layers[i];
    for (auto [dw, ref] : {std::pair{&L.wq, &l.wq}, {&L.wk, &l.wk}, {&L.wv, &l.wv}, {&L.wo, &l.wo},
                           {&L.gate, &l.gate}, {&L.up, &l.up}, {&L.down, &l.down}})
      HEARTH_TRY(add(*dw, *ref));
  }
  return add(m_w.outputMatrix(), weights.output ? weights.output : weights.tokenEmbd);
}

// ---------------------------------------------------------------- evaluation

std::string VulkanModel::profileReport() const
{
  const uint64_t steps = m_decode.profiledSubmits();
  if (steps == 0)
    return {};
  std::vector<std::pair<ShaderId, vk::Recorder::OpTime>> ops(m_decode.opTimes().begin(), m_decode.opTimes().end());
  std::sort(ops.begin(), ops.end(), [](const auto &a, const auto &b) { return a.second.ns > b.second.ns; });
  double totalNs = 0;
  for (const auto &[id, t] : ops)
    totalNs += t.ns;
  const double stepNs = totalNs / double(steps);
  std::string out = fmt::format(
      "decode step profile ({} steps, GPU timestamps): {} dispatches, {} barriers, 1 submit per token; "
      "{:.1f} MB of weights read per token (matmuls); {:.2f} ms per step on the device, weights at {:.2f} GB/s\n",
      steps, m_decode.dispatches(), m_decode.barriers(), double(m_decodeWeightBytes) / 1e6, stepNs / 1e6,
      stepNs > 0 ? double(m_decodeWeightBytes) / stepNs : 0.0);
  out += fmt::format("  {:<28} {:>10} {:>12} {:>7}\n", "op (shader)", "dispatches", "µs per step", "share");
  for (const auto &[id, t] : ops)
    out += fmt::format("  {:<28} {:>10} {:>12.1f} {:>6.1f}%\n", shaderName(id), double(t.dispatches) / double(steps),
                       t.ns / double(steps) / 1e3, totalNs > 0 ? 100.0 * t.ns / totalNs : 0.0);
  return out;
}

Status VulkanModel::runChunk(std::span<const int32_t> tokens, uint32_t position, bool allLogits)
{
  const uint32_t n = uint32_t(tokens.size());
  std::memcpy(m_a.tokens.mapped(), tokens.data(), tokens.size_bytes());
  std::memcpy(m_a.step.mapped(), &position, 4);
  vk::Recorder *rec = &m_decode;
  if (n != 1 || allLogits) {
    rec = &m_prefill;
    HEARTH_TRY(rec->begin());
    HEARTH_TRY(forward(*rec, n, allLogits));
  }
  HEARTH_TRY(rec->submitAndWait());
  m_kvLen = position + n;
  return {};
}

Result<std::span<const float>> VulkanModel::eval(std::span<const int32_t> tokens, uint32_t position, bool allLogits)
{
  const ModelConfig &c = m_config;
  if (tokens.empty())
    return fail(ErrorCode::InvalidArgument, "[vulkan] eval of no tokens");
  if (position != m_kvLen)
    return fail(ErrorCode::InvalidArgument, "[vulkan] eval at position {} but the KV cache holds {} tokens", position,
                m_kvLen);
  if (position + tokens.size() > m_contextLength)
    return fail(ErrorCode::InvalidArgument, "[vulkan] {} tokens at position {} exceed the context of {}", tokens.size(),
                position, m_contextLength);
  for (int32_t t : tokens)
    if (t < 0 || uint32_t(t) >= c.nVocab)
      return fail(ErrorCode::InvalidArgument, "[vulkan] token id {} outside the vocabulary ({})", t, c.nVocab);
  if (allLogits)
    m_allLogits.resize(tokens.size() * size_t(c.nVocab));
  for (size_t done = 0; done < tokens.size();) {
    size_t n = std::min<size_t>(m_batch, tokens.size() - done);
    // Exact arithmetic: a batch of one attends as decode does, so leave no lone last token.
    if (exact() && n > 2 && tokens.size() - done - n == 1)
      --n;
    HEARTH_TRY(runChunk(tokens.subspan(done, n), position + uint32_t(done), allLogits));
    if (allLogits)
      std::memcpy(m_allLogits.data() + done * c.nVocab, m_a.logits.mapped(), n * c.nVocab * sizeof(float));
    done += n;
  }
  if (allLogits)
    return std::span<const float>(m_allLogits);
  return std::span<const float>(static_cast<const float *>(m_a.logits.mapped()), c.nVocab);
}

// ---------------------------------------------------------------- loading

struct Sizes {
  uint64_t kvBytes = 0;         // both caches, all layers
  uint64_t activationBytes = 0;
};

Sizes sizesFor(const ModelConfig &c, uint32_t ctxLen, uint32_t batch, bool kvF16)
{
  Sizes s;
  const uint64_t kvWidth = uint64_t(c.nHeadKv) * c.headDim, qWidth = uint64_t(c.nHead) * c.headDim;
  s.kvBytes = 2ull * c.nLayer * ctxLen * kvWidth * (kvF16 ? 2 : 4);
  const ops::AttentionShape shape{batch, c.nHead, c.nHeadKv, c.headDim, ops::attentionSplits(ctxLen), kvF16};
  s.activationBytes = 4ull * batch * (2 * c.nEmbd + 2 * qWidth + 2 * kvWidth + 2 * c.nFf + c.nVocab + 1) +
                      ops::attentionScratchBytes(shape) + 8ull * ctxLen * (c.ropeDims / 2) + 4096;
  return s;
}

// Arithmetic::Exact's buffers beyond the others: Q8 blocks, rounded inputs and the
// attention scores over the whole context.
uint64_t exactExtraBytes(const ModelConfig &c, uint32_t ctxLen, uint32_t batch, bool kvF16)
{
  const uint32_t maxCols = std::max({c.nEmbd, c.nFf, c.nHead * c.headDim});
  const ops::AttentionShape shape{batch, c.nHead, c.nHeadKv, c.headDim, ops::attentionSplits(ctxLen), kvF16};
  return ops::q8GgmlBytes(batch, maxCols) + 4ull * batch * (maxCols + maxCols / 32) +
         ops::attentionGgmlScratchBytes(shape, ctxLen);
}

// VulkanOptions::ggmlRounding (or HEARTH_VK_GGML) → the arithmetic the device allows.
Arithmetic chooseArithmetic(const vk::Context &ctx, const ModelConfig &c, uint32_t ctxLen, uint32_t batch, bool kvF16,
                            bool ggmlRounding)
{
  Arithmetic wanted = ggmlRounding ? Arithmetic::Exact : Arithmetic::Fast;
  if (const char *env = std::getenv("HEARTH_VK_GGML"); env && *env) {
    const std::string_view v(env);
    wanted = v == "exact" ? Arithmetic::Exact : v == "rounding" ? Arithmetic::Rounding : Arithmetic::Fast;
  }
  if (wanted != Arithmetic::Exact)
    return wanted;
  const ops::AttentionShape shape{batch, c.nHead, c.nHeadKv, c.headDim, ops::attentionSplits(ctxLen), kvF16};
  // Without float64, or attention scores past one binding: the rounding without exact sums.
  if (!ctx.info().float64 || !ops::attentionGgmlSupported(ctx, shape) ||
      ops::attentionGgmlScratchBytes(shape, ctxLen) > ctx.maxBinding())
    return Arithmetic::Rounding;
  return Arithmetic::Exact;
}

Result<vk::Buffer> makeBuffer(vk::Context &ctx, uint64_t bytes, vk::Memory memory, std::string_view what)
{
  return vk::Buffer::create(ctx, std::max<uint64_t>(bytes, 16), memory, what);
}

#define HEARTH_ASSIGN(dst, expr)                                                                   \
  do {                                                                                             \
    auto assigned = (expr);                                                                        \
    if (!assigned)                                                                                 \
      return std::unexpected(assigned.error());                                                    \
    dst = std::move(*assigned);                                                                    \
  } while (0)

Status VulkanModel::init(const ModelWeights &weights, const LoadOptions &options)
{
  const ModelConfig &c = m_config;
  vk::Context &ctx = *m_ctx;
  HEARTH_ASSIGN(m_w, uploadWeights(ctx, weights, options.progress, options.cancel));
  const auto ropeTable = exact() ? ops::ropeTableGgml : ops::ropeTable;
  HEARTH_ASSIGN(m_ropeTable, ropeTable(ctx, m_contextLength, c.ropeDims, c.ropeFreqBase,
                                       m_w.ropeFreqs.empty() ? nullptr : m_w.ropeFreqs.data()));
  const uint64_t b = m_batch, kvWidth = uint64_t(c.nHeadKv) * c.headDim, qWidth = uint64_t(c.nHead) * c.headDim;
  HEARTH_ASSIGN(m_a.x, makeBuffer(ctx, b * c.nEmbd * 4, vk::Memory::Device, "x"));
  HEARTH_ASSIGN(m_a.h, makeBuffer(ctx, b * c.nEmbd * 4, vk::Memory::Device, "h"));
  HEARTH_ASSIGN(m_a.q, makeBuffer(ctx, b * qWidth * 4, vk::Memory::Device, "q"));
  HEARTH_ASSIGN(m_a.k, makeBuffer(ctx, b * kvWidth * 4, vk::Memory::Device, "k"));
  HEARTH_ASSIGN(m_a.v, makeBuffer(ctx, b * kvWidth * 4, vk::Memory::Device, "v"));
  HEARTH_ASSIGN(m_a.att, makeBuffer(ctx, b * qWidth * 4, vk::Memory::Device, "attention output"));
  HEARTH_ASSIGN(m_a.gate, makeBuffer(ctx, b * c.nFf * 4, vk::Memory::Device, "ffn gate"));
  HEARTH_ASSIGN(m_a.up, makeBuffer(ctx, b * c.nFf * 4, vk::Memory::Device, "ffn up"));
  const ops::AttentionShape shape{m_batch, c.nHead, c.nHeadKv, c.headDim, ops::attentionSplits(m_contextLength),
                                  m_kvF16};
  const uint64_t scratch = std::max(ops::attentionScratchBytes(shape),
                                    exact() ? ops::attentionGgmlScratchBytes(shape, m_contextLength) : 0);
  HEARTH_ASSIGN(m_a.scratch, makeBuffer(ctx, scratch, vk::Memory::Device, "attention scratch"));
  HEARTH_ASSIGN(m_a.tokens, makeBuffer(ctx, b * 4, vk::Memory::Host, "tokens"));
  HEARTH_ASSIGN(m_a.step, makeBuffer(ctx, 16, vk::Memory::Host, "step"));
  HEARTH_ASSIGN(m_a.logits, makeBuffer(ctx, b * c.nVocab * 4, vk::Memory::Host, "logits"));
  if (m_ggml) {
    const uint64_t maxCols = std::max<uint64_t>({c.nEmbd, c.nFf, qWidth});
    HEARTH_ASSIGN(m_a.xr, makeBuffer(ctx, b * maxCols * 4, vk::Memory::Device, "rounded activations"));
    HEARTH_ASSIGN(m_a.corr, makeBuffer(ctx, b * (maxCols / 32) * 4, vk::Memory::Device, "Q8_1 corrections"));
    if (exact())
      HEARTH_ASSIGN(m_a.xq, makeBuffer(ctx, ops::q8GgmlBytes(m_batch, uint32_t(maxCols)), vk::Memory::Device,
                                       "Q8 activation blocks"));
    else
      HEARTH_TRY(buildMins(weights));
  }
  const uint64_t cacheBytes = uint64_t(m_contextLength) * kvWidth * (m_kvF16 ? 2 : 4);
  for (uint32_t l = 0; l < c.nLayer; ++l) {
    HEARTH_ASSIGN(m_a.kCache.emplace_back(), makeBuffer(ctx, cacheBytes, vk::Memory::Device, "K cache"));
    HEARTH_ASSIGN(m_a.vCache.emplace_back(), makeBuffer(ctx, cacheBytes, vk::Memory::Device, "V cache"));
  }
  // The decode step: recorded once, resubmitted with new tokens[0] and step.pos0.
  HEARTH_ASSIGN(m_decode, vk::Recorder::create(ctx));
  if (options.profile)
    HEARTH_TRY(m_decode.enableTimestamps());
  HEARTH_TRY(m_decode.begin());
  HEARTH_TRY(forward(m_decode, 1, false));
  HEARTH_TRY(m_decode.end());
  HEARTH_ASSIGN(m_prefill, vk::Recorder::create(ctx));
  return {};
}

} // namespace

Result<std::unique_ptr<Model>> loadVulkanModel(const std::filesystem::path &path, const LoadOptions &options,
                                               const VulkanOptions &vulkan)
{
  auto file = gguf::GgufFile::open(path);
  if (!file)
    return std::unexpected(file.error());
  auto config = readModelConfig(*file);
  if (!config)
    return std::unexpected(config.error());
  auto weights = readModelWeights(*file, *config);
  if (!weights)
    return std::unexpected(weights.error());
  if (config->headDim % 4 != 0 || config->headDim > 256)
    return fail(ErrorCode::Unsupported, "[vulkan] {}: head dimension {} (need a multiple of 4, at most 256)",
                path.filename().string(), config->headDim);
  vk::ContextOptions ctxOptions;
  ctxOptions.device = options.device;
  auto ctx = vk::Context::create(ctxOptions);
  if (!ctx)
    return std::unexpected(ctx.error());

  const uint32_t ctxLen = std::max<uint32_t>(1, std::min(options.contextLength, config->contextTrain));
  const uint64_t logitsRowBytes = uint64_t(config->nVocab) * 4;
  const uint32_t batch = uint32_t(std::clamp<uint64_t>((*ctx)->maxBinding() / logitsRowBytes, 1, vulkan.prefillChunk));
  const bool kvF16 = (*ctx)->info().fp16;
  const Arithmetic arithmetic = chooseArithmetic(**ctx, *config, ctxLen, batch, kvF16, vulkan.ggmlRounding);
  Sizes sizes = sizesFor(*config, ctxLen, batch, kvF16);
  if (arithmetic == Arithmetic::Exact)
    sizes.activationBytes += exactExtraBytes(*config, ctxLen, batch, kvF16);
  const uint64_t needed = weightBytes(*weights) + sizes.kvBytes + sizes.activationBytes;
  uint64_t budget = (*ctx)->info().budgetBytes;
  if (const char *env = std::getenv("HEARTH_VK_BUDGET"); env && *env)
    budget = std::strtoull(env, nullptr, 10);
  if (needed > budget)
    return fail(ErrorCode::OutOfMemory,
                "[vulkan] {} needs {} MiB of device memory ({} MiB weights, {} MiB KV cache for {} tokens) but "
                "'{}' has {} MiB available",
                path.filename().string(), needed >> 20, weightBytes(*weights) >> 20, sizes.kvBytes >> 20, ctxLen,
                (*ctx)->info().name, budget >> 20);

  auto model = std::make_unique<VulkanModel>(std::move(*ctx), *config, ctxLen, batch, arithmetic, kvF16);
  if (auto s = model->init(*weights, options); !s)
    return std::unexpected(s.error());
  return std::unique_ptr<Model>(std::move(model));
}

} // namespace hearth::models
