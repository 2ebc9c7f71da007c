// hearth devices (also hearth --device): the Vulkan devices, which one the engine picks,
// and what each offers.
#include "cli/Cli.h"

#include "hearth/devices.h"

#include <cstdio>
#include <cstdlib>

namespace hearth::cli {

int devicesCommand(Args)
{
  auto devices = listDevices();
  if (!devices) {
    printError(devices.error().message);
    return 1;
  }
  const char *env = std::getenv("HEARTH_DEVICE");
  auto chosen = selectDevice(env ? env : "");
  for (const auto &d : *devices) {
    const bool picked = chosen && chosen->index == d.index;
    std::printf("%s%s\n", describeDevice(d).c_str(), picked ? "\n  (used by Hearth)" : "");
  }
  if (!chosen)
    printError(chosen.error().message);
  return chosen ? 0 : 1;
}

} // namespace hearth::cli
