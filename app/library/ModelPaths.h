// Where models live: $HEARTH_DATA_DIR/models, else AppDataLocation/models
// (~/.local/share/Hearth/models on Linux).
#pragma once

#include <QString>

namespace hearth::library {

QString dataDir();
QString modelsDir(); // created if missing

// A downloaded or imported file's local name: the last path component of a Hugging
// Face file path, refused (empty) when it could escape the models directory or is
// not a .gguf.
QString localModelName(const QString &hubPath);

} // namespace hearth::library
