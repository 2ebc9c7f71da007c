#include "hearth/error.h"

namespace hearth {

const char *errorCodeName(ErrorCode code)
{
  switch (code) {
  case ErrorCode::Io: return "io";
  case ErrorCode::Format: return "format";
  case ErrorCode::Unsupported: return "unsupported";
  case ErrorCode::Vulkan: return "vulkan";
  case ErrorCode::OutOfMemory: return "out-of-memory";
  case ErrorCode::InvalidArgument: return "invalid-argument";
  case ErrorCode::Budget: return "budget";
  case ErrorCode::Cancelled: return "cancelled";
  case ErrorCode::Internal: return "internal";
  }
  return "unknown";
}

} // namespace hearth
