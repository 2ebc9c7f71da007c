// GgufWriter: builds a GGUF v2/v3 file in memory; write() goes through a temporary file
// in the same directory, fsync and rename, so a reader never sees half a file.
#include "hearth/gguf.h"

#include <bit>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <sys/stat.h>
#include <unistd.h>

namespace hearth::gguf {
namespace {

class ByteSink {
public:
  explicit ByteSink(std::vector<std::byte> &out) : m_out(out) {}

  template <class T> void put(T value)
  {
    const auto *p = reinterpret_cast<const std::byte *>(&value);
    m_out.insert(m_out.end(), p, p + sizeof(T));
  }
  void putString(std::string_view s)
  {
    put<uint64_t>(s.size());
    const auto *p = reinterpret_cast<const std::byte *>(s.data());
    m_out.insert(m_out.end(), p, p + s.size());
  }
  void padTo(uint64_t alignment)
  {
    while (m_out.size() % alignment != 0)
      m_out.push_back(std::byte{0});
  }

  void putScalar(ValueType type, int64_t v)
  {
    switch (type) {
    case ValueType::UInt8: put(static_cast<uint8_t>(v)); break;
    case ValueType::Int8: put(static_cast<int8_t>(v)); break;
    case ValueType::UInt16: put(static_cast<uint16_t>(v)); break;
    case ValueType::Int16: put(static_cast<int16_t>(v)); break;
    case ValueType::UInt32: put(static_cast<uint32_t>(v)); break;
    case ValueType::Int32: put(static_cast<int32_t>(v)); break;
    case ValueType::Int64: put(static_cast<int64_t>(v)); break;
    case ValueType::Bool: put(static_cast<uint8_t>(v != 0)); break;
    default: assert(false && "not an integer type");
    }
  }
  void putFloat(ValueType type, double v)
  {
    if (type == ValueType::Float32)
      put(static_cast<float>(v));
    else
      put(v);
  }

  void putArray(const ArrayValue &a)
  {
    put(static_cast<uint32_t>(a.elementType));
    put<uint64_t>(a.size());
    switch (a.elementType) {
    case ValueType::String:
      for (auto s : a.strings)
        putString(s);
      break;
    case ValueType::Array:
      for (const auto &inner : a.arrays)
        putArray(inner);
      break;
    case ValueType::UInt64:
      for (auto v : a.uints)
        put(v);
      break;
    case ValueType::Float32:
    case ValueType::Float64:
      for (auto v : a.floats)
        putFloat(a.elementType, v);
      break;
    default:
      for (auto v : a.ints)
        putScalar(a.elementType, v);
      break;
    }
  }

