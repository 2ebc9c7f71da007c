// Random byte flips in 100 copies of a real conversation database: opening never crashes,
// damage that SQLite's own check finds is reported to the user with a copy kept aside, the
// database Hearth continues with passes integrity_check and holds only real conversations.
// Half the copies look cleanly closed (their check is deferred, then run), half as after a
// crash (checked at open). The clean-close marker: damage behind an unchanged marker is
// found by the background check, a file changed since its close is checked at open.
#include "store/ConversationStore.h"
#include "store/Schema.h"

#include <QDir>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <sys/stat.h>

using namespace hearth;

namespace {

QString quickCheckOnce(const QString &path)
{
  auto db = sql::Database::open(path, sql::Database::Mode::ReadOnly);
  if (!db)
    return QStringLiteral("cannot open");
  auto v = db->scalarInt("PRAGMA user_version");
  if (!v)
    return QString::fromStdString(v.error().message);
  if (*v > store::k_schemaVersion)
    return QStringLiteral("version %1").arg(*v);
  sql::Statement st(*db, "PRAGMA quick_check");
  auto row = st.step();
  if (!row)
    return QString::fromStdString(row.error().message);
  return *row ? st.text(0) : QStringLiteral("no answer");
}

// What SQLite's own check says of a closed database, leaving no trace: a read-only
// connection cannot remove the (empty) WAL files it created, which would tell Hearth
// the file was not closed cleanly.
QString quickCheck(const QString &path)
{
  const bool hadWal = QFile::exists(path + QStringLiteral("-wal"));
  const QString result = quickCheckOnce(path);
  if (!hadWal && QFileInfo(path + QStringLiteral("-wal")).size() == 0) {
    QFile::remove(path + QStringLiteral("-wal"));
    QFile::remove(path + QStringLiteral("-shm"));
  }
  return result;
}

// Overwrites one page in the middle of the file with garbage (every page of the fixture
// is a b-tree page in use, so quick_check finds it), keeping the modification time when
// keepTime is set: damage that happened behind Hearth's back, e.g. on the disk.
void damagePage(const QString &path, bool keepTime)
{
  struct stat before {};
  QCOMPARE(::stat(QFile::encodeName(path).constData(), &before), 0);
  QFile f(path);
  QVERIFY(f.open(QIODevice::ReadWrite));
  f.seek((f.size() / 4096 / 2) * 4096);
  f.write(QByteArray(4096, char(0xA5)));
  f.close();
  if (keepTime) {
    const struct timespec times[2] = {before.st_atim, before.st_mtim};
    QCOMPARE(::utimensat(AT_FDCWD, QFile::encodeName(path).constData(), times, 0), 0);
  }
}

} // namespace

class TestStoreCorruption : public QObject {
  Q_OBJECT
  QTemporaryDir m_dir;
  QString m_original;
  QSet<QString> m_uuids;

private slots:
  void initTestCase()
  {
    m_original = m_dir.filePath(QStringLiteral("original.db"));
    ConversationStore store;
    QVERIFY(store.open(m_original));
    for (int c = 0; c < 30; ++c) {
      const qint64 id = *store.createConversation(QStringLiteral("Conversation %1 über Dinge").arg(c));
      for (int i = 0; i < 12; ++i) {
        NewMessage m;
        m.role = QLatin1String(i % 2 ? "assistant" : "user");
        m.content = QStringLiteral("Message %1 of %2: ").arg(i).arg(c) + QString(200 + 37 * i, QLatin1Char('x'));
        QVERIFY(store.appendMessage(id, m));
      }
      m_uuids.insert(store.conversation(id)->uuid);
    }
    store.close(); // checkpointed: everything is in the main file
    QVERIFY(!QFile::exists(m_original + QStringLiteral("-wal")));
  }

  void byteFlips()
  {
    QRandomGenerator rng(1129);
    const qint64 size = QFileInfo(m_original).size();
    int reported = 0, refused = 0, clean = 0;
    for (int i = 0; i < 100; ++i) {
      const QString dir = m_dir.filePath(QStringLiteral("copy%1").arg(i));
      QDir().mkpath(dir);
      const QString db = dir + QStringLiteral("/hearth.db");
      QVERIFY(QFile::copy(m_original, db));
      QFile::setPermissions(db, QFile::ReadOwner | QFile::WriteOwner);
      {
        QFile f(db);
        QVERIFY(f.open(QIODevice::ReadWrite));
        const int flips = 1 + int(rng.bounded(16));
        for (int k = 0; k < flips; ++k) {
          // Half the flips in page headers and pointers (the first bytes of a page),
          // where they damage the structure; the rest anywhere.
          const qint64 page = rng.bounded(size / 4096);
          const qint64 at = k % 2 ? page * 4096 + rng.bounded(page == 0 ? 108 : 16)
                                  : rng.bounded(size);
          f.seek(at);
          char b = 0;
          f.getChar(&b);
          f.seek(at);
          f.putChar(char(b ^ char(1 << rng.bounded(8))));
        }
      }
      const QString found = quickCheck(db);
      // Odd copies as if closed cleanly after the flips: the check is deferred past open.
      const bool deferred = i % 2 == 1;
      if (deferred)
        QVERIFY(store::writeCleanMarker(db));
      ConversationStore store;
      auto s = store.open(db);
      if (s && deferred && store.healthCheckPending()) {
        QVERIFY(store.recoveryNotice().isEmpty()); // nothing found yet: not checked
        s = store.checkHealthNow();
        QVERIFY(!store.healthCheckPending());
      }
      if (!s) {
        // Only a header saying "newer version" may refuse; anything else must recover.
        QVERIFY2(s.error().code == ErrorCode::Unsupported, s.error().message.c_str());
        ++refused;
        continue;
      }
      // Usable whatever happened.
      auto list = store.listConversations(0, 100);
      QVERIFY(list);
      (void)store.search(QStringLiteral("über"));
      QVERIFY(list->items.size() <= m_uuids.size()); // nothing invented
      if (found != QLatin1String("ok")) {
        QVERIFY2(!store.recoveryNotice().isEmpty(),
                 qPrintable(QStringLiteral("copy %1: '%2' not reported").arg(i).arg(found)));
        QVERIFY(store.recoveryNotice().contains(QStringLiteral("damaged")));
        QVERIFY(QFile::exists(store.damagedCopyPath()));
        QCOMPARE(*store.database().scalarText("PRAGMA integrity_check"), QStringLiteral("ok"));
        ++reported;
      } else {
        QVERIFY(store.recoveryNotice().isEmpty());
        ++clean;
      }
      // What Hearth continues with opens cleanly next time.
      store.close();
      ConversationStore again;
      QVERIFY(again.open(db));
      QVERIFY(again.recoveryNotice().isEmpty());
    }
    qInfo("%d damaged and reported, %d refused as newer, %d harmless flips", reported, refused, clean);
    QVERIFY(reported >= 25); // the flips really damage databases
  }

