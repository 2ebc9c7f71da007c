// hearth devices (also hearth --device): the Vulkan devices, which one the engine would
// use, and the backend Hearth runs models on (HEARTH_BACKEND and HEARTH_DEVICE honoured),
// with the reason it was chosen.
#include "cli/Cli.h"

#include "hearth/backend.h"
#include "hearth/devices.h"

#include <cstdio>
#include <cstdlib>

namespace hearth::cli {
namespace {

std::string_view displayName(BackendKind kind)
{
  switch (kind) {
  case BackendKind::Vulkan: return "Vulkan";
  case BackendKind::Cpu: return "native CPU";
  case BackendKind::Reference: return "reference (plain C++)";
  case BackendKind::Auto: break;
  }
  return "auto";
}

} // namespace

int devicesCommand(Args)
{
  auto devices = listDevices();
  if (devices) {
    const char *env = std::getenv("HEARTH_DEVICE");
    auto chosen = selectDevice(env ? env : "");
    for (const auto &d : *devices) {
      const bool picked = chosen && chosen->index == d.index;
      std::printf("%s%s\n", describeDevice(d).c_str(), picked ? "\n  (Hearth's Vulkan device)" : "");
    }
    if (!chosen)
      printError(chosen.error().message);
  } else {
    std::printf("no Vulkan: %s\n", devices.error().message.c_str());
  }

  auto choice = chooseBackend({});
  if (!choice) {
    printError(choice.error().message);
    return 1;
  }
  std::printf("\nbackend: %.*s · %s\n  why: %s\n", int(displayName(choice->kind).size()),
              displayName(choice->kind).data(), choice->deviceName.c_str(), choice->reason.c_str());
  if (choice->kind != BackendKind::Vulkan)
    std::printf("  threads: %u (HEARTH_THREADS overrides)\n", choice->threads);
  std::printf("  memory for models: %llu MiB\n", (unsigned long long)(choice->memoryBudget >> 20));
  std::printf("  (HEARTH_BACKEND=vulkan|cpu|reference overrides the choice)\n");
  return 0;
}

} // namespace hearth::cli
