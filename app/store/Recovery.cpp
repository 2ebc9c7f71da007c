#include "store/Recovery.h"

#include "store/Schema.h"
#include "store/Sqlite.h"

#include <QDateTime>
#include <QFile>

#include <sqlite3.h>

#include <cstdio>

namespace hearth::store {
namespace {

constexpr std::string_view k_readConversations = R"sql(
SELECT id, uuid, title, title_is_auto, created_at, updated_at, pinned, folder, model,
       system_prompt, settings, deleted_at FROM conversations ORDER BY id %1)sql";
constexpr std::string_view k_insertConversation = R"sql(
INSERT OR IGNORE INTO conversations (id, uuid, title, title_is_auto, created_at, updated_at,
  pinned, folder, model, system_prompt, settings, deleted_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12))sql";
constexpr std::string_view k_readMessages = R"sql(
SELECT id, conversation_id, parent_id, selected, role, content, reasoning, created_at,
       model_file, model_sha256, sampling, seed, stats, state FROM messages ORDER BY id %1)sql";
constexpr std::string_view k_insertMessage = R"sql(
INSERT OR IGNORE INTO messages (id, conversation_id, parent_id, selected, role, content,
  reasoning, created_at, model_file, model_sha256, sampling, seed, stats, state)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14))sql";

// After salvage: drop messages of lost conversations, make orphans roots, and restore the
// rule that exactly one sibling of each group is selected (the newest when unsure).
constexpr std::string_view k_repairTree = R"sql(
DELETE FROM messages WHERE conversation_id NOT IN (SELECT id FROM conversations);
UPDATE messages SET parent_id = NULL
  WHERE parent_id IS NOT NULL AND parent_id NOT IN (SELECT id FROM messages);
UPDATE messages SET selected = 0 WHERE selected <> 0 AND EXISTS (
  SELECT 1 FROM messages s WHERE s.conversation_id = messages.conversation_id
    AND s.parent_id IS messages.parent_id AND s.selected <> 0 AND s.id > messages.id);
UPDATE messages SET selected = 1 WHERE NOT EXISTS (
  SELECT 1 FROM messages s WHERE s.conversation_id = messages.conversation_id
    AND s.parent_id IS messages.parent_id AND (s.selected <> 0 OR s.id > messages.id));
)sql";

// Copies every readable row of one table, reading forwards then backwards so that rows
// beyond a damaged page are reached too. Returns the number of rows inserted.
int salvageTable(sql::Database &src, sql::Database &dst, std::string_view readSql,
                 std::string_view insertSql, int columns)
{
  int copied = 0;
  sql::Statement insert(dst, insertSql);
  for (const char *order : {"ASC", "DESC"}) {
    const std::string q = QString::fromUtf8(readSql.data(), int(readSql.size()))
                              .arg(QLatin1String(order))
                              .toStdString();
    sql::Statement read(src, q);
    for (;;) {
      auto row = read.step();
      if (!row || !*row)
        break;
      for (int c = 0; c < columns; ++c)
        insert.bindFrom(c + 1, read, c);
      if (insert.run() && dst.changes() > 0)
        ++copied;
    }
  }
  return copied;
}

QString uniqueCopyPath(const QString &path)
{
  const QString stamp = QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"));
  QString copy = path + QStringLiteral(".damaged-") + stamp;
  for (int i = 2; QFile::exists(copy); ++i)
    copy = path + QStringLiteral(".damaged-") + stamp + QLatin1Char('-') + QString::number(i);
  return copy;
}

