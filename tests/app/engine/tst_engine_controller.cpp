// EngineController drives the engine thread with queued requests: load with progress,
// streamed generation, cancel within one token, model switching, failures as messages,
// prompt shutdown, and a GUI thread that never waits on the engine.
#include "engine/EngineController.h"
#include "models/synthetic.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace hearth;

class TestEngineController : public QObject {
  Q_OBJECT

private slots:
  void initTestCase();
  void loadsWithProgressAndStreamsAReply();
  void guiThreadNeverStalls();
  void cancelStopsWithinOneToken();
  void switchingModelsUnloadsTheOldOne();
  void badFileFailsWithAMessage();
  void shutdownWhileGeneratingIsPrompt();

private:
  QString writeModel(const QString &name, uint64_t seed, uint32_t layers = 2);
  QTemporaryDir m_dir;
  QString m_model;
};

QString TestEngineController::writeModel(const QString &name, uint64_t seed, uint32_t layers)
{
  models::SyntheticSpec spec;
  spec.nLayer = layers;
  spec.nEmbd = 256;
  spec.nFf = 512;
  spec.nVocab = 1024;
  spec.seed = seed;
  const QString path = m_dir.filePath(name);
  auto s = models::writeSyntheticModel(path.toStdString(), spec);
  if (!s)
    qFatal("%s", s.error().message.c_str());
  return path;
}

void TestEngineController::initTestCase()
{
  QVERIFY(m_dir.isValid());
  m_model = writeModel(QStringLiteral("tiny.gguf"), 1);
}

static GenerationSettings settings(int maxTokens, double temperature = 1.0, qint64 seed = 3)
{
  GenerationSettings s;
  s.maxTokens = maxTokens;
  s.temperature = temperature;
  s.seed = seed;
  return s;
}

static const QList<ChatTurn> k_messages{{QStringLiteral("user"), QStringLiteral("Hello there")}};

void TestEngineController::loadsWithProgressAndStreamsAReply()
{
  EngineController engine;
  QSignalSpy loaded(&engine, &EngineController::loaded);
  QSignalSpy progress(&engine, &EngineController::loadProgressChanged);
  engine.load(m_model, 512, QStringLiteral("vulkan"));
  QCOMPARE(engine.state(), EngineController::Loading);
  QVERIFY(loaded.wait(60000));
  QCOMPARE(engine.state(), EngineController::Ready);
  QVERIFY(progress.count() >= 2);
  QCOMPARE(engine.loadProgress(), 1.0);
  QVERIFY(engine.backend().startsWith(QStringLiteral("Vulkan")));
  QCOMPARE(engine.contextLength(), 512);

  QSignalSpy pieces(&engine, &EngineController::textPiece);
  QSignalSpy finished(&engine, &EngineController::finished);
  const quint64 id = engine.generate(k_messages, settings(12));
  QCOMPARE(engine.state(), EngineController::Generating);
  QVERIFY(finished.wait(60000));
  QCOMPARE(finished.first().at(0).toULongLong(), id);
  const QVariantMap stats = finished.first().at(1).toMap();
  QVERIFY(stats.value(QStringLiteral("generatedTokens")).toInt() > 0);
  QVERIFY(pieces.count() > 0);
  for (const auto &p : pieces)
    QCOMPARE(p.at(0).toULongLong(), id);
  QCOMPARE(engine.state(), EngineController::Ready);
}

void TestEngineController::guiThreadNeverStalls()
{
  // A 5 ms timer on the GUI thread: the longest gap between its ticks while the engine
  // loads a model and generates 200 tokens is the longest stall.
  const QString bigger = writeModel(QStringLiteral("stall.gguf"), 2, 4);
  EngineController engine;
  QElapsedTimer clock;
  qint64 last = 0, longest = 0;
  QTimer tick;
  tick.setInterval(5);
  connect(&tick, &QTimer::timeout, [&] {
    const qint64 now = clock.nsecsElapsed();
    if (last)
      longest = std::max(longest, now - last);
    last = now;
  });
  clock.start();
  tick.start();
  QSignalSpy loaded(&engine, &EngineController::loaded);
  QSignalSpy finished(&engine, &EngineController::finished);
  engine.load(bigger, 1024, QStringLiteral("vulkan"));
  QVERIFY(loaded.wait(60000));
  engine.generate(k_messages, settings(200, 1.0, 11));
  QVERIFY(finished.wait(300000));
  tick.stop();
  const QVariantMap stats = finished.first().at(1).toMap();
  const double ms = double(longest) / 1e6;
  qInfo("longest GUI event-loop stall during load + %d tokens: %.1f ms (timer period 5 ms)",
        stats.value(QStringLiteral("generatedTokens")).toInt(), ms);
  // The target is 16 ms; on a loaded 2-core machine the scheduler alone can exceed it,
  // so the assertion only catches the GUI thread waiting on the engine (seconds).
  QVERIFY2(ms < 500.0, qPrintable(QStringLiteral("GUI thread stalled %1 ms").arg(ms)));
}

