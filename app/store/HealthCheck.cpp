#include "store/HealthCheck.h"

#include "store/Recovery.h"
#include "store/Sqlite.h"

#include <QFile>
#include <QSaveFile>

#include <sqlite3.h>
#include <sys/stat.h>

namespace hearth::store {
namespace {

// "size mtime-ns inode" of a file, or nothing when it cannot be read.
std::optional<QByteArray> stampOf(const QString &path)
{
  struct stat st {};
  if (::stat(QFile::encodeName(path).constData(), &st) != 0)
    return std::nullopt;
  const qint64 mtimeNs = qint64(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  return QByteArray::number(qint64(st.st_size)) + ' ' + QByteArray::number(mtimeNs) + ' ' +
         QByteArray::number(quint64(st.st_ino));
}

bool walPresent(const QString &dbPath) { return QFile::exists(dbPath + QStringLiteral("-wal")); }

} // namespace

QString cleanMarkerPath(const QString &dbPath) { return dbPath + QStringLiteral(".clean"); }

bool writeCleanMarker(const QString &dbPath)
{
  if (walPresent(dbPath))
    return false;
  const auto stamp = stampOf(dbPath);
  if (!stamp)
    return false;
  QSaveFile f(cleanMarkerPath(dbPath));
  if (!f.open(QIODevice::WriteOnly))
    return false;
  f.write(*stamp + '\n');
  return f.commit();
}

bool closedCleanly(const QString &dbPath)
{
  QFile f(cleanMarkerPath(dbPath));
  if (walPresent(dbPath) || !f.open(QIODevice::ReadOnly))
    return false;
  const auto stamp = stampOf(dbPath);
  return stamp && f.read(256).trimmed() == *stamp;
}

void removeCleanMarker(const QString &dbPath) { QFile::remove(cleanMarkerPath(dbPath)); }

void BackgroundCheck::start(const QString &path, std::function<void(const QString &)> done)
{
  stop();
  {
    std::lock_guard lock(m_mutex);
    m_stopping = false;
  }
  m_thread = std::thread([this, path, done = std::move(done)] {
    auto db = sql::Database::open(path, sql::Database::Mode::ReadOnly);
    QString problem;
    if (!db) {
      problem = QString::fromStdString(db.error().message);
    } else {
      {
        std::lock_guard lock(m_mutex);
        if (m_stopping)
          return;
        m_conn = db->handle();
      }
      problem = checkHealth(*db);
      std::lock_guard lock(m_mutex);
      m_conn = nullptr;
    }
    {
      std::lock_guard lock(m_mutex);
      if (m_stopping) // interrupted: the result means nothing
        return;
    }
    done(problem);
  });
}

void BackgroundCheck::stop()
{
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
    if (m_conn)
      sqlite3_interrupt(m_conn);
  }
  if (m_thread.joinable())
    m_thread.join();
}

} // namespace hearth::store
