// GGUF header, metadata and tensor-table parsing. Every field read from the file is
// checked before it sizes an allocation, indexes memory or enters arithmetic.
#include "gguf/gguf_data.h"

#include <bit>
#include <cstring>
#include <limits>

static_assert(std::endian::native == std::endian::little, "GGUF parsing assumes a little-endian host");

namespace hearth::gguf {
namespace {

constexpr uint32_t k_magic = 0x46554747; // "GGUF" read as a little-endian u32
// The fewest bytes a metadata entry (key length, type, 1-byte value) and a tensor info
// (name length, n_dims, type, offset) can take: counts larger than the rest of the file
// divided by these are refused before anything is reserved.
constexpr uint64_t k_minEntryBytes = 8 + 4 + 1;
constexpr uint64_t k_minTensorInfoBytes = 8 + 4 + 4 + 8;

bool isValueType(uint32_t id)
{
  return id <= static_cast<uint32_t>(ValueType::Float64);
}

// Bytes one value of `type` takes at least on disk.
uint64_t minEncodedBytes(ValueType type)
{
  switch (type) {
  case ValueType::UInt8:
  case ValueType::Int8:
  case ValueType::Bool: return 1;
  case ValueType::UInt16:
  case ValueType::Int16: return 2;
  case ValueType::UInt32:
  case ValueType::Int32:
  case ValueType::Float32: return 4;
  case ValueType::UInt64:
  case ValueType::Int64:
  case ValueType::Float64:
  case ValueType::String: return 8; // the length
  case ValueType::Array: return 12; // element type + count
  }
  return 1;
}

class Cursor {
public:
  Cursor(std::span<const std::byte> bytes, const std::string &name) : m_bytes(bytes), m_name(name) {}

  uint64_t pos() const { return m_pos; }
  uint64_t size() const { return m_bytes.size(); }
  uint64_t remaining() const { return m_bytes.size() - m_pos; }

  std::unexpected<Error> error(uint64_t at, std::string_view what, ErrorCode code = ErrorCode::Format) const
  {
    return fail(code, "[gguf] {} @ {}: {}", m_name, at, what);
  }

  template <class T> Result<T> read(std::string_view what)
  {
    if (remaining() < sizeof(T))
      return error(m_pos, fmt::format("file ends inside {} ({} bytes left, {} needed)", what,
                                      remaining(), sizeof(T)));
    T value;
    std::memcpy(&value, m_bytes.data() + m_pos, sizeof(T));
    m_pos += sizeof(T);
    return value;
  }

