// GgufWriter -> GgufFile round trips: every value type, nested arrays, every tensor
// type, both versions, several alignments, write() to disk, and the typed getters.
#include "hearth/gguf.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <limits>
#include <random>

using namespace hearth;
using namespace hearth::gguf;

namespace {

GgufFile reopen(const GgufWriter &w)
{
  auto f = GgufFile::fromMemory(w.bytes(), "roundtrip.gguf");
  if (!f)
    ADD_FAILURE() << f.error().message;
  return std::move(*f);
}

std::vector<std::byte> randomBytes(size_t n, uint32_t seed)
{
  std::mt19937 rng(seed);
  std::vector<std::byte> out(n);
  for (auto &b : out)
    b = std::byte(rng() & 0xff);
  return out;
}

ArrayValue intArray(ValueType type, std::vector<int64_t> v)
{
  ArrayValue a;
  a.elementType = type;
  a.ints = std::move(v);
  return a;
}

GgufWriter everyValueType()
{
  GgufWriter w;
  w.setU8("u8", 250);
  w.setI8("i8", -120);
  w.setU16("u16", 65000);
  w.setI16("i16", -32000);
  w.setU32("u32", 4000000000u);
  w.setI32("i32", -2000000000);
  w.setU64("u64", std::numeric_limits<uint64_t>::max());
  w.setI64("i64", std::numeric_limits<int64_t>::min());
  w.setF32("f32", 1.5f);
  w.setF64("f64", -2.25e300);
  w.setBool("yes", true);
  w.setBool("no", false);
  w.setString("str", std::string("h\xc3\xa9llo\n\0x", 9)); // an embedded NUL
  w.setString("empty", "");
  w.setStringArray("arr.str", {"a", "", "<|im_end|>"});
  w.setI32Array("arr.i32", {1, -2, std::numeric_limits<int32_t>::min()});
  w.setF32Array("arr.f32", {0.5f, -1.25f});
  w.setArray("arr.u8", intArray(ValueType::UInt8, {0, 255}));
  w.setArray("arr.i8", intArray(ValueType::Int8, {-128, 127}));
  w.setArray("arr.u16", intArray(ValueType::UInt16, {0, 65535}));
  w.setArray("arr.i16", intArray(ValueType::Int16, {-32768, 32767}));
  w.setArray("arr.u32", intArray(ValueType::UInt32, {0, 4294967295}));
  w.setArray("arr.i64", intArray(ValueType::Int64, {std::numeric_limits<int64_t>::min(), 7}));
  w.setArray("arr.bool", intArray(ValueType::Bool, {1, 0, 1}));
  ArrayValue u64;
  u64.elementType = ValueType::UInt64;
  u64.uints = {1, std::numeric_limits<uint64_t>::max()};
  w.setArray("arr.u64", u64);
  ArrayValue f64;
  f64.elementType = ValueType::Float64;
  f64.floats = {1e-300, 2.5};
  w.setArray("arr.f64", f64);
  // [[[1, 2], [3]], []]: arrays of arrays of int32, and an empty inner array
  ArrayValue inner;
  inner.elementType = ValueType::Array;
  inner.arrays = {intArray(ValueType::Int32, {1, 2}), intArray(ValueType::Int32, {3})};
  ArrayValue empty;
  empty.elementType = ValueType::Array;
  ArrayValue nested;
  nested.elementType = ValueType::Array;
  nested.arrays = {inner, empty};
  w.setArray("arr.nested", nested);
  w.setArray("arr.empty", ArrayValue{});
  return w;
}

} // namespace