void TestEngineController::cancelStopsWithinOneToken()
{
  EngineController engine;
  QSignalSpy loaded(&engine, &EngineController::loaded);
  engine.load(m_model, 2048, QStringLiteral("vulkan"));
  QVERIFY(loaded.wait(60000));
  int piecesAfterCancel = 0;
  bool cancelled = false;
  connect(&engine, &EngineController::textPiece, this, [&] {
    if (cancelled)
      ++piecesAfterCancel;
    else {
      cancelled = true;
      engine.cancel();
    }
  });
  QSignalSpy finished(&engine, &EngineController::finished);
  engine.generate(k_messages, settings(1500));
  QVERIFY(finished.wait(120000));
  const QVariantMap stats = finished.first().at(1).toMap();
  QCOMPARE(stats.value(QStringLiteral("stopReason")).toString(), QStringLiteral("cancelled"));
  // Pieces already queued when cancel() ran may still arrive; the worker stops at the
  // next token, so the reply is far shorter than asked.
  qInfo("tokens generated after cancel was requested: %d (pieces delivered after: %d)",
        stats.value(QStringLiteral("generatedTokens")).toInt() - 1, piecesAfterCancel);
  QVERIFY(stats.value(QStringLiteral("generatedTokens")).toInt() < 50);

  // A request issued after the cancel runs normally.
  QSignalSpy again(&engine, &EngineController::finished);
  engine.generate(k_messages, settings(4));
  QVERIFY(again.wait(60000));
  QVERIFY(again.first().at(1).toMap().value(QStringLiteral("stopReason")).toString() != QStringLiteral("cancelled"));
}

void TestEngineController::switchingModelsUnloadsTheOldOne()
{
  const QString other = writeModel(QStringLiteral("other.gguf"), 5);
  EngineController engine;
  QSignalSpy loaded(&engine, &EngineController::loaded);
  engine.load(m_model, 512, QStringLiteral("vulkan"));
  QVERIFY(loaded.wait(60000));
  QCOMPARE(engine.modelPath(), m_model);
  engine.load(other, 512, QStringLiteral("vulkan"));
  QVERIFY(loaded.wait(60000));
  QCOMPARE(engine.modelPath(), other);
  QCOMPARE(engine.state(), EngineController::Ready);
  engine.unload();
  QTRY_COMPARE_WITH_TIMEOUT(engine.state(), EngineController::NoModel, 10000);
  QVERIFY(engine.modelPath().isEmpty());
}

void TestEngineController::badFileFailsWithAMessage()
{
  const QString bad = m_dir.filePath(QStringLiteral("bad.gguf"));
  QFile f(bad);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write("GGUF\x03\x00\x00\x00 this is not a model");
  f.close();
  EngineController engine;
  QSignalSpy failed(&engine, &EngineController::loadFailed);
  engine.load(bad);
  QVERIFY(failed.wait(30000));
  QVERIFY(failed.first().at(0).toString().contains(QStringLiteral("bad.gguf")));
  QCOMPARE(engine.state(), EngineController::Failed);

  QSignalSpy genFailed(&engine, &EngineController::failed);
  engine.generate(k_messages, settings(4));
  QVERIFY(genFailed.wait(10000));
}

void TestEngineController::shutdownWhileGeneratingIsPrompt()
{
  auto engine = std::make_unique<EngineController>();
  QSignalSpy loaded(engine.get(), &EngineController::loaded);
  QSignalSpy piece(engine.get(), &EngineController::textPiece);
  engine->load(m_model, 2048, QStringLiteral("vulkan"));
  QVERIFY(loaded.wait(60000));
  engine->generate(k_messages, settings(1500));
  QVERIFY(piece.wait(60000));
  QElapsedTimer t;
  t.start();
  engine.reset(); // cancel, quit, wait
  qInfo("shutdown while generating took %lld ms", t.elapsed());
  QVERIFY(t.elapsed() < 5000);
}

QTEST_MAIN(TestEngineController)
#include "tst_engine_controller.moc"
