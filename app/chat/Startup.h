// The model the window loads on start: `--model PATH`, else $HEARTH_MODEL, else the
// installed default (models dir), else the first usable installed model; empty if none.
#pragma once

#include <QString>
#include <QStringList>

namespace hearth {
namespace library { class InstalledModels; }

QString startupModelPath(const QStringList &arguments, const library::InstalledModels &installed);

// The packaged demo model (SmolLM2-135M-Instruct Q4_1), for the first-run "Use the demo
// model": $HEARTH_DEMO_MODEL, else <exe>/../share/hearth/models/ (installed), else
// <exe>/../../.cache/models/ (where `make` fetches it, a build dir in the source tree);
// empty when none exists.
QString demoModelPath();
inline constexpr const char *k_demoModelFile = "SmolLM2-135M-Instruct.Q4_1.gguf";

} // namespace hearth
