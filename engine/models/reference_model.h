// The reference backend: a model run on the CPU with the plain reference ops
// (ops/cpu_ref.h), weights read in place from the mapped GGUF file, KV cache in f16.
// Slow by design; it is the ground truth the Vulkan and fast CPU backends are tested
// against (BackendKind::Reference).
#pragma once

#include "hearth/model.h"
#include "ops/cpu_ref.h"

#include <filesystem>
#include <memory>

namespace hearth::models {

// rounding: Exact is the ground truth; Ggml rounds activations as llama.cpp's CPU backend
// does (see ops::ref::Rounding), for close comparisons with llama.cpp.
Result<std::unique_ptr<Model>> loadReferenceModel(const std::filesystem::path &path,
                                                  const LoadOptions &options,
                                                  ops::ref::Rounding rounding = ops::ref::Rounding::Exact);

} // namespace hearth::models
