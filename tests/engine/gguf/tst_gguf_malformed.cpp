// The malformed-GGUF corpus: one hand-built file per class of bug that real GGUF parsers
// shipped (see /work/shared/reliability.md). Each must fail with its own message naming
// the file and byte offset, quickly, and without allocating by an unchecked field.
#include "hearth/gguf.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <new>

using namespace hearth;
using namespace hearth::gguf;

// Counts bytes requested from operator new while `g_counting` is set, so a test can check
// that a parse allocated nothing in proportion to a huge field. (GCC pairs the replaced
// new/delete with the malloc/free inside them and warns; the pairing here is deliberate.)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
namespace {
std::atomic<bool> g_counting{false};
std::atomic<uint64_t> g_allocated{0};
} // namespace

void *operator new(size_t n)
{
  if (g_counting)
    g_allocated += n;
  if (void *p = std::malloc(n ? n : 1))
    return p;
  throw std::bad_alloc();
}
void operator delete(void *p) noexcept { std::free(p); }
void operator delete(void *p, size_t) noexcept { std::free(p); }

namespace {

constexpr uint32_t F32 = 0, Q4_1 = 3, U32 = 4, I32 = 5, BOOL = 7, STRING = 8, ARRAY = 9, U64 = 10;

// Little-endian byte builder for hand-made files; mark() remembers an offset.
struct Raw {
  std::vector<std::byte> b;
  Raw &u8(uint8_t v) { return put(v); }
  Raw &u32(uint32_t v) { return put(v); }
  Raw &u64(uint64_t v) { return put(v); }
  Raw &i64(int64_t v) { return put(v); }
  Raw &str(std::string_view s)
  {
    u64(s.size());
    for (char c : s)
      b.push_back(std::byte(c));
    return *this;
  }
  Raw &zeros(size_t n)
  {
    b.insert(b.end(), n, std::byte{0});
    return *this;
  }
  Raw &padTo(size_t alignment) { return zeros((alignment - b.size() % alignment) % alignment); }
  uint64_t pos() const { return b.size(); }
  template <class T> Raw &put(T v)
  {
    const auto *p = reinterpret_cast<const std::byte *>(&v);
    b.insert(b.end(), p, p + sizeof v);
    return *this;
  }
};

Raw header(uint64_t tensors, uint64_t entries, uint32_t version = 3)
{
  Raw r;
  r.u32(0x46554747).u32(version).u64(tensors).u64(entries);
  return r;
}

// A tensor info: name, dims, type, offset.
Raw &tensorInfo(Raw &r, std::string_view name, std::vector<int64_t> dims, uint32_t type, uint64_t offset)
{
  r.str(name).u32(dims.size());
  for (int64_t d : dims)
    r.i64(d);
  return r.u32(type).u64(offset);
}

double cpuMillis()
{
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

// Parses `raw` from memory and checks the exact error prefix "[gguf] <case> @ <at>: "
// plus the specific text, the code, the CPU time and the bytes allocated.
void expectError(const Raw &raw, uint64_t at, std::string_view what, ErrorCode code = ErrorCode::Format)
{
  const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  const double start = cpuMillis();
  g_allocated = 0;
  g_counting = true;
  auto f = GgufFile::fromMemory(raw.b, name + ".gguf");
  g_counting = false;
  const uint64_t allocated = g_allocated;
  const double elapsed = cpuMillis() - start;
  ASSERT_FALSE(f) << "a malformed file was accepted";
  const std::string prefix = fmt::format("[gguf] {}.gguf @ {}: ", name, at);
  EXPECT_EQ(f.error().message.substr(0, prefix.size()), prefix) << f.error().message;
  EXPECT_NE(f.error().message.find(what), std::string::npos)
      << "expected: " << what << "\n     got: " << f.error().message;
  EXPECT_EQ(f.error().code, code) << f.error().message;
  EXPECT_LT(elapsed, 100.0) << "CPU ms spent refusing the file";
  EXPECT_LT(allocated, 64u * 1024 + raw.b.size()) << "bytes allocated while parsing";
}

} // namespace

TEST(GgufMalformed, NotGguf) { expectError(Raw().u32(0x46554746).u32(3).zeros(16), 0, "not a GGUF file"); }
TEST(GgufMalformed, TooSmall) { expectError(Raw().u8('G').u8('G'), 0, "file too small to be GGUF (2 bytes)"); }
TEST(GgufMalformed, Version1)
{
  expectError(header(0, 0, 1), 4, "GGUF version 1 is not supported (only versions 2 and 3)", ErrorCode::Unsupported);
}
TEST(GgufMalformed, FutureVersion)
{
  expectError(header(0, 0, 4), 4, "GGUF version 4 is not supported", ErrorCode::Unsupported);
}
TEST(GgufMalformed, BigEndian)
{
  expectError(header(0, 0, 0x03000000), 4, "big-endian GGUF is not supported", ErrorCode::Unsupported);
}
TEST(GgufMalformed, TruncatedHeader)
{
  expectError(Raw().u32(0x46554747).u32(3).u32(0), 8, "file ends inside tensor count (4 bytes left, 8 needed)");
}
TEST(GgufMalformed, TensorCountOverflow)
{
  expectError(header(1ull << 63, 0), 8, "tensor count 9223372036854775808 cannot fit in the 0 bytes left");
}
TEST(GgufMalformed, MetadataCountOverflow)
{
  expectError(header(0, ~0ull).zeros(64), 16, "metadata count 18446744073709551615 cannot fit in the 64 bytes left");
}
TEST(GgufMalformed, HugeKeyLength)
{
  Raw r = header(0, 1);
  r.u64(0x7fffffffffffffff).zeros(8);
  expectError(r, 24, "key length 9223372036854775807 runs past end of file (8 bytes left)");
}
TEST(GgufMalformed, HugeStringValueLength)
{
  Raw r = header(0, 1);
  r.str("general.name").u32(STRING);
  const uint64_t at = r.pos();
  r.u64(~0ull - 7).zeros(4);
  expectError(r, at, "string value length 18446744073709551608 runs past end of file (4 bytes left)");
}
TEST(GgufMalformed, ArrayCountLargerThanFile)
{
  Raw r = header(0, 1);
  r.str("tokenizer.ggml.token_type").u32(ARRAY);
  const uint64_t at = r.pos();
  r.u32(I32).u64(1'000'000'000).zeros(40);
  expectError(r, at, "array of 1000000000 int32 elements cannot fit in the 40 bytes left");
}
TEST(GgufMalformed, StringArrayCountNear2To63)
{
  Raw r = header(0, 1);
  r.str("tokenizer.ggml.tokens").u32(ARRAY);
  const uint64_t at = r.pos();
  r.u32(STRING).u64(1ull << 62).str("a").str("b");
  expectError(r, at, "array of 4611686018427387904 string elements cannot fit in the 18 bytes left");
}
TEST(GgufMalformed, UnknownValueType)
{
  Raw r = header(0, 1);
  r.str("k");
  const uint64_t at = r.pos();
  r.u32(13).u32(0);
  expectError(r, at, "key 'k' has unknown value type 13");
}
TEST(GgufMalformed, UnknownArrayElementType)
{
  Raw r = header(0, 1);
  r.str("k").u32(ARRAY);
  const uint64_t at = r.pos();
  r.u32(0xffffffff).u64(1).u32(0);
  expectError(r, at, "key 'k': array of unknown value type 4294967295");
}
TEST(GgufMalformed, ArraysNestedTooDeep)
{
  Raw r = header(0, 1);
  r.str("k").u32(ARRAY);
  for (int i = 0; i < 100; ++i)
    r.u32(ARRAY).u64(1);
  r.u32(U32).u64(0);
  expectError(r, 24 + 9 + 4 + 7 * 12, "key 'k': arrays nested deeper than 8");
}
TEST(GgufMalformed, BoolNeitherZeroNorOne)
{
  Raw r = header(0, 1);
  r.str("tokenizer.ggml.add_bos_token").u32(BOOL);
  const uint64_t at = r.pos();
  r.u8(2).zeros(3);
  expectError(r, at, "bool value 2 is neither 0 nor 1");
}
TEST(GgufMalformed, DuplicateKey)
{
  Raw r = header(0, 2);
  r.str("general.name").u32(STRING).str("a");
  const uint64_t at = r.pos();
  r.str("general.name").u32(STRING).str("b");
  expectError(r, at, "duplicate key 'general.name'");
}
TEST(GgufMalformed, ControlCharactersInNamesAreEscaped)
{
  Raw r = header(0, 2);
  r.str("a\nb\x1b[2J").u32(STRING).str("x");
  const uint64_t at = r.pos();
  r.str("a\nb\x1b[2J").u32(STRING).str("y");
  expectError(r, at, "duplicate key 'a\\x0ab\\x1b[2J'"); // one line, no terminal escapes
}
TEST(GgufMalformed, AlignmentZero)
{
  Raw r = header(0, 1);
  r.str("general.alignment").u32(U32).u32(0);
  expectError(r, 24, "general.alignment 0 is not a nonzero power of two");
}
TEST(GgufMalformed, AlignmentNotPowerOfTwo)
{
  Raw r = header(0, 1);
  r.str("general.alignment").u32(U32).u32(48);
  expectError(r, 24, "general.alignment 48 is not a nonzero power of two");
}
TEST(GgufMalformed, AlignmentThatWouldWrapPadding)
{
  Raw r = header(0, 1);
  r.str("general.alignment").u32(U32).u32(0x80000000u);
  expectError(r, 24, "general.alignment 2147483648 is not a nonzero power of two (at most 2^30)");
}
TEST(GgufMalformed, AlignmentWrongType)
{
  Raw r = header(0, 1);
  r.str("general.alignment").u32(STRING).str("32");
  expectError(r, 24, "general.alignment has type string, expected uint32");
}
TEST(GgufMalformed, TooManyDimensions)
{
  Raw r = header(1, 0);
  tensorInfo(r, "t", {32, 1, 1, 1, 1}, F32, 0);
  expectError(r.padTo(32).zeros(128), 24, "tensor 't' has 5 dimensions (at most 4)");
}
TEST(GgufMalformed, ZeroDimension)
{
  Raw r = header(1, 0);
  tensorInfo(r, "t", {32, 0}, F32, 0);
  expectError(r.padTo(32).zeros(128), 24, "tensor 't' dimension 1 is 0 (must be positive)");
}
TEST(GgufMalformed, NegativeDimension)
{
  Raw r = header(1, 0);
  tensorInfo(r, "t", {-4}, F32, 0);
  expectError(r.padTo(32).zeros(128), 24, "tensor 't' dimension 0 is -4 (must be positive)");
}
TEST(GgufMalformed, DimensionProductOverflow)
{
  Raw r = header(1, 0);
  tensorInfo(r, "t", {1ll << 32, 1ll << 32}, F32, 0);
  expectError(r.padTo(32).zeros(128), 24, "tensor 't' element count overflows (dimension 1 is 4294967296)");
}
TEST(GgufMalformed, ElementsTimesTypeSizeOverflow)
{
  Raw r = header(1, 0);
  tensorInfo(r, "t", {1ll << 62}, F32, 0);
  expectError(r.padTo(32).zeros(128), 24, "tensor 't' byte size overflows (4611686018427387904 elements of F32)");
}
TEST(GgufMalformed, UnknownTensorType)
{
  Raw r = header(1, 0);
  tensorInfo(r, "t", {32}, 4 /* retired Q4_2 */, 0);
  expectError(r.padTo(32).zeros(128), 24 + 9 + 4 + 8, "tensor 't' has unknown type 4");
}
TEST(GgufMalformed, RowNotMultipleOfBlockSize)
{
  Raw r = header(1, 0);
  tensorInfo(r, "t", {33, 2}, Q4_1, 0);
  expectError(r.padTo(32).zeros(128), 24, "tensor 't' row length 33 is not a multiple of the Q4_1 block size 32");
}
TEST(GgufMalformed, UnalignedTensorOffset)
{
  Raw r = header(1, 0);
  tensorInfo(r, "t", {4}, F32, 4);
  expectError(r.padTo(32).zeros(128), 24, "tensor 't' offset 4 is not a multiple of the alignment 32");
}
TEST(GgufMalformed, DuplicateTensorName)
{
  Raw r = header(2, 0);
  tensorInfo(r, "t", {8}, F32, 0);
  const uint64_t at = r.pos();
  tensorInfo(r, "t", {8}, F32, 32);
  expectError(r.padTo(32).zeros(128), at, "duplicate tensor name 't'");
}
TEST(GgufMalformed, TensorOffsetsOutOfOrder)
{
  Raw r = header(2, 0);
  tensorInfo(r, "a", {8}, F32, 64);
  const uint64_t at = r.pos();
  tensorInfo(r, "b", {8}, F32, 0);
  expectError(r.padTo(32).zeros(128), at, "tensor 'b' offset 0 comes before the previous tensor 'a' offset 64");
}
TEST(GgufMalformed, TensorsOverlap)
{
  Raw r = header(2, 0);
  tensorInfo(r, "a", {16}, F32, 0); // 64 bytes
  const uint64_t at = r.pos();
  tensorInfo(r, "b", {8}, F32, 32);
  expectError(r.padTo(32).zeros(128), at, "tensor 'b' offset 32 overlaps tensor 'a' which ends at 64");
}
TEST(GgufMalformed, TensorDataPastEndOfFile)
{
  Raw r = header(1, 0);
  tensorInfo(r, "blk.3.attn_q.weight", {64}, F32, 0);
  const uint64_t data = (r.pos() + 31) / 32 * 32;
  r.padTo(32).zeros(200);
  expectError(r, 24,
              fmt::format("tensor 'blk.3.attn_q.weight' data ends past end of file (offset 0 + 256 bytes, "
                          "data section holds 200, file size {})",
                          data + 200));
}
TEST(GgufMalformed, TensorOffsetNear2To64)
{
  Raw r = header(1, 0);
  tensorInfo(r, "t", {8}, F32, ~0ull - 31); // offset + bytes wraps around
  expectError(r.padTo(32).zeros(64), 24, "tensor 't' data ends past end of file (offset 18446744073709551584");
}
TEST(GgufMalformed, DataSectionPastEndOfFile)
{
  Raw r = header(1, 0);
  tensorInfo(r, "t", {1}, F32, 0); // 24 + 9 + 4 + 8 + 4 + 8 = 57 bytes, padding to 64 missing
  expectError(r, 57, "data section starts at 64, past end of file (size 57)");
}
TEST(GgufMalformed, HugeTensorNameLength)
{
  Raw r = header(1, 0);
  r.u64(1ull << 40).zeros(40);
  expectError(r, 24, "tensor name length 1099511627776 runs past end of file (40 bytes left)");
}
TEST(GgufMalformed, TruncatedInsideMetadata)
{
  GgufWriter w;
  w.setStringArray("tokenizer.ggml.tokens", {"alpha", "beta", "gamma"});
  auto bytes = w.bytes();
  // header 24, key 8+21, type 4, element type 4, count 8, strings 13+12+13: 107 bytes
  Raw r;
  r.b.assign(bytes.begin(), bytes.begin() + 104); // cut "gamma" short
  expectError(r, 94, "string element length 5 runs past end of file (2 bytes left)");
}

TEST(GgufMalformed, EmptyFileOnDisk)
{
  const char *dataDir = std::getenv("HEARTH_DATA_DIR");
  ASSERT_NE(dataDir, nullptr);
  std::filesystem::create_directories(dataDir);
  const auto path = std::filesystem::path(dataDir) / "empty.gguf";
  std::ofstream(path).close();
  auto f = GgufFile::open(path);
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().message, fmt::format("[gguf] {} @ 0: file too small to be GGUF (0 bytes)", path.string()));
}

TEST(GgufMalformed, EveryTruncationOfAValidFileFails)
{
  // A complete small file cut at every length is refused (never a crash or an accept,
  // except the full length).
  GgufWriter w(3, 32);
  w.setString("general.architecture", "llama");
  w.setArray("k", ArrayValue{ValueType::Int32, {1, 2, 3}, {}, {}, {}, {}});
  std::vector<std::byte> data(32 * 4);
  ASSERT_TRUE(w.addTensor("t", TensorType::F32, {32}, data));
  const auto bytes = w.bytes();
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto f = GgufFile::fromMemory(std::span(bytes).first(n), "cut.gguf");
    ASSERT_FALSE(f) << "accepted a file cut to " << n << " of " << bytes.size() << " bytes";
    EXPECT_TRUE(f.error().message.starts_with("[gguf] cut.gguf @ ")) << f.error().message;
  }
  EXPECT_TRUE(GgufFile::fromMemory(bytes, "whole.gguf"));
}
