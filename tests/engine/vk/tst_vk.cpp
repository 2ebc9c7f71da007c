// The Vulkan layer end to end on the real device (lavapipe here): device selection,
// buffers, kernels, recorder barriers, resubmission, errors, pipeline cache.
#include "op_test.h"

#include "hearth/devices.h"
#include "hearth/shader_ids.h"

#include <cstdlib>
#include <filesystem>

using namespace hearth;

namespace {

struct FillPush {
  uint32_t n;
  float value;
};

Status fill(vk::Recorder &rec, vk::BufferView dst, uint32_t n, float value)
{
  auto kernel = rec.context().kernel(ShaderId::fill, {.buffers = 1, .pushBytes = sizeof(FillPush), .constants = {}});
  if (!kernel)
    return std::unexpected(kernel.error());
  rec.dispatch(**kernel, {{dst, vk::Access::Write}}, FillPush{n, value}, (n + 63) / 64);
  return {};
}

} // namespace

TEST(VkDevices, ListsAndSelects)
{
  auto devices = listDevices();
  ASSERT_TRUE(devices.has_value()) << devices.error().message;
  ASSERT_FALSE(devices->empty());
  for (const auto &d : *devices) {
    EXPECT_FALSE(d.name.empty());
    EXPECT_GT(d.subgroupSize, 0u);
    EXPECT_GT(d.maxStorageBufferRange, 0u);
    EXPECT_LE(d.budgetBytes, d.deviceLocalBytes);
    std::printf("%s\n", describeDevice(d).c_str());
  }
  auto byIndex = selectDevice("0");
  ASSERT_TRUE(byIndex.has_value()) << byIndex.error().message;
  EXPECT_EQ(byIndex->index, 0u);
  auto byName = selectDevice((*devices)[0].name.substr(0, 4));
  ASSERT_TRUE(byName.has_value()) << byName.error().message;
  auto missing = selectDevice("no-such-device-xyz");
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("no-such-device-xyz"), std::string::npos);
  auto outOfRange = selectDevice("99");
  ASSERT_FALSE(outOfRange.has_value());
  EXPECT_NE(outOfRange.error().message.find("99"), std::string::npos);
}

TEST(VkContext, UploadDownloadRoundTrip)
{
  auto &ctx = test::context();
  EXPECT_GT(ctx.maxBinding(), 0u);
  const char *validation = std::getenv("HEARTH_VK_VALIDATION");
  EXPECT_EQ(ctx.validationEnabled(), validation && std::string(validation) == "1");
  auto buf = vk::Buffer::create(ctx, 40 << 20, vk::Memory::Device, "round trip"); // > one staging chunk
  ASSERT_TRUE(buf.has_value()) << buf.error().message;
  std::vector<uint32_t> in(10 << 20);
  for (size_t i = 0; i < in.size(); ++i)
    in[i] = uint32_t(i * 2654435761u);
  ASSERT_TRUE(buf->uploadSpan(std::span<const uint32_t>(in)).has_value());
  std::vector<uint32_t> out(in.size());
  ASSERT_TRUE(buf->downloadSpan(std::span(out)).has_value());
  EXPECT_EQ(in, out);
  auto tooFar = buf->upload(std::as_bytes(std::span(in)), 4);
  ASSERT_FALSE(tooFar.has_value());
  EXPECT_NE(tooFar.error().message.find("past buffer end"), std::string::npos);
}

TEST(VkRecorder, DispatchWritesOnlyItsRange)
{
  auto &ctx = test::context();
  const uint32_t n = 1000; // not a multiple of the workgroup size
  auto out = test::GuardedBuffer::create(ctx, n * 4, "fill out");
  test::runOnce(ctx, [&](vk::Recorder &rec) { return fill(rec, out.view(), n, 2.5f); });
  const auto values = out.download<float>();
  for (uint32_t i = 0; i < n; ++i)
    ASSERT_EQ(values[i], 2.5f) << i;
  EXPECT_TRUE(out.sentinelsIntact());
}

TEST(VkRecorder, BarriersOnlyOnRealDependencies)
{
  auto &ctx = test::context();
  auto a = vk::Buffer::create(ctx, 4096, vk::Memory::Device, "a");
  auto b = vk::Buffer::create(ctx, 4096, vk::Memory::Device, "b");
  ASSERT_TRUE(a && b);
  auto rec = vk::Recorder::create(ctx);
  ASSERT_TRUE(rec.has_value());
  ASSERT_TRUE(rec->begin().has_value());
  ASSERT_TRUE(fill(*rec, a->view(), 1024, 1.0f).has_value());
  ASSERT_TRUE(fill(*rec, b->view(), 1024, 2.0f).has_value()); // independent: no barrier
  EXPECT_EQ(rec->barriers(), 0u);
  ASSERT_TRUE(fill(*rec, a->view(0, 2048), 512, 3.0f).has_value()); // writes what was written
  EXPECT_EQ(rec->barriers(), 1u);
  ASSERT_TRUE(fill(*rec, a->view(1024, 2048), 512, 4.0f).has_value()); // overlaps the third
  EXPECT_EQ(rec->barriers(), 2u);
  EXPECT_EQ(rec->dispatches(), 4u);
  ASSERT_TRUE(rec->submitAndWait().has_value());
  std::vector<float> va(1024), vb(1024);
  ASSERT_TRUE(a->downloadSpan(std::span(va)).has_value());
  ASSERT_TRUE(b->downloadSpan(std::span(vb)).has_value());
  EXPECT_EQ(va[0], 3.0f);
  EXPECT_EQ(va[600], 4.0f);
  EXPECT_EQ(va[800], 1.0f);
  EXPECT_EQ(vb[1023], 2.0f);
}

