// Which backend runs a model, and why.
//
//   auto choice = hearth::chooseBackend(options);   // options.backend Auto/Vulkan/Cpu/Reference
//   if (choice) print(backendName(choice->kind), choice->reason, choice->memoryBudget);
//
// An explicit LoadOptions::backend is honoured. For Auto, HEARTH_BACKEND=vulkan|cpu|reference
// decides when set; otherwise a discrete, integrated or virtual GPU runs Vulkan, and a
// machine whose only Vulkan device is a CPU-type one (lavapipe) or that has no Vulkan at all
// runs the native CPU backend. loadModel() goes through chooseBackend().
#pragma once

#include "hearth/devices.h"
#include "hearth/error.h"
#include "hearth/model.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hearth {

struct BackendChoice {
  BackendKind kind = BackendKind::Cpu; // never Auto
  std::string reason;                  // "only a CPU-type Vulkan device (llvmpipe ...): native CPU is faster"
  std::string deviceName;              // the Vulkan device's name, or the CPU's model name
  uint64_t memoryBudget = 0;           // bytes: the Vulkan device budget, or RAM available (CPU)
  uint32_t deviceIndex = 0;            // Vulkan only: index in listDevices()
  uint32_t threads = 0;                // Cpu only: worker threads (HEARTH_THREADS, else hardware threads)
};

// "vulkan", "cpu", "reference", "auto" (and back); nullopt for anything else.
std::optional<BackendKind> parseBackendName(std::string_view name);
std::string_view backendName(BackendKind kind);

// Everything the decision depends on, gathered from the system by chooseBackend().
struct BackendFacts {
  BackendKind requested = BackendKind::Auto;
  std::string envBackend;            // HEARTH_BACKEND ("" = unset)
  std::string deviceSelector;        // LoadOptions::device, else HEARTH_DEVICE ("" = best)
  std::vector<DeviceInfo> devices;   // Vulkan devices (empty: none)
  std::string vulkanError;           // why listing Vulkan devices failed ("" = it did not)
  uint64_t ramAvailable = 0;         // MemAvailable, bytes
  std::string cpuName;               // "Intel(R) Xeon(R) ..."
  uint32_t threads = 1;              // what the CPU backend would use
};

// The pure decision from `facts` (unit-testable). Errors: an unknown HEARTH_BACKEND value,
// Vulkan asked for where there is none or the selector matches no device.
Result<BackendChoice> decideBackend(const BackendFacts &facts);

// Gathers the facts (Vulkan devices, HEARTH_BACKEND, HEARTH_DEVICE, /proc/meminfo) and
// decides. HEARTH_VK_BUDGET / HEARTH_CPU_BUDGET (bytes) override the budgets (tests).
Result<BackendChoice> chooseBackend(const LoadOptions &options);

// Physical RAM available to a new allocation (MemAvailable from /proc/meminfo), or 0.
uint64_t availableRam();

} // namespace hearth
