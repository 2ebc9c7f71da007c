// Read-only memory mapping of a whole file (POSIX mmap), released on destruction.
#pragma once

#include "hearth/error.h"

#include <cstddef>
#include <filesystem>
#include <span>

namespace hearth::gguf {

class MappedFile {
public:
  // Errors read "[gguf] <path>: <what>". An empty file maps to an empty span.
  static Result<MappedFile> open(const std::filesystem::path &path);

  MappedFile() = default;
  MappedFile(MappedFile &&other) noexcept;
  MappedFile &operator=(MappedFile &&other) noexcept;
  MappedFile(const MappedFile &) = delete;
  MappedFile &operator=(const MappedFile &) = delete;
  ~MappedFile();

  std::span<const std::byte> bytes() const { return {static_cast<const std::byte *>(m_addr), m_size}; }
  // Drops the resident pages wholly inside `range` (part of this mapping; anything else is
  // ignored); reading them again maps them in from the file.
  void evict(std::span<const std::byte> range) const;

private:
  void release();
  void *m_addr = nullptr;
  size_t m_size = 0;
};

} // namespace hearth::gguf
