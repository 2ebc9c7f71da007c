// HubSearch against the local fake Hub: search results, a repository's .gguf files,
// and "offline" when nothing answers (the catalog does not depend on it).
#include "FakeHub.h"

#include "library/HubSearch.h"

#include <QAbstractItemModelTester>
#include <QTcpServer>
#include <QTest>

using hearth::library::HubSearch;

class HubSearchTest : public QObject {
  Q_OBJECT
private slots:
  void searchListsRepositories()
  {
    FakeHub hub;
    QVERIFY(hub.start());
    hub.setSearchAnswer(R"([{"id":"bartowski/Qwen2.5-0.5B-Instruct-GGUF","downloads":1200,"likes":6},
                            {"id":"../etc","downloads":1},
                            {"id":"Qwen/Qwen2.5-0.5B-Instruct-GGUF","downloads":900,"likes":30}])");
    HubSearch search(hub.url());
    QAbstractItemModelTester tester(&search, QAbstractItemModelTester::FailureReportingMode::QtTest);
    search.search(QStringLiteral("qwen 0.5b"));
    QCOMPARE(search.status(), HubSearch::Searching);
    QTRY_COMPARE(search.status(), HubSearch::Ready);
    QCOMPARE(search.rowCount(), 2); // the malformed id is dropped
    QCOMPARE(search.data(search.index(0), HubSearch::RepoRole).toString(),
             QStringLiteral("bartowski/Qwen2.5-0.5B-Instruct-GGUF"));
    QCOMPARE(search.data(search.index(1), HubSearch::DownloadsRole).toLongLong(), 900);
    const ServedRequest &r = hub.requests().last();
    QCOMPARE(r.path, QStringLiteral("/api/models"));
  }

  void listFilesShowsOnlyGguf()
  {
    FakeHub hub;
    QVERIFY(hub.start());
    hub.addFile(QStringLiteral("a/b-GGUF"), QStringLiteral("b-Q4_K_M.gguf"), QByteArray(1000, 'x'));
    hub.addFile(QStringLiteral("a/b-GGUF"), QStringLiteral("README.md"), "hello");
    HubSearch search(hub.url());
    search.listFiles(QStringLiteral("a/b-GGUF"));
    QTRY_COMPARE(search.files().size(), 1);
    const QVariantMap f = search.files().at(0).toMap();
    QCOMPARE(f.value(QStringLiteral("path")).toString(), QStringLiteral("b-Q4_K_M.gguf"));
    QCOMPARE(f.value(QStringLiteral("size")).toLongLong(), 1000);
    QCOMPARE(f.value(QStringLiteral("sha256")).toString().size(), 64);
    QCOMPARE(search.filesRepo(), QStringLiteral("a/b-GGUF"));
  }

  void offlineIsReported()
  {
    QTcpServer closed; // take a free port, then close it: nothing listens there
    QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
    const QString url = QStringLiteral("http://127.0.0.1:%1").arg(closed.serverPort());
    closed.close();
    HubSearch search(url);
    search.search(QStringLiteral("llama"));
    QTRY_COMPARE(search.status(), HubSearch::Offline);
    QVERIFY(search.errorString().contains(QLatin1String("offline")));
    QCOMPARE(search.rowCount(), 0);
  }
};

QTEST_GUILESS_MAIN(HubSearchTest)
#include "tst_hubsearch.moc"
