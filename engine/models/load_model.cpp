// hearth::loadModel: picks the backend (chooseBackend) and loads the model with it.
#include "cpu/cpu_model.h"
#include "hearth/backend.h"
#include "hearth/model.h"
#include "models/reference_model.h"
#include "models/vulkan_model.h"

namespace hearth {

Result<std::unique_ptr<Model>> loadModel(const std::filesystem::path &path, const LoadOptions &options)
{
  auto choice = chooseBackend(options);
  if (!choice)
    return std::unexpected(choice.error());
  switch (choice->kind) {
  case BackendKind::Reference:
    return models::loadReferenceModel(path, options);
  case BackendKind::Vulkan:
    return models::loadVulkanModel(path, options);
  case BackendKind::Cpu: {
    cpu::CpuModelOptions cpu;
    cpu.memoryBudget = choice->memoryBudget;
    if (options.backend == BackendKind::Auto)
      cpu.reason = choice->reason; // say why when Hearth chose
    return cpu::loadCpuModel(path, options, cpu);
  }
  case BackendKind::Auto:
    break;
  }
  return fail(ErrorCode::Internal, "[engine] no backend chosen for {}", path.filename().string());
}

} // namespace hearth
