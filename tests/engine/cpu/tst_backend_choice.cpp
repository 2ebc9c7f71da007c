// Backend choice: the pure decision over device lists (every rule of hearth/backend.h),
// then the real thing on this machine (lavapipe only: Auto → native CPU), the
// HEARTH_BACKEND override, explicit options beating it, and loadModel() following it.
#include "cpu_test_util.h"
#include "hearth/backend.h"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace hearth;

namespace {

DeviceInfo device(uint32_t index, const char *name, DeviceType type, uint64_t budget, bool usable = true)
{
  DeviceInfo d;
  d.index = index;
  d.name = name;
  d.type = type;
  d.budgetBytes = budget;
  d.usable = usable;
  return d;
}

const DeviceInfo kLavapipe = device(0, "llvmpipe (LLVM 15.0.6, 256 bits)", DeviceType::Cpu, 4ull << 30);
const DeviceInfo kDiscrete = device(1, "Radeon RX 7600", DeviceType::Discrete, 7ull << 30);
const DeviceInfo kIntegrated = device(1, "Intel(R) UHD Graphics 620", DeviceType::Integrated, 3ull << 30);
const DeviceInfo kVirtual = device(1, "Virtio-GPU Venus", DeviceType::Virtual, 2ull << 30);

BackendFacts facts(std::vector<DeviceInfo> devices, BackendKind requested = BackendKind::Auto, std::string env = "")
{
  BackendFacts f;
  f.requested = requested;
  f.envBackend = std::move(env);
  f.devices = std::move(devices);
  f.ramAvailable = 16ull << 30;
  f.cpuName = "Test CPU";
  return f;
}

// Sets an environment variable for one scope.
struct ScopedEnv {
  std::string name;
  ScopedEnv(const char *n, const char *value) : name(n) { setenv(n, value, 1); }
  ~ScopedEnv() { unsetenv(name.c_str()); }
};

} // namespace

TEST(BackendDecision, AGpuRunsVulkan)
{
  for (const DeviceInfo &gpu : {kDiscrete, kIntegrated, kVirtual}) {
    auto c = decideBackend(facts({kLavapipe, gpu}));
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->kind, BackendKind::Vulkan) << gpu.name;
    EXPECT_EQ(c->deviceName, gpu.name);
    EXPECT_EQ(c->memoryBudget, gpu.budgetBytes);
    EXPECT_EQ(c->deviceIndex, 1u);
    EXPECT_NE(c->reason.find(std::string(deviceTypeName(gpu.type))), std::string::npos) << c->reason;
  }
}

TEST(BackendDecision, OnlyACpuDeviceOrNoVulkanRunsTheNativeCpu)
{
  auto c = decideBackend(facts({kLavapipe}));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->kind, BackendKind::Cpu);
  EXPECT_EQ(c->reason, "only a CPU-type Vulkan device (llvmpipe (LLVM 15.0.6, 256 bits)): native CPU is faster");
  EXPECT_EQ(c->deviceName, "Test CPU");
  EXPECT_EQ(c->memoryBudget, 16ull << 30);

  auto f = facts({});
  f.vulkanError = "vkCreateInstance failed";
  c = decideBackend(f);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->kind, BackendKind::Cpu);
  EXPECT_NE(c->reason.find("vkCreateInstance failed"), std::string::npos) << c->reason;

  // A GPU that cannot run Hearth (no Vulkan 1.2 / compute queue) does not count.
  c = decideBackend(facts({kLavapipe, device(1, "Old GPU", DeviceType::Discrete, 1 << 30, false)}));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->kind, BackendKind::Cpu);
  c = decideBackend(facts({device(0, "Old GPU", DeviceType::Discrete, 1 << 30, false)}));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->kind, BackendKind::Cpu);
  EXPECT_NE(c->reason.find("no usable Vulkan device"), std::string::npos) << c->reason;
}

TEST(BackendDecision, EnvironmentOverridesAutoAndExplicitBeatsIt)
{
  auto c = decideBackend(facts({kLavapipe}, BackendKind::Auto, "vulkan"));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->kind, BackendKind::Vulkan);
  EXPECT_EQ(c->deviceName, kLavapipe.name);
  EXPECT_NE(c->reason.find("HEARTH_BACKEND"), std::string::npos) << c->reason;

  c = decideBackend(facts({kLavapipe, kDiscrete}, BackendKind::Auto, "cpu"));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->kind, BackendKind::Cpu);
  c = decideBackend(facts({kDiscrete}, BackendKind::Auto, "reference"));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->kind, BackendKind::Reference);
  c = decideBackend(facts({kLavapipe}, BackendKind::Auto, "auto"));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->kind, BackendKind::Cpu);

  // Explicit options win over the environment, both ways.
  c = decideBackend(facts({kLavapipe}, BackendKind::Cpu, "vulkan"));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->kind, BackendKind::Cpu);
  c = decideBackend(facts({kLavapipe, kDiscrete}, BackendKind::Vulkan, "cpu"));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->kind, BackendKind::Vulkan);
  EXPECT_EQ(c->deviceName, kDiscrete.name);
  c = decideBackend(facts({kDiscrete}, BackendKind::Reference, "vulkan"));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->kind, BackendKind::Reference);
}