  void putValue(const Value &v)
  {
    if (const auto *a = std::get_if<ArrayValue>(&v.data))
      putArray(*a);
    else if (const auto *s = std::get_if<std::string_view>(&v.data))
      putString(*s);
    else if (const auto *u = std::get_if<uint64_t>(&v.data))
      put(*u);
    else if (const auto *d = std::get_if<double>(&v.data))
      putFloat(v.type, *d);
    else if (const auto *b = std::get_if<bool>(&v.data))
      put(static_cast<uint8_t>(*b));
    else
      putScalar(v.type, std::get<int64_t>(v.data));
  }

private:
  std::vector<std::byte> &m_out;
};

Value scalar(ValueType type, int64_t v)
{
  return Value{type, v};
}

uint64_t alignUp(uint64_t x, uint64_t alignment)
{
  return (x + alignment - 1) / alignment * alignment;
}

} // namespace

GgufWriter::GgufWriter(uint32_t version, uint32_t alignment) : m_version(version), m_alignment(alignment)
{
  assert(alignment != 0 && std::has_single_bit(alignment));
}

void GgufWriter::set(std::string key, Value value)
{
  for (auto &e : m_entries)
    if (e.key == key) {
      e.value = std::move(value);
      return;
    }
  m_entries.push_back(Entry{std::move(key), std::move(value)});
}

std::string_view GgufWriter::own(std::string s)
{
  m_ownedStrings.push_back(std::make_unique<std::string>(std::move(s)));
  return *m_ownedStrings.back();
}

void GgufWriter::setU8(std::string key, uint8_t v) { set(std::move(key), scalar(ValueType::UInt8, v)); }
void GgufWriter::setI8(std::string key, int8_t v) { set(std::move(key), scalar(ValueType::Int8, v)); }
void GgufWriter::setU16(std::string key, uint16_t v) { set(std::move(key), scalar(ValueType::UInt16, v)); }
void GgufWriter::setI16(std::string key, int16_t v) { set(std::move(key), scalar(ValueType::Int16, v)); }
void GgufWriter::setU32(std::string key, uint32_t v) { set(std::move(key), scalar(ValueType::UInt32, v)); }
void GgufWriter::setI32(std::string key, int32_t v) { set(std::move(key), scalar(ValueType::Int32, v)); }
void GgufWriter::setI64(std::string key, int64_t v) { set(std::move(key), scalar(ValueType::Int64, v)); }
void GgufWriter::setU64(std::string key, uint64_t v) { set(std::move(key), Value{ValueType::UInt64, v}); }
void GgufWriter::setF32(std::string key, float v) { set(std::move(key), Value{ValueType::Float32, double{v}}); }
void GgufWriter::setF64(std::string key, double v) { set(std::move(key), Value{ValueType::Float64, v}); }
void GgufWriter::setBool(std::string key, bool v) { set(std::move(key), Value{ValueType::Bool, v}); }

void GgufWriter::setString(std::string key, std::string v)
{
  set(std::move(key), Value{ValueType::String, own(std::move(v))});
}

void GgufWriter::setArray(std::string key, ArrayValue v)
{
  set(std::move(key), Value{ValueType::Array, std::move(v)});
}

void GgufWriter::setStringArray(std::string key, const std::vector<std::string> &v)
{
  ArrayValue a;
  a.elementType = ValueType::String;
  a.strings.reserve(v.size());
  for (const auto &s : v)
    a.strings.push_back(own(s));
  setArray(std::move(key), std::move(a));
}

void GgufWriter::setI32Array(std::string key, const std::vector<int32_t> &v)
{
  ArrayValue a;
  a.elementType = ValueType::Int32;
  a.ints.assign(v.begin(), v.end());
  setArray(std::move(key), std::move(a));
}

void GgufWriter::setF32Array(std::string key, const std::vector<float> &v)
{
  ArrayValue a;
  a.elementType = ValueType::Float32;
  a.floats.assign(v.begin(), v.end());
  setArray(std::move(key), std::move(a));
}

Status GgufWriter::addTensor(std::string name, TensorType type, std::vector<uint64_t> dims,
                             std::vector<std::byte> data)
{
  for (const auto &t : m_tensors)
    if (t.name == name)
      return fail(ErrorCode::InvalidArgument, "[gguf] writer: duplicate tensor name '{}'", name);
  if (dims.empty() || dims.size() > 4)
    return fail(ErrorCode::InvalidArgument, "[gguf] writer: tensor '{}' has {} dimensions (1 to 4)",
                name, dims.size());
  uint64_t elements = 1;
  for (uint64_t d : dims) {
    if (d == 0 || d > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / elements)
      return fail(ErrorCode::InvalidArgument, "[gguf] writer: tensor '{}' has a bad dimension {}", name, d);
    elements *= d;
  }
  const TensorTypeInfo info = tensorTypeInfo(type);
  const auto bytes = tensorBytes(type, elements);
  if (dims[0] % info.blockElements != 0 || !bytes)
    return fail(ErrorCode::InvalidArgument,
                "[gguf] writer: tensor '{}' row length {} is not a multiple of the {} block size {}",
                name, dims[0], info.name, info.blockElements);
  if (data.size() != *bytes)
    return fail(ErrorCode::InvalidArgument, "[gguf] writer: tensor '{}' has {} bytes of data, {} expected",
                name, data.size(), *bytes);
  m_tensors.push_back(Tensor{std::move(name), type, std::move(dims), std::move(data)});
  return {};
}

std::vector<std::byte> GgufWriter::bytes() const
{
  std::vector<std::byte> out;
  ByteSink sink(out);
  // general.alignment is written when it differs from the default, unless the caller
  // set the key (then the caller's value is written as is).
  bool alignmentSet = false;
  for (const auto &e : m_entries)
    alignmentSet = alignmentSet || e.key == "general.alignment";
  const bool addAlignment = !alignmentSet && m_alignment != 32;

  sink.put<uint32_t>(0x46554747); // "GGUF"
  sink.put<uint32_t>(m_version);
  sink.put<uint64_t>(m_tensors.size());
  sink.put<uint64_t>(m_entries.size() + (addAlignment ? 1 : 0));
  if (addAlignment) {
    sink.putString("general.alignment");
    sink.put(static_cast<uint32_t>(ValueType::UInt32));
    sink.put<uint32_t>(m_alignment);
  }
  for (const auto &e : m_entries) {
    sink.putString(e.key);
    sink.put(static_cast<uint32_t>(e.value.type));
    sink.putValue(e.value);
  }
  uint64_t offset = 0;
  for (const auto &t : m_tensors) {
    sink.putString(t.name);
    sink.put<uint32_t>(t.dims.size());
    for (uint64_t d : t.dims)
      sink.put<uint64_t>(d);
    sink.put(static_cast<uint32_t>(t.type));
    sink.put<uint64_t>(offset);
    offset = alignUp(offset + t.data.size(), m_alignment);
  }
  sink.padTo(m_alignment);
  out.reserve(out.size() + offset);
  for (const auto &t : m_tensors) {
    out.insert(out.end(), t.data.begin(), t.data.end());
    sink.padTo(m_alignment);
  }
  return out;
}

Status GgufWriter::write(const std::filesystem::path &path) const
{
  const std::vector<std::byte> data = bytes();
  std::string tmp = path.string() + ".tmp-XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0)
    return fail(ErrorCode::Io, "[gguf] {}: cannot create temporary file: {}", path.string(),
                std::strerror(errno));
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return fail(ErrorCode::Io, "[gguf] {}: write failed after {} bytes: {}", tmp, done, std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  ::fchmod(fd, 0644);
  const bool synced = ::fsync(fd) == 0;
  const int syncErr = errno;
  const bool closed = ::close(fd) == 0;
  if (!synced || !closed) {
    const int err = synced ? errno : syncErr;
    ::unlink(tmp.c_str());
    return fail(ErrorCode::Io, "[gguf] {}: cannot flush: {}", tmp, std::strerror(err));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return fail(ErrorCode::Io, "[gguf] {}: cannot rename into place: {}", path.string(), std::strerror(err));
  }
  return {};
}

} // namespace hearth::gguf
