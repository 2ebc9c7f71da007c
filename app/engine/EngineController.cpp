#include "engine/EngineController.h"

#include "engine/EngineWorker.h"

namespace hearth {

EngineController::EngineController(QObject *parent)
    : QObject(parent)
{
  qRegisterMetaType<GenerationRequest>();
  qRegisterMetaType<GenerationResult>();
  qRegisterMetaType<LoadedModelInfo>();

  m_thread.setObjectName(QStringLiteral("hearth-engine"));
  m_worker = new EngineWorker(&m_cancel);
  m_worker->moveToThread(&m_thread);
  connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);

  connect(this, &EngineController::requestLoad, m_worker, &EngineWorker::load, Qt::QueuedConnection);
  connect(this, &EngineController::requestUnload, m_worker, &EngineWorker::unload, Qt::QueuedConnection);
  connect(this, &EngineController::requestGenerate, m_worker, &EngineWorker::generate, Qt::QueuedConnection);

  connect(m_worker, &EngineWorker::loadProgress, this, [this](double fraction) {
    m_loadProgress = fraction;
    emit loadProgressChanged();
  }, Qt::QueuedConnection);
  connect(m_worker, &EngineWorker::loaded, this, [this](const LoadedModelInfo &info) {
    m_model = info;
    m_loadProgress = 1.0;
    emit loadProgressChanged();
    emit modelChanged();
    setState(m_pending > 0 ? Generating : Ready);
    emit loaded();
  }, Qt::QueuedConnection);
  connect(m_worker, &EngineWorker::loadFailed, this, [this](const QString &error) {
    m_model = {};
    emit modelChanged();
    setError(error);
    setState(Failed);
    emit loadFailed(error);
  }, Qt::QueuedConnection);
  connect(m_worker, &EngineWorker::unloaded, this, [this] {
    m_model = {};
    emit modelChanged();
    if (m_state != Loading)
      setState(NoModel);
  }, Qt::QueuedConnection);
  connect(m_worker, &EngineWorker::textPiece, this, &EngineController::textPiece, Qt::QueuedConnection);
  connect(m_worker, &EngineWorker::reasoningPiece, this, &EngineController::reasoningPiece, Qt::QueuedConnection);
  connect(m_worker, &EngineWorker::finished, this, [this](const GenerationResult &result) {
    m_pending = std::max(0, m_pending - 1);
    if (m_pending == 0 && m_state == Generating)
      setState(Ready);
    emit finished(result.id, resultToMap(result));
    emit generationFinished(result);
  }, Qt::QueuedConnection);
  connect(m_worker, &EngineWorker::failed, this, [this](quint64 id, const QString &error) {
    m_pending = std::max(0, m_pending - 1);
    setError(error);
    if (m_pending == 0 && m_state == Generating)
      setState(m_model.path.isEmpty() ? NoModel : Ready);
    emit failed(id, error);
  }, Qt::QueuedConnection);

  m_thread.start();
}

EngineController::~EngineController()
{
  shutdown();
}

void EngineController::shutdown()
{
  if (!m_thread.isRunning())
    return;
  cancel();
  m_cancel.loading.store(true);
  m_thread.quit();
  m_thread.wait();
}

void EngineController::load(const QString &path, int contextLength, const QString &backend)
{
  cancel();                        // a reply in progress stops first
  m_cancel.loading.store(false);
  m_loadProgress = 0;
  emit loadProgressChanged();
  setError({});
  setState(Loading);
  emit requestLoad(path, contextLength, backend);
}

void EngineController::unload()
{
  cancel();
  m_cancel.loading.store(true);
  emit requestUnload();
}

quint64 EngineController::generate(const QVariantList &messages, const QVariantMap &settings)
{
  QList<ChatTurn> turns;
  for (const QVariant &v : messages) {
    const QVariantMap m = v.toMap();
    turns.append({m.value(QStringLiteral("role")).toString(), m.value(QStringLiteral("content")).toString()});
  }
  return generate(turns, settingsFromMap(settings));
}

quint64 EngineController::generate(const QList<ChatTurn> &messages, const GenerationSettings &settings)
{
  GenerationRequest request{m_nextId++, messages, settings};
  ++m_pending;
  if (m_state == Ready)
    setState(Generating);
  emit requestGenerate(request);
  return request.id;
}

void EngineController::cancel()
{
  m_cancel.through.store(m_nextId - 1);
  m_cancel.flag.store(true);
}

void EngineController::setState(State state)
{
  if (m_state == state)
    return;
  m_state = state;
  emit stateChanged();
}

void EngineController::setError(const QString &error)
{
  if (m_lastError == error)
    return;
  m_lastError = error;
  emit lastErrorChanged();
}

GenerationSettings EngineController::settingsFromMap(const QVariantMap &map)
{
  GenerationSettings s;
  auto num = [&](const char *key, double fallback) {
    const QVariant v = map.value(QLatin1String(key));
    return v.isValid() ? v.toDouble() : fallback;
  };
  s.temperature = num("temperature", s.temperature);
  s.topK = int(num("topK", s.topK));
  s.topP = num("topP", s.topP);
  s.minP = num("minP", s.minP);
  s.repeatPenalty = num("repeatPenalty", s.repeatPenalty);
  s.presencePenalty = num("presencePenalty", s.presencePenalty);
  s.frequencyPenalty = num("frequencyPenalty", s.frequencyPenalty);
  s.penaltyWindow = int(num("penaltyWindow", s.penaltyWindow));
  s.seed = qint64(num("seed", double(s.seed)));
  s.maxTokens = int(num("maxTokens", s.maxTokens));
  s.stopStrings = map.value(QStringLiteral("stopStrings")).toStringList();
  return s;
}

QVariantMap EngineController::resultToMap(const GenerationResult &r)
{
  return {
      {QStringLiteral("promptTokens"), r.promptTokens},
      {QStringLiteral("reusedTokens"), r.reusedTokens},
      {QStringLiteral("prefilledTokens"), r.prefilledTokens},
      {QStringLiteral("generatedTokens"), r.generatedTokens},
      {QStringLiteral("droppedMessages"), r.droppedMessages},
      {QStringLiteral("timeToFirstTokenMs"), r.timeToFirstTokenMs},
      {QStringLiteral("prefillTokensPerSecond"), r.prefillTokensPerSecond},
      {QStringLiteral("generationTokensPerSecond"), r.generationTokensPerSecond},
      {QStringLiteral("reasoningMs"), r.reasoningMs},
      {QStringLiteral("stopReason"), r.stopReason},
      {QStringLiteral("seed"), r.seed},
  };
}

} // namespace hearth
