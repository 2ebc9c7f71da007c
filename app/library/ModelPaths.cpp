#include "library/ModelPaths.h"

#include <QDir>
#include <QStandardPaths>

namespace hearth::library {

QString dataDir()
{
  const QString env = qEnvironmentVariable("HEARTH_DATA_DIR");
  if (!env.isEmpty())
    return env;
  QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
  if (dir.isEmpty())
    dir = QDir::homePath() + QStringLiteral("/.local/share/Hearth");
  return dir;
}

QString modelsDir()
{
  const QString dir = dataDir() + QStringLiteral("/models");
  QDir().mkpath(dir);
  return dir;
}

QString localModelName(const QString &hubPath)
{
  if (hubPath.split(QLatin1Char('/')).contains(QStringLiteral("..")))
    return {};
  const QString name = hubPath.section(QLatin1Char('/'), -1);
  if (name.isEmpty() || name.startsWith(QLatin1Char('.')) || name.contains(QLatin1Char('\\'))
      || !name.endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive) || name.size() > 255)
    return {};
  return name;
}

} // namespace hearth::library