TEST(BackendDecision, DeviceSelectorAndErrors)
{
  // A device asked for by name or index runs Vulkan, even the CPU-type one.
  auto f = facts({kLavapipe, kDiscrete});
  f.deviceSelector = "llvm";
  auto c = decideBackend(f);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->kind, BackendKind::Vulkan);
  EXPECT_EQ(c->deviceName, kLavapipe.name);
  f.deviceSelector = "nvidia";
  c = decideBackend(f);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("nvidia"), std::string::npos) << c.error().message;

  c = decideBackend(facts({}, BackendKind::Vulkan));
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("no Vulkan device"), std::string::npos) << c.error().message;
  c = decideBackend(facts({kLavapipe}, BackendKind::Auto, "gpu"));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(c.error().message.find("HEARTH_BACKEND='gpu'"), std::string::npos) << c.error().message;

  for (BackendKind k : {BackendKind::Auto, BackendKind::Vulkan, BackendKind::Cpu, BackendKind::Reference})
    EXPECT_EQ(parseBackendName(backendName(k)), k);
  EXPECT_FALSE(parseBackendName("CPU"));
}

// This machine (and CI) has only Mesa's lavapipe: Auto picks the native CPU backend.
TEST(BackendChoiceHere, AutoPicksTheCpuOnALavapipeOnlyMachine)
{
  auto devices = listDevices();
  if (devices)
    for (const auto &d : *devices)
      if (d.usable && d.type != DeviceType::Cpu && d.type != DeviceType::Other)
        GTEST_SKIP() << "this machine has a GPU: " << d.name;
  unsetenv("HEARTH_BACKEND");
  unsetenv("HEARTH_DEVICE");
  auto c = chooseBackend({});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->kind, BackendKind::Cpu);
  EXPECT_GT(c->memoryBudget, 0u);
  std::printf("Auto: %s, %s, %llu MiB available\n", c->deviceName.c_str(), c->reason.c_str(),
              (unsigned long long)(c->memoryBudget >> 20));
  {
    ScopedEnv env("HEARTH_BACKEND", "vulkan");
    c = chooseBackend({});
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->kind, BackendKind::Vulkan);
    EXPECT_GT(c->memoryBudget, 0u);
    LoadOptions cpu;
    cpu.backend = BackendKind::Cpu;
    c = chooseBackend(cpu);
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->kind, BackendKind::Cpu);
  }
  {
    ScopedEnv env("HEARTH_BACKEND", "cpu");
    LoadOptions vulkan;
    vulkan.backend = BackendKind::Vulkan;
    c = chooseBackend(vulkan);
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->kind, BackendKind::Vulkan);
  }
}

// loadModel() follows the choice: the model's backend, its description with the reason,
// and the CPU memory budget (HEARTH_CPU_BUDGET) refusing a model that does not fit.
TEST(BackendChoiceHere, LoadModelFollowsTheChoice)
{
  models::SyntheticSpec spec;
  spec.nLayer = 1;
  spec.nEmbd = 128;
  spec.nHead = 2;
  spec.nHeadKv = 1;
  spec.nFf = 256;
  spec.nVocab = 300;
  const auto path = test::dataDir() / "choice.gguf";
  ASSERT_TRUE(models::writeSyntheticModel(path, spec));
  LoadOptions options;
  options.contextLength = 32;
  unsetenv("HEARTH_BACKEND");
  auto c = chooseBackend(options);
  ASSERT_TRUE(c) << c.error().message;
  auto m = loadModel(path, options);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ((*m)->backendKind(), c->kind);
  if (c->kind == BackendKind::Cpu) {
    EXPECT_NE((*m)->backendDescription().find(c->reason), std::string::npos) << (*m)->backendDescription();
  }
  {
    ScopedEnv env("HEARTH_BACKEND", "reference");
    m = loadModel(path, options);
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ((*m)->backendKind(), BackendKind::Reference);
  }
  {
    ScopedEnv env("HEARTH_BACKEND", "cpu");
    ScopedEnv budget("HEARTH_CPU_BUDGET", "100000");
    m = loadModel(path, options);
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().code, ErrorCode::OutOfMemory);
    EXPECT_NE(m.error().message.find("0 MiB are available"), std::string::npos) << m.error().message;
  }
}
