// hearth-synth: writes a random-weight GGUF model (tests, benchmarks).
//
//   hearth-synth --out qwen2-0.5b-q4_k.gguf --preset qwen2-0.5b --type q4_k
//   hearth-synth --out tiny.gguf --arch llama --layers 2 --embd 256 --heads 4 --kv-heads 2
//                --ff 512 --vocab 1024 --type q8_0 [--embd-type q8_0] [--output-type q6_k]
//                [--ffn-type q6_k] [--rope-base 1e6] [--eps 1e-6] [--tied] [--seed 7]
#include "models/synthetic.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

using namespace hearth;

namespace {

const char *option(int argc, char **argv, const char *name)
{
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0)
      return argv[i + 1];
  return nullptr;
}

bool flag(int argc, char **argv, const char *name)
{
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], name) == 0)
      return true;
  return false;
}

bool readU32(int argc, char **argv, const char *name, uint32_t &out)
{
  const char *v = option(argc, argv, name);
  if (!v)
    return true;
  char *end = nullptr;
  const unsigned long n = std::strtoul(v, &end, 10);
  if (*end != '\0' || n == 0 || n > UINT32_MAX) {
    std::fprintf(stderr, "hearth-synth: %s needs a positive integer, got '%s'\n", name, v);
    return false;
  }
  out = uint32_t(n);
  return true;
}

bool readType(int argc, char **argv, const char *name, TensorType &out)
{
  const char *v = option(argc, argv, name);
  if (!v)
    return true;
  const auto t = tensorTypeFromName(v);
  if (!t) {
    std::fprintf(stderr, "hearth-synth: %s: unknown tensor type '%s'\n", name, v);
    return false;
  }
  out = *t;
  return true;
}

} // namespace

int main(int argc, char **argv)
{
  const char *out = option(argc, argv, "--out");
  if (!out || flag(argc, argv, "--help")) {
    std::fprintf(stderr, "usage: hearth-synth --out FILE [--preset qwen2-0.5b] [--arch llama|qwen2] "
                         "[--layers N --embd N --heads N --kv-heads N --ff N --vocab N --ctx N] "
                         "[--type T --ffn-type T --embd-type T --output-type T] [--rope-base F --eps F] "
                         "[--tied] [--seed N]\n");
    return 2;
  }
  TensorType type = TensorType::Q8_0;
  if (!readType(argc, argv, "--type", type))
    return 2;
  models::SyntheticSpec spec;
  if (const char *preset = option(argc, argv, "--preset")) {
    if (std::strcmp(preset, "qwen2-0.5b") != 0) {
      std::fprintf(stderr, "hearth-synth: unknown preset '%s' (qwen2-0.5b)\n", preset);
      return 2;
    }
    spec = models::qwen2HalfBillionSpec(type);
  } else {
    spec.attentionType = spec.feedForwardType = type;
  }
  if (const char *arch = option(argc, argv, "--arch"))
    spec.architecture = arch;
  uint32_t seed = 1;
  const bool ok = readU32(argc, argv, "--layers", spec.nLayer) && readU32(argc, argv, "--embd", spec.nEmbd) &&
                  readU32(argc, argv, "--heads", spec.nHead) && readU32(argc, argv, "--kv-heads", spec.nHeadKv) &&
                  readU32(argc, argv, "--ff", spec.nFf) && readU32(argc, argv, "--vocab", spec.nVocab) &&
                  readU32(argc, argv, "--ctx", spec.contextLength) && readU32(argc, argv, "--seed", seed) &&
                  readType(argc, argv, "--embd-type", spec.embeddingType) &&
                  readType(argc, argv, "--output-type", spec.outputType) &&
                  readType(argc, argv, "--ffn-type", spec.feedForwardType);
  if (!ok)
    return 2;
  spec.seed = seed;
  if (const char *v = option(argc, argv, "--rope-base"))
    spec.ropeFreqBase = std::strtof(v, nullptr);
  if (const char *v = option(argc, argv, "--eps"))
    spec.rmsEps = std::strtof(v, nullptr);
  if (flag(argc, argv, "--tied"))
    spec.tiedEmbeddings = true;
  if (auto s = models::writeSyntheticModel(out, spec); !s) {
    std::fprintf(stderr, "hearth-synth: %s\n", s.error().message.c_str());
    return 1;
  }
  std::printf("%s: %s, %u layers, embd %u, ff %u, vocab %u, %s\n", out, spec.architecture.c_str(),
              spec.nLayer, spec.nEmbd, spec.nFf, spec.nVocab, std::string(tensorTypeName(type)).c_str());
  return 0;
}