TEST(VkRecorder, ResubmitsARecording)
{
  auto &ctx = test::context();
  auto param = vk::Buffer::create(ctx, 4, vk::Memory::Host, "param");
  auto out = vk::Buffer::create(ctx, 256, vk::Memory::Device, "out");
  ASSERT_TRUE(param && out);
  ASSERT_NE(param->mapped(), nullptr);
  auto rec = vk::Recorder::create(ctx);
  ASSERT_TRUE(rec && rec->begin());
  rec->copy(param->view(), out->view(0, 4));
  ASSERT_TRUE(rec->end().has_value());
  for (uint32_t i = 1; i <= 3; ++i) {
    std::memcpy(param->mapped(), &i, 4);
    ASSERT_TRUE(rec->submitAndWait().has_value());
    uint32_t got = 0;
    ASSERT_TRUE(out->download(std::as_writable_bytes(std::span(&got, 1))).has_value());
    EXPECT_EQ(got, i);
  }
}

// Profiling: a resubmitted recording times each of its dispatches once per submission.
TEST(VkRecorder, TimestampsEveryDispatchOfEverySubmission)
{
  auto &ctx = test::context();
  auto out = vk::Buffer::create(ctx, 4096 * 4, vk::Memory::Device, "out");
  ASSERT_TRUE(out);
  auto rec = vk::Recorder::create(ctx);
  ASSERT_TRUE(rec);
  ASSERT_TRUE(rec->enableTimestamps()) << "lavapipe and real GPUs have compute timestamps";
  ASSERT_TRUE(rec->begin());
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(fill(*rec, out->view(), 4096, float(i)));
  ASSERT_TRUE(rec->end());
  EXPECT_TRUE(rec->opTimes().empty());
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(rec->submitAndWait());
  EXPECT_EQ(rec->profiledSubmits(), 4u);
  ASSERT_EQ(rec->opTimes().size(), 1u);
  const auto &[shader, time] = *rec->opTimes().begin();
  EXPECT_EQ(shader, ShaderId::fill);
  EXPECT_EQ(time.dispatches, 12u);
  EXPECT_GT(time.ns, 0.0);
  rec->clearOpTimes();
  EXPECT_EQ(rec->profiledSubmits(), 0u);
}

TEST(VkRecorder, OversizedBindingIsAnError)
{
  auto &ctx = test::context();
  auto rec = vk::Recorder::create(ctx);
  ASSERT_TRUE(rec && rec->begin());
  vk::BufferView huge{VK_NULL_HANDLE, 0, ctx.maxBinding() + 256};
  ASSERT_TRUE(fill(*rec, huge, 16, 0.0f).has_value());
  auto s = rec->end();
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().message.find("fill"), std::string::npos) << s.error().message;
}

TEST(VkContext, MaxBindingOverrideAndPipelineCache)
{
  const auto dir = std::filesystem::path(std::getenv("HEARTH_DATA_DIR") ? std::getenv("HEARTH_DATA_DIR") : "/tmp") /
                   "pipeline-cache-test";
  std::filesystem::remove_all(dir);
  setenv("HEARTH_MAX_BINDING", "65536", 1);
  {
    vk::ContextOptions options;
    options.pipelineCacheDir = dir;
    auto ctx = vk::Context::create(options);
    ASSERT_TRUE(ctx.has_value()) << ctx.error().message;
    EXPECT_EQ((*ctx)->maxBinding(), 65536u);
    auto k = (*ctx)->kernel(ShaderId::fill, {.buffers = 1, .pushBytes = 8, .constants = {}});
    ASSERT_TRUE(k.has_value()) << k.error().message;
    auto again = (*ctx)->kernel(ShaderId::fill, {.buffers = 1, .pushBytes = 8, .constants = {}});
    EXPECT_EQ(*k, *again); // cached
  }
  unsetenv("HEARTH_MAX_BINDING");
  bool saved = false;
  for (const auto &e : std::filesystem::directory_iterator(dir))
    saved = saved || (e.path().extension() == ".bin" && std::filesystem::file_size(e.path()) > 0);
  EXPECT_TRUE(saved) << "no pipeline cache written under " << dir;
}

TEST(VkContext, NoFp16Option)
{
  vk::ContextOptions options;
  options.fp16 = 0;
  auto ctx = vk::Context::create(options);
  ASSERT_TRUE(ctx.has_value()) << ctx.error().message;
  EXPECT_FALSE((*ctx)->info().fp16);
}
