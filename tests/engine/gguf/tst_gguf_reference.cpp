// Hearth's reader against the reference reader (PyPI gguf, see
// tests/fixtures/gguf/make_reference.py): a file written by gguf.GGUFWriter with every
// value type, and the demo model's whole tensor table.
#include "hearth/gguf.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>

using namespace hearth;
using namespace hearth::gguf;
using nlohmann::json;

namespace {

std::string env(const char *name)
{
  const char *v = std::getenv(name);
  return v ? v : "";
}

json loadJson(const std::string &path)
{
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot read " << path;
  return json::parse(in, nullptr, false);
}

std::string hex(std::span<const std::byte> bytes)
{
  std::string out;
  for (auto b : bytes)
    out += fmt::format("{:02x}", static_cast<unsigned>(b));
  return out;
}

std::string fnv1a64(std::span<const std::byte> bytes)
{
  uint64_t h = 0xcbf29ce484222325ull;
  for (auto b : bytes)
    h = (h ^ static_cast<uint64_t>(b)) * 0x100000001b3ull;
  return fmt::format("{:016x}", h);
}

json arrayJson(const ArrayValue &a)
{
  json out = json::array();
  switch (a.elementType) {
  case ValueType::String:
    for (auto s : a.strings)
      out.push_back(std::string(s));
    break;
  case ValueType::Array:
    for (const auto &inner : a.arrays)
      out.push_back(arrayJson(inner));
    break;
  case ValueType::UInt64:
    for (auto v : a.uints)
      out.push_back(v);
    break;
  case ValueType::Float32:
  case ValueType::Float64:
    for (auto v : a.floats)
      out.push_back(v);
    break;
  case ValueType::Bool:
    for (auto v : a.ints)
      out.push_back(v != 0);
    break;
  default:
    for (auto v : a.ints)
      out.push_back(v);
    break;
  }
  return out;
}

json valueJson(const Value &v)
{
  return std::visit(
      [](const auto &x) -> json {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, ArrayValue>)
          return arrayJson(x);
        else if constexpr (std::is_same_v<T, std::string_view>)
          return std::string(x);
        else
          return x;
      },
      v.data);
}

// Compares the metadata and tensor table of `f` with the reference reader's dump.
void expectMatches(const GgufFile &f, const json &ref)
{
  EXPECT_EQ(f.fileSize(), ref["file_size"].get<uint64_t>());
  EXPECT_EQ(f.alignment(), ref["alignment"].get<uint32_t>());
  EXPECT_EQ(f.dataOffset(), ref["data_offset"].get<uint64_t>());
  ASSERT_EQ(f.metadata().size(), ref["metadata"].size());
  for (size_t i = 0; i < f.metadata().size(); ++i) {
    const MetadataEntry &e = f.metadata()[i];
    const json &r = ref["metadata"][i];
    SCOPED_TRACE(r["key"].get<std::string>());
    EXPECT_EQ(e.key, r["key"].get<std::string>());
    EXPECT_EQ(static_cast<int>(e.value.type), r["type"].get<int>());
    if (r.contains("element_type")) {
      EXPECT_EQ(static_cast<int>(std::get<ArrayValue>(e.value.data).elementType), r["element_type"].get<int>());
    }
    json mine = valueJson(e.value);
    if (r.contains("length")) { // the fixture keeps only the head of long values
      if (mine.is_string()) {
        EXPECT_EQ(mine.get<std::string>().size(), r["length"].get<size_t>());
        continue;
      }
      EXPECT_EQ(mine.size(), r["length"].get<size_t>());
      mine.erase(mine.begin() + 8, mine.end());
    }
    if (e.value.type == ValueType::Float32)
      EXPECT_FLOAT_EQ(mine.get<float>(), r["value"].get<float>());
    else
      EXPECT_EQ(mine, r["value"]);
  }
  ASSERT_EQ(f.tensors().size(), ref["tensors"].size());
  for (size_t i = 0; i < f.tensors().size(); ++i) {
    const TensorInfo &t = f.tensors()[i];
    const json &r = ref["tensors"][i];
    SCOPED_TRACE(r["name"].get<std::string>());
    EXPECT_EQ(t.name, r["name"].get<std::string>());
    EXPECT_EQ(static_cast<int>(t.type), r["type"].get<int>());
    const auto dims = r["dims"].get<std::vector<uint64_t>>();
    ASSERT_EQ(t.nDims, dims.size());
    for (size_t d = 0; d < dims.size(); ++d)
      EXPECT_EQ(t.dims[d], dims[d]);
    EXPECT_EQ(t.elements, r["elements"].get<uint64_t>());
    EXPECT_EQ(t.offset, r["offset"].get<uint64_t>());
    EXPECT_EQ(t.bytes, r["bytes"].get<uint64_t>());
    EXPECT_EQ(hex(t.data.first(std::min<size_t>(16, t.data.size()))), r["head"].get<std::string>());
    if (r.contains("fnv1a64")) {
      EXPECT_EQ(fnv1a64(t.data), r["fnv1a64"].get<std::string>());
    }
  }
}

} // namespace

