// DownloadManager against a local server that imitates Hugging Face (FakeHub):
// complete downloads, pause/resume, resume after a restart, and the faults of
// reliability.md test 7. A file reaches the models directory only after its SHA-256
// matches; a resume asks for exactly the bytes that are not on disk yet.
#include "FakeHub.h"

#include "library/DownloadManager.h"

#include <QAbstractItemModelTester>
#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using hearth::library::Download;
using hearth::library::DownloadManager;
using State = Download::State;

namespace {

const QString k_repo = QStringLiteral("hearth-test/Tiny-GGUF");
const QString k_file = QStringLiteral("tiny-Q4_K_M.gguf");

QByteArray payload(qsizetype size, quint32 seed)
{
  QByteArray data(size, Qt::Uninitialized);
  QRandomGenerator rng(seed);
  for (qsizetype i = 0; i < size; ++i)
    data[i] = char(rng.generate() & 0xff);
  return data;
}

QByteArray readFile(const QString &path)
{
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool terminal(const Download *d)
{
  return d->state() == State::Completed || d->state() == State::Failed || d->state() == State::Cancelled;
}

} // namespace

class DownloadsTest : public QObject {
  Q_OBJECT
  std::unique_ptr<FakeHub> m_hub;
  std::unique_ptr<QTemporaryDir> m_dir;
  QByteArray m_content;

  std::unique_ptr<DownloadManager> manager()
  {
    auto m = std::make_unique<DownloadManager>(DownloadManager::Config{m_dir->path(), m_hub->url(), {}});
    m->setRetryPolicy(3, 10);
    return m;
  }
  HubFaults &faults() { return m_hub->faults(k_repo, k_file); }
  QString finalPath() const { return m_dir->filePath(k_file); }
  QString partPath() const { return finalPath() + QStringLiteral(".part"); }
  QString statePath() const { return finalPath() + QStringLiteral(".download.json"); }

  Download *runToEnd(DownloadManager &m)
  {
    const int row = m.download(k_repo, k_file);
    Download *d = m.at(row);
    [&] { QTRY_VERIFY_WITH_TIMEOUT(terminal(d), 15000); }();
    return d;
  }

  void verifyInstalled(const Download *d)
  {
    QCOMPARE(Download::stateName(d->state()), QStringLiteral("completed"));
    QCOMPARE(readFile(finalPath()), m_content);
    QVERIFY(!QFileInfo::exists(partPath()));
    QVERIFY(!QFileInfo::exists(statePath()));
  }

  void verifyNotInstalled() { QVERIFY(!QFileInfo::exists(finalPath())); }

private slots:
  void init()
  {
    m_hub = std::make_unique<FakeHub>();
    QVERIFY(m_hub->start());
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_content = payload(300 * 1024 + 17, 7);
    m_hub->addFile(k_repo, k_file, m_content);
  }

  void cleanup()
  {
    m_hub.reset();
    m_dir.reset();
  }