  Result<std::string_view> readString(std::string_view what)
  {
    const uint64_t at = m_pos;
    auto length = read<uint64_t>(what);
    if (!length)
      return std::unexpected(length.error());
    if (*length > remaining())
      return error(at, fmt::format("{} length {} runs past end of file ({} bytes left)", what,
                                   *length, remaining()));
    std::string_view s(reinterpret_cast<const char *>(m_bytes.data() + m_pos), *length);
    m_pos += *length;
    return s;
  }

private:
  std::span<const std::byte> m_bytes;
  const std::string &m_name;
  uint64_t m_pos = 0;
};

#define HEARTH_TRY(var, expr)                                                                      \
  auto var##_result = (expr);                                                                      \
  if (!var##_result)                                                                               \
    return std::unexpected(std::move(var##_result.error()));                                       \
  auto var = *var##_result

class Parser {
public:
  explicit Parser(GgufData &data) : m_data(data), m_in(data.bytes, data.name) {}

  Status run()
  {
    if (auto s = readHeader(); !s)
      return s;
    if (auto s = readMetadata(); !s)
      return s;
    if (auto s = readAlignment(); !s)
      return s;
    if (auto s = readTensorInfos(); !s)
      return s;
    return placeTensors();
  }

private:
  Status readHeader();
  Status readMetadata();
  Status readAlignment();
  Status readTensorInfos();
  Status readTensorInfo(uint64_t index);
  Status placeTensors();
  Result<Value> readValue(ValueType type, std::string_view key, uint32_t depth); // key: printable
  Result<ArrayValue> readArray(std::string_view key, uint32_t depth);
  Result<int64_t> readInteger(ValueType type);

  GgufData &m_data;
  Cursor m_in;
  uint64_t m_tensorCount = 0;
  uint64_t m_entryCount = 0;
  std::vector<uint64_t> m_tensorInfoAt; // file offset of each tensor info, for messages
};

Status Parser::readHeader()
{
  if (m_in.size() < 4)
    return m_in.error(0, fmt::format("file too small to be GGUF ({} bytes)", m_in.size()));
  HEARTH_TRY(magic, m_in.read<uint32_t>("magic"));
  if (magic != k_magic)
    return m_in.error(0, fmt::format("not a GGUF file (magic 0x{:08x})", magic));
  HEARTH_TRY(version, m_in.read<uint32_t>("version"));
  if (version == 1)
    return m_in.error(4, "GGUF version 1 is not supported (only versions 2 and 3)",
                      ErrorCode::Unsupported);
  if ((version & 0xffff) == 0)
    return m_in.error(4, fmt::format("big-endian GGUF is not supported (version field 0x{:08x})", version),
                      ErrorCode::Unsupported);
  if (version != 2 && version != 3)
    return m_in.error(4, fmt::format("GGUF version {} is not supported (only versions 2 and 3)", version),
                      ErrorCode::Unsupported);
  m_data.version = version;

  const uint64_t tensorCountAt = m_in.pos();
  HEARTH_TRY(tensorCount, m_in.read<uint64_t>("tensor count"));
  HEARTH_TRY(entryCount, m_in.read<uint64_t>("metadata count"));
  if (tensorCount > m_in.remaining() / k_minTensorInfoBytes)
    return m_in.error(tensorCountAt, fmt::format("tensor count {} cannot fit in the {} bytes left",
                                                 tensorCount, m_in.remaining()));
  if (entryCount > m_in.remaining() / k_minEntryBytes)
    return m_in.error(tensorCountAt + 8, fmt::format("metadata count {} cannot fit in the {} bytes left",
                                                     entryCount, m_in.remaining()));
  m_tensorCount = tensorCount;
  m_entryCount = entryCount;
  return {};
}

Status Parser::readMetadata()
{
  m_data.metadata.reserve(m_entryCount);
  m_data.keyIndex.reserve(m_entryCount);
  for (uint64_t i = 0; i < m_entryCount; ++i) {
    const uint64_t at = m_in.pos();
    HEARTH_TRY(key, m_in.readString("key"));
    const std::string shown = printable(key);
    if (m_data.keyIndex.contains(key))
      return m_in.error(at, fmt::format("duplicate key '{}'", shown));
    const uint64_t typeAt = m_in.pos();
    HEARTH_TRY(typeId, m_in.read<uint32_t>("value type"));
    if (!isValueType(typeId))
      return m_in.error(typeAt, fmt::format("key '{}' has unknown value type {}", shown, typeId));
    HEARTH_TRY(value, readValue(static_cast<ValueType>(typeId), shown, 0));
    m_data.keyIndex.emplace(key, m_data.metadata.size());
    m_data.metadata.push_back(MetadataEntry{key, std::move(value), at});
  }
  return {};
}

Result<int64_t> Parser::readInteger(ValueType type)
{
  switch (type) {
  case ValueType::UInt8: return m_in.read<uint8_t>("uint8 value");
  case ValueType::Int8: return m_in.read<int8_t>("int8 value");
  case ValueType::UInt16: return m_in.read<uint16_t>("uint16 value");
  case ValueType::Int16: return m_in.read<int16_t>("int16 value");
  case ValueType::UInt32: return m_in.read<uint32_t>("uint32 value");
  case ValueType::Int32: return m_in.read<int32_t>("int32 value");
  case ValueType::Int64: return m_in.read<int64_t>("int64 value");
  default: break;
  }
  const uint64_t at = m_in.pos();
  HEARTH_TRY(b, m_in.read<uint8_t>("bool value"));
  if (b > 1)
    return m_in.error(at, fmt::format("bool value {} is neither 0 nor 1", b));
  return b;
}

Result<Value> Parser::readValue(ValueType type, std::string_view key, uint32_t depth)
{
  Value value;
  value.type = type;
  switch (type) {
  case ValueType::UInt64: {
    HEARTH_TRY(v, m_in.read<uint64_t>("uint64 value"));
    value.data = v;
    break;
  }
  case ValueType::Float32: {
    HEARTH_TRY(v, m_in.read<float>("float32 value"));
    value.data = static_cast<double>(v);
    break;
  }
  case ValueType::Float64: {
    HEARTH_TRY(v, m_in.read<double>("float64 value"));
    value.data = v;
    break;
  }
  case ValueType::Bool: {
    HEARTH_TRY(v, readInteger(type));
    value.data = v != 0;
    break;
  }
  case ValueType::String: {
    HEARTH_TRY(s, m_in.readString("string value"));
    value.data = s;
    break;
  }
  case ValueType::Array: {
    HEARTH_TRY(a, readArray(key, depth));
    value.data = std::move(a);
    break;
  }
  default: {
    HEARTH_TRY(v, readInteger(type));
    value.data = v;
    break;
  }
  }
  return value;
}

Result<ArrayValue> Parser::readArray(std::string_view key, uint32_t depth)
{
  const uint64_t at = m_in.pos();
  HEARTH_TRY(typeId, m_in.read<uint32_t>("array element type"));
  if (!isValueType(typeId))
    return m_in.error(at, fmt::format("key '{}': array of unknown value type {}", key, typeId));
  HEARTH_TRY(count, m_in.read<uint64_t>("array count"));
  ArrayValue array;
  array.elementType = static_cast<ValueType>(typeId);
  const uint64_t minBytes = minEncodedBytes(array.elementType);
  if (count > m_in.remaining() / minBytes)
    return m_in.error(at, fmt::format("key '{}': array of {} {} elements cannot fit in the {} bytes left",
                                      key, count, valueTypeName(array.elementType), m_in.remaining()));
  if (array.elementType == ValueType::Array && depth + 1 >= k_maxArrayDepth)
    return m_in.error(at, fmt::format("key '{}': arrays nested deeper than {}", key, k_maxArrayDepth));

  switch (array.elementType) {
  case ValueType::String:
    array.strings.reserve(count);
    for (uint64_t i = 0; i < count; ++i) {
      HEARTH_TRY(s, m_in.readString("string element"));
      array.strings.push_back(s);
    }
    break;
  case ValueType::Array:
    array.arrays.reserve(count);
    for (uint64_t i = 0; i < count; ++i) {
      HEARTH_TRY(a, readArray(key, depth + 1));
      array.arrays.push_back(std::move(a));
    }
    break;
  case ValueType::UInt64:
    array.uints.reserve(count);
    for (uint64_t i = 0; i < count; ++i) {
      HEARTH_TRY(v, m_in.read<uint64_t>("uint64 element"));
      array.uints.push_back(v);
    }
    break;
  case ValueType::Float32:
  case ValueType::Float64:
    array.floats.reserve(count);
    for (uint64_t i = 0; i < count; ++i) {
      HEARTH_TRY(v, readValue(array.elementType, key, depth + 1));
      array.floats.push_back(std::get<double>(v.data));
    }
    break;
  default:
    array.ints.reserve(count);
    for (uint64_t i = 0; i < count; ++i) {
      HEARTH_TRY(v, readInteger(array.elementType));
      array.ints.push_back(v);
    }
    break;
  }
  return array;
}

Status Parser::readAlignment()
{
  const auto it = m_data.keyIndex.find("general.alignment");
  if (it == m_data.keyIndex.end())
    return {};
  const MetadataEntry &entry = m_data.metadata[it->second];
  const int64_t *value = std::get_if<int64_t>(&entry.value.data);
  if (!value || entry.value.type == ValueType::Bool)
    return m_in.error(entry.fileOffset, fmt::format("general.alignment has type {}, expected uint32",
                                                    valueTypeName(entry.value.type)));
  const int64_t a = *value;
  if (a <= 0 || a > (int64_t{1} << 30) || !std::has_single_bit(static_cast<uint64_t>(a)))
    return m_in.error(entry.fileOffset,
                      fmt::format("general.alignment {} is not a nonzero power of two (at most 2^30)", a));
  m_data.alignment = static_cast<uint32_t>(a);
  return {};
}

Status Parser::readTensorInfos()
{
  if (m_tensorCount > m_in.remaining() / k_minTensorInfoBytes)
    return m_in.error(m_in.pos(), fmt::format("{} tensor infos cannot fit in the {} bytes left",
                                              m_tensorCount, m_in.remaining()));
  m_data.tensors.reserve(m_tensorCount);
  m_data.tensorIndex.reserve(m_tensorCount);
  m_tensorInfoAt.reserve(m_tensorCount);
  for (uint64_t i = 0; i < m_tensorCount; ++i)
    if (auto s = readTensorInfo(i); !s)
      return s;
  return {};
}

Status Parser::readTensorInfo(uint64_t index)
{
  const uint64_t at = m_in.pos();
  HEARTH_TRY(name, m_in.readString("tensor name"));
  const std::string shown = printable(name);
  if (m_data.tensorIndex.contains(name))
    return m_in.error(at, fmt::format("duplicate tensor name '{}'", shown));
  TensorInfo t;
  t.name = name;
  HEARTH_TRY(nDims, m_in.read<uint32_t>("tensor dimension count"));
  if (nDims > k_maxDims)
    return m_in.error(at, fmt::format("tensor '{}' has {} dimensions (at most {})", shown, nDims, k_maxDims));
  t.nDims = nDims;
  uint64_t elements = 1;
  for (uint32_t d = 0; d < nDims; ++d) {
    HEARTH_TRY(dim, m_in.read<int64_t>("tensor dimension"));
    if (dim <= 0)
      return m_in.error(at, fmt::format("tensor '{}' dimension {} is {} (must be positive)", shown, d, dim));
    t.dims[d] = static_cast<uint64_t>(dim);
    if (elements > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / t.dims[d])
      return m_in.error(at, fmt::format("tensor '{}' element count overflows (dimension {} is {})",
                                        shown, d, dim));
    elements *= t.dims[d];
  }
  t.elements = elements;
  const uint64_t typeAt = m_in.pos();
  HEARTH_TRY(typeId, m_in.read<uint32_t>("tensor type"));
  const auto info = tensorTypeInfo(typeId);
  if (!info)
    return m_in.error(typeAt, fmt::format("tensor '{}' has unknown type {}", shown, typeId));
  t.type = info->type;
  if (t.dims[0] % info->blockElements != 0)
    return m_in.error(at, fmt::format("tensor '{}' row length {} is not a multiple of the {} block size {}",
                                      shown, t.dims[0], info->name, info->blockElements));
  const auto bytes = tensorBytes(t.type, elements);
  if (!bytes)
    return m_in.error(at, fmt::format("tensor '{}' byte size overflows ({} elements of {})", shown,
                                      elements, info->name));
  t.bytes = *bytes;
  HEARTH_TRY(offset, m_in.read<uint64_t>("tensor offset"));
  if (offset % m_data.alignment != 0)
    return m_in.error(at, fmt::format("tensor '{}' offset {} is not a multiple of the alignment {}",
                                      shown, offset, m_data.alignment));
  t.offset = offset;
  m_data.tensorIndex.emplace(name, index);
  m_data.tensors.push_back(t);
  m_tensorInfoAt.push_back(at);
  return {};
}

Status Parser::placeTensors()
{
  // The data section starts at the next multiple of the alignment (alignment <= 2^30 and
  // pos <= file size, so this cannot wrap).
  const uint64_t pos = m_in.pos();
  const uint64_t align = m_data.alignment;
  m_data.dataOffset = (pos + align - 1) / align * align;
  if (m_data.tensors.empty()) {
    m_data.dataOffset = std::min<uint64_t>(m_data.dataOffset, m_in.size());
    return {};
  }
  if (m_data.dataOffset > m_in.size())
    return m_in.error(pos, fmt::format("data section starts at {}, past end of file (size {})",
                                       m_data.dataOffset, m_in.size()));
  const uint64_t dataBytes = m_in.size() - m_data.dataOffset;
  uint64_t previousEnd = 0;
  for (size_t i = 0; i < m_data.tensors.size(); ++i) {
    TensorInfo &t = m_data.tensors[i];
    const uint64_t at = m_tensorInfoAt[i];
    if (i > 0 && t.offset < m_data.tensors[i - 1].offset)
      return m_in.error(at, fmt::format("tensor '{}' offset {} comes before the previous tensor '{}' offset {} "
                                        "(offsets out of order)",
                                        printable(t.name), t.offset, printable(m_data.tensors[i - 1].name),
                                        m_data.tensors[i - 1].offset));
    if (t.offset < previousEnd)
      return m_in.error(at, fmt::format("tensor '{}' offset {} overlaps tensor '{}' which ends at {}",
                                        printable(t.name), t.offset, printable(m_data.tensors[i - 1].name), previousEnd));
    if (t.offset > dataBytes || t.bytes > dataBytes - t.offset)
      return m_in.error(at, fmt::format("tensor '{}' data ends past end of file (offset {} + {} bytes, "
                                        "data section holds {}, file size {})",
                                        printable(t.name), t.offset, t.bytes, dataBytes, m_in.size()));
    t.data = m_data.bytes.subspan(m_data.dataOffset + t.offset, t.bytes);
    previousEnd = t.offset + t.bytes;
  }
  return {};
}

#undef HEARTH_TRY

} // namespace

std::string printable(std::string_view name)
{
  constexpr size_t k_max = 96;
  std::string out;
  for (size_t i = 0; i < name.size() && i < k_max; ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (c < 0x20 || c == 0x7f || c == '\\')
      out += fmt::format("\\x{:02x}", c);
    else
      out += static_cast<char>(c);
  }
  if (name.size() > k_max)
    out += "...";
  return out;
}

Status parseGguf(GgufData &data)
{
  return Parser(data).run();
}

} // namespace hearth::gguf
