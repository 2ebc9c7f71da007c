// The native CPU backend's model (BackendKind::Cpu): the reference model's structure with
// the fast CPU ops. Weights stay in the memory-mapped GGUF file; the KV cache is f16;
// a batch of tokens runs as n-token matmuls (in slices of `batch` tokens); threads from one
// persistent pool (HEARTH_THREADS, else every hardware thread).
//
//   auto model = cpu::loadCpuModel(path, options);        // loadModel() does this for Cpu
//   auto logits = (*model)->eval(tokens, 0);
#pragma once

#include "hearth/model.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace hearth::cpu {

struct CpuModelOptions {
  std::string reason = {};   // why this backend was chosen, shown in backendDescription()
  uint64_t memoryBudget = 0; // bytes the model may use; 0: RAM available now
  size_t threads = 0;        // 0: ThreadPool::defaultThreads()
  uint32_t batch = 256;      // tokens per slice of a long prompt
  bool ggmlRounding = true;  // attention rounds queries and weights to f16, as llama.cpp's CPU backend
};

// Reads and checks the GGUF file, refuses a model larger than the memory budget (needed
// and available bytes in the message), allocates the KV cache and scratch once.
Result<std::unique_ptr<Model>> loadCpuModel(const std::filesystem::path &path, const LoadOptions &options,
                                            const CpuModelOptions &cpu = {});

} // namespace hearth::cpu