// The backup API copies pages as SQLite reads them (the WAL included); when the file is
// not readable as a database at all, a byte copy keeps it for the user instead.
QString copyAside(const QString &path)
{
  const QString copy = uniqueCopyPath(path);
  bool ok = false;
  if (auto src = sql::Database::open(path, sql::Database::Mode::ReadOnly)) {
    if (auto dst = sql::Database::open(copy)) {
      sqlite3_backup *b = sqlite3_backup_init(dst->handle(), "main", src->handle(), "main");
      if (b) {
        const int rc = sqlite3_backup_step(b, -1);
        sqlite3_backup_finish(b);
        ok = rc == SQLITE_DONE;
      }
    }
  }
  if (ok)
    return copy;
  QFile::remove(copy);
  if (!QFile::copy(path, copy))
    return {};
  if (QFile::exists(path + QStringLiteral("-wal")))
    QFile::copy(path + QStringLiteral("-wal"), copy + QStringLiteral("-wal"));
  return copy;
}

} // namespace

Status repairTree(sql::Database &db) { return db.exec(k_repairTree); }

QString checkHealth(sql::Database &db)
{
  // Reading the header first: "file is not a database" shows up here.
  if (auto v = db.scalarInt("PRAGMA user_version"); !v)
    return QString::fromStdString(v.error().message);
  sql::Statement st(db, "PRAGMA quick_check");
  QStringList problems;
  for (;;) {
    auto row = st.step();
    if (!row)
      return QString::fromStdString(row.error().message);
    if (!*row)
      break;
    const QString line = st.text(0);
    if (line != QLatin1String("ok"))
      problems << line;
  }
  if (problems.isEmpty())
    return QStringLiteral("ok");
  if (problems.size() > 3)
    problems = problems.mid(0, 3) << QStringLiteral("...");
  return problems.join(QStringLiteral("; "));
}

RecoveryReport recoverDamaged(const QString &path, const QString &problem)
{
  RecoveryReport r;
  r.copyPath = copyAside(path);
  const QString fresh = path + QStringLiteral(".recovering");
  QFile::remove(fresh);
  QFile::remove(fresh + QStringLiteral("-journal"));
  {
    auto dst = sql::Database::open(fresh);
    bool ok = dst && dst->exec("PRAGMA journal_mode = DELETE") && migrate(*dst);
    if (ok) {
      (void)dst->exec("PRAGMA foreign_keys = OFF");
      if (auto src = sql::Database::open(path, sql::Database::Mode::ReadOnly)) {
        (void)src->exec("PRAGMA writable_schema = OFF");
        sql::Transaction tx(*dst);
        r.conversations = salvageTable(*src, *dst, k_readConversations, k_insertConversation, 12);
        r.messages = salvageTable(*src, *dst, k_readMessages, k_insertMessage, 14);
        ok = dst->exec(k_repairTree) && tx.commit();
        if (ok) {
          r.conversations = int(dst->scalarInt("SELECT count(*) FROM conversations").value_or(0));
          r.messages = int(dst->scalarInt("SELECT count(*) FROM messages").value_or(0));
        }
      }
    }
    if (!ok) { // start empty rather than not at all
      dst = {};
      QFile::remove(fresh);
      auto empty = sql::Database::open(fresh);
      if (empty)
        (void)(empty->exec("PRAGMA journal_mode = DELETE") && migrate(*empty));
      r.conversations = r.messages = 0;
      r.startedEmpty = true;
    }
  }
  QFile::remove(path + QStringLiteral("-wal")); // never replay the old WAL onto the new file
  QFile::remove(path + QStringLiteral("-shm"));
  std::rename(QFile::encodeName(fresh).constData(), QFile::encodeName(path).constData());

  const QString kept = r.copyPath.isEmpty()
                           ? QStringLiteral("It could not be copied aside.")
                           : QStringLiteral("A copy of the damaged file was kept at %1.").arg(r.copyPath);
  r.notice = r.startedEmpty
                 ? QStringLiteral("Your conversation database was damaged (%1) and nothing could be "
                                  "read from it; Hearth started with an empty one. %2")
                       .arg(problem, kept)
                 : QStringLiteral("Your conversation database was damaged (%1). Hearth recovered "
                                  "%2 conversations and %3 messages. %4")
                       .arg(problem)
                       .arg(r.conversations)
                       .arg(r.messages)
                       .arg(kept);
  return r;
}

} // namespace hearth::store
