#include "library/Fit.h"

namespace hearth::library {

uint64_t kvCacheBytes(const ModelShape &shape, uint64_t contextLength)
{
  constexpr uint64_t f16Bytes = 2;
  return 2 * uint64_t(shape.layers) * contextLength * shape.kvHeads * shape.headDim * f16Bytes;
}

uint64_t workingBytes(uint64_t weightBytes)
{
  return weightBytes / 20 + (uint64_t(64) << 20);
}

uint64_t memoryNeeded(uint64_t weightBytes, const ModelShape &shape, uint64_t contextLength)
{
  return weightBytes + kvCacheBytes(shape, contextLength) + workingBytes(weightBytes);
}

FitVerdict fitVerdict(uint64_t needBytes, uint64_t budgetBytes)
{
  if (budgetBytes == 0)
    return FitVerdict::Unknown;
  if (needBytes > budgetBytes)
    return FitVerdict::WontFit;
  // needBytes <= 0.8 * budget, in integers.
  if ((unsigned __int128)needBytes * 5 <= (unsigned __int128)budgetBytes * 4)
    return FitVerdict::Fits;
  return FitVerdict::Tight;
}

const char *fitVerdictName(FitVerdict verdict)
{
  switch (verdict) {
  case FitVerdict::Fits: return "fits";
  case FitVerdict::Tight: return "tight";
  case FitVerdict::WontFit: return "won't fit";
  case FitVerdict::Unknown: break;
  }
  return "unknown";
}

} // namespace hearth::library
