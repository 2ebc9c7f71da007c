// Facts about a model file, read from its GGUF header with the engine's reader
// (the same one `hearth inspect` uses): architecture, name, parameters, dominant
// quantization, context length and the shape the KV cache needs.
#pragma once

#include "hearth/error.h"
#include "library/Fit.h"

#include <QString>

namespace hearth::library {

struct ModelFacts {
  QString path;
  qint64 fileSize = 0;
  QString architecture;  // general.architecture
  QString name;          // general.name, else the file name
  uint64_t parameters = 0;
  QString quant;         // tensor type holding most of the weight bytes, e.g. "Q4_K"
  uint32_t contextLength = 0;
  ModelShape shape;
  bool supported = false; // the engine runs this architecture
};

// An error carries the reader's message (it names the file, offset and fault).
Result<ModelFacts> readModelFacts(const QString &path);

} // namespace hearth::library
