// ConversationStore: opening (migration, health check, recovery) and conversations.
// Messages and streaming are in StoreMessages.cpp, titles and search in StoreSearch.cpp.
#include "store/ConversationStore.h"

#include "store/Recovery.h"
#include "store/Schema.h"
#include "store/StoreSql.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <QUuid>

namespace hearth {

using namespace store::sqltext;

ConversationStore::ConversationStore(QObject *parent) : QObject(parent)
{
  m_flushTimer.setSingleShot(true);
  connect(&m_flushTimer, &QTimer::timeout, this, &ConversationStore::flushAll);
  m_checkTimer.setSingleShot(true);
  connect(&m_checkTimer, &QTimer::timeout, this, &ConversationStore::startBackgroundCheck);
}

ConversationStore::~ConversationStore() { close(); }

QString ConversationStore::defaultDataDir()
{
  const QByteArray env = qgetenv("HEARTH_DATA_DIR");
  if (!env.isEmpty())
    return QString::fromLocal8Bit(env);
  return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

QString ConversationStore::defaultPath()
{
  return QDir(defaultDataDir()).filePath(QStringLiteral("hearth.db"));
}

qint64 ConversationStore::now() { return QDateTime::currentMSecsSinceEpoch(); }

Status ConversationStore::open(const QString &path, Check check)
{
  close();
  m_recoveryNotice.clear();
  m_damagedCopy.clear();
  QDir().mkpath(QFileInfo(path).absolutePath());
  if (auto s = openChecked(path, check); !s) {
    m_db.close();
    m_checkPending = m_checked = false;
    return s;
  }
  if (m_checkPending)
    m_checkTimer.start(m_checkDelayMs);
  return {};
}

Status ConversationStore::openChecked(const QString &path, Check check)
{
  if (QFileInfo::exists(path)) {
    // Read before anything opens the file; removed once it is known not to be refused, so
    // that a crash during this session means a full check at the next open.
    const bool clean = check == Check::Deferred && store::closedCleanly(path);
    auto db = sql::Database::open(path);
    QString problem = db ? QString() : QString::fromStdString(db.error().message);
    if (db) {
      // A newer Hearth's database is refused before anything could write to it.
      auto version = db->scalarInt("PRAGMA user_version");
      if (version && *version > store::k_schemaVersion)
        return fail(ErrorCode::Unsupported,
                    "[store] '{}' has schema version {}, newer than this Hearth ({}): it was "
                    "written by a newer Hearth and is left untouched",
                    path.toStdString(), *version, store::k_schemaVersion);
      store::removeCleanMarker(path);
      if (clean) {
        m_checkPending = true;
      } else {
        const QString health = store::checkHealth(*db);
        if (health != QLatin1String("ok"))
          problem = health;
      }
    }
    if (!problem.isEmpty()) {
      db = {};
      m_checkPending = false;
      store::removeCleanMarker(path);
      const auto report = store::recoverDamaged(path, problem);
      m_recoveryNotice = report.notice;
      m_damagedCopy = report.copyPath;
    }
  }
  m_checked = !m_checkPending; // checked now, recovered, or a new file
  auto s = openConnection(path);
  if (!s && m_checkPending && s.error().code == ErrorCode::Format) {
    // Damage that the skipped check would have found first: recover as at open.
    m_checkPending = false;
    return recoverWhileOpen(QString::fromStdString(s.error().message));
  }
  return s;
}

Status ConversationStore::openConnection(const QString &path)
{
  auto db = sql::Database::open(path);
  if (!db)
    return std::unexpected(db.error());
  m_db = std::move(*db);
  if (auto s = store::configureConnection(m_db); !s)
    return s;
  if (auto s = store::migrate(m_db); !s)
    return s;
  if (auto s = store::enableWal(m_db); !s)
    return s;
  return markInterruptedReplies();
}

void ConversationStore::startBackgroundCheck()
{
  if (!m_checkPending || !m_db.isOpen())
    return;
  const quint64 generation = m_generation;
  m_checker.start(m_db.path(), [this, generation](const QString &problem) {
    QMetaObject::invokeMethod(
        this, [this, generation, problem] { onBackgroundCheck(generation, problem); },
        Qt::QueuedConnection);
  });
}

void ConversationStore::onBackgroundCheck(quint64 generation, const QString &problem)
{
  if (generation != m_generation || !m_checkPending)
    return; // closed or reopened since, or checked synchronously meanwhile
  m_checkPending = false;
  if (problem == QLatin1String("ok")) {
    m_checked = true;
    return;
  }
  if (recoverWhileOpen(problem))
    emit recovered(m_recoveryNotice);
  emit conversationsReset();
}

Status ConversationStore::checkHealthNow()
{
  if (!m_checkPending || !m_db.isOpen())
    return {};
  m_checkTimer.stop();
  m_checker.stop();
  m_checkPending = false;
  const QString problem = store::checkHealth(m_db);
  if (problem == QLatin1String("ok")) {
    m_checked = true;
    return {};
  }
  auto s = recoverWhileOpen(problem);
  if (s)
    emit recovered(m_recoveryNotice);
  emit conversationsReset();
  return s;
}

// The same recovery as at open, with the database closed for it and reopened after.
Status ConversationStore::recoverWhileOpen(const QString &problem)
{
  const QString path = m_db.path();
  flushAll();
  m_pending.clear();
  m_db.close();
  const auto report = store::recoverDamaged(path, problem);
  m_recoveryNotice = report.notice;
  m_damagedCopy = report.copyPath;
  m_checked = true;
  if (auto s = openConnection(path); !s) {
    m_db.close();
    return s;
  }
  return {};
}

Status ConversationStore::markInterruptedReplies()
{
  sql::Statement st(m_db, k_markInterrupted);
  return st.run();
}

void ConversationStore::close()
{
  m_checkTimer.stop();
  m_checker.stop();
  ++m_generation;
  if (!m_db.isOpen())
    return;
  flushAll();
  m_pending.clear();
  const QString path = m_db.path();
  m_db.close();
  // Only a database checked during this session may skip the check next time.
  if (m_checked && !m_checkPending)
    store::writeCleanMarker(path);
  m_checked = m_checkPending = false;
}

// --- conversations -----------------------------------------------------------------------

namespace {

Conversation readConversation(const sql::Statement &st)
{
  Conversation c;
  c.id = st.integer(0);
  c.uuid = st.text(1);
  c.title = st.text(2);
  c.titleIsAuto = st.integer(3) != 0;
  c.createdAt = st.integer(4);
  c.updatedAt = st.integer(5);
  c.pinned = st.integer(6) != 0;
  c.folder = st.text(7);
  c.model = st.text(8);
  c.systemPrompt = st.text(9);
  c.settings = jsonObject(st.text(10));
  c.messageCount = int(st.integer(11));
  return c;
}

} // namespace

Result<ConversationPage> ConversationStore::listConversations(int offset, int limit) const
{
  sql::Statement st(m_db, k_listConversations);
  st.bind(1, qint64(limit) + 1).bind(2, qint64(offset));
  ConversationPage page;
  for (;;) {
    auto row = st.step();
    if (!row)
      return std::unexpected(row.error());
    if (!*row)
      break;
    if (page.items.size() == limit) {
      page.more = true;
      break;
    }
    page.items.append(readConversation(st));
  }
  return page;
}

Result<Conversation> ConversationStore::conversation(qint64 id) const
{
  sql::Statement st(m_db, k_getConversation);
  st.bind(1, id);
  auto row = st.step();
  if (!row)
    return std::unexpected(row.error());
  if (!*row)
    return fail(ErrorCode::InvalidArgument, "[store] no conversation {}", id);
  return readConversation(st);
}

Result<qint64> ConversationStore::conversationByUuid(const QString &uuid) const
{
  sql::Statement st(m_db, k_conversationByUuid);
  st.bind(1, uuid);
  auto row = st.step();
  if (!row)
    return std::unexpected(row.error());
  return *row ? st.integer(0) : 0;
}

Result<qint64> ConversationStore::createConversation(const QString &title, const QString &model,
                                                     const QString &systemPrompt,
                                                     const QJsonObject &settings)
{
  const qint64 t = now();
  sql::Statement st(m_db, k_insertConversation);
  st.bind(1, QUuid::createUuid().toString(QUuid::WithoutBraces))
      .bind(2, title)
      .bind(3, qint64(title.isEmpty() ? 1 : 0))
      .bind(4, t)
      .bind(5, t)
      .bind(6, model)
      .bind(7, systemPrompt)
      .bind(8, jsonText(settings));
  if (auto s = st.run(); !s)
    return std::unexpected(s.error());
  const qint64 id = m_db.lastInsertId();
  emit conversationAdded(id);
  return id;
}

namespace {

// Runs an UPDATE of one conversation, failing when no such conversation exists.
Status updateOne(sql::Database &db, sql::Statement &st, qint64 id)
{
  if (auto s = st.run(); !s)
    return s;
  if (db.changes() == 0)
    return fail(ErrorCode::InvalidArgument, "[store] no conversation {}", id);
  return {};
}

} // namespace

Status ConversationStore::renameConversation(qint64 id, const QString &title)
{
  sql::Statement st(m_db, k_renameConversation);
  st.bind(1, title).bind(2, id);
  auto s = updateOne(m_db, st, id);
  if (s)
    emit conversationChanged(id);
  return s;
}

Status ConversationStore::setPinned(qint64 id, bool pinned)
{
  sql::Statement st(m_db, k_setPinned);
  st.bind(1, qint64(pinned)).bind(2, id);
  auto s = updateOne(m_db, st, id);
  if (s)
    emit conversationChanged(id);
  return s;
}

Status ConversationStore::setFolder(qint64 id, const QString &folder)
{
  sql::Statement st(m_db, k_setFolder);
  st.bind(1, folder).bind(2, id);
  auto s = updateOne(m_db, st, id);
  if (s)
    emit conversationChanged(id);
  return s;
}

Status ConversationStore::setModelSettings(qint64 id, const QString &model,
                                           const QString &systemPrompt, const QJsonObject &settings)
{
  sql::Statement st(m_db, k_setModelSettings);
  st.bind(1, model).bind(2, systemPrompt).bind(3, jsonText(settings)).bind(4, id);
  auto s = updateOne(m_db, st, id);
  if (s)
    emit conversationChanged(id);
  return s;
}

Status ConversationStore::touch(qint64 conversationId)
{
  sql::Statement st(m_db, k_touchConversation);
  st.bind(1, now()).bind(2, conversationId);
  return st.run();
}

Status ConversationStore::deleteConversation(qint64 id)
{
  sql::Transaction tx(m_db);
  if (!tx.begun())
    return tx.begun();
  sql::Statement purge(m_db, k_purgeDeleted); // the previous delete can no longer be undone
  if (auto s = purge.run(); !s)
    return s;
  sql::Statement st(m_db, k_softDelete);
  st.bind(1, now()).bind(2, id);
  if (auto s = updateOne(m_db, st, id); !s)
    return s;
  if (auto s = tx.commit(); !s)
    return s;
  emit conversationsReset();
  return {};
}

Result<qint64> ConversationStore::undoDelete()
{
  sql::Statement find(m_db, k_lastDeleted);
  auto row = find.step();
  if (!row)
    return std::unexpected(row.error());
  if (!*row)
    return 0;
  const qint64 id = find.integer(0);
  sql::Statement st(m_db, k_undelete);
  st.bind(1, id);
  if (auto s = st.run(); !s)
    return std::unexpected(s.error());
  emit conversationsReset();
  return id;
}

bool ConversationStore::canUndoDelete() const
{
  sql::Statement find(m_db, k_lastDeleted);
  auto row = find.step();
  return row && *row;
}

} // namespace hearth
