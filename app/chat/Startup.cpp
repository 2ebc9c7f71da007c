#include "chat/Startup.h"

#include "library/InstalledModels.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace hearth {

QString startupModelPath(const QStringList &arguments, const library::InstalledModels &installed)
{
  const qsizetype at = arguments.indexOf(QStringLiteral("--model"));
  if (at >= 0 && at + 1 < arguments.size())
    return arguments.at(at + 1);
  if (const QString env = qEnvironmentVariable("HEARTH_MODEL"); !env.isEmpty())
    return env;
  if (!installed.defaultModel().isEmpty())
    return QDir(installed.directory()).filePath(installed.defaultModel());
  using IM = library::InstalledModels;
  for (int row = 0; row < installed.rowCount(); ++row) {
    const QModelIndex i = installed.index(row, 0);
    if (installed.data(i, IM::ValidRole).toBool() && installed.data(i, IM::SupportedRole).toBool())
      return installed.data(i, IM::PathRole).toString();
  }
  return {};
}

QString demoModelPath()
{
  const QString file = QString::fromLatin1(k_demoModelFile);
  QStringList candidates{qEnvironmentVariable("HEARTH_DEMO_MODEL")};
  if (QCoreApplication::instance()) {
    const QDir exe(QCoreApplication::applicationDirPath());
    candidates << exe.filePath(QStringLiteral("../share/hearth/models/") + file)
               << exe.filePath(QStringLiteral("../../.cache/models/") + file);
  }
  for (const QString &c : candidates)
    if (!c.isEmpty() && QFileInfo(c).isFile())
      return QFileInfo(c).canonicalFilePath();
  return {};
}

} // namespace hearth
