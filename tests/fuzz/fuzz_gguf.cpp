// libFuzzer target: the GGUF parser from memory. Any crash, sanitizer report, leak or
// input taking over a second is a failure; an accepted file must be self-consistent.
#include "hearth/gguf.h"

#include <cstdlib>

using namespace hearth::gguf;

namespace {

void check(bool ok)
{
  if (!ok)
    std::abort();
}

// Walks everything an accepted file exposes, so the sanitizers see every view.
void walk(const GgufFile &f)
{
  volatile uint64_t sum = 0;
  for (const auto &e : f.metadata()) {
    sum = sum + e.key.size();
    check(f.find(e.key) == &e.value);
    if (const auto *a = std::get_if<ArrayValue>(&e.value.data))
      for (auto s : a->strings)
        sum = sum + (s.empty() ? 0 : static_cast<unsigned char>(s.back()));
    (void)f.getU32(e.key);
    (void)f.getF32(e.key);
    (void)f.getString(e.key);
  }
  uint64_t previousEnd = 0;
  for (const auto &t : f.tensors()) {
    check(f.findTensor(t.name) == &t);
    check(t.data.size() == t.bytes && t.offset >= previousEnd);
    check(t.offset % f.alignment() == 0);
    check(f.dataOffset() + t.offset + t.bytes <= f.fileSize());
    if (!t.data.empty())
      sum = sum + static_cast<unsigned char>(t.data.back());
    previousEnd = t.offset + t.bytes;
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  auto f = GgufFile::fromMemory({reinterpret_cast<const std::byte *>(data), size}, "fuzz.gguf");
  if (f)
    walk(*f);
  else
    check(f.error().message.starts_with("[gguf] fuzz.gguf @ "));
  return 0;
}
