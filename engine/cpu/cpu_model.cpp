// The native CPU backend's model (see cpu_model.h). Built into hearth_models, beside
// loadModel(), because it reads the model's configuration and weights table from there.
#include "cpu/cpu_model.h"

#include "cpu/kernels.h"
#include "cpu/matmul.h"
#include "cpu/ops.h"
#include "cpu/thread_pool.h"
#include "hearth/backend.h"
#include "models/model_config.h"
#include "ops/cpu_ref.h"
#include "ops/quant.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <sys/mman.h>
#include <unordered_map>
#include <vector>

namespace hearth::cpu {
namespace {

using models::LayerWeights;
using models::ModelWeights;
using models::WeightRef;

std::vector<float> dequantized(const WeightRef &w)
{
  std::vector<float> v(w.rows * w.cols);
  if (w)
    ops::dequantizeRow(w.type, w.data, v.data(), v.size());
  return v;
}

uint64_t bytesOf(const WeightRef &w) { return w ? uint64_t(w.rows) * ops::rowBytes(w.type, w.cols) : 0; }

uint64_t weightBytes(const ModelWeights &w)
{
  uint64_t sum = bytesOf(w.tokenEmbd) + bytesOf(w.outputNorm) + bytesOf(w.ropeFreqs);
  if (w.output.data != w.tokenEmbd.data)
    sum += bytesOf(w.output);
  for (const LayerWeights &l : w.layers)
    for (const WeightRef *r : {&l.attnNorm, &l.wq, &l.wk, &l.wv, &l.bq, &l.bk, &l.bv, &l.wo, &l.ffnNorm, &l.gate,
                               &l.up, &l.down})
      sum += bytesOf(*r);
  return sum;
}

// Floats of activation scratch per token of a slice.
size_t scratchFloatsPerToken(const ModelConfig &c)
{
  const size_t qDim = size_t(c.nHead) * c.headDim, kvDim = size_t(c.nHeadKv) * c.headDim;
  return 2 * size_t(c.nEmbd) + 2 * qDim + 2 * kvDim + 2 * size_t(c.nFf);
}

// HEARTH_CPU_PROFILE=1: process CPU time spent per kind of op (all threads, spinning
// included; with HEARTH_THREADS=1 the op's own cost even on a loaded machine), printed to
// stderr when the model is destroyed. Off: one branch per op.
struct Profile {
  enum Op { Matmul, Attention, Norms, Rope, Ffn, Other, Count };
  bool on = [] {
    const char *v = std::getenv("HEARTH_CPU_PROFILE");
    return v && *v && *v != '0';
  }();
  double seconds[Count] = {};
  size_t calls[Count] = {};
  double start = 0;

