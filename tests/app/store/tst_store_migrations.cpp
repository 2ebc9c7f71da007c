// Every earlier schema version (tests/fixtures/store/migrations/v*.db) opens with the
// current code: the version reached, a schema identical to a fresh database's, and the
// content in the fixture's .expect.json (v1-cjk: Chinese, Japanese and Korean text that
// version 1 could not search, found after the migration to version 2). A database from a newer Hearth is refused and
// left byte for byte unchanged; so is one whose migration fails.
#include "store/ConversationStore.h"
#include "store/Schema.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace hearth;

namespace {

QString fixtures() { return qEnvironmentVariable("HEARTH_FIXTURES") + QStringLiteral("/store"); }

QByteArray bytes(const QString &path)
{
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QStringList schemaOf(sql::Database &db)
{
  QStringList out;
  sql::Statement st(db, "SELECT type, name, sql FROM sqlite_master ORDER BY type, name");
  while (auto row = st.step()) {
    if (!*row)
      break;
    out << st.text(0) + QLatin1Char(' ') + st.text(1) + QLatin1Char(' ') + st.text(2);
  }
  return out;
}

} // namespace

class TestStoreMigrations : public QObject {
  Q_OBJECT
  QTemporaryDir m_dir;

private slots:
  void everyOldVersion_data()
  {
    QTest::addColumn<QString>("fixture");
    const QStringList files = QDir(fixtures() + QStringLiteral("/migrations"))
                                  .entryList({QStringLiteral("v*.db")}, QDir::Files, QDir::Name);
    QVERIFY2(files.size() >= 3, "fixtures missing");
    for (const QString &f : files)
      QTest::newRow(qPrintable(f)) << f;
  }

  void everyOldVersion()
  {
    QFETCH(QString, fixture);
    const QString src = fixtures() + QStringLiteral("/migrations/") + fixture;
    const QString db = m_dir.filePath(fixture);
    QFile::remove(db);
    QVERIFY(QFile::copy(src, db));
    QFile::setPermissions(db, QFile::ReadOwner | QFile::WriteOwner);
    QFile expectFile(QString(src).replace(QStringLiteral(".db"), QStringLiteral(".expect.json")));
    QVERIFY(expectFile.open(QIODevice::ReadOnly));
    const QJsonObject expect = QJsonDocument::fromJson(expectFile.readAll()).object();

    ConversationStore store;
    auto s = store.open(db);
    QVERIFY2(s, s ? "" : s.error().message.c_str());
    QVERIFY(store.recoveryNotice().isEmpty());
    QCOMPARE(*store.database().scalarInt("PRAGMA user_version"), qint64(store::k_schemaVersion));
    QCOMPARE(*store.database().scalarText("PRAGMA journal_mode"), QStringLiteral("wal"));

    ConversationStore fresh;
    QVERIFY(fresh.open(m_dir.filePath(QStringLiteral("fresh-") + fixture)));
    QCOMPARE(schemaOf(store.database()), schemaOf(fresh.database()));

    QStringList titles;
    QHash<QString, qint64> idOf;
    const auto page = store.listConversations(0, 100);
    QVERIFY(page);
    for (const Conversation &c : page->items) {
      titles << c.title;
      idOf.insert(c.title, c.id);
    }
    QStringList expectedTitles;
    for (const QJsonValue &v : expect.value("conversations").toArray())
      expectedTitles << v.toString();
    QCOMPARE(titles, expectedTitles);
    QCOMPARE(*store.database().scalarInt("SELECT count(*) FROM messages m JOIN conversations c "
                                         "ON c.id = m.conversation_id WHERE c.deleted_at IS NULL"),
             qint64(expect.value("messages").toInt()));
    const QJsonObject paths = expect.value("activePaths").toObject();
    for (auto it = paths.begin(); it != paths.end(); ++it) {
      QStringList got;
      const auto path = store.activePath(idOf.value(it.key()));
      QVERIFY(path);
      for (const Message &m : *path)
        got << m.content;
      QStringList want;
      for (const QJsonValue &v : it.value().toArray())
        want << v.toString();
      QCOMPARE(got, want);
    }
    for (const QJsonValue &v : expect.value("interrupted").toArray()) {
      sql::Statement st(store.database(), "SELECT state FROM messages WHERE content = ?1");
      st.bind(1, v.toString());
      QVERIFY(*st.step());
      QCOMPARE(st.integer(0), qint64(MessageState::Interrupted));
    }
    const QJsonObject searches = expect.value("search").toObject();
    for (auto it = searches.begin(); it != searches.end(); ++it) {
      const auto hits = store.search(it.key());
      QVERIFY(hits);
      const QString what = QStringLiteral("'%1': %2 hits").arg(it.key()).arg(hits->size());
      QVERIFY2(hits->size() == it.value().toInt(), qPrintable(what));
    }
    // "snippets": {query: text that one hit's snippet holds, matches in [ ]}
    const QJsonObject snippets = expect.value("snippets").toObject();
    for (auto it = snippets.begin(); it != snippets.end(); ++it) {
      QStringList got;
      const auto hits = store.search(it.key());
      QVERIFY(hits);
      for (const SearchHit &h : *hits)
        got << snippetMarked(h.snippet, QStringLiteral("["), QStringLiteral("]"));
      QVERIFY2(got.join(QLatin1Char('|')).contains(it.value().toString()), qPrintable(got.join(QLatin1Char('|'))));
    }
    if (expect.contains("undoDeleteRestores")) {
      const qint64 id = *store.undoDelete();
      QCOMPARE(store.conversation(id)->title, expect.value("undoDeleteRestores").toString());
    }
    // Still writable with the current code.
    const qint64 c = *store.createConversation(QStringLiteral("after migration"));
    NewMessage m;
    m.role = QStringLiteral("user");
    m.content = QStringLiteral("works");
    QVERIFY(store.appendMessage(c, m));
  }

  void newerVersionRefusedUntouched()
  {
    const QString db = m_dir.filePath(QStringLiteral("future.db"));
    QVERIFY(QFile::copy(fixtures() + QStringLiteral("/newer/v999-future.db"), db));
    QFile::setPermissions(db, QFile::ReadOwner | QFile::WriteOwner);
    const QByteArray before = bytes(db);
    ConversationStore store;
    auto s = store.open(db);
    QVERIFY(!s);
    QCOMPARE(s.error().code, ErrorCode::Unsupported);
    QVERIFY2(QString::fromStdString(s.error().message).contains(QStringLiteral("version 999")),
             s.error().message.c_str());
    QCOMPARE(bytes(db), before);
    QVERIFY(!QFile::exists(db + QStringLiteral("-wal")));
  }

  void failedMigrationLeavesTheFile()
  {
    // Version 0 but not empty and not Hearth's: migrateTo1 fails, the transaction rolls
    // back, and the file is as it was.
    const QString db = m_dir.filePath(QStringLiteral("foreign.db"));
    {
      auto c = *sql::Database::open(db);
      QVERIFY(c.exec("CREATE TABLE messages(x); INSERT INTO messages VALUES (1);"));
    }
    const QByteArray before = bytes(db);
    ConversationStore store;
    auto s = store.open(db);
    QVERIFY(!s);
    QVERIFY2(QString::fromStdString(s.error().message).contains(QStringLiteral("migration to version 1")),
             s.error().message.c_str());
    QCOMPARE(bytes(db), before);
  }
};

QTEST_GUILESS_MAIN(TestStoreMigrations)
#include "tst_store_migrations.moc"
