// End to end: the real hearth executable with the demo model under the display that
// `make test` provides (Xvfb; offscreen when there is none). Run 1 types a message in the
// window, presses Enter and waits for the streamed reply to finish, then sends a second
// one and presses Esc while it streams, taking screenshots (empty, streaming, finished,
// dark, stopped). Run 2 restarts on the same data dir: the conversation is listed, found
// by a word of the message through full-text search, both replies are in its history
// (the second marked cancelled), and Ctrl+E exports it to a Markdown file that holds
// both replies' text.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

namespace {

struct Run {
  int exitCode = -1;
  QJsonObject result;
  QString log;
};

Run runHearth(const QString &dataDir, const QString &out, const QString &script,
              const QStringList &args, const QStringList &extraEnv)
{
  QProcess p;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert(QStringLiteral("HEARTH_DATA_DIR"), dataDir);
  env.insert(QStringLiteral("XDG_CONFIG_HOME"), dataDir + QStringLiteral("/config"));
  env.insert(QStringLiteral("HEARTH_UI_SCRIPT"), script);
  env.insert(QStringLiteral("HEARTH_UI_OUT"), out);
  env.insert(QStringLiteral("HEARTH_UI_TIMEOUT_S"), QStringLiteral("400"));
  if (env.value(QStringLiteral("DISPLAY")).isEmpty() && env.value(QStringLiteral("WAYLAND_DISPLAY")).isEmpty()) {
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("QT_QUICK_BACKEND"), QStringLiteral("software"));
  }
  for (const QString &kv : extraEnv)
    env.insert(kv.section(QLatin1Char('='), 0, 0), kv.section(QLatin1Char('='), 1));
  p.setProcessEnvironment(env);
  p.setProcessChannelMode(QProcess::MergedChannels);
  p.start(QStringLiteral(HEARTH_EXE), args);
  Run r;
  if (!p.waitForFinished(450 * 1000)) {
    p.kill();
    p.waitForFinished();
  }
  r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  r.log = QString::fromUtf8(p.readAll());
  QFile f(out + QStringLiteral("/result.json"));
  if (f.open(QIODevice::ReadOnly))
    r.result = QJsonDocument::fromJson(f.readAll()).object();
  return r;
}

// Distinct colours in a sample grid: a blank (one-colour) window has 1.
int distinctColours(const QImage &image)
{
  QSet<QRgb> colours;
  for (int y = 0; y < image.height(); y += 4)
    for (int x = 0; x < image.width(); x += 4)
      colours.insert(image.pixel(x, y));
  return int(colours.size());
}

double meanLightness(const QImage &image)
{
  double sum = 0;
  int n = 0;
  for (int y = 0; y < image.height(); y += 8)
    for (int x = 0; x < image.width(); x += 8, ++n)
      sum += QColor(image.pixel(x, y)).lightnessF();
  return n ? sum / n : 0;
}

} // namespace

class TestEndToEnd : public QObject {
  Q_OBJECT
private slots:
  void sendRestartSearch();
};

