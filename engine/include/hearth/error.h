// Errors as values. The engine never throws across its API and never exits: every
// fallible call returns Result<T>, and an Error names the file/op/value at fault.
#pragma once

#include <expected>
#include <fmt/format.h>
#include <string>
#include <utility>

namespace hearth {

// Stored nowhere on disk, but kept stable anyway: tests match on them.
enum class ErrorCode {
  Io = 1,          // open/read/mmap/write failed
  Format = 2,      // malformed input file (GGUF, template, JSON, ...)
  Unsupported = 3, // valid input that Hearth does not handle (architecture, tensor type)
  Vulkan = 4,      // a Vulkan call failed
  OutOfMemory = 5, // device or host budget exceeded
  InvalidArgument = 6,
  Budget = 7,      // a sandbox budget (template depth/steps/output) was exceeded
  Cancelled = 8,
  Internal = 9,
};

struct Error {
  ErrorCode code = ErrorCode::Internal;
  std::string message;
};

template <class T> using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline std::unexpected<Error> fail(ErrorCode code, std::string message)
{
  return std::unexpected(Error{code, std::move(message)});
}

template <class... Args>
std::unexpected<Error> fail(ErrorCode code, fmt::format_string<Args...> format, Args &&...args)
{
  return std::unexpected(Error{code, fmt::format(format, std::forward<Args>(args)...)});
}

const char *errorCodeName(ErrorCode code);

} // namespace hearth
