// `hearth chat` and `hearth bench`, run as the real binary: a greeting answered by the
// demo model, the same seed giving the same reply, bench's llama-bench-style JSON, and
// a missing model as a one-line error.
#include "models/synthetic.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {

struct Run {
  int exitCode = -1;
  QString out;
  QString err;
};

Run runHearth(const QStringList &args, int timeoutMs = 300000)
{
  QProcess p;
  p.start(QStringLiteral(HEARTH_BINARY), args);
  if (!p.waitForFinished(timeoutMs))
    qFatal("hearth %s did not finish", qPrintable(args.join(u' ')));
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
          QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

QString demoModel()
{
  return QString::fromLocal8Bit(qgetenv("HEARTH_DEMO_MODEL"));
}

} // namespace

class TestChatBenchCommands : public QObject {
  Q_OBJECT

private slots:
  void chatAnswersAGreeting()
  {
    QVERIFY2(QFile::exists(demoModel()), "the demo model is missing (packaging/fetch-demo-model.sh)");
    const Run r = runHearth({QStringLiteral("chat"), QStringLiteral("--model"), demoModel(), QStringLiteral("--message"),
                          QStringLiteral("Hello! Who are you?"), QStringLiteral("--temperature"), QStringLiteral("0"),
                          QStringLiteral("--max-tokens"), QStringLiteral("24")});
    qInfo("reply: %s", qPrintable(r.out.trimmed()));
    qInfo("stats: %s", qPrintable(r.err.trimmed()));
    QCOMPARE(r.exitCode, 0);
    // A greeting back, in words: the demo model greets and offers help.
    QVERIFY2(r.out.contains(QStringLiteral("Hello"), Qt::CaseInsensitive) ||
                 r.out.contains(QStringLiteral("help"), Qt::CaseInsensitive),
             qPrintable(r.out));
    QVERIFY(r.err.contains(QStringLiteral("prompt tokens")));
  }

  void sameSeedSameReply()
  {
    const QStringList args{QStringLiteral("chat"), QStringLiteral("--model"), demoModel(), QStringLiteral("--message"),
                           QStringLiteral("Name a colour."), QStringLiteral("--temperature"), QStringLiteral("1.0"),
                           QStringLiteral("--seed"), QStringLiteral("42"), QStringLiteral("--max-tokens"), QStringLiteral("10")};
    const Run a = runHearth(args);
    const Run b = runHearth(args);
    QCOMPARE(a.exitCode, 0);
    QVERIFY(!a.out.trimmed().isEmpty());
    QCOMPARE(a.out, b.out);
  }

  void benchPrintsLlamaBenchJson()
  {
    QTemporaryDir dir;
    const QString model = dir.filePath(QStringLiteral("tiny.gguf"));
    hearth::models::SyntheticSpec spec;
    QVERIFY(hearth::models::writeSyntheticModel(model.toStdString(), spec).has_value());
    const Run r = runHearth({QStringLiteral("bench"), QStringLiteral("--model"), model, QStringLiteral("-p"),
                          QStringLiteral("16"), QStringLiteral("-n"), QStringLiteral("4"), QStringLiteral("--reps"),
                          QStringLiteral("2"), QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 0);
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(r.out.toUtf8(), &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString() + u'\n' + r.out));
    const QJsonArray records = doc.array();
    QCOMPARE(records.size(), 2);
    const QJsonObject pp = records[0].toObject(), tg = records[1].toObject();
    for (const QJsonObject &o : {pp, tg}) {
      for (const char *key :
           {"model", "backend", "device", "n_prompt", "n_gen", "n_depth", "avg_ts", "stddev_ts", "samples_ts"})
        QVERIFY2(o.contains(QLatin1String(key)), key);
      QCOMPARE(o[QStringLiteral("samples_ts")].toArray().size(), 2);
      QVERIFY(o[QStringLiteral("avg_ts")].toDouble() > 0);
    }
    QCOMPARE(pp[QStringLiteral("n_prompt")].toInt(), 16);
    QCOMPARE(pp[QStringLiteral("n_gen")].toInt(), 0);
    QCOMPARE(tg[QStringLiteral("n_prompt")].toInt(), 0);
    QCOMPARE(tg[QStringLiteral("n_gen")].toInt(), 4);
    QCOMPARE(pp[QStringLiteral("n_depth")].toInt(), 0);

    // -d: the runs start 8 tokens deep (the table names the depth).
    const Run deep = runHearth({QStringLiteral("bench"), QStringLiteral("--model"), model, QStringLiteral("-p"),
                                QStringLiteral("16"), QStringLiteral("-n"), QStringLiteral("4"), QStringLiteral("-d"),
                                QStringLiteral("8"), QStringLiteral("--reps"), QStringLiteral("1")});
    QCOMPARE(deep.exitCode, 0);
    QVERIFY2(deep.out.contains(QStringLiteral("pp16 @ d8")) && deep.out.contains(QStringLiteral("tg4 @ d8")),
             qPrintable(deep.out));
  }

  void missingModelIsOneLineError()
  {
    for (const QString &command : {QStringLiteral("chat"), QStringLiteral("bench")}) {
      const Run r = runHearth({command, QStringLiteral("--model"), QStringLiteral("/nonexistent/model.gguf"),
                            QStringLiteral("--message"), QStringLiteral("hi")});
      QCOMPARE(r.exitCode, 1);
      QCOMPARE(r.err.trimmed().count(u'\n'), 0);
      QVERIFY(r.err.startsWith(QStringLiteral("hearth: ")));
    }
  }
};

QTEST_GUILESS_MAIN(TestChatBenchCommands)
#include "tst_chat_bench_commands.moc"