TEST(GgufRoundTrip, EveryScalarType)
{
  const GgufFile f = reopen(everyValueType());
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(f.alignment(), 32u);
  EXPECT_EQ(f.metadata().size(), 28u);
  EXPECT_EQ(f.find("u8")->type, ValueType::UInt8);
  EXPECT_EQ(std::get<int64_t>(f.find("u8")->data), 250);
  EXPECT_EQ(std::get<int64_t>(f.find("i8")->data), -120);
  EXPECT_EQ(std::get<int64_t>(f.find("u16")->data), 65000);
  EXPECT_EQ(std::get<int64_t>(f.find("i16")->data), -32000);
  EXPECT_EQ(*f.getU32("u32"), 4000000000u);
  EXPECT_EQ(*f.getI32("i32"), -2000000000);
  EXPECT_EQ(*f.getU64("u64"), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(f.find("i64")->type, ValueType::Int64);
  EXPECT_EQ(std::get<int64_t>(f.find("i64")->data), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(*f.getF32("f32"), 1.5f);
  EXPECT_EQ(f.find("f64")->type, ValueType::Float64);
  EXPECT_EQ(std::get<double>(f.find("f64")->data), -2.25e300);
  EXPECT_TRUE(*f.getBool("yes"));
  EXPECT_FALSE(*f.getBool("no"));
  EXPECT_EQ(*f.getString("str"), std::string_view("h\xc3\xa9llo\n\0x", 9));
  EXPECT_EQ(*f.getString("empty"), "");
}

TEST(GgufRoundTrip, EveryArrayType)
{
  const GgufFile f = reopen(everyValueType());
  const ArrayValue *s = *f.getArray("arr.str", ValueType::String);
  EXPECT_EQ(s->strings, (std::vector<std::string_view>{"a", "", "<|im_end|>"}));
  EXPECT_EQ((*f.getArray("arr.i32", ValueType::Int32))->ints,
            (std::vector<int64_t>{1, -2, std::numeric_limits<int32_t>::min()}));
  EXPECT_EQ((*f.getArray("arr.f32", ValueType::Float32))->floats, (std::vector<double>{0.5, -1.25}));
  EXPECT_EQ((*f.getArray("arr.u8", ValueType::UInt8))->ints, (std::vector<int64_t>{0, 255}));
  EXPECT_EQ((*f.getArray("arr.i8", ValueType::Int8))->ints, (std::vector<int64_t>{-128, 127}));
  EXPECT_EQ((*f.getArray("arr.u16", ValueType::UInt16))->ints, (std::vector<int64_t>{0, 65535}));
  EXPECT_EQ((*f.getArray("arr.i16", ValueType::Int16))->ints, (std::vector<int64_t>{-32768, 32767}));
  EXPECT_EQ((*f.getArray("arr.u32", ValueType::UInt32))->ints, (std::vector<int64_t>{0, 4294967295}));
  EXPECT_EQ((*f.getArray("arr.i64", ValueType::Int64))->ints,
            (std::vector<int64_t>{std::numeric_limits<int64_t>::min(), 7}));
  EXPECT_EQ((*f.getArray("arr.bool", ValueType::Bool))->ints, (std::vector<int64_t>{1, 0, 1}));
  EXPECT_EQ((*f.getArray("arr.u64", ValueType::UInt64))->uints,
            (std::vector<uint64_t>{1, std::numeric_limits<uint64_t>::max()}));
  EXPECT_EQ((*f.getArray("arr.f64", ValueType::Float64))->floats, (std::vector<double>{1e-300, 2.5}));
  EXPECT_EQ((*f.getArray("arr.empty", ValueType::String))->size(), 0u);

  const ArrayValue *nested = *f.getArray("arr.nested", ValueType::Array);
  ASSERT_EQ(nested->size(), 2u);
  const ArrayValue &inner = nested->arrays[0];
  ASSERT_EQ(inner.elementType, ValueType::Array);
  ASSERT_EQ(inner.size(), 2u);
  EXPECT_EQ(inner.arrays[0].elementType, ValueType::Int32);
  EXPECT_EQ(inner.arrays[0].ints, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(inner.arrays[1].ints, (std::vector<int64_t>{3}));
  EXPECT_EQ(nested->arrays[1].elementType, ValueType::Array);
  EXPECT_EQ(nested->arrays[1].size(), 0u);
}

TEST(GgufRoundTrip, GettersRefuseTypeMismatch)
{
  const GgufFile f = reopen(everyValueType());
  EXPECT_EQ(*f.getU32("u8"), 250u); // widening is fine
  EXPECT_EQ(*f.getI32("i16"), -32000);
  EXPECT_NE(f.getF32("f64").error().message.find("value -2.25e+300 does not fit float32"), std::string::npos);

  auto s = f.getString("u32");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::Format);
  EXPECT_NE(s.error().message.find("[gguf] roundtrip.gguf @ "), std::string::npos);
  EXPECT_NE(s.error().message.find("key 'u32' has type uint32, expected string"), std::string::npos)
      << s.error().message;
  EXPECT_NE(f.getU32("i32").error().message.find("value -2000000000 does not fit uint32"), std::string::npos);
  EXPECT_NE(f.getI32("u32").error().message.find("value 4000000000 does not fit int32"), std::string::npos);
  EXPECT_NE(f.getU32("u64").error().message.find("does not fit uint32"), std::string::npos);
  EXPECT_NE(f.getU32("str").error().message.find("has type string, expected uint32"), std::string::npos);
  EXPECT_NE(f.getU32("yes").error().message.find("has type bool, expected uint32"), std::string::npos);
  EXPECT_NE(f.getBool("u8").error().message.find("has type uint8, expected bool"), std::string::npos);
  EXPECT_NE(f.getF32("i32").error().message.find("has type int32, expected float32"), std::string::npos);
  EXPECT_NE(f.getArray("arr.i32", ValueType::String).error().message.find(
                "has type array of int32, expected array of string"),
            std::string::npos);
  EXPECT_NE(f.getArray("str", ValueType::String).error().message.find("has type string, expected array"),
            std::string::npos);
  EXPECT_EQ(f.getU32("nope").error().message, "[gguf] roundtrip.gguf: key 'nope' is missing");

  EXPECT_EQ(*f.getU32Or("nope", 7), 7u);
  EXPECT_EQ(*f.getU32Or("u16", 7), 65000u);
  EXPECT_FALSE(f.getU32Or("str", 7)); // present with the wrong type is still an error
  EXPECT_EQ(*f.getF32Or("nope", 0.25f), 0.25f);
  EXPECT_FALSE(f.getF32Or("str", 0.25f));
  EXPECT_TRUE(*f.getBoolOr("nope", true));
  EXPECT_FALSE(f.getBoolOr("u8", true));
  EXPECT_TRUE(f.has("arr.nested"));
  EXPECT_FALSE(f.has("arr"));
}

TEST(GgufRoundTrip, EveryTensorTypeBothVersionsSeveralAlignments)
{
  for (uint32_t version : {2u, 3u}) {
    for (uint32_t alignment : {1u, 32u, 64u, 4096u}) {
      SCOPED_TRACE(fmt::format("version {} alignment {}", version, alignment));
      GgufWriter w(version, alignment);
      w.setString("general.architecture", "test");
      std::vector<std::pair<std::string, std::vector<std::byte>>> expected;
      for (uint32_t id = 0; id < 64; ++id) {
        const auto info = tensorTypeInfo(id);
        if (!info)
          continue;
        const std::vector<uint64_t> dims{info->blockElements * 2ull, 3, 1 + id % 2};
        const uint64_t elements = dims[0] * dims[1] * dims[2];
        auto data = randomBytes(*tensorBytes(info->type, elements), id);
        const std::string name = fmt::format("t.{}", info->name);
        ASSERT_TRUE(w.addTensor(name, info->type, dims, data));
        expected.emplace_back(name, std::move(data));
      }
      const GgufFile f = reopen(w);
      EXPECT_EQ(f.version(), version);
      EXPECT_EQ(f.alignment(), alignment);
      EXPECT_EQ(f.dataOffset() % alignment, 0u);
      ASSERT_EQ(f.tensors().size(), expected.size());
      for (size_t i = 0; i < expected.size(); ++i) {
        const TensorInfo &t = f.tensors()[i];
        const TensorTypeInfo info = tensorTypeInfo(t.type);
        EXPECT_EQ(t.name, expected[i].first);
        EXPECT_EQ(fmt::format("t.{}", info.name), t.name);
        EXPECT_EQ(t.nDims, 3u);
        EXPECT_EQ(t.dims[0], info.blockElements * 2ull);
        EXPECT_EQ(t.dims[3], 1u);
        EXPECT_EQ(t.elements, t.dims[0] * t.dims[1] * t.dims[2]);
        EXPECT_EQ(t.bytes, expected[i].second.size());
        EXPECT_EQ(t.offset % alignment, 0u);
        ASSERT_EQ(t.data.size(), expected[i].second.size());
        EXPECT_TRUE(std::equal(t.data.begin(), t.data.end(), expected[i].second.begin()));
        EXPECT_EQ(f.findTensor(t.name), &t);
      }
      EXPECT_EQ(f.findTensor("missing"), nullptr);
    }
  }
}

TEST(GgufRoundTrip, WriterRefusesBadTensors)
{
  GgufWriter w;
  ASSERT_TRUE(w.addTensor("a", TensorType::F32, {4}, randomBytes(16, 1)));
  auto dup = w.addTensor("a", TensorType::F32, {4}, randomBytes(16, 1));
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(dup.error().message.find("duplicate tensor name 'a'"), std::string::npos);
  EXPECT_FALSE(w.addTensor("b", TensorType::F32, {4}, randomBytes(15, 1)));
  EXPECT_FALSE(w.addTensor("c", TensorType::Q4_1, {33}, randomBytes(40, 1)));
  EXPECT_FALSE(w.addTensor("d", TensorType::F32, {1, 1, 1, 1, 1}, randomBytes(4, 1)));
  EXPECT_FALSE(w.addTensor("e", TensorType::F32, {0}, {}));
  EXPECT_EQ(reopen(w).tensors().size(), 1u);
}

TEST(GgufRoundTrip, SettingAKeyAgainReplacesIt)
{
  GgufWriter w;
  w.setU32("k", 1);
  w.setString("k", "two");
  const GgufFile f = reopen(w);
  EXPECT_EQ(f.metadata().size(), 1u);
  EXPECT_EQ(*f.getString("k"), "two");
}

TEST(GgufRoundTrip, WriteGoesThroughATemporaryFile)
{
  const char *dataDir = std::getenv("HEARTH_DATA_DIR");
  ASSERT_NE(dataDir, nullptr);
  const std::filesystem::path dir = std::filesystem::path(dataDir) / "gguf-write";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto path = dir / "model.gguf";

  GgufWriter w(3, 64);
  w.setString("general.name", "disk");
  ASSERT_TRUE(w.addTensor("w", TensorType::Q8_0, {64, 2}, randomBytes(136, 3)));
  ASSERT_TRUE(w.write(path));
  w.setString("general.name", "disk, second version");
  ASSERT_TRUE(w.write(path)); // replaces the first one

  auto f = GgufFile::open(path);
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->path(), path.string());
  EXPECT_EQ(*f->getString("general.name"), "disk, second version");
  EXPECT_EQ(f->fileSize(), std::filesystem::file_size(path));
  EXPECT_EQ(f->alignment(), 64u);
  EXPECT_EQ(f->findTensor("w")->data.size(), 136u);
  size_t files = 0;
  for ([[maybe_unused]] const auto &e : std::filesystem::directory_iterator(dir))
    ++files;
  EXPECT_EQ(files, 1u) << "a temporary file was left behind";

  auto bad = w.write(dir / "no-such-dir" / "x.gguf");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::Io);
  EXPECT_NE(bad.error().message.find("no-such-dir"), std::string::npos);
}