void TestEndToEnd::sendRestartSearch()
{
  const QString model = qEnvironmentVariable("HEARTH_DEMO_MODEL");
  QVERIFY2(QFile::exists(model), qPrintable(QStringLiteral("demo model missing: ") + model));
  const QString root = qEnvironmentVariable("HEARTH_DATA_DIR", QDir::tempPath());
  QVERIFY(QDir().mkpath(root));
  QTemporaryDir data(root + QStringLiteral("/e2e-XXXXXX"));
  QVERIFY(data.isValid());
  const QString out = QStringLiteral(HEARTH_TEST_OUTPUT);
  QDir(out).removeRecursively();
  QVERIFY(QDir().mkpath(out + QStringLiteral("/run1")));
  QVERIFY(QDir().mkpath(out + QStringLiteral("/run2")));

  // Run 1: send, stream, finish.
  const Run first = runHearth(data.path(), out + QStringLiteral("/run1"), QStringLiteral("send"),
                              {QStringLiteral("--model"), model},
                              {QStringLiteral("HEARTH_UI_MESSAGE=Name one colour of the sky."),
                               QStringLiteral("HEARTH_UI_STOP_MESSAGE=Write a long story about a lighthouse."),
                               QStringLiteral("HEARTH_UI_MAX_TOKENS=8")});
  QVERIFY2(first.exitCode == 0, qPrintable(first.log.right(3000)));
  QCOMPARE(first.result.value(QStringLiteral("state")).toString(), QStringLiteral("complete"));
  QVERIFY2(!first.result.value(QStringLiteral("reply")).toString().trimmed().isEmpty(), qPrintable(first.log.right(2000)));
  const qint64 conversation = first.result.value(QStringLiteral("conversationId")).toInteger();
  QVERIFY(conversation > 0);
  QVERIFY(!first.result.value(QStringLiteral("title")).toString().isEmpty());
  // The second reply was stopped by Esc after three pieces, well before its 400 tokens.
  QCOMPARE(first.result.value(QStringLiteral("stoppedState")).toString(), QStringLiteral("cancelled"));
  const QString reply = first.result.value(QStringLiteral("reply")).toString().trimmed();
  const QString stopped = first.result.value(QStringLiteral("stoppedReply")).toString().trimmed();
  QVERIFY2(!stopped.isEmpty(), qPrintable(QJsonDocument(first.result).toJson()));

  for (const char *name : {"empty", "streaming", "finished", "dark", "stopped"}) {
    const QImage shot(out + QStringLiteral("/run1/") + QLatin1String(name) + QStringLiteral(".png"));
    QVERIFY2(!shot.isNull(), name);
    QVERIFY2(shot.width() >= 640 && shot.height() >= 480, name);
    QVERIFY2(distinctColours(shot) > 8, qPrintable(QStringLiteral("blank screenshot: ") + QLatin1String(name)));
  }
  const double light = meanLightness(QImage(out + QStringLiteral("/run1/finished.png")));
  const double dark = meanLightness(QImage(out + QStringLiteral("/run1/dark.png")));
  QVERIFY2(light > 0.8 && dark < 0.3, qPrintable(QStringLiteral("themes: light %1, dark %2").arg(light).arg(dark)));

  // Run 2: restart on the same data; the conversation is listed and found by search.
  const QString exported = out + QStringLiteral("/run2/exported/chat.md");
  const Run second = runHearth(data.path(), out + QStringLiteral("/run2"), QStringLiteral("check"), {},
                               {QStringLiteral("HEARTH_UI_SEARCH=colour"),
                                QStringLiteral("HEARTH_UI_OPEN=%1").arg(conversation),
                                QStringLiteral("HEARTH_UI_EXPORT=") + exported,
                                QStringLiteral("HEARTH_UI_DEMO=1")});
  QVERIFY2(second.exitCode == 0, qPrintable(second.log.right(3000)));
  bool listed = false;
  for (const QJsonValue &v : second.result.value(QStringLiteral("conversations")).toArray()) {
    const QJsonObject c = v.toObject();
    if (c.value(QStringLiteral("id")).toInteger() == conversation) {
      listed = true;
      QVERIFY(c.value(QStringLiteral("messages")).toInt() >= 2);
    }
  }
  QVERIFY2(listed, qPrintable(QJsonDocument(second.result).toJson()));
  bool found = false;
  for (const QJsonValue &v : second.result.value(QStringLiteral("searchHits")).toArray())
    found = found || v.toObject().value(QStringLiteral("conversationId")).toInteger() == conversation;
  QVERIFY2(found, qPrintable(QJsonDocument(second.result).toJson()));
  QVERIFY(second.result.value(QStringLiteral("settingsOpened")).toBool());
  for (const char *name : {"restart", "history", "settings", "export"}) {
    const QImage shot(out + QStringLiteral("/run2/") + QLatin1String(name) + QStringLiteral(".png"));
    QVERIFY2(!shot.isNull(), name);
    QVERIFY2(distinctColours(shot) > 8, qPrintable(QStringLiteral("blank screenshot: ") + QLatin1String(name)));
  }

  // Both replies are in the history after the restart: user, complete, user, cancelled.
  QStringList shape;
  QStringList contents;
  for (const QJsonValue &v : second.result.value(QStringLiteral("messages")).toArray()) {
    shape << v.toObject().value(QStringLiteral("role")).toString() + QLatin1Char('/') +
                 v.toObject().value(QStringLiteral("state")).toString();
    contents << v.toObject().value(QStringLiteral("content")).toString().trimmed();
  }
  QCOMPARE(shape, QStringList({"user/complete", "assistant/complete", "user/complete", "assistant/cancelled"}));
  QCOMPARE(contents.value(1), reply);
  QCOMPARE(contents.value(3), stopped);

  // Ctrl+E opened the export dialog, which wrote the conversation with both replies.
  QVERIFY2(second.result.value(QStringLiteral("exportOpened")).toBool(), qPrintable(second.log.right(2000)));
  QVERIFY2(second.result.value(QStringLiteral("exportSaved")).toBool(),
           qPrintable(second.result.value(QStringLiteral("exportError")).toString()));
  QFile md(exported);
  QVERIFY2(md.open(QIODevice::ReadOnly), qPrintable(exported));
  const QString text = QString::fromUtf8(md.readAll());
  QVERIFY2(text.contains(reply), qPrintable(text));
  QVERIFY2(text.contains(stopped), qPrintable(text));
  QVERIFY(text.contains(QStringLiteral("Name one colour of the sky.")));

  // Run 3: 200% scale at the smallest window size (800x600): the screenshot is twice the
  // size, and the header, search field, composer and its button lie inside the window
  // without overlapping.
  QVERIFY(QDir().mkpath(out + QStringLiteral("/scale2")));
  const Run scaled = runHearth(data.path(), out + QStringLiteral("/scale2"), QStringLiteral("check"), {},
                               {QStringLiteral("QT_SCALE_FACTOR=2"), QStringLiteral("HEARTH_UI_SIZE=800x600"),
                                QStringLiteral("HEARTH_UI_LAYOUT=1")});
  QVERIFY2(scaled.exitCode == 0, qPrintable(scaled.log.right(3000)));
  const QJsonObject layout = scaled.result.value(QStringLiteral("layout")).toObject();
  auto rectOf = [&](const char *name) {
    const QJsonObject o = layout.value(QLatin1String(name)).toObject();
    return QRectF(o.value(QStringLiteral("x")).toDouble(), o.value(QStringLiteral("y")).toDouble(),
                  o.value(QStringLiteral("w")).toDouble(), o.value(QStringLiteral("h")).toDouble());
  };
  const QRectF window = rectOf("window");
  QCOMPARE(window.size(), QSizeF(800, 600));
  QCOMPARE(layout.value(QStringLiteral("devicePixelRatio")).toDouble(), 2.0);
  for (const char *name : {"sidebar", "header", "headerModel", "settingsButton", "composer", "composerAction", "searchField"}) {
    const QRectF r = rectOf(name);
    QVERIFY2(!r.isEmpty(), name);
    QVERIFY2(window.contains(r), qPrintable(QStringLiteral("%1 outside the window: %2").arg(QLatin1String(name)).arg(QString::fromUtf8(QJsonDocument(layout).toJson()))));
  }
  QVERIFY(rectOf("header").bottom() <= rectOf("composer").top());
  QVERIFY(!rectOf("composerInput").intersects(rectOf("composerAction")));
  QVERIFY(!rectOf("headerModel").intersects(rectOf("settingsButton")));
  QVERIFY(rectOf("sidebar").right() <= rectOf("composer").left());
  const QImage scaledShot(out + QStringLiteral("/scale2/restart.png"));
  QCOMPARE(scaledShot.size(), QSize(1600, 1200));
  QVERIFY(distinctColours(scaledShot) > 8);

  // Without a model (run 2 names none and none is installed), a new chat's empty state
  // offers the packaged demo model; its button loads it and copies it into the models
  // folder for the next start.
  QVERIFY2(second.result.value(QStringLiteral("demoOffered")).toBool(), qPrintable(QJsonDocument(second.result).toJson()));
  QVERIFY2(second.result.value(QStringLiteral("demoLoaded")).toBool(), qPrintable(second.log.right(2000)));
  QCOMPARE(QFileInfo(second.result.value(QStringLiteral("loadedModel")).toString()).fileName(),
           QFileInfo(model).fileName());
  QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(data.path() + QStringLiteral("/models/") + QFileInfo(model).fileName()), 20000);
  for (const char *name : {"no-model", "demo-loaded"})
    QVERIFY2(distinctColours(QImage(out + QStringLiteral("/run2/") + QLatin1String(name) + QStringLiteral(".png"))) > 8, name);
}

QTEST_GUILESS_MAIN(TestEndToEnd)
#include "tst_e2e.moc"
