// hearth::loadModel: picks the backend and loads the model with it.
#include "hearth/devices.h"
#include "hearth/model.h"
#include "models/reference_model.h"
#include "models/vulkan_model.h"

namespace hearth {

Result<std::unique_ptr<Model>> loadModel(const std::filesystem::path &path, const LoadOptions &options)
{
  switch (options.backend) {
  case BackendKind::Reference:
    return models::loadReferenceModel(path, options);
  case BackendKind::Vulkan:
    return models::loadVulkanModel(path, options);
  case BackendKind::Cpu:
    return fail(ErrorCode::Unsupported, "[engine] the native CPU backend is not built yet; use Vulkan (lavapipe "
                                        "runs on the CPU) or the reference backend");
  case BackendKind::Auto:
    break;
  }
  // Auto: a real GPU runs Vulkan. With only a CPU-type device the native CPU backend
  // would be the better choice; until it exists, Vulkan on lavapipe is used.
  return models::loadVulkanModel(path, options);
}

} // namespace hearth