  void completeDownloadIsVerifiedAndInstalled()
  {
    auto m = manager();
    QAbstractItemModelTester tester(m.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy installed(m.get(), &DownloadManager::modelInstalled);
    Download *d = runToEnd(*m);
    verifyInstalled(d);
    QCOMPARE(installed.count(), 1);
    QCOMPARE(installed.at(0).at(0).toString(), finalPath());
    QCOMPARE(d->expectedSha256(), QCryptographicHash::hash(m_content, QCryptographicHash::Sha256).toHex());
    QCOMPARE(m_hub->fileRequests(k_file).size(), 1);
    QCOMPARE(m_hub->fileRequests(k_file).at(0).rangeStart, -1);
    QCOMPARE(m->data(m->index(0), DownloadManager::ProgressRole).toDouble(), 1.0);
    QCOMPARE(m->data(m->index(0), DownloadManager::StateRole).toString(), QStringLiteral("completed"));
  }

  void hashFromLinkedEtagWhenTreeHasNone()
  {
    faults().lfsInTree = false;
    auto m = manager();
    verifyInstalled(runToEnd(*m));
  }

  void noHashAnywhereIsRefused()
  {
    faults().lfsInTree = false;
    faults().linkedEtag = false;
    auto m = manager();
    Download *d = runToEnd(*m);
    QCOMPARE(d->state(), State::Failed);
    QVERIFY2(d->errorString().contains(QLatin1String("no SHA-256")), qPrintable(d->errorString()));
    verifyNotInstalled();
  }

  void pauseAndResumeFetchOnlyTheRest()
  {
    faults().chunkBytes = 8 * 1024;
    faults().chunkDelayMs = 5;
    auto m = manager();
    const int row = m->download(k_repo, k_file);
    Download *d = m->at(row);
    QTRY_VERIFY_WITH_TIMEOUT(d->received() >= 64 * 1024, 10000);
    m->pause(row);
    QCOMPARE(d->state(), State::Paused);
    const qint64 onDisk = QFileInfo(partPath()).size();
    QCOMPARE(onDisk, d->received());
    QVERIFY(onDisk < m_content.size());
    QTest::qWait(50); // nothing more arrives while paused
    QCOMPARE(QFileInfo(partPath()).size(), onDisk);

    m->resume(row);
    QTRY_VERIFY_WITH_TIMEOUT(terminal(d), 15000);
    verifyInstalled(d);
    const auto requests = m_hub->fileRequests(k_file);
    QCOMPARE(requests.size(), 2);
    QCOMPARE(requests.at(1).rangeStart, onDisk);            // resumed at the right offset
    QCOMPARE(requests.at(1).bodyBytes, m_content.size() - onDisk); // and fetched only the rest
  }

  void droppedConnectionResumesAtTheRightOffset()
  {
    faults().dropAfter = 100000;
    faults().dropTimes = 1;
    auto m = manager();
    Download *d = runToEnd(*m);
    verifyInstalled(d);
    const auto requests = m_hub->fileRequests(k_file);
    QCOMPARE(requests.size(), 2);
    QCOMPARE(requests.at(0).bodyBytes, 100000);
    QCOMPARE(requests.at(1).rangeStart, 100000);
    // At most the lost bytes are fetched again (none were lost: the close was clean).
    const qint64 lost = requests.at(0).bodyBytes - requests.at(1).rangeStart;
    QVERIFY(m_hub->bodyBytesServed(k_file) <= m_content.size() + lost);
    QCOMPARE(d->attempts(), 1);
  }

  void resumeAfterRestartingTheManager()
  {
    faults().chunkBytes = 8 * 1024;
    faults().chunkDelayMs = 5;
    qint64 onDisk = 0;
    {
      auto m = manager();
      Download *d = m->at(m->download(k_repo, k_file));
      QTRY_VERIFY_WITH_TIMEOUT(d->received() >= 64 * 1024, 10000);
    } // the app quits mid-download
    onDisk = QFileInfo(partPath()).size();
    QVERIFY(onDisk >= 64 * 1024);
    QVERIFY(QFileInfo::exists(statePath()));

    auto m = manager();
    QCOMPARE(m->rowCount(), 1);
    Download *d = m->at(0);
    QCOMPARE(d->state(), State::Paused);
    QCOMPARE(d->received(), onDisk);
    QCOMPARE(d->total(), qint64(m_content.size()));
    const qsizetype before = m_hub->requests().size();
    m->resume(0);
    QTRY_VERIFY_WITH_TIMEOUT(terminal(d), 15000);
    verifyInstalled(d);
    const auto requests = m_hub->fileRequests(k_file);
    QCOMPARE(requests.last().rangeStart, onDisk);
    QCOMPARE(requests.last().bodyBytes, m_content.size() - onDisk);
    QCOMPARE(m_hub->requests().size() - before, 1); // state file had size and hash: no tree call
  }

  void rangeAnsweredWith200RestartsFromZero()
  {
    faults().dropAfter = 120000;
    faults().dropTimes = 1;
    faults().ignoreRange = true;
    auto m = manager();
    Download *d = runToEnd(*m);
    verifyInstalled(d); // not 120000 stale bytes followed by the whole file
    QCOMPARE(d->restartsFromZero(), 1);
    const auto requests = m_hub->fileRequests(k_file);
    QCOMPARE(requests.size(), 2);
    QCOMPARE(requests.at(1).rangeStart, 120000);
    QCOMPARE(requests.at(1).status, 200);
  }

  void wrongContentRangeIsAnError()
  {
    faults().dropAfter = 120000;
    faults().dropTimes = 1;
    faults().wrongContentRange = true;
    auto m = manager();
    Download *d = runToEnd(*m);
    QCOMPARE(d->state(), State::Failed);
    QVERIFY2(d->errorString().contains(QLatin1String("Content-Range")), qPrintable(d->errorString()));
    verifyNotInstalled();
    QCOMPARE(QFileInfo(partPath()).size(), 120000); // what was good is kept
  }

  void shortBodyIsRefused()
  {
    faults().shortBody = m_content.size() / 2;
    auto m = manager();
    Download *d = runToEnd(*m);
    QCOMPARE(d->state(), State::Failed);
    QVERIFY2(d->errorString().contains(QLatin1String("bytes")), qPrintable(d->errorString()));
    verifyNotInstalled();
  }

  void truncatedEveryTimeGivesUpThenResumes()
  {
    faults().dropAfter = 50000;
    faults().dropTimes = 1000; // every request is cut at byte 50000
    auto m = manager();
    Download *d = runToEnd(*m);
    QCOMPARE(d->state(), State::Failed);
    QVERIFY2(d->errorString().contains(QLatin1String("gave up")), qPrintable(d->errorString()));
    verifyNotInstalled();
    QCOMPARE(QFileInfo(partPath()).size(), 50000);
    QCOMPARE(m_hub->fileRequests(k_file).size(), 4); // first try + 3 retries

    faults().dropTimes = 0; // the network is back
    m->resume(0);
    QTRY_VERIFY_WITH_TIMEOUT(terminal(d), 15000);
    verifyInstalled(d);
    QCOMPARE(m_hub->fileRequests(k_file).last().rangeStart, 50000);
  }

  void flippedByteIsRejectedAndDeleted()
  {
    faults().flipByteAt = 12345;
    auto m = manager();
    QSignalSpy failed(m.get(), &DownloadManager::downloadFailed);
    Download *d = runToEnd(*m);
    QCOMPARE(d->state(), State::Failed);
    QVERIFY2(d->errorString().contains(QLatin1String("SHA-256 mismatch")), qPrintable(d->errorString()));
    verifyNotInstalled();
    QVERIFY(!QFileInfo::exists(partPath()));
    QCOMPARE(failed.count(), 1);
  }

  void emptyBodyIsRefused()
  {
    faults().shortBody = 0;
    auto m = manager();
    Download *d = runToEnd(*m);
    QCOMPARE(d->state(), State::Failed);
    QVERIFY2(d->errorString().contains(QLatin1String("empty")), qPrintable(d->errorString()));
    verifyNotInstalled();
  }

  void fileListedAsEmptyIsRefused()
  {
    faults().listedSize = 0;
    auto m = manager();
    Download *d = runToEnd(*m);
    QCOMPARE(d->state(), State::Failed);
    verifyNotInstalled();
    QCOMPARE(m_hub->fileRequests(k_file).size(), 0);
  }

  void diskFullStopsAndKeepsThePartial()
  {
    auto m = manager();
    const qint64 quota = 100 * 1024;
    faults().chunkBytes = 16 * 1024;
    faults().chunkDelayMs = 1;
    m->setDiskLimit(m_content.size()); // enough to start...
    const int row = m->download(k_repo, k_file);
    Download *d = m->at(row);
    bool filled = false;
    connect(d, &Download::changed, this, [&] { // ...then the disk fills up
      if (!filled && d->received() > 0) {
        filled = true;
        m->setDiskLimit(quota - d->received());
      }
    });
    QTRY_VERIFY_WITH_TIMEOUT(terminal(d), 15000);
    QCOMPARE(d->state(), State::Failed);
    QVERIFY2(d->errorString().contains(QLatin1String("disk full")), qPrintable(d->errorString()));
    verifyNotInstalled();
    QCOMPARE(QFileInfo(partPath()).size(), quota);
    QCOMPARE(readFile(partPath()), m_content.left(quota));

    m->setDiskLimit(-1); // space freed
    m->resume(row);
    QTRY_VERIFY_WITH_TIMEOUT(terminal(d), 15000);
    verifyInstalled(d);
  }

  void notEnoughFreeSpaceBeforeStarting()
  {
    auto m = manager();
    m->setDiskLimit(m_content.size() - 1);
    Download *d = runToEnd(*m);
    QCOMPARE(d->state(), State::Failed);
    QVERIFY2(d->errorString().contains(QLatin1String("free space")), qPrintable(d->errorString()));
    QCOMPARE(m_hub->fileRequests(k_file).size(), 0);
    verifyNotInstalled();
  }

  void severalDownloadsAtOnce()
  {
    const QString other = QStringLiteral("other-Q8_0.gguf");
    const QByteArray otherContent = payload(200 * 1024, 11);
    m_hub->addFile(k_repo, other, otherContent);
    faults().chunkBytes = 16 * 1024;
    faults().chunkDelayMs = 2;
    m_hub->faults(k_repo, other) = faults();
    auto m = manager();
    Download *a = m->at(m->download(k_repo, k_file));
    Download *b = m->at(m->download(k_repo, other));
    QCOMPARE(m->rowCount(), 2);
    QTRY_VERIFY_WITH_TIMEOUT(m->activeCount() == 2 && a->received() > 0 && b->received() > 0, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(terminal(a) && terminal(b), 15000);
    verifyInstalled(a);
    QCOMPARE(readFile(m_dir->filePath(other)), otherContent);
    QCOMPARE(m->activeCount(), 0);
  }

  void speedAndEtaWhileDownloading()
  {
    faults().chunkBytes = 4 * 1024;
    faults().chunkDelayMs = 5;
    auto m = manager();
    Download *d = m->at(m->download(k_repo, k_file));
    QTRY_VERIFY_WITH_TIMEOUT(d->bytesPerSecond() > 0, 10000);
    QVERIFY(d->etaSeconds() >= 0);
    QVERIFY(m->data(m->index(0), DownloadManager::SpeedRole).toDouble() > 0);
    m->cancel(0);
    QCOMPARE(m->rowCount(), 0);
    QVERIFY(!QFileInfo::exists(partPath()));
    QVERIFY(!QFileInfo::exists(statePath()));
  }

  void alreadyInstalledIsNotOverwritten()
  {
    QFile existing(finalPath());
    QVERIFY(existing.open(QIODevice::WriteOnly));
    existing.write("keep me");
    existing.close();
    auto m = manager();
    Download *d = runToEnd(*m);
    QCOMPARE(d->state(), State::Failed);
    QCOMPARE(readFile(finalPath()), QByteArray("keep me"));
  }

  void tokenIsSentWhenSet()
  {
    auto m = manager();
    m->setToken(QStringLiteral("hf_secret"));
    verifyInstalled(runToEnd(*m));
    for (const auto &r : m_hub->requests())
      QCOMPARE(r.authorization, QByteArray("Bearer hf_secret"));
  }

  void tokenStaysWithTheHub()
  {
    // The Hub redirects file downloads to another origin (its CDN): the token goes to the
    // Hub only, never to the host it redirects to.
    FakeHub cdn;
    QVERIFY(cdn.start());
    cdn.addFile(k_repo, k_file, m_content);
    faults().redirectTo = cdn.url();
    auto m = manager();
    m->setToken(QStringLiteral("hf_secret"));
    verifyInstalled(runToEnd(*m));
    QVERIFY(!m_hub->fileRequests(k_file).isEmpty());
    for (const auto &r : m_hub->requests())
      QCOMPARE(r.authorization, QByteArray("Bearer hf_secret"));
    QVERIFY(!cdn.requests().isEmpty());
    for (const auto &r : cdn.requests())
      QVERIFY2(r.authorization.isEmpty(), r.authorization.constData());
  }

  void badNamesAreRefused()
  {
    auto m = manager();
    Download *d = m->at(m->download(k_repo, QStringLiteral("../../evil.gguf")));
    QCOMPARE(d->state(), State::Failed);
    Download *e = m->at(m->download(QStringLiteral("not a repo"), k_file));
    QCOMPARE(e->state(), State::Failed);
    QCOMPARE(m_hub->requests().size(), 0);
  }
};

QTEST_GUILESS_MAIN(DownloadsTest)
#include "tst_downloads.moc"