// evict() lets pages go without losing a byte: a mapped file's pages come back from the
// file, and a file parsed from memory is left alone (dropping those pages would zero them).
TEST(GgufRoundTrip, EvictedTensorBytesReadTheSame)
{
  const char *dataDir = std::getenv("HEARTH_DATA_DIR");
  ASSERT_NE(dataDir, nullptr);
  const std::filesystem::path dir = std::filesystem::path(dataDir) / "gguf-evict";
  std::filesystem::create_directories(dir);
  GgufWriter w(3, 4096);
  const auto bytes = randomBytes(34 * 8 * 1024, 11); // 272 KiB of Q8_0 (8192 × 32 values)
  ASSERT_TRUE(w.addTensor("w", TensorType::Q8_0, {256, 1024}, bytes));
  ASSERT_TRUE(w.write(dir / "evict.gguf"));
  auto mapped = GgufFile::open(dir / "evict.gguf");
  ASSERT_TRUE(mapped) << mapped.error().message;
  auto inMemory = GgufFile::fromMemory(w.bytes());
  ASSERT_TRUE(inMemory) << inMemory.error().message;
  for (const GgufFile *f : {&*mapped, &*inMemory}) {
    const auto data = f->findTensor("w")->data;
    ASSERT_TRUE(std::equal(data.begin(), data.end(), bytes.begin()));
    f->evict(data);
    f->evict(data.subspan(5000, 70000));
    EXPECT_TRUE(std::equal(data.begin(), data.end(), bytes.begin())) << f->path();
  }
}

TEST(GgufRoundTrip, OpenReportsMissingFiles)
{
  auto f = GgufFile::open("/nonexistent/model.gguf");
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, ErrorCode::Io);
  EXPECT_EQ(f.error().message, "[gguf] /nonexistent/model.gguf: cannot open: No such file or directory");
  auto dir = GgufFile::open("/tmp");
  ASSERT_FALSE(dir);
  EXPECT_EQ(dir.error().message, "[gguf] /tmp: not a regular file");
}
