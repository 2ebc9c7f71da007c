// Writes the fuzzer's seed corpus with GgufWriter: small valid files covering every
// value type, nested arrays, several tensor types, both versions and a few alignments.
#include "hearth/gguf.h"

#include <cstdio>
#include <filesystem>

using namespace hearth;
using namespace hearth::gguf;

namespace {

GgufWriter tokenizerLike(uint32_t version, uint32_t alignment)
{
  GgufWriter w(version, alignment);
  w.setString("general.architecture", "llama");
  w.setU32("llama.block_count", 2);
  w.setF32("llama.rope.freq_base", 10000.0f);
  w.setBool("tokenizer.ggml.add_bos_token", true);
  w.setStringArray("tokenizer.ggml.tokens", {"<s>", "</s>", "a", "b", "ab"});
  w.setI32Array("tokenizer.ggml.token_type", {3, 3, 1, 1, 1});
  w.setF32Array("tokenizer.ggml.scores", {0, 0, -1, -2, -3});
  w.setStringArray("tokenizer.ggml.merges", {"a b"});
  return w;
}

GgufWriter everyType()
{
  GgufWriter w(3, 32);
  w.setU8("u8", 1);
  w.setI8("i8", -1);
  w.setU16("u16", 2);
  w.setI16("i16", -2);
  w.setU32("u32", 3);
  w.setI32("i32", -3);
  w.setU64("u64", 4);
  w.setI64("i64", -4);
  w.setF32("f32", 0.5f);
  w.setF64("f64", 0.25);
  w.setBool("bool", true);
  w.setString("str", "x");
  ArrayValue inner{ValueType::UInt64, {}, {1, 2}, {}, {}, {}};
  ArrayValue nested{ValueType::Array, {}, {}, {}, {}, {inner, inner}};
  w.setArray("nested", nested);
  ArrayValue f64{ValueType::Float64, {}, {}, {1.0}, {}, {}};
  w.setArray("f64s", f64);
  return w;
}

bool save(const std::filesystem::path &path, const GgufWriter &w)
{
  auto s = w.write(path);
  if (!s)
    std::fprintf(stderr, "%s\n", s.error().message.c_str());
  return s.has_value();
}

} // namespace

int main(int argc, char **argv)
{
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds DIR\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
  bool ok = save(dir / "every-type.gguf", everyType());
  for (uint32_t version : {2u, 3u})
    for (uint32_t alignment : {1u, 32u, 64u}) {
      GgufWriter w = tokenizerLike(version, alignment);
      const TensorType types[] = {TensorType::F32, TensorType::F16, TensorType::Q8_0, TensorType::Q4_K};
      for (TensorType type : types) {
        const uint64_t row = tensorTypeInfo(type).blockElements * 2;
        std::vector<std::byte> data(*tensorBytes(type, row * 2), std::byte{0x3c});
        ok = ok && w.addTensor(fmt::format("blk.0.{}.weight", tensorTypeName(type)), type, {row, 2}, data).has_value();
      }
      ok = ok && save(dir / fmt::format("model-v{}-a{}.gguf", version, alignment), w);
    }
  return ok ? 0 : 1;
}