TEST(GgufReference, FileWrittenByReferenceWriter)
{
  const std::string dir = env("HEARTH_FIXTURES") + "/gguf/";
  auto f = GgufFile::open(dir + "reference.gguf");
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->version(), 3u);
  expectMatches(*f, loadJson(dir + "reference.json"));
  // Spot checks through the typed getters.
  EXPECT_EQ(*f->getString("general.architecture"), "testarch");
  EXPECT_EQ(*f->getU64("t.u64"), 18000000000000000000ull);
  EXPECT_EQ(*f->getI32("t.i8"), -120);
}

TEST(GgufReference, ReferenceFileSurvivesOurWriter)
{
  // Re-encode every entry and tensor of the reference file with GgufWriter: the result
  // must read back identical (and match the reference dump in everything but offsets).
  const std::string dir = env("HEARTH_FIXTURES") + "/gguf/";
  auto f = GgufFile::open(dir + "reference.gguf");
  ASSERT_TRUE(f) << f.error().message;
  GgufWriter w(3, f->alignment());
  for (const auto &e : f->metadata()) {
    if (e.key == "general.alignment")
      w.setU32(std::string(e.key), *f->getU32(e.key));
    else if (const auto *a = std::get_if<ArrayValue>(&e.value.data))
      w.setArray(std::string(e.key), *a);
    else if (e.value.type == ValueType::String)
      w.setString(std::string(e.key), std::string(*f->getString(e.key)));
  }
  for (const auto &t : f->tensors())
    ASSERT_TRUE(w.addTensor(std::string(t.name), t.type, {t.dims.begin(), t.dims.begin() + t.nDims},
                            {t.data.begin(), t.data.end()}));
  auto again = GgufFile::fromMemory(w.bytes(), "again.gguf");
  ASSERT_TRUE(again) << again.error().message;
  for (const auto &e : f->metadata()) {
    if (e.value.type == ValueType::Array || e.value.type == ValueType::String) {
      EXPECT_EQ(valueJson(*again->find(e.key)), valueJson(e.value)) << e.key;
    }
  }
  ASSERT_EQ(again->tensors().size(), f->tensors().size());
  for (size_t i = 0; i < f->tensors().size(); ++i)
    EXPECT_EQ(hex(again->tensors()[i].data), hex(f->tensors()[i].data));
}

TEST(GgufReference, DemoModel)
{
  const std::string path = env("HEARTH_DEMO_MODEL");
  ASSERT_FALSE(path.empty()) << "HEARTH_DEMO_MODEL is not set";
  auto f = GgufFile::open(path);
  ASSERT_TRUE(f) << f.error().message << " (fetch it with packaging/fetch-demo-model.sh)";
  EXPECT_EQ(f->version(), 3u);
  EXPECT_EQ(*f->getString("general.architecture"), "llama");
  EXPECT_EQ(f->tensors().size(), 272u);
  EXPECT_EQ(*f->getU32("llama.block_count"), 30u);
  EXPECT_EQ(*f->getU32("llama.vocab_size"), 49152u);
  EXPECT_EQ((*f->getArray("tokenizer.ggml.tokens", ValueType::String))->size(), 49152u);
  EXPECT_TRUE(f->has("tokenizer.chat_template"));
  EXPECT_NE(f->getString("tokenizer.chat_template")->find("<|im_start|>"), std::string_view::npos);
  expectMatches(*f, loadJson(env("HEARTH_FIXTURES") + "/gguf/demo_model.json"));
}
