#include "store/Schema.h"

#include "store/Sqlite.h"

#include <array>

namespace hearth::store {
namespace {

// synchronous = NORMAL in WAL mode: a committed transaction survives the process being
// killed (it is in the WAL); a power cut may lose the last commits but never corrupts.
constexpr std::string_view k_connectionPragmas = R"sql(
PRAGMA synchronous = NORMAL;
PRAGMA foreign_keys = ON;
PRAGMA busy_timeout = 5000;
)sql";

// Version 1. Times are milliseconds since the epoch (UTC). Settings, sampling and stats
// are JSON objects. messages form a tree through parent_id; among the children of one
// parent (or among the roots) exactly one has selected = 1, and the active path of a
// conversation follows the selected child from the root down. A deleted conversation
// keeps its rows with deleted_at set until the next delete, so it can be undone.
constexpr std::string_view k_schemaV1 = R"sql(
CREATE TABLE conversations (
  id            INTEGER PRIMARY KEY,
  uuid          TEXT    NOT NULL UNIQUE,
  title         TEXT    NOT NULL DEFAULT '',
  title_is_auto INTEGER NOT NULL DEFAULT 1,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  pinned        INTEGER NOT NULL DEFAULT 0,
  folder        TEXT    NOT NULL DEFAULT '',
  model         TEXT    NOT NULL DEFAULT '',
  system_prompt TEXT    NOT NULL DEFAULT '',
  settings      TEXT    NOT NULL DEFAULT '{}',
  deleted_at    INTEGER
);
CREATE INDEX conversations_list ON conversations(pinned DESC, updated_at DESC, id DESC)
  WHERE deleted_at IS NULL;

CREATE TABLE messages (
  id              INTEGER PRIMARY KEY,
  conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  parent_id       INTEGER REFERENCES messages(id) ON DELETE CASCADE,
  selected        INTEGER NOT NULL DEFAULT 1,
  role            TEXT    NOT NULL CHECK (role IN ('system', 'user', 'assistant', 'tool')),
  content         TEXT    NOT NULL DEFAULT '',
  reasoning       TEXT    NOT NULL DEFAULT '',
  created_at      INTEGER NOT NULL,
  model_file      TEXT    NOT NULL DEFAULT '',
  model_sha256    TEXT    NOT NULL DEFAULT '',
  sampling        TEXT    NOT NULL DEFAULT '{}',
  seed            INTEGER,
  stats           TEXT    NOT NULL DEFAULT '{}',
  state           INTEGER NOT NULL DEFAULT 0 -- MessageState: 0 complete, 1 streaming, 2 interrupted, 3 cancelled, 4 failed
);
CREATE INDEX messages_tree ON messages(conversation_id, parent_id, id);
CREATE INDEX messages_children ON messages(parent_id, selected);
CREATE INDEX messages_streaming ON messages(state) WHERE state = 1;

CREATE VIRTUAL TABLE message_fts USING fts5(
  content, reasoning, content = 'messages', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
  INSERT INTO message_fts(rowid, content, reasoning) VALUES (new.id, new.content, new.reasoning);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  INSERT INTO message_fts(message_fts, rowid, content, reasoning)
    VALUES ('delete', old.id, old.content, old.reasoning);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content, reasoning ON messages BEGIN
  INSERT INTO message_fts(message_fts, rowid, content, reasoning)
    VALUES ('delete', old.id, old.content, old.reasoning);
  INSERT INTO message_fts(rowid, content, reasoning) VALUES (new.id, new.content, new.reasoning);
END;

CREATE VIRTUAL TABLE title_fts USING fts5(
  title, content = 'conversations', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
CREATE TRIGGER conversations_fts_insert AFTER INSERT ON conversations BEGIN
  INSERT INTO title_fts(rowid, title) VALUES (new.id, new.title);
END;
CREATE TRIGGER conversations_fts_delete AFTER DELETE ON conversations BEGIN
  INSERT INTO title_fts(title_fts, rowid, title) VALUES ('delete', old.id, old.title);
END;
CREATE TRIGGER conversations_fts_update AFTER UPDATE OF title ON conversations BEGIN
  INSERT INTO title_fts(title_fts, rowid, title) VALUES ('delete', old.id, old.title);
  INSERT INTO title_fts(rowid, title) VALUES (new.id, new.title);
END;
)sql";

// Version 2: both full-text indexes use the hearth_cjk tokenizer (store/CjkTokenizer.h),
// so that words inside Chinese and Japanese text, and Korean stems, can be found. The
// tables are external-content indexes: recreated empty, then rebuilt from messages and
// conversations; the triggers of version 1 keep them in sync unchanged.
constexpr std::string_view k_schemaV2 = R"sql(
DROP TABLE message_fts;
CREATE VIRTUAL TABLE message_fts USING fts5(
  content, reasoning, content = 'messages', content_rowid = 'id',
  tokenize = 'hearth_cjk remove_diacritics 2', prefix = '2 3');
INSERT INTO message_fts(message_fts) VALUES ('rebuild');
DROP TABLE title_fts;
CREATE VIRTUAL TABLE title_fts USING fts5(
  title, content = 'conversations', content_rowid = 'id',
  tokenize = 'hearth_cjk remove_diacritics 2', prefix = '2 3');
INSERT INTO title_fts(title_fts) VALUES ('rebuild');
)sql";

Status migrateTo1(sql::Database &db)
{
  // Version 0 is an empty database (a new file). Anything else at version 0 is not a
  // Hearth database: CREATE TABLE fails on a clash and the transaction rolls back.
  return db.exec(k_schemaV1);
}

Status migrateTo2(sql::Database &db) { return db.exec(k_schemaV2); }

// migrations[i] brings a database from version i to i + 1.
using Migration = Status (*)(sql::Database &);
constexpr std::array<Migration, k_schemaVersion> k_migrations = {migrateTo1, migrateTo2};

} // namespace

Status configureConnection(sql::Database &db) { return db.exec(k_connectionPragmas); }

Status enableWal(sql::Database &db)
{
  auto mode = db.scalarText("PRAGMA journal_mode = WAL");
  if (!mode)
    return std::unexpected(mode.error());
  if (mode->compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0)
    return fail(ErrorCode::Io, "[store] '{}': cannot use WAL (journal mode stays '{}')",
                db.path().toStdString(), mode->toStdString());
  return {};
}

Status migrate(sql::Database &db)
{
  auto version = db.scalarInt("PRAGMA user_version");
  if (!version)
    return std::unexpected(version.error());
  if (*version > k_schemaVersion)
    return fail(ErrorCode::Unsupported,
                "[store] '{}' has schema version {}, newer than this Hearth ({}): "
                "it was written by a newer Hearth and is left untouched",
                db.path().toStdString(), *version, k_schemaVersion);
  if (*version == k_schemaVersion)
    return {};
  // All steps in one transaction: killed or failed anywhere, the file stays at the version
  // it had (a new file does not stop at version 1 with the old indexes).
  sql::Transaction tx(db);
  if (!tx.begun())
    return tx.begun();
  for (qint64 v = *version; v < k_schemaVersion; ++v) {
    if (auto s = k_migrations[size_t(v)](db); !s)
      return fail(s.error().code, "[store] migration to version {} failed: {}", v + 1,
                  s.error().message);
    if (auto s = db.exec(fmt::format("PRAGMA user_version = {}", v + 1)); !s)
      return s;
  }
  return tx.commit();
}

} // namespace hearth::store
