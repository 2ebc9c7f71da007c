// The model the window loads on start: `--model PATH`, else $HEARTH_MODEL, else the
// installed default (models dir), else the first usable installed model; empty if none.
#pragma once

#include <QString>
#include <QStringList>

namespace hearth {
namespace library { class InstalledModels; }

QString startupModelPath(const QStringList &arguments, const library::InstalledModels &installed);

} // namespace hearth
