#include "gguf/mapped_file.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace hearth::gguf {

Result<MappedFile> MappedFile::open(const std::filesystem::path &path)
{
  const std::string name = path.string();
  const int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return fail(ErrorCode::Io, "[gguf] {}: cannot open: {}", name, std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return fail(ErrorCode::Io, "[gguf] {}: cannot stat: {}", name, std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(ErrorCode::Io, "[gguf] {}: not a regular file", name);
  }
  MappedFile file;
  if (st.st_size > 0) {
    void *addr = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (addr == MAP_FAILED) {
      const int err = errno;
      ::close(fd);
      return fail(ErrorCode::Io, "[gguf] {}: cannot map {} bytes: {}", name, st.st_size,
                  std::strerror(err));
    }
    file.m_addr = addr;
    file.m_size = static_cast<size_t>(st.st_size);
  }
  ::close(fd); // the mapping keeps the file alive
  return file;
}

void MappedFile::evict(std::span<const std::byte> range) const
{
  const auto begin = reinterpret_cast<uintptr_t>(range.data()), end = begin + range.size();
  const auto base = reinterpret_cast<uintptr_t>(m_addr);
  if (!m_addr || begin < base || end > base + m_size)
    return;
  const uintptr_t page = uintptr_t(::sysconf(_SC_PAGESIZE));
  const uintptr_t first = (begin + page - 1) / page * page, last = end / page * page;
  if (first < last) // a private mapping never written to: the pages come back from the file
    ::madvise(reinterpret_cast<void *>(first), last - first, MADV_DONTNEED);
}

MappedFile::MappedFile(MappedFile &&other) noexcept
    : m_addr(std::exchange(other.m_addr, nullptr)), m_size(std::exchange(other.m_size, 0))
{
}

MappedFile &MappedFile::operator=(MappedFile &&other) noexcept
{
  if (this != &other) {
    release();
    m_addr = std::exchange(other.m_addr, nullptr);
    m_size = std::exchange(other.m_size, 0);
  }
  return *this;
}

MappedFile::~MappedFile()
{
  release();
}

void MappedFile::release()
{
  if (m_addr)
    ::munmap(m_addr, m_size);
  m_addr = nullptr;
  m_size = 0;
}

} // namespace hearth::gguf
