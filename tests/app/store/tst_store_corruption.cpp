// Random byte flips in 100 copies of a real conversation database: opening never crashes,
// damage that SQLite's own check finds is reported to the user with a copy kept aside, the
// database Hearth continues with passes integrity_check and holds only real conversations.
#include "store/ConversationStore.h"

#include <QDir>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

using namespace hearth;

namespace {

QString quickCheck(const QString &path)
{
  auto db = sql::Database::open(path, sql::Database::Mode::ReadOnly);
  if (!db)
    return QStringLiteral("cannot open");
  auto v = db->scalarInt("PRAGMA user_version");
  if (!v)
    return QString::fromStdString(v.error().message);
  if (*v > 1)
    return QStringLiteral("version %1").arg(*v);
  sql::Statement st(*db, "PRAGMA quick_check");
  auto row = st.step();
  if (!row)
    return QString::fromStdString(row.error().message);
  return *row ? st.text(0) : QStringLiteral("no answer");
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
      ConversationStore store;
      auto s = store.open(db);
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
};

QTEST_GUILESS_MAIN(TestStoreCorruption)
#include "tst_store_corruption.moc"
