// GGUF v2/v3 reader and writer.
//
// The reader memory-maps the file and checks every count, length, dimension product,
// byte size, padding and offset before using it; a malformed file yields an Error whose
// message names the file, the byte offset and what is wrong:
//   "[gguf] model.gguf @ 812: tensor 'blk.3.attn_q.weight' data ends past end of file (size 600)"
// Nothing is ever allocated with a size taken from the file before checking that the
// rest of the file is large enough to hold it.
//
//   auto file = hearth::gguf::GgufFile::open("model.gguf");
//   if (!file) { report(file.error().message); return; }
//   auto arch = file->getString("general.architecture");      // Result<std::string_view>
//   const auto *t = file->findTensor("token_embd.weight");    // nullptr if absent
//   std::span<const std::byte> bytes = t->data;               // inside the mapping
#pragma once

#include "hearth/error.h"
#include "hearth/tensor_type.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace hearth::gguf {

// GGUF's metadata value types; on-disk ids, never renumber.
enum class ValueType : uint32_t {
  UInt8 = 0,
  Int8 = 1,
  UInt16 = 2,
  Int16 = 3,
  UInt32 = 4,
  Int32 = 5,
  Float32 = 6,
  Bool = 7,
  String = 8,
  Array = 9,
  UInt64 = 10,
  Int64 = 11,
  Float64 = 12,
};
std::string_view valueTypeName(ValueType type);

// An array value: one element type, elements stored by kind. Strings are views into
// the mapping (or into the owning GgufFile for files opened from memory).
struct ArrayValue {
  ValueType elementType = ValueType::UInt8;
  // Exactly one of these is used, chosen by elementType:
  std::vector<int64_t> ints;        // Int8..Int64, UInt8..UInt32, Bool (0/1)
  std::vector<uint64_t> uints;      // UInt64
  std::vector<double> floats;       // Float32, Float64
  std::vector<std::string_view> strings;  // String
  std::vector<ArrayValue> arrays;   // Array (nested)
  size_t size() const;
};

struct Value {
  ValueType type = ValueType::UInt8;
  std::variant<int64_t, uint64_t, double, bool, std::string_view, ArrayValue> data;
};

struct MetadataEntry {
  std::string_view key;
  Value value;
  uint64_t fileOffset = 0; // where the key starts, for error messages
};

struct TensorInfo {
  std::string_view name;
  TensorType type = TensorType::F32;
  uint32_t nDims = 0;
  std::array<uint64_t, 4> dims{1, 1, 1, 1}; // ne[0] is the contiguous (row) dimension
  uint64_t elements = 0;
  uint64_t offset = 0;  // relative to the start of the data section
  uint64_t bytes = 0;
  std::span<const std::byte> data; // the tensor's bytes inside the file
};

class GgufFile {
public:
  // Memory-maps and validates the whole header and tensor table.
  static Result<GgufFile> open(const std::filesystem::path &path);
  // Parses a copy of `bytes` (used by the fuzzer and tests); `name` appears in errors.
  static Result<GgufFile> fromMemory(std::span<const std::byte> bytes, std::string name = "<memory>");

  GgufFile(GgufFile &&) noexcept;
  GgufFile &operator=(GgufFile &&) noexcept;
  ~GgufFile();

  uint32_t version() const;
  uint32_t alignment() const;
  uint64_t fileSize() const;
  uint64_t dataOffset() const; // absolute offset of the data section
  const std::string &path() const;

  std::span<const MetadataEntry> metadata() const;
  const Value *find(std::string_view key) const;
  bool has(std::string_view key) const { return find(key) != nullptr; }

  // Typed getters: an error names the key when it is missing or of another type.
  // Integer getters accept any integer type whose value fits the requested one.
  Result<std::string_view> getString(std::string_view key) const;
  Result<uint32_t> getU32(std::string_view key) const;
  Result<uint64_t> getU64(std::string_view key) const;
  Result<int32_t> getI32(std::string_view key) const;
  Result<float> getF32(std::string_view key) const;    // Float32 or Float64
  Result<bool> getBool(std::string_view key) const;
  Result<const ArrayValue *> getArray(std::string_view key, ValueType elementType) const;

  // Convenience: the value if present and well typed, else `fallback` (a present key of
  // the wrong type is still an error).
  Result<uint32_t> getU32Or(std::string_view key, uint32_t fallback) const;
  Result<float> getF32Or(std::string_view key, float fallback) const;
  Result<bool> getBoolOr(std::string_view key, bool fallback) const;

  std::span<const TensorInfo> tensors() const;
  const TensorInfo *findTensor(std::string_view name) const;

  // Lets the system drop the resident pages wholly inside `range` (bytes of this file)
  // once they are no longer needed, e.g. after a backend copied them: a later read maps
  // them in from the file again. Nothing happens for a file parsed from memory.
  void evict(std::span<const std::byte> range) const;

private:
  struct Impl;
  explicit GgufFile(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

// Builds a GGUF file in memory (tests, synthetic models, the fuzzer's seeds).
class GgufWriter {
public:
  explicit GgufWriter(uint32_t version = 3, uint32_t alignment = 32);

  void setU8(std::string key, uint8_t v);
  void setI8(std::string key, int8_t v);
  void setU16(std::string key, uint16_t v);
  void setI16(std::string key, int16_t v);
  void setU32(std::string key, uint32_t v);
  void setI32(std::string key, int32_t v);
  void setU64(std::string key, uint64_t v);
  void setI64(std::string key, int64_t v);
  void setF32(std::string key, float v);
  void setF64(std::string key, double v);
  void setBool(std::string key, bool v);
  void setString(std::string key, std::string v);
  void setArray(std::string key, ArrayValue v); // strings in v must outlive write()
  void setStringArray(std::string key, const std::vector<std::string> &v);
  void setI32Array(std::string key, const std::vector<int32_t> &v);
  void setF32Array(std::string key, const std::vector<float> &v);

  // `data` must be exactly tensorBytes(type, product of dims) long.
  Status addTensor(std::string name, TensorType type, std::vector<uint64_t> dims,
                   std::vector<std::byte> data);

  std::vector<std::byte> bytes() const;
  Status write(const std::filesystem::path &path) const; // temp file + rename

private:
  struct Entry {
    std::string key;
    Value value; // string views point into m_ownedStrings or the caller's storage
  };
  struct Tensor {
    std::string name;
    TensorType type;
    std::vector<uint64_t> dims;
    std::vector<std::byte> data;
  };
  void set(std::string key, Value value);
  std::string_view own(std::string s);

  uint32_t m_version;
  uint32_t m_alignment;
  std::vector<Entry> m_entries; // in insertion order; setting a key again replaces its value
  std::vector<Tensor> m_tensors;
  std::vector<std::unique_ptr<std::string>> m_ownedStrings; // stable addresses
};

} // namespace hearth::gguf
