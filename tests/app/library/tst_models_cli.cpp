// `hearth models ...` end to end: the real executable against the local fake Hub.
// A pull killed half-way resumes when run again and fetches only the rest.
#include "FakeHub.h"

#include <QCryptographicHash>
#include <QFileInfo>
#include <QProcess>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

namespace {
const QString k_repo = QStringLiteral("hearth-test/Cli-GGUF");
const QString k_file = QStringLiteral("cli-Q8_0.gguf");
}

class ModelsCliTest : public QObject {
  Q_OBJECT
  FakeHub m_hub;
  QTemporaryDir m_data;
  QByteArray m_content;

  QString m_endpoint; // empty: the fake Hub

  QProcess *start(const QStringList &args)
  {
    auto *p = new QProcess(this);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("HEARTH_DATA_DIR"), m_data.path());
    env.insert(QStringLiteral("HEARTH_HF_ENDPOINT"), m_endpoint.isEmpty() ? m_hub.url() : m_endpoint);
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    p->setProcessEnvironment(env);
    p->start(QStringLiteral(HEARTH_EXE), QStringList{QStringLiteral("models")} + args);
    return p;
  }
  // Runs to the end while this process keeps serving HTTP.
  int run(const QStringList &args, QByteArray *out = nullptr, QByteArray *err = nullptr)
  {
    QProcess *p = start(args);
    [&] { QTRY_VERIFY_WITH_TIMEOUT(p->state() == QProcess::NotRunning, 20000); }();
    if (out) *out = p->readAllStandardOutput();
    if (err) *err = p->readAllStandardError();
    const int code = p->exitStatus() == QProcess::NormalExit ? p->exitCode() : -1;
    p->deleteLater();
    return code;
  }
  QString modelPath() const { return m_data.path() + QStringLiteral("/models/") + k_file; }

private slots:
  void initTestCase()
  {
    QVERIFY(m_hub.start());
    m_content.resize(400 * 1024);
    QRandomGenerator rng(3);
    for (auto &c : m_content)
      c = char(rng.generate());
    m_hub.addFile(k_repo, k_file, m_content);
  }

  void pullKilledThenResumed()
  {
    HubFaults &f = m_hub.faults(k_repo, k_file);
    f.chunkBytes = 8 * 1024;
    f.chunkDelayMs = 10;
    QProcess *p = start({QStringLiteral("pull"), k_repo, k_file});
    const QString part = modelPath() + QStringLiteral(".part");
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(part).size() >= 100 * 1024, 20000);
    p->kill(); // like Ctrl-C or a crash
    QVERIFY(p->waitForFinished(5000));
    const qint64 onDisk = QFileInfo(part).size();
    QVERIFY(onDisk < m_content.size());
    QVERIFY(!QFileInfo::exists(modelPath()));

    f.chunkDelayMs = 0;
    QByteArray out, err;
    QCOMPARE(run({QStringLiteral("pull"), k_repo, k_file}, &out, &err), 0);
    QVERIFY2(out.contains("installed"), out.constData());
    QFile model(modelPath());
    QVERIFY(model.open(QIODevice::ReadOnly));
    QCOMPARE(model.readAll(), m_content);
    const auto requests = m_hub.fileRequests(k_file);
    QCOMPARE(requests.last().rangeStart, onDisk);
    QCOMPARE(requests.last().bodyBytes, m_content.size() - onDisk);
  }

  void pullFailureIsOneLineAndNonZero()
  {
    m_hub.addFile(k_repo, QStringLiteral("bad.gguf"), QByteArray(5000, 'b'));
    m_hub.faults(k_repo, QStringLiteral("bad.gguf")).flipByteAt = 10;
    QByteArray err;
    QCOMPARE(run({QStringLiteral("pull"), k_repo, QStringLiteral("bad.gguf")}, nullptr, &err), 1);
    const QList<QByteArray> lines = err.trimmed().split('\n');
    QVERIFY2(lines.last().startsWith("hearth: SHA-256 mismatch"), err.constData());
    QVERIFY(!QFileInfo::exists(m_data.path() + QStringLiteral("/models/bad.gguf")));
    QCOMPARE(run({QStringLiteral("pull")}), 2);
  }

  void searchAndOffline()
  {
    m_hub.setSearchAnswer(R"([{"id":"bartowski/SmolLM2-135M-Instruct-GGUF","downloads":42}])");
    QByteArray out;
    QCOMPARE(run({QStringLiteral("search"), QStringLiteral("smollm2")}, &out), 0);
    QVERIFY2(out.contains("bartowski/SmolLM2-135M-Instruct-GGUF"), out.constData());

    QTcpServer closed; // a port nobody listens on
    QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
    m_endpoint = QStringLiteral("http://127.0.0.1:%1").arg(closed.serverPort());
    closed.close();
    QByteArray err;
    QCOMPARE(run({QStringLiteral("search"), QStringLiteral("smollm2")}, nullptr, &err), 1);
    m_endpoint.clear();
    QVERIFY2(err.startsWith("hearth: offline"), err.constData());
  }

  void importListRemove()
  {
    QByteArray out, err;
    const QString demo = qEnvironmentVariable("HEARTH_DEMO_MODEL");
    QVERIFY2(QFileInfo::exists(demo), "demo model missing: run packaging/fetch-demo-model.sh");
    QCOMPARE(run({QStringLiteral("import"), demo, QStringLiteral("--link")}, &out, &err), 0);
    QCOMPARE(run({QStringLiteral("list")}, &out), 0);
    QVERIFY2(out.contains("SmolLM2-135M-Instruct.Q4_1.gguf  llama"), out.constData());
    QVERIFY2(out.contains("Q4_1, context 8192"), out.constData());

    const QString junk = m_data.path() + QStringLiteral("/junk.gguf");
    QFile j(junk);
    QVERIFY(j.open(QIODevice::WriteOnly));
    j.write("GGUF\x03\0\0\0", 8);
    j.close();
    QCOMPARE(run({QStringLiteral("import"), junk}, nullptr, &err), 1);
    QVERIFY2(err.startsWith("hearth: [gguf]"), err.constData());

    QCOMPARE(run({QStringLiteral("rm"), QStringLiteral("SmolLM2-135M-Instruct.Q4_1.gguf")}), 2); // no tty, no --yes
    QCOMPARE(run({QStringLiteral("rm"), QStringLiteral("SmolLM2-135M-Instruct.Q4_1.gguf"), QStringLiteral("--yes")}), 0);
    QVERIFY(QFileInfo::exists(demo)); // the link went, not the file
    QCOMPARE(run({QStringLiteral("rm"), QStringLiteral("nothing.gguf"), QStringLiteral("--yes")}), 1);
  }
};

QTEST_GUILESS_MAIN(ModelsCliTest)
#include "tst_models_cli.moc"
