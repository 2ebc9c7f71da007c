// Kill -9 of a writer process (tst_store_writer) at random moments, 200 times: after each,
// PRAGMA integrity_check is ok, every message the writer acknowledged is there, every
// acknowledged part of a streaming reply is there, and an unfinished reply is marked
// interrupted. Also kills during migration: the database is at the old version or the new
// one, never between.
#include "store/ConversationStore.h"
#include "store/Schema.h"

#include <QCoreApplication>
#include <QDir>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace hearth;

namespace {

QString writerPath()
{
  return QCoreApplication::applicationDirPath() + QStringLiteral("/tst_store_writer");
}

// Starts the writer, waits for it to print `mark`, lets it run for `us` microseconds more,
// kills it with SIGKILL; returns its complete lines.
QStringList runAndKill(const QStringList &args, const QByteArray &mark, int us)
{
  QProcess p;
  p.setProcessChannelMode(QProcess::SeparateChannels);
  p.start(writerPath(), args);
  if (!p.waitForStarted(5000))
    return {QStringLiteral("!not started")};
  QByteArray seen;
  while (!seen.contains(mark) && p.waitForReadyRead(5000))
    seen += p.readAllStandardOutput();
  if (!seen.contains(mark))
    return {QStringLiteral("!no mark")};
  QThread::usleep(us);
  ::kill(pid_t(p.processId()), SIGKILL);
  p.waitForFinished(5000);
  QString out = QString::fromUtf8(seen + p.readAllStandardOutput());
  if (!out.endsWith(QLatin1Char('\n'))) // the last line may be cut mid-write
    out.truncate(out.lastIndexOf(QLatin1Char('\n')) + 1);
  return out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

QString integrity(const QString &path)
{
  auto db = sql::Database::open(path);
  if (!db)
    return QString::fromStdString(db.error().message);
  auto r = db->scalarText("PRAGMA integrity_check");
  return r ? *r : QString::fromStdString(r.error().message);
}

} // namespace

class TestStoreCrash : public QObject {
  Q_OBJECT

private slots:
  void killedWriterLosesNothingAcknowledged()
  {
    QVERIFY2(QFile::exists(writerPath()), qPrintable(writerPath()));
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("hearth.db"));
    QRandomGenerator rng(20261129);
    QSet<QString> acked;
    QHash<qint64, int> streamed; // reply id -> characters acknowledged on disk
    QSet<qint64> finished;
    int kills = 0, midStream = 0;
    for (int run = 0; run < 200; ++run) {
      const int us = int(rng.bounded(0, 40'000));
      const QStringList lines = runAndKill({db, QString::number(run)}, "opened", us);
      QVERIFY2(!lines.contains(QStringLiteral("!not started")) && !lines.contains(QStringLiteral("!no mark")),
               "writer did not start");
      ++kills;
      qint64 open = 0;
      for (const QString &l : lines) {
        const QStringList f = l.split(QLatin1Char(' '));
        if (f[0] == QLatin1String("ack"))
          acked.insert(f[1]);
        else if (f[0] == QLatin1String("stream")) {
          streamed[f[1].toLongLong()] = f[2].toInt();
          open = f[1].toLongLong();
        } else if (f[0] == QLatin1String("done")) {
          finished.insert(f[1].toLongLong());
          open = 0;
        }
      }
      if (open)
        ++midStream;
      QCOMPARE(integrity(db), QStringLiteral("ok"));

      // Every acknowledged message is present.
      auto conn = *sql::Database::open(db, sql::Database::Mode::ReadOnly);
      QSet<QString> present;
      sql::Statement st(conn, "SELECT content FROM messages WHERE role = 'user'");
      while (auto row = st.step()) {
        if (!*row)
          break;
        present.insert(st.text(0));
      }
      for (const QString &a : std::as_const(acked))
        QVERIFY2(present.contains(a), qPrintable(QStringLiteral("run %1: acknowledged %2 lost").arg(run).arg(a)));
      // Streaming replies hold at least what was acknowledged, as a prefix.
      if (open) {
        sql::Statement r(conn, "SELECT content, state FROM messages WHERE id = ?1");
        r.bind(1, open);
        QVERIFY(*r.step());
        QVERIFY(r.text(0).size() >= streamed[open]);
        QVERIFY(r.text(0).startsWith(QStringLiteral("t0 t1 t2 t3 ")));
        // Streaming until the next open; or complete when the kill came after the reply
        // was finished on disk but before the writer said so.
        const qint64 state = r.integer(1);
        QVERIFY2(state == qint64(MessageState::Streaming) || state == qint64(MessageState::Complete),
                 qPrintable(QStringLiteral("reply %1 in state %2").arg(open).arg(state)));
        if (state == qint64(MessageState::Complete))
          finished.insert(open);
      }
    }
    // The next open marks every unfinished reply interrupted, the finished ones complete.
    ConversationStore store;
    QVERIFY(store.open(db));
    for (auto it = streamed.cbegin(); it != streamed.cend(); ++it) {
      auto m = store.message(it.key());
      QVERIFY(m);
      QCOMPARE(m->state, finished.contains(it.key()) ? MessageState::Complete : MessageState::Interrupted);
    }
    qInfo("%d kills, %d during a streaming reply, %lld messages acknowledged", kills, midStream,
          static_cast<long long>(acked.size()));
    QVERIFY(midStream > 20); // the kills really hit replies mid-stream
  }

  void killedMigrationIsOldOrNew()
  {
    QTemporaryDir dir;
    QRandomGenerator rng(7);
    int migrated = 0, untouched = 0;
    for (int i = 0; i < 40; ++i) {
      const QString db = dir.filePath(QStringLiteral("m%1.db").arg(i));
      { // an empty version-0 database (a file with no tables), as a first start finds
        auto c = *sql::Database::open(db);
        QVERIFY(c.exec("PRAGMA user_version = 0; CREATE TABLE t(x); DROP TABLE t;"));
      }
      // From "starting" the open (with the migration and its fsyncs) takes tens of milliseconds.
      runAndKill({db, QStringLiteral("migrate-only")}, "starting", int(rng.bounded(0, 60000)));
      auto c = *sql::Database::open(db);
      QCOMPARE(*c.scalarText("PRAGMA integrity_check"), QStringLiteral("ok"));
      const qint64 version = *c.scalarInt("PRAGMA user_version");
      const qint64 tables = *c.scalarInt("SELECT count(*) FROM sqlite_master");
      if (version == 0) {
        QCOMPARE(tables, 0);
        ++untouched;
      } else {
        QCOMPARE(version, qint64(store::k_schemaVersion));
        QVERIFY(tables > 10);
        QCOMPARE(*c.scalarInt("SELECT count(*) FROM sqlite_master WHERE name = 'title_fts'"), 1);
        ++migrated;
      }
    }
    qInfo("%d migrated, %d still at version 0", migrated, untouched);
    QVERIFY(migrated > 0);
  }
};

QTEST_GUILESS_MAIN(TestStoreCrash)
#include "tst_store_crash.moc"
