// The curated model catalog (resources/catalog.json, built in as
// qrc:/hearth/catalog.json): chat models known to run on Hearth's engine, each with
// its Hugging Face repository and file and the facts the fit badge needs.
#pragma once

#include "hearth/error.h"
#include "library/Fit.h"

#include <QByteArray>
#include <QString>
#include <QStringView>

#include <vector>

namespace hearth::library {

struct CatalogEntry {
  QString id;           // stable key, e.g. "qwen2.5-1.5b-instruct-q4_k_m"
  QString name;         // "Qwen2.5 1.5B Instruct"
  QString repo;         // "bartowski/Qwen2.5-1.5B-Instruct-GGUF"
  QString file;         // "Qwen2.5-1.5B-Instruct-Q4_K_M.gguf"
  QString quant;        // "Q4_K_M"
  uint64_t sizeBytes = 0;
  uint64_t parameters = 0;
  uint32_t contextLength = 0;
  QString licence;
  QString architecture; // GGUF general.architecture
  QString description;  // one line
  ModelShape shape;

  bool supported() const; // the engine runs this architecture
  uint64_t memoryNeeded(uint32_t context) const; // weights + KV cache + working buffers
};

// Architectures Hearth's engine runs today.
bool isSupportedArchitecture(QStringView architecture);

// Parses catalog JSON; an error names the entry and field at fault.
Result<std::vector<CatalogEntry>> parseCatalog(const QByteArray &json);
// The catalog built into the application.
Result<std::vector<CatalogEntry>> builtinCatalog();

} // namespace hearth::library