  static double cpuSeconds()
  {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
  }
  void begin()
  {
    if (on)
      start = cpuSeconds();
  }
  void end(Op op)
  {
    if (!on)
      return;
    seconds[op] += cpuSeconds() - start;
    ++calls[op];
  }
  void print() const
  {
    if (!on)
      return;
    static const char *names[] = {"matmul", "attention", "rms_norm+add", "rope+kv_write", "swiglu", "embedding"};
    for (int i = 0; i < Count; ++i)
      std::fprintf(stderr, "[cpu profile] %-14s %8.3f s %8zu calls\n", names[i], seconds[i], calls[i]);
  }
};

class CpuModel final : public Model {
public:
  CpuModel(gguf::GgufFile file, ModelConfig config, ModelWeights weights, uint32_t ctx,
           const CpuModelOptions &options, const LoadOptions &load)
      : m_file(std::move(file)), m_config(std::move(config)), m_w(std::move(weights)), m_ctx(ctx),
        m_batch(std::max<uint32_t>(1, options.batch)), m_ggml(options.ggmlRounding),
        m_pool(options.threads ? options.threads : ThreadPool::defaultThreads()), m_isa(detectIsa()),
        m_reason(options.reason)
  {
    const ModelConfig &c = m_config;
    const size_t kvDim = size_t(c.nHeadKv) * c.headDim, qDim = size_t(c.nHead) * c.headDim;
    m_layers.resize(c.nLayer);
    for (uint32_t i = 0; i < c.nLayer; ++i) {
      const LayerWeights &l = m_w.layers[i];
      Layer &L = m_layers[i];
      L.attnNorm = dequantized(l.attnNorm);
      L.ffnNorm = dequantized(l.ffnNorm);
      L.bq = dequantized(l.bq);
      L.bk = dequantized(l.bk);
      L.bv = dequantized(l.bv);
      // Default-initialized, not zeroed: the cache's pages become resident as the context
      // fills, not all at load (4096 positions of the demo model are 94 MB). Only written
      // positions are ever read.
      L.k.reset(new uint16_t[size_t(m_ctx) * kvDim]);
      L.v.reset(new uint16_t[size_t(m_ctx) * kvDim]);
    }
    packWeights(load);
    m_outputNorm = dequantized(m_w.outputNorm);
    if (m_w.ropeFreqs)
      m_ropeFreqs = dequantized(m_w.ropeFreqs);
    const size_t b = m_batch;
    m_s.x.resize(b * c.nEmbd);
    m_s.h.resize(b * c.nEmbd);
    m_s.q.resize(b * qDim);
    m_s.att.resize(b * qDim);
    m_s.k.resize(b * kvDim);
    m_s.v.resize(b * kvDim);
    m_s.gate.resize(b * c.nFf);
    m_s.up.resize(b * c.nFf);
    m_logits.resize(c.nVocab);
  }
  ~CpuModel() override { m_profile.print(); }

  bool cancelled() const { return m_cancelled; }
  const ModelConfig &config() const override { return m_config; }
  uint32_t contextLength() const override { return m_ctx; }
  uint32_t kvLength() const override { return m_kvLen; }
  BackendKind backendKind() const override { return BackendKind::Cpu; }

  std::string backendDescription() const override
  {
    std::string s = fmt::format("CPU · {} thread{}, {}", m_pool.size(), m_pool.size() == 1 ? "" : "s",
                                hasAvx2() ? isaName(m_isa) : "portable");
    if (!m_reason.empty())
      s += fmt::format(" ({})", m_reason);
    return s;
  }

  Status truncate(uint32_t length) override
  {
    if (length > m_kvLen)
      return fail(ErrorCode::InvalidArgument, "[cpu] truncate to {} past KV length {}", length, m_kvLen);
    m_kvLen = length;
    return {};
  }

  Result<std::span<const float>> eval(std::span<const int32_t> tokens, uint32_t position, bool allLogits) override
  {
    if (tokens.empty())
      return fail(ErrorCode::InvalidArgument, "[cpu] eval of no tokens");
    if (position != m_kvLen)
      return fail(ErrorCode::InvalidArgument, "[cpu] eval at position {} but the KV cache holds {} tokens", position,
                  m_kvLen);
    if (tokens.size() > m_ctx - position)
      return fail(ErrorCode::InvalidArgument, "[cpu] {} tokens at position {} exceed the context of {}",
                  tokens.size(), position, m_ctx);
    for (int32_t t : tokens)
      if (t < 0 || uint32_t(t) >= m_config.nVocab)
        return fail(ErrorCode::InvalidArgument, "[cpu] token id {} outside the vocabulary of {}", t, m_config.nVocab);
    const size_t n = tokens.size(), nVocab = m_config.nVocab;
    const size_t outRows = allLogits ? n : 1;
    if (m_logits.size() < outRows * nVocab)
      m_logits.resize(outRows * nVocab);
    for (size_t first = 0; first < n; first += m_batch) {
      const size_t count = std::min<size_t>(m_batch, n - first);
      const bool last = first + count == n;
      float *logits = allLogits ? m_logits.data() + first * nVocab : (last ? m_logits.data() : nullptr);
      forwardSlice(tokens.subspan(first, count), position + uint32_t(first), logits, allLogits);
      m_kvLen = position + uint32_t(first + count);
    }
    return std::span<const float>(m_logits.data(), outRows * nVocab);
  }

private:
  struct Layer {
    std::vector<float> attnNorm, ffnNorm; // [nEmbd]
    std::vector<float> bq, bk, bv;        // [nHead·headDim], [nHeadKv·headDim] ×2 (or empty)
    std::unique_ptr<uint16_t[]> k, v;     // [ctx][nHeadKv·headDim] f16
  };