  void cleanCloseDefersTheCheck()
  {
    const QString db = m_dir.filePath(QStringLiteral("marker/hearth.db"));
    QDir().mkpath(QFileInfo(db).absolutePath());
    QVERIFY(QFile::copy(m_original, db));
    QFile::setPermissions(db, QFile::ReadOwner | QFile::WriteOwner);
    ConversationStore store;
    QVERIFY(store.open(db)); // no marker: checked at open
    QVERIFY(!store.healthCheckPending());
    QVERIFY(!QFile::exists(store::cleanMarkerPath(db)));
    store.close();
    QVERIFY(QFile::exists(store::cleanMarkerPath(db)));

    QVERIFY(store.open(db)); // clean close, unchanged file: deferred
    QVERIFY(store.healthCheckPending());
    QVERIFY(!QFile::exists(store::cleanMarkerPath(db))); // a crash now means a check next time
    store.close(); // closed before the check ran: no marker
    QVERIFY(!QFile::exists(store::cleanMarkerPath(db)));
    QVERIFY(store.open(db));
    QVERIFY(!store.healthCheckPending());
    store.close();

    QVERIFY(QFile::exists(store::cleanMarkerPath(db)));
    QFile wal(db + QStringLiteral("-wal")); // a WAL left behind: not a clean close
    QVERIFY(wal.open(QIODevice::WriteOnly));
    wal.close();
    QVERIFY(!store::closedCleanly(db));
    QVERIFY(store.open(db));
    QVERIFY(!store.healthCheckPending());
  }

  void backgroundCheckFindsDamage()
  {
    const QString db = m_dir.filePath(QStringLiteral("background/hearth.db"));
    QDir().mkpath(QFileInfo(db).absolutePath());
    QVERIFY(QFile::copy(m_original, db));
    QFile::setPermissions(db, QFile::ReadOwner | QFile::WriteOwner);
    QVERIFY(store::writeCleanMarker(db));
    damagePage(db, true);
    QVERIFY(quickCheck(db) != QLatin1String("ok"));
    QVERIFY(store::closedCleanly(db)); // the marker cannot see it

    ConversationStore store;
    store.setDeferredCheckDelay(0);
    QSignalSpy recovered(&store, &ConversationStore::recovered);
    QSignalSpy reset(&store, &ConversationStore::conversationsReset);
    QVERIFY(store.open(db));
    QVERIFY(store.healthCheckPending());
    QVERIFY(store.recoveryNotice().isEmpty());
    QVERIFY(recovered.wait(20000)); // the background thread's check, reported on this one
    QVERIFY(!store.healthCheckPending());
    QVERIFY(store.recoveryNotice().contains(QStringLiteral("damaged")));
    QCOMPARE(recovered.first().first().toString(), store.recoveryNotice());
    QVERIFY(reset.size() >= 1);
    QVERIFY(QFile::exists(store.damagedCopyPath()));
    QCOMPARE(*store.database().scalarText("PRAGMA integrity_check"), QStringLiteral("ok"));
    auto list = store.listConversations(0, 100);
    QVERIFY(list && list->items.size() <= 30); // nothing invented
  }

  void changedFileIsCheckedAtOpen()
  {
    const QString db = m_dir.filePath(QStringLiteral("changed/hearth.db"));
    QDir().mkpath(QFileInfo(db).absolutePath());
    QVERIFY(QFile::copy(m_original, db));
    QFile::setPermissions(db, QFile::ReadOwner | QFile::WriteOwner);
    QVERIFY(store::writeCleanMarker(db));
    QTest::qWait(20); // a later modification time
    damagePage(db, false);
    QVERIFY(!store::closedCleanly(db));
    ConversationStore store;
    QVERIFY(store.open(db));
    QVERIFY(!store.healthCheckPending());
    QVERIFY(store.recoveryNotice().contains(QStringLiteral("damaged")));
  }
};

QTEST_GUILESS_MAIN(TestStoreCorruption)
#include "tst_store_corruption.moc"
