// hearth inspect MODEL.gguf [--tensors]
#include "cli/Cli.h"

#include "hearth/gguf.h"

#include <cstdio>

namespace hearth::cli {

int inspectCommand(Args args)
{
  if (args.empty()) {
    printError("usage: hearth inspect MODEL.gguf [--tensors]");
    return 2;
  }
  // Implemented with the GGUF reader (engine/gguf).
  printError("inspect: not implemented yet");
  return 1;
}

} // namespace hearth::cli
