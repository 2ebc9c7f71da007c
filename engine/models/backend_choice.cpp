// hearth::chooseBackend: which backend runs a model (see hearth/backend.h).
#include "hearth/backend.h"

#include "cpu/thread_pool.h"
#include "vk/device_query.h"

#include <cstdlib>
#include <fstream>
#include <string>

namespace hearth {
namespace {

std::string envString(const char *name)
{
  const char *v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

// Bytes from an environment variable holding a byte count, or `fallback`.
uint64_t envBytes(const char *name, uint64_t fallback)
{
  const std::string v = envString(name);
  return v.empty() ? fallback : std::strtoull(v.c_str(), nullptr, 10);
}

std::string cpuModelName()
{
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with("model name")) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos)
        return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  return "CPU";
}

const DeviceInfo &deviceAt(const std::vector<DeviceInfo> &devices, uint32_t index)
{
  for (const DeviceInfo &d : devices)
    if (d.index == index)
      return d;
  return devices.front();
}

bool isGpu(DeviceType type)
{
  return type == DeviceType::Discrete || type == DeviceType::Integrated || type == DeviceType::Virtual;
}

BackendChoice cpuChoice(BackendKind kind, const BackendFacts &facts, std::string reason)
{
  return {kind, std::move(reason), facts.cpuName, facts.ramAvailable, 0, facts.threads};
}

Result<BackendChoice> vulkanChoice(const BackendFacts &facts, std::string reason)
{
  if (facts.devices.empty())
    return fail(ErrorCode::Unsupported, "[backend] Vulkan was asked for but there is no Vulkan device{}{}",
                facts.vulkanError.empty() ? "" : ": ", facts.vulkanError);
  auto index = vk::pickDevice(facts.devices, facts.deviceSelector);
  if (!index)
    return std::unexpected(index.error());
  const DeviceInfo &d = deviceAt(facts.devices, *index);
  return BackendChoice{BackendKind::Vulkan, std::move(reason), d.name, d.budgetBytes, d.index, 0};
}

Result<BackendChoice> explicitChoice(BackendKind kind, const BackendFacts &facts, std::string_view by)
{
  switch (kind) {
  case BackendKind::Vulkan:
    return vulkanChoice(facts, fmt::format("Vulkan asked for {}", by));
  case BackendKind::Cpu:
    return cpuChoice(kind, facts, fmt::format("native CPU asked for {}", by));
  case BackendKind::Reference:
    return cpuChoice(kind, facts, fmt::format("reference backend asked for {}", by));
  case BackendKind::Auto:
    break;
  }
  return fail(ErrorCode::InvalidArgument, "[backend] no backend to choose");
}

} // namespace

std::optional<BackendKind> parseBackendName(std::string_view name)
{
  if (name == "auto")
    return BackendKind::Auto;
  if (name == "vulkan")
    return BackendKind::Vulkan;
  if (name == "cpu")
    return BackendKind::Cpu;
  if (name == "reference")
    return BackendKind::Reference;
  return std::nullopt;
}

std::string_view backendName(BackendKind kind)
{
  switch (kind) {
  case BackendKind::Auto: return "auto";
  case BackendKind::Vulkan: return "vulkan";
  case BackendKind::Cpu: return "cpu";
  case BackendKind::Reference: return "reference";
  }
  return "auto";
}

Result<BackendChoice> decideBackend(const BackendFacts &facts)
{
  if (facts.requested != BackendKind::Auto)
    return explicitChoice(facts.requested, facts, "explicitly");
  if (!facts.envBackend.empty()) {
    auto kind = parseBackendName(facts.envBackend);
    if (!kind)
      return fail(ErrorCode::InvalidArgument, "[backend] HEARTH_BACKEND='{}': expected vulkan, cpu, reference or auto",
                  facts.envBackend);
    if (*kind != BackendKind::Auto)
      return explicitChoice(*kind, facts, "by HEARTH_BACKEND");
  }
  if (facts.devices.empty())
    return cpuChoice(BackendKind::Cpu, facts,
                     facts.vulkanError.empty() ? std::string("no Vulkan device: native CPU")
                                               : fmt::format("no usable Vulkan ({}): native CPU", facts.vulkanError));
  if (!facts.deviceSelector.empty())
    return vulkanChoice(facts, fmt::format("Vulkan device '{}' asked for", facts.deviceSelector));
  auto best = vk::pickDevice(facts.devices, "");
  if (!best)
    return cpuChoice(BackendKind::Cpu, facts, fmt::format("no usable Vulkan device ({}): native CPU", best.error().message));
  const DeviceInfo &d = deviceAt(facts.devices, *best);
  if (isGpu(d.type))
    return vulkanChoice(facts, fmt::format("{} found: Vulkan", deviceTypeName(d.type)));
  return cpuChoice(BackendKind::Cpu, facts,
                   fmt::format("only a CPU-type Vulkan device ({}): native CPU is faster", d.name));
}

uint64_t availableRam()
{
  std::ifstream in("/proc/meminfo");
  std::string key;
  uint64_t value = 0;
  std::string unit;
  while (in >> key >> value) {
    std::getline(in, unit);
    if (key == "MemAvailable:")
      return value * 1024;
  }
  return 0;
}

Result<BackendChoice> chooseBackend(const LoadOptions &options)
{
  BackendFacts facts;
  facts.requested = options.backend;
  facts.envBackend = envString("HEARTH_BACKEND");
  facts.deviceSelector = options.device.empty() ? envString("HEARTH_DEVICE") : options.device;
  const bool needVulkan = options.backend == BackendKind::Vulkan ||
                          (options.backend == BackendKind::Auto &&
                           (facts.envBackend.empty() || facts.envBackend == "auto" || facts.envBackend == "vulkan"));
  if (needVulkan) {
    auto devices = listDevices();
    if (devices)
      facts.devices = std::move(*devices);
    else
      facts.vulkanError = devices.error().message;
  }
  facts.ramAvailable = envBytes("HEARTH_CPU_BUDGET", availableRam());
  facts.cpuName = cpuModelName();
  facts.threads = uint32_t(cpu::ThreadPool::defaultThreads());
  auto choice = decideBackend(facts);
  if (choice && choice->kind == BackendKind::Vulkan)
    choice->memoryBudget = envBytes("HEARTH_VK_BUDGET", choice->memoryBudget);
  return choice;
}

} // namespace hearth