  // Activations of one slice of up to m_batch tokens.
  struct Scratch {
    std::vector<float> x, h;     // [batch][nEmbd] residual stream, normed input / block output
    std::vector<float> q, att;   // [batch][nHead·headDim]
    std::vector<float> k, v;     // [batch][nHeadKv·headDim]
    std::vector<float> gate, up; // [batch][nFf]
  };

  // y[n][rows] = x[n][cols] · Wᵀ
  void matmul(const WeightRef &w, const float *x, float *y, size_t n)
  {
    m_profile.begin();
    if (auto it = m_packed.find(w.data); it != m_packed.end())
      cpu::matmul(w.type, it->second, w.rows, w.cols, x, y, n, m_pool, m_isa, Layout::Packed16);
    else
      cpu::matmul(w.type, w.data, w.rows, w.cols, x, y, n, m_pool, m_isa);
    m_profile.end(Profile::Matmul);
  }

  // Copies the matrices matmul takes in the 16-row packed layout (Q8_0/Q4_0/Q4_1 and the
  // K-quants with AVX2 or better) into one allocation in that layout: decode then streams
  // each as one run of memory. The mapped file stays for the rest (and the token
  // embedding's lookups); its pages of packed matrices are let go. HEARTH_CPU_PACK=0: no
  // packing.
  // Reports its progress through load.progress and stops early when load.cancel is set
  // (cancelled() is then true).
  void packWeights(const LoadOptions &load)
  {
    if (const char *v = std::getenv("HEARTH_CPU_PACK"); v && std::strcmp(v, "0") == 0)
      return;
    std::vector<const WeightRef *> todo;
    auto consider = [&](const WeightRef &w) {
      if (w && w.rows >= kernels::kPackRows && packs16(w.type, m_isa) &&
          std::find_if(todo.begin(), todo.end(), [&](const WeightRef *o) { return o->data == w.data; }) == todo.end())
        todo.push_back(&w);
    };
    for (const LayerWeights &l : m_w.layers)
      for (const WeightRef *w : {&l.wq, &l.wk, &l.wv, &l.wo, &l.gate, &l.up, &l.down})
        consider(*w);
    consider(m_w.output);
    if (todo.empty())
      return;
    constexpr size_t kAlign = 64, kHuge = 2u << 20;
    size_t total = 0;
    for (const WeightRef *w : todo)
      total += (bytesOf(*w) + kAlign - 1) / kAlign * kAlign;
    total = (total + kHuge - 1) / kHuge * kHuge;
    m_packedStorage.reset(static_cast<std::byte *>(std::aligned_alloc(kHuge, total)));
    if (!m_packedStorage)
      return; // the layout as stored works as well, only slower
#ifdef MADV_HUGEPAGE
    madvise(m_packedStorage.get(), total, MADV_HUGEPAGE); // fewer TLB misses while streaming
#endif
    std::byte *at = m_packedStorage.get();
    uint64_t done = 0;
    for (const WeightRef *w : todo) {
      if (load.cancel && load.cancel->load()) {
        m_cancelled = true;
        return;
      }
      if (load.progress)
        load.progress(float(double(done) / double(total)));
      done += bytesOf(*w);
      packRows16(w->type, w->data, w->rows, w->cols, at, m_pool);
      m_packed.emplace(w->data, at);
      m_file.evict({w->data, size_t(bytesOf(*w))}); // (the token embedding's rows come back when looked up)
      at += (bytesOf(*w) + kAlign - 1) / kAlign * kAlign;
    }
  }

