#include "models/vulkan_weights.h"

#include "ops/quant.h"
#include "vk/check.h"

namespace hearth::models {
namespace {

std::vector<const WeightRef *> allRefs(const ModelWeights &w)
{
  std::vector<const WeightRef *> refs{&w.tokenEmbd, &w.outputNorm};
  if (w.output && w.output.data != w.tokenEmbd.data)
    refs.push_back(&w.output);
  for (const auto &l : w.layers)
    for (const WeightRef *r : {&l.attnNorm, &l.wq, &l.wk, &l.wv, &l.bq, &l.bk, &l.bv, &l.wo, &l.ffnNorm, &l.gate,
                               &l.up, &l.down})
      if (*r)
        refs.push_back(r);
  return refs;
}

// Norm weights and biases as f32 vectors on the device, whatever their file type.
Result<vk::Buffer> uploadVector(vk::Context &ctx, const WeightRef &w)
{
  if (!w)
    return vk::Buffer();
  std::vector<float> v(w.rows * w.cols);
  ops::dequantizeRow(w.type, w.data, v.data(), v.size());
  auto b = vk::Buffer::create(ctx, v.size() * sizeof(float), vk::Memory::Device, w.name);
  if (!b)
    return std::unexpected(b.error());
  HEARTH_TRY(b->uploadSpan(std::span<const float>(v)));
  return std::move(*b);
}

Result<ops::DeviceWeight> uploadMatrix(vk::Context &ctx, const WeightRef &w)
{
  const size_t bytes = w.rows * ops::rowBytes(w.type, w.cols);
  return ops::uploadWeight(ctx, std::string(w.name), w.type, uint32_t(w.rows), uint32_t(w.cols),
                           std::span<const std::byte>(w.data, bytes));
}

} // namespace

uint64_t weightBytes(const ModelWeights &w)
{
  uint64_t total = 0;
  for (const WeightRef *r : allRefs(w)) {
    const bool vector = r->rows == 1;
    total += vector ? r->cols * sizeof(float) : ops::weightDeviceBytes(r->type, r->rows, r->cols) + 16;
  }
  return total;
}

Result<VulkanWeights> uploadWeights(vk::Context &ctx, const ModelWeights &w, const std::function<void(float)> &progress,
                                    const std::atomic<bool> *cancel)
{
  const uint64_t total = std::max<uint64_t>(1, weightBytes(w));
  uint64_t done = 0;
  auto step = [&](const WeightRef &r) -> Status {
    if (cancel && cancel->load())
      return fail(ErrorCode::Cancelled, "[vulkan] loading cancelled");
    done += r.rows * ops::rowBytes(r.type, r.cols);
    if (progress)
      progress(float(double(std::min(done, total)) / double(total)));
    return {};
  };
#define HEARTH_UPLOAD(dst, fn, ref)                                                                \
  do {                                                                                             \
    auto uploaded = fn(ctx, ref);                                                                  \
    if (!uploaded)                                                                                 \
      return std::unexpected(uploaded.error());                                                    \
    dst = std::move(*uploaded);                                                                    \
    HEARTH_TRY(step(ref));                                                                         \
  } while (0)

  VulkanWeights out;
  HEARTH_UPLOAD(out.tokenEmbd, uploadMatrix, w.tokenEmbd);
  HEARTH_UPLOAD(out.outputNorm, uploadVector, w.outputNorm);
  if (w.output && w.output.data != w.tokenEmbd.data)
    HEARTH_UPLOAD(out.output, uploadMatrix, w.output);
  if (w.ropeFreqs) {
    out.ropeFreqs.resize(w.ropeFreqs.rows * w.ropeFreqs.cols);
    ops::dequantizeRow(w.ropeFreqs.type, w.ropeFreqs.data, out.ropeFreqs.data(), out.ropeFreqs.size());
  }
  out.layers.resize(w.layers.size());
  for (size_t i = 0; i < w.layers.size(); ++i) {
    const LayerWeights &l = w.layers[i];
    VulkanLayer &L = out.layers[i];
    HEARTH_UPLOAD(L.attnNorm, uploadVector, l.attnNorm);
    HEARTH_UPLOAD(L.wq, uploadMatrix, l.wq);
    HEARTH_UPLOAD(L.wk, uploadMatrix, l.wk);
    HEARTH_UPLOAD(L.wv, uploadMatrix, l.wv);
    if (l.bq) {
      HEARTH_UPLOAD(L.bq, uploadVector, l.bq);
      HEARTH_UPLOAD(L.bk, uploadVector, l.bk);
      HEARTH_UPLOAD(L.bv, uploadVector, l.bv);
    }
    HEARTH_UPLOAD(L.wo, uploadMatrix, l.wo);
    HEARTH_UPLOAD(L.ffnNorm, uploadVector, l.ffnNorm);
    HEARTH_UPLOAD(L.gate, uploadMatrix, l.gate);
    HEARTH_UPLOAD(L.up, uploadMatrix, l.up);
    HEARTH_UPLOAD(L.down, uploadMatrix, l.down);
  }
#undef HEARTH_UPLOAD
  return out;
}

} // namespace hearth::models
