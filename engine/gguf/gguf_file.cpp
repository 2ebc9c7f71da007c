// GgufFile: opening (mmap or a private copy) and the typed metadata getters.
#include "gguf/gguf_data.h"

#include <cmath>
#include <limits>

namespace hearth::gguf {

struct GgufFile::Impl : GgufData {};

std::string_view valueTypeName(ValueType type)
{
  switch (type) {
  case ValueType::UInt8: return "uint8";
  case ValueType::Int8: return "int8";
  case ValueType::UInt16: return "uint16";
  case ValueType::Int16: return "int16";
  case ValueType::UInt32: return "uint32";
  case ValueType::Int32: return "int32";
  case ValueType::Float32: return "float32";
  case ValueType::Bool: return "bool";
  case ValueType::String: return "string";
  case ValueType::Array: return "array";
  case ValueType::UInt64: return "uint64";
  case ValueType::Int64: return "int64";
  case ValueType::Float64: return "float64";
  }
  return "unknown";
}

size_t ArrayValue::size() const
{
  switch (elementType) {
  case ValueType::String: return strings.size();
  case ValueType::Array: return arrays.size();
  case ValueType::UInt64: return uints.size();
  case ValueType::Float32:
  case ValueType::Float64: return floats.size();
  default: return ints.size();
  }
}

Result<GgufFile> GgufFile::open(const std::filesystem::path &path)
{
  auto impl = std::make_unique<Impl>();
  impl->name = path.string();
  auto mapping = MappedFile::open(path);
  if (!mapping)
    return std::unexpected(mapping.error());
  impl->mapping = std::move(*mapping);
  impl->bytes = impl->mapping.bytes();
  if (auto s = parseGguf(*impl); !s)
    return std::unexpected(s.error());
  return GgufFile(std::move(impl));
}

Result<GgufFile> GgufFile::fromMemory(std::span<const std::byte> bytes, std::string name)
{
  auto impl = std::make_unique<Impl>();
  impl->name = std::move(name);
  impl->owned.assign(bytes.begin(), bytes.end());
  impl->bytes = impl->owned;
  if (auto s = parseGguf(*impl); !s)
    return std::unexpected(s.error());
  return GgufFile(std::move(impl));
}

GgufFile::GgufFile(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
GgufFile::GgufFile(GgufFile &&) noexcept = default;
GgufFile &GgufFile::operator=(GgufFile &&) noexcept = default;
GgufFile::~GgufFile() = default;

void GgufFile::evict(std::span<const std::byte> range) const
{
  m_impl->mapping.evict(range);
}

uint32_t GgufFile::version() const { return m_impl->version; }
uint32_t GgufFile::alignment() const { return m_impl->alignment; }
uint64_t GgufFile::fileSize() const { return m_impl->bytes.size(); }
uint64_t GgufFile::dataOffset() const { return m_impl->dataOffset; }
const std::string &GgufFile::path() const { return m_impl->name; }
std::span<const MetadataEntry> GgufFile::metadata() const { return m_impl->metadata; }
std::span<const TensorInfo> GgufFile::tensors() const { return m_impl->tensors; }

const Value *GgufFile::find(std::string_view key) const
{
  const auto it = m_impl->keyIndex.find(key);
  return it == m_impl->keyIndex.end() ? nullptr : &m_impl->metadata[it->second].value;
}

const TensorInfo *GgufFile::findTensor(std::string_view name) const
{
  const auto it = m_impl->tensorIndex.find(name);
  return it == m_impl->tensorIndex.end() ? nullptr : &m_impl->tensors[it->second];
}

namespace {

const MetadataEntry *findEntry(const GgufData &d, std::string_view key)
{
  const auto it = d.keyIndex.find(key);
  return it == d.keyIndex.end() ? nullptr : &d.metadata[it->second];
}

std::unexpected<Error> missing(const GgufData &d, std::string_view key)
{
  return fail(ErrorCode::Format, "[gguf] {}: key '{}' is missing", d.name, key);
}

std::unexpected<Error> wrongType(const GgufData &d, const MetadataEntry &e, std::string_view expected)
{
  std::string actual(valueTypeName(e.value.type));
  if (const auto *a = std::get_if<ArrayValue>(&e.value.data))
    actual = fmt::format("array of {}", valueTypeName(a->elementType));
  return fail(ErrorCode::Format, "[gguf] {} @ {}: key '{}' has type {}, expected {}", d.name,
              e.fileOffset, e.key, actual, expected);
}

// Any integer-typed value that fits T.
template <class T>
Result<T> integerAs(const GgufData &d, const MetadataEntry &e, std::string_view expected)
{
  using Limits = std::numeric_limits<T>;
  if (const auto *v = std::get_if<int64_t>(&e.value.data); v && e.value.type != ValueType::Bool) {
    const bool fits = *v >= 0 ? static_cast<uint64_t>(*v) <= static_cast<uint64_t>(Limits::max())
                              : Limits::is_signed && *v >= static_cast<int64_t>(Limits::min());
    if (fits)
      return static_cast<T>(*v);
    return fail(ErrorCode::Format, "[gguf] {} @ {}: key '{}' value {} does not fit {}", d.name,
                e.fileOffset, e.key, *v, expected);
  }
  if (const auto *v = std::get_if<uint64_t>(&e.value.data)) {
    if (*v <= static_cast<uint64_t>(Limits::max()))
      return static_cast<T>(*v);
    return fail(ErrorCode::Format, "[gguf] {} @ {}: key '{}' value {} does not fit {}", d.name,
                e.fileOffset, e.key, *v, expected);
  }
  return wrongType(d, e, expected);
}

template <class T>
Result<T> integerGet(const GgufData &d, std::string_view key, std::string_view expected)
{
  const MetadataEntry *e = findEntry(d, key);
  if (!e)
    return missing(d, key);
  return integerAs<T>(d, *e, expected);
}

} // namespace

Result<std::string_view> GgufFile::getString(std::string_view key) const
{
  const MetadataEntry *e = findEntry(*m_impl, key);
  if (!e)
    return missing(*m_impl, key);
  if (e->value.type != ValueType::String)
    return wrongType(*m_impl, *e, "string");
  return std::get<std::string_view>(e->value.data);
}

Result<uint32_t> GgufFile::getU32(std::string_view key) const
{
  return integerGet<uint32_t>(*m_impl, key, "uint32");
}

Result<uint64_t> GgufFile::getU64(std::string_view key) const
{
  return integerGet<uint64_t>(*m_impl, key, "uint64");
}

Result<int32_t> GgufFile::getI32(std::string_view key) const
{
  return integerGet<int32_t>(*m_impl, key, "int32");
}

Result<float> GgufFile::getF32(std::string_view key) const
{
  const MetadataEntry *e = findEntry(*m_impl, key);
  if (!e)
    return missing(*m_impl, key);
  if (e->value.type != ValueType::Float32 && e->value.type != ValueType::Float64)
    return wrongType(*m_impl, *e, "float32");
  const double v = std::get<double>(e->value.data);
  if (std::isfinite(v) && std::abs(v) > std::numeric_limits<float>::max())
    return fail(ErrorCode::Format, "[gguf] {} @ {}: key '{}' value {} does not fit float32",
                m_impl->name, e->fileOffset, key, v);
  return static_cast<float>(v);
}

Result<bool> GgufFile::getBool(std::string_view key) const
{
  const MetadataEntry *e = findEntry(*m_impl, key);
  if (!e)
    return missing(*m_impl, key);
  if (e->value.type != ValueType::Bool)
    return wrongType(*m_impl, *e, "bool");
  return std::get<bool>(e->value.data);
}

Result<const ArrayValue *> GgufFile::getArray(std::string_view key, ValueType elementType) const
{
  const MetadataEntry *e = findEntry(*m_impl, key);
  if (!e)
    return missing(*m_impl, key);
  const auto *a = std::get_if<ArrayValue>(&e->value.data);
  // An empty array matches any element type (writers disagree on what to declare).
  if (!a || (a->elementType != elementType && a->size() != 0))
    return wrongType(*m_impl, *e, fmt::format("array of {}", valueTypeName(elementType)));
  return a;
}

Result<uint32_t> GgufFile::getU32Or(std::string_view key, uint32_t fallback) const
{
  return has(key) ? getU32(key) : Result<uint32_t>(fallback);
}

Result<float> GgufFile::getF32Or(std::string_view key, float fallback) const
{
  return has(key) ? getF32(key) : Result<float>(fallback);
}

Result<bool> GgufFile::getBoolOr(std::string_view key, bool fallback) const
{
  return has(key) ? getBool(key) : Result<bool>(fallback);
}

} // namespace hearth::gguf