  void attentionBlock(uint32_t il, size_t n, uint32_t pos0)
  {
    const ModelConfig &c = m_config;
    const LayerWeights &w = m_w.layers[il];
    Layer &L = m_layers[il];
    Scratch &s = m_s;
    const size_t qDim = size_t(c.nHead) * c.headDim, kvDim = size_t(c.nHeadKv) * c.headDim;
    m_profile.begin();
    rmsNorm(s.x.data(), L.attnNorm.data(), s.h.data(), n, c.nEmbd, c.rmsEps);
    m_profile.end(Profile::Norms);
    matmul(w.wq, s.h.data(), s.q.data(), n);
    matmul(w.wk, s.h.data(), s.k.data(), n);
    matmul(w.wv, s.h.data(), s.v.data(), n);
    if (c.qkvBias) {
      addBias(s.q.data(), L.bq.data(), n, qDim);
      addBias(s.k.data(), L.bk.data(), n, kvDim);
      addBias(s.v.data(), L.bv.data(), n, kvDim);
    }
    m_profile.begin();
    rope(s.q.data(), n, c.nHead, c.headDim, c.ropeNeox, m_rope);
    rope(s.k.data(), n, c.nHeadKv, c.headDim, c.ropeNeox, m_rope);
    kvWrite(L.k.get(), s.k.data(), n, pos0, kvDim);
    kvWrite(L.v.get(), s.v.data(), n, pos0, kvDim);
    m_profile.end(Profile::Rope);
    m_profile.begin();
    attention(s.q.data(), L.k.get(), L.v.get(), s.att.data(), n, pos0, c.nHead, c.nHeadKv, c.headDim, m_ggml,
              m_pool);
    m_profile.end(Profile::Attention);
    matmul(w.wo, s.att.data(), s.h.data(), n);
    m_profile.begin();
    add(s.x.data(), s.h.data(), n * c.nEmbd);
    m_profile.end(Profile::Norms);
  }

  void feedForwardBlock(uint32_t il, size_t n)
  {
    const ModelConfig &c = m_config;
    const LayerWeights &w = m_w.layers[il];
    Scratch &s = m_s;
    m_profile.begin();
    rmsNorm(s.x.data(), m_layers[il].ffnNorm.data(), s.h.data(), n, c.nEmbd, c.rmsEps);
    m_profile.end(Profile::Norms);
    matmul(w.gate, s.h.data(), s.gate.data(), n);
    matmul(w.up, s.h.data(), s.up.data(), n);
    m_profile.begin();
    swiglu(s.gate.data(), s.up.data(), s.gate.data(), n * c.nFf, m_pool, c.nFf);
    m_profile.end(Profile::Ffn);
    matmul(w.down, s.gate.data(), s.h.data(), n);
    m_profile.begin();
    add(s.x.data(), s.h.data(), n * c.nEmbd);
    m_profile.end(Profile::Norms);
  }

  // Runs tokens at positions [pos0, pos0 + n) and writes the logits of every token
  // (allLogits) or of the last one to `logits` when it is not null.
  void forwardSlice(std::span<const int32_t> tokens, uint32_t pos0, float *logits, bool allLogits)
  {
    const ModelConfig &c = m_config;
    const size_t n = tokens.size();
    m_profile.begin();
    m_rope.compute(pos0, n, c.ropeDims, c.ropeFreqBase, m_ropeFreqs.empty() ? nullptr : m_ropeFreqs.data());
    ops::ref::embedding(m_w.tokenEmbd.type, m_w.tokenEmbd.data, c.nEmbd, tokens.data(), n, m_s.x.data());
    m_profile.end(Profile::Other);
    for (uint32_t il = 0; il < c.nLayer; ++il) {
      attentionBlock(il, n, pos0);
      feedForwardBlock(il, n);
    }
    if (!logits)
      return;
    const size_t first = allLogits ? 0 : n - 1, count = n - first;
    rmsNorm(m_s.x.data() + first * c.nEmbd, m_outputNorm.data(), m_s.h.data(), count, c.nEmbd, c.rmsEps);
    matmul(m_w.output, m_s.h.data(), logits, count);
  }

