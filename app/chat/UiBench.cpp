// UiScript's benchmark run (HEARTH_UI_SCRIPT=bench; tests/bench/ui_bench.sh drives it):
// with the model loaded and idle, the resident memory (VmRSS) and how much of it is the
// model file's mapping; then a 500-message conversation written through the store API,
// opened, and one reply streamed into it while each token's way to the screen is timed
// (the piece's arrival on the GUI thread -> the next frameSwapped) together with the
// render thread's share (beforeRendering -> frameSwapped). Writes bench.json.
#include "chat/UiScript.h"

#include "chat/ChatController.h"
#include "engine/EngineController.h"
#include "store/ConversationStore.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QQuickWindow>
#include <QTimer>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

namespace hearth {

namespace {

// kB of resident memory: the whole process, and the mappings of `file`.
std::pair<qint64, qint64> residentKb(const QString &file)
{
  qint64 total = 0;
  QFile status(QStringLiteral("/proc/self/status"));
  if (status.open(QIODevice::ReadOnly))
    for (const QByteArray &line : status.readAll().split('\n'))
      if (line.startsWith("VmRSS:"))
        total = line.mid(6).trimmed().split(' ').value(0).toLongLong();
  qint64 mapped = 0;
  QFile smaps(QStringLiteral("/proc/self/smaps"));
  const QByteArray target = QFileInfo(file).canonicalFilePath().toUtf8();
  if (smaps.open(QIODevice::ReadOnly) && !target.isEmpty()) {
    bool inside = false;
    for (const QByteArray &line : smaps.readAll().split('\n')) {
      if (!line.isEmpty() && (std::isxdigit(static_cast<unsigned char>(line.at(0))) && line.contains('-')))
        inside = line.endsWith(target);
      else if (inside && line.startsWith("Rss:"))
        mapped += line.mid(4).trimmed().split(' ').value(0).toLongLong();
    }
  }
  return {total, mapped};
}

QJsonObject summary(QList<double> ms)
{
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) { return ms.isEmpty() ? 0.0 : ms.at(qMin(qsizetype(q * ms.size()), ms.size() - 1)); };
  return {{QStringLiteral("count"), ms.size()}, {QStringLiteral("p50"), at(0.5)},
          {QStringLiteral("p95"), at(0.95)}, {QStringLiteral("max"), ms.isEmpty() ? 0.0 : ms.last()},
          {QStringLiteral("over16"), int(std::count_if(ms.begin(), ms.end(), [](double v) { return v > 16.0; }))}};
}

struct FrameClock {
  std::mutex lock;
  QElapsedTimer clock;
  double pieceAt = -1;   // ms, the oldest piece not yet on screen
  double renderAt = -1;  // ms, beforeRendering of the frame in flight
  QList<double> tokenToScreen;
  QList<double> render;
  bool on = false;
};

} // namespace

void UiScript::runBench()
{
  connect(m_engine, &EngineController::loadFailed, this, [this](const QString &error) {
    finish(3, {{QStringLiteral("error"), error}});
  });
  auto go = [this] {
    if (m_sent || m_engine->state() != EngineController::Ready)
      return;
    m_sent = true;
    QTimer::singleShot(2000, this, &UiScript::benchStream);
  };
  connect(m_engine, &EngineController::stateChanged, this, go);
  go();
}

void UiScript::benchStream()
{
  const auto [rss, mapped] = residentKb(m_engine->modelPath());
  const qint64 fileKb = QFileInfo(m_engine->modelPath()).size() / 1024;
  m_result = {{QStringLiteral("idleRssKb"), rss},
              {QStringLiteral("modelMappedRssKb"), mapped},
              {QStringLiteral("modelFileKb"), fileKb},
              {QStringLiteral("backend"), m_engine->backend()}};

  // 500 messages through the store API: 250 questions and Markdown answers.
  QElapsedTimer fill;
  fill.start();
  const qint64 c = *m_store->createConversation(QStringLiteral("Five hundred messages"));
  for (int i = 0; i < 250; ++i) {
    NewMessage u;
    u.role = QStringLiteral("user");
    u.content = QStringLiteral("Question %1: how does step %1 of the recipe work?").arg(i);
    (void)m_store->appendMessage(c, u);
    NewMessage a;
    a.role = QStringLiteral("assistant");
    a.content = QStringLiteral("## Step %1\n\nFirst, **mix** the flour and the water. Then:\n\n"
                               "- knead for %1 minutes\n- rest it, covered\n\n"
                               "```python\nfor i in range(%1):\n    knead(dough)\n```\n\nThat is all.")
                    .arg(i);
    (void)m_store->appendMessage(c, a);
  }
  m_result.insert(QStringLiteral("fill500Ms"), double(fill.elapsed()));
  m_chat->openConversation(c);

  auto clock = std::make_shared<FrameClock>();
  clock->clock.start();
  connect(m_window, &QQuickWindow::beforeRendering, this, [clock] {
    std::lock_guard g(clock->lock);
    clock->renderAt = double(clock->clock.nsecsElapsed()) / 1e6;
  }, Qt::DirectConnection);
  connect(m_window, &QQuickWindow::frameSwapped, this, [clock] {
    std::lock_guard g(clock->lock);
    const double now = double(clock->clock.nsecsElapsed()) / 1e6;
    if (!clock->on)
      return;
    if (clock->renderAt >= 0)
      clock->render.append(now - clock->renderAt);
    if (clock->pieceAt >= 0)
      clock->tokenToScreen.append(now - clock->pieceAt);
    clock->pieceAt = -1;
    clock->renderAt = -1;
  }, Qt::DirectConnection);
  connect(m_engine, &EngineController::textPiece, this, [clock] {
    std::lock_guard g(clock->lock);
    if (clock->on && clock->pieceAt < 0)
      clock->pieceAt = double(clock->clock.nsecsElapsed()) / 1e6;
  });
  connect(m_chat, &ChatController::replyFinished, this, [this, clock](qint64, const QString &state) {
    QTimer::singleShot(300, this, [this, clock, state] {
      {
        std::lock_guard g(clock->lock);
        clock->on = false;
        m_result.insert(QStringLiteral("replyState"), state);
        m_result.insert(QStringLiteral("tokenToScreenMs"), summary(clock->tokenToScreen));
        m_result.insert(QStringLiteral("renderMs"), summary(clock->render));
      } // unlocked: grabbing renders a frame
      shoot(QStringLiteral("bench"));
      finish(0, m_result);
    });
  });
  QTimer::singleShot(1500, this, [this, clock] { // the long conversation laid out first
    m_chat->setForcedSettings({{QStringLiteral("maxTokens"), 96}, {QStringLiteral("seed"), 3}});
    {
      std::lock_guard g(clock->lock);
      clock->on = true;
    }
    typeAndSend(QStringLiteral("Tell me a short story about bread."));
  });
}

} // namespace hearth
