// ChatController's export (Ctrl+E): the open conversation or all of them, in any of the
// store's formats, to a path the export dialog proposes or the user picks.
#include "chat/ChatController.h"

#include "store/ConversationStore.h"
#include "store/Export.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QUrl>

namespace hearth {

namespace {
// A file name from a title: letters, digits, '-' and '_' kept, runs of anything else
// become one '-', at most 60 characters.
QString fileStem(const QString &title)
{
  QString stem = title;
  stem.replace(QRegularExpression(QStringLiteral("[^\\w-]+")), QStringLiteral("-"));
  stem = stem.left(60);
  while (stem.startsWith(QLatin1Char('-')))
    stem.remove(0, 1);
  while (stem.endsWith(QLatin1Char('-')))
    stem.chop(1);
  return stem.isEmpty() ? QStringLiteral("conversation") : stem;
}
} // namespace

QString ChatController::defaultExportPath(const QString &format, bool allConversations) const
{
  QString dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
  if (dir.isEmpty() || !QFileInfo(dir).isDir())
    dir = QDir(ConversationStore::defaultDataDir()).filePath(QStringLiteral("exports"));
  const QString stem = allConversations || m_conversationId == 0
                           ? QStringLiteral("hearth-conversations")
                           : fileStem(conversationTitle());
  const QString ext = exportFormatFromName(format) ? format : QStringLiteral("md");
  QString path = QDir(dir).filePath(stem + QLatin1Char('.') + ext);
  for (int n = 2; QFileInfo::exists(path) && n < 1000; ++n)
    path = QDir(dir).filePath(QStringLiteral("%1-%2.%3").arg(stem).arg(n).arg(ext));
  return path;
}

QString ChatController::exportTo(const QString &pathOrUrl, const QString &format, bool allConversations)
{
  const auto fmt = exportFormatFromName(format);
  if (!fmt)
    return tr("Unknown export format \"%1\".").arg(format);
  if (!allConversations && m_conversationId == 0)
    return tr("Open a conversation to export it, or export all of them.");
  const QUrl url(pathOrUrl);
  const QString path = url.isLocalFile() ? url.toLocalFile() : pathOrUrl.trimmed();
  if (path.isEmpty())
    return tr("Choose a file to export to.");
  if (!QDir().mkpath(QFileInfo(path).absolutePath()))
    return tr("Cannot create the folder %1.").arg(QFileInfo(path).absolutePath());
  const QList<qint64> ids = allConversations ? QList<qint64>() : QList<qint64>{m_conversationId};
  if (auto s = exportConversations(*m_store, ids, *fmt, path); !s)
    return QString::fromStdString(s.error().message);
  return {};
}

} // namespace hearth