  gguf::GgufFile m_file; // the mapping the weights point into
  ModelConfig m_config;
  ModelWeights m_w;
  uint32_t m_ctx;
  uint32_t m_batch;
  bool m_ggml;
  ThreadPool m_pool;
  Isa m_isa;
  std::string m_reason;
  uint32_t m_kvLen = 0;
  std::vector<Layer> m_layers;     // [nLayer]
  std::vector<float> m_outputNorm; // [nEmbd]
  std::vector<float> m_ropeFreqs;  // [ropeDims/2] or empty
  Scratch m_s;
  struct Free {
    void operator()(std::byte *p) const { std::free(p); }
  };
  std::unique_ptr<std::byte, Free> m_packedStorage;                     // packWeights()
  std::unordered_map<const std::byte *, const std::byte *> m_packed; // weight as stored -> packed copy
  bool m_cancelled = false;                                           // packWeights() saw load.cancel
  Profile m_profile;
  RopeTable m_rope;                // the current slice's angles
  std::vector<float> m_logits;     // [1 or n][nVocab] (capacity kept between calls)
};

} // namespace

Result<std::unique_ptr<Model>> loadCpuModel(const std::filesystem::path &path, const LoadOptions &options,
                                            const CpuModelOptions &cpu)
{
  auto file = gguf::GgufFile::open(path);
  if (!file)
    return std::unexpected(file.error());
  auto config = models::readModelConfig(*file);
  if (!config)
    return std::unexpected(config.error());
  auto weights = models::readModelWeights(*file, *config);
  if (!weights)
    return std::unexpected(weights.error());
  if (config->headDim > 512)
    return fail(ErrorCode::Unsupported, "[cpu] {}: head dimension {} (at most 512)", path.filename().string(),
                config->headDim);
  if (options.cancel && options.cancel->load())
    return fail(ErrorCode::Cancelled, "[cpu] loading {} cancelled", path.filename().string());

  const uint32_t ctx = std::max<uint32_t>(1, std::min(options.contextLength, config->contextTrain));
  const uint32_t batch = std::max<uint32_t>(1, cpu.batch);
  const uint64_t kvBytes = 2ull * config->nLayer * ctx * config->nHeadKv * config->headDim * sizeof(uint16_t);
  const uint64_t scratchBytes =
      4ull * (uint64_t(batch) * scratchFloatsPerToken(*config) + uint64_t(batch) * config->nVocab);
  const uint64_t needed = weightBytes(*weights) + kvBytes + scratchBytes;
  const uint64_t budget = cpu.memoryBudget ? cpu.memoryBudget : availableRam();
  if (needed > budget)
    return fail(ErrorCode::OutOfMemory,
                "[cpu] {} needs {} MiB of memory ({} MiB weights, {} MiB KV cache for {} tokens) but {} MiB are "
                "available",
                path.filename().string(), needed >> 20, weightBytes(*weights) >> 20, kvBytes >> 20, ctx,
                budget >> 20);

  auto model = std::make_unique<CpuModel>(std::move(*file), std::move(*config), std::move(*weights), ctx, cpu, options);
  if (model->cancelled() || (options.cancel && options.cancel->load()))
    return fail(ErrorCode::Cancelled, "[cpu] loading {} cancelled", path.filename().string());
  if (options.progress)
    options.progress(1.0f);
  return std::unique_ptr<Model>(std::move(model));
}

} // namespace hearth::cpu
